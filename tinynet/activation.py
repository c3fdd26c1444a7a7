"""``Activation``: a parameter-free layer applied element by element (row by row for softmax)."""

from __future__ import annotations

from .layer import Array, Layer

__all__ = ["Activation"]


class Activation(Layer):
    """Base class of the activations in :mod:`tinynet.activations`.

    An activation has no parameters and takes any input shape: it is usable
    alone (``tn.activations.ReLU()``) or by name inside a layer
    (``Dense(25, activation="relu")``, where it becomes the Dense's
    ``activation`` sub-layer). Subclasses write ``forward`` and ``backward``
    like any layer; ``backward`` is the true vector-Jacobian product of
    ``forward``, never a shortcut that assumes a particular loss.

    A fused loss (sigmoid or softmax with its cross-entropy) works with the
    activation through two small hooks. :meth:`logits_of` hands it the input
    ``x`` that produced an output ``y``, so the loss can be computed exactly
    from the logits; :meth:`hand_down` lets it pass dL/dx, computed exactly
    from the logits, through the activation's ``backward`` unchanged. An
    activation that wants to be fused records its last call with
    :meth:`record_call` in ``forward`` and starts ``backward`` with
    :meth:`handed_down`; the others need do nothing.
    """

    accepts_any_shape = True

    #: ``(x, y)`` of the last ``forward`` that recorded itself (kept under inference too, so a
    #: fused loss finds the logits in ``evaluate``); a gradient handed down for the next ``backward``.
    _last_call: tuple[Array, Array] | None = None
    _handed_down: Array | None = None

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    #: Whether ``f(max(a, b)) == max(f(a), f(b))`` exactly, with the gradient unchanged when the maximum is
    #: taken first: a model may then run a max pooling before this activation instead of after it,
    #: on fewer values (``tinynet/models/_plan.py``). True for the plain ReLU.
    commutes_with_max = False

    def forward_in_place(self, x: Array, training: bool = False) -> Array:
        """``forward`` for an ``x`` the caller owns and drops: it may be overwritten and returned.

        :class:`~tinynet.layers.ActivatedLayer` applies its activation this way
        to the ``z`` it has just computed, which saves allocating (and, for a
        large batch, faulting in) a second array of that size. The default
        calls ``forward``; ReLU overrides it.
        """
        return self.forward(x, training)

    def backward(self, grad: Array) -> Array:
        """dL/dx from ``grad`` = dL/dy: an activation always returns its input gradient."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad).")

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(input_shape)

    # ------------------------------------------------------------------ the fused loss's hooks
    def record_call(self, x: Array, y: Array) -> None:
        """Remember that the last ``forward`` mapped ``x`` to ``y``, for :meth:`logits_of`."""
        self._last_call = (x, y)
        self._handed_down = None

    def logits_of(self, y: Array) -> Array | None:
        """The input of the last recorded ``forward`` if ``y`` is that call's very output, else ``None``."""
        last = self._last_call
        return last[0] if last is not None and last[1] is y else None

    def hand_down(self, dx: Array) -> Array:
        """Mark ``dx`` (dL/dx, already through this activation) for the next ``backward``, and return it.

        That ``backward``, given exactly this array, returns it unchanged
        instead of multiplying by the activation's derivative a second time.
        """
        self._handed_down = dx
        return dx

    def handed_down(self, grad: Array) -> bool:
        """Whether ``grad`` is the gradient :meth:`hand_down` marked; the mark is used up."""
        if grad is not self._handed_down:
            return False
        self._handed_down = None
        return True
