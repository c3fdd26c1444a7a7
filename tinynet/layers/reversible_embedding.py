"""``ReversibleEmbedding``: an Embedding that, called with ``reverse=True``, projects vectors back to logits."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._shapes import checked_batch, shape_fits, shape_key
from .._validation import boolean, real
from ..errors import ShapeError
from ..layer import Array, Shape
from ..registry import register
from ..symbolic import call_symbolic, is_symbolic
from .embedding import Embedding

__all__ = ["ReversibleEmbedding"]


@register
class ReversibleEmbedding(Embedding):
    """Keras's ``ReversibleEmbedding``: indices to vectors, and with ``reverse=True`` vectors to logits.

    ``layer(indices)`` is :class:`Embedding`'s lookup; ``layer(x, reverse=True)`` projects the last axis
    of ``x`` from ``output_dim`` to ``input_dim`` with the transposed table (tied weights, the default) or
    with its own ``reverse_embeddings``. A language model's input and output layers share one table so.

    Math (grad = dL/dy)::

        forward    y = embeddings[x]                                          reverse=False
                   z = x @ kernel       kernel = embeddings.T (tied) or reverse_embeddings       reverse=True
                   y = cap * tanh(z / cap)          (y = z without logit_soft_cap)
        backward   dembeddings[x] += grad    (np.add.at), no input gradient        reverse=False
                   dz = grad * (1 - (y / cap)**2)    (dz = grad without logit_soft_cap)      reverse=True
                   dkernel = x2.T @ dz2      (x2, dz2: every leading axis folded into rows)
                   dembeddings = dkernel.T (tied) or dreverse_embeddings = dkernel
                   dx = dz @ kernel.T

    A parameter a call does not use gets a zero gradient (``reverse_embeddings`` in a lookup, the table in
    an untied reverse call), so a graph that calls the layer twice sums what each call contributes.

    Parameters
    ----------
    input_dim, output_dim : int
        Vocabulary size and vector length, as for :class:`Embedding`.
    tie_weights : bool
        Project back with ``embeddings.T`` (``True``) or with a separate ``reverse_embeddings (output_dim,
        input_dim)``, initialized like ``embeddings``.
    embeddings_initializer, embeddings_regularizer, embeddings_constraint, mask_zero :
        As for :class:`Embedding`; in Keras the lookup's mask is set on its output the same way.
    logit_soft_cap : float, optional
        Squash the reverse call's logits into ``(-cap, cap)`` with ``cap * tanh(z / cap)``.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    ``reverse=False``: integers ``(batch, ...)`` to ``(batch, ..., output_dim)``; ``reverse=True``:
    ``(batch, ..., output_dim)`` to ``(batch, ..., input_dim)``. Parameters ``embeddings (input_dim,
    output_dim)`` and, untied, ``reverse_embeddings (output_dim, input_dim)``, Keras's names.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.ReversibleEmbedding(100, 8)
    >>> hidden = layer(np.array([[1, 5, 7]]))
    >>> logits = layer(hidden, reverse=True)
    >>> hidden.shape, logits.shape
    ((1, 3, 8), (1, 3, 100))
    >>> bool(np.allclose(logits, hidden @ layer.embeddings.value.T))   # tied: the table, transposed
    True

    Notes
    -----
    ``tn.testing.check_gradients`` treats the layer as one that takes indices; the reverse call's input
    gradient is proven in ``tests/layers/test_reversible_embedding.py``. Keras's ``reverse_dtype`` is not
    supported: the reverse call runs in the layer's dtype.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        tie_weights: bool = True,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        logit_soft_cap: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            input_dim, output_dim, embeddings_initializer, embeddings_regularizer, embeddings_constraint, mask_zero,
            **kwargs,
        )  # fmt: skip
        self.tie_weights = boolean(tie_weights, self._label(), "tie_weights")
        cap = logit_soft_cap
        self.logit_soft_cap = None if cap is None else real(cap, self._label(), "logit_soft_cap", 0.0, strict=True)

    def build(self, input_shape: Shape) -> None:
        super().build(input_shape)
        self.reverse_embeddings = None
        if not self.tie_weights:
            self.reverse_embeddings = self.add_parameter(
                "reverse_embeddings", (self.output_dim, self.input_dim), self.embeddings_initializer
            )

    def __call__(self, x: Any, training: bool = False, reverse: bool = False) -> Any:  # type: ignore[override]
        """The lookup, or with ``reverse=True`` the projection back (``x`` a float batch ``(..., output_dim)``)."""
        if not boolean(reverse, self._label(), "reverse"):
            return super().__call__(x, training)
        if is_symbolic(x):
            return call_symbolic(self, x, {"reverse": True})
        x = checked_batch(x, self.dtype, False, False, self._label(), "input")
        if x.shape[-1] != self.output_dim:
            raise ShapeError(
                f"{self._label()}: reverse=True projects vectors of output_dim={self.output_dim} back to "
                f"input_dim={self.input_dim} logits, received shape {x.shape}."
            )
        self.ensure_built(x.shape[1:])
        return self.forward(x, training, reverse=True)

    def check_input_shape(self, input_shape: Any) -> None:
        """Indices of the shape it was built for, or vectors ``(..., output_dim)`` of it for the reverse call."""
        if not self._built:
            return
        built, shape = shape_key(self.input_shape), shape_key(input_shape)
        d = (self.output_dim,)
        if isinstance(shape, tuple) and (
            shape_fits(built, shape)
            or (shape[-1:] == d and shape_fits(built, shape[:-1]))
            or (built[-1:] == d and shape_fits(built[:-1], shape))
        ):
            return
        raise ShapeError(
            f"{self._label()}: built for indices of per-sample shape {built} (or their vectors, reversed), "
            f"received per-sample shape {shape}. Create a new layer for other shapes."
        )

    def forward(self, x: Array, training: bool = False, reverse: bool = False) -> Array:
        if not reverse:
            y = super().forward(x, training)
            self.remember(x=x, reverse=False)
            return y
        kernel = self._kernel()
        z = x.reshape(-1, self.output_dim) @ kernel
        y = z if self.logit_soft_cap is None else np.tanh(z / self.logit_soft_cap) * self.logit_soft_cap
        self.remember(reverse=True, x=x, y=y)
        return y.reshape(*x.shape[:-1], self.input_dim)

    def backward(self, grad: Array) -> Array | None:  # type: ignore[override]
        (reverse,) = self.recall("reverse")
        if not reverse:
            super().backward(grad)
            if self.reverse_embeddings is not None:
                self.reverse_embeddings.grad = np.zeros_like(self.reverse_embeddings.value)
            return None
        x, y = self.recall("x", "y")
        dz = grad.reshape(-1, self.input_dim)
        if self.logit_soft_cap is not None:
            dz = dz * (1.0 - (y / self.logit_soft_cap) ** 2)
        dkernel = x.reshape(-1, self.output_dim).T @ dz
        if self.reverse_embeddings is None:
            self.embeddings.grad = np.ascontiguousarray(dkernel.T)
        else:
            self.reverse_embeddings.grad = dkernel
            self.embeddings.grad = np.zeros_like(self.embeddings.value)
        return (dz @ self._kernel().T).reshape(x.shape)

    def _kernel(self) -> Array:
        """The reverse projection's ``(output_dim, input_dim)`` matrix."""
        return self.embeddings.value.T if self.reverse_embeddings is None else self.reverse_embeddings.value

    def compute_output_shape(self, input_shape: Shape, reverse: bool = False) -> Shape:
        if not reverse:
            return super().compute_output_shape(input_shape)
        self.ensure_built(input_shape)
        return (*input_shape[:-1], self.input_dim)

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """The lookup's mask (``mask_zero``); a reverse call keeps its input's mask."""
        if np.issubdtype(np.asarray(x).dtype, np.floating):
            return mask
        return super().compute_mask(x, mask)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "tie_weights": self.tie_weights, "logit_soft_cap": self.logit_soft_cap}
