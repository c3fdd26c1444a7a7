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
    """

    accepts_any_shape = True

    def forward_in_place(self, x: Array, training: bool = False) -> Array:
        """``forward`` for an ``x`` the caller owns and drops: it may be overwritten and returned.

        :class:`~tinynet.layers.ActivatedLayer` applies its activation this way
        to the ``z`` it has just computed, which saves allocating (and, for a
        large batch, faulting in) a second array of that size. The default
        calls ``forward``; ReLU overrides it.
        """
        return self.forward(x, training)

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(input_shape)
