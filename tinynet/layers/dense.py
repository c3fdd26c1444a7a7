"""``Dense``: the fully connected layer, the seed's only kind of layer."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._numerics import column_sums
from .._validation import integer
from ..errors import ShapeError
from ..layer import Array, Shape
from ..registry import register
from .activated import ActivatedLayer

__all__ = ["Dense"]


@register
class Dense(ActivatedLayer):
    """Fully connected layer: every output unit is a weighted sum of all inputs.

    Math (on the last axis; x2 = x.reshape(-1, features), dz2 = dz.reshape(-1, units); grad = dL/dy)::

        forward    z = (x2 @ kernel + bias).reshape(*x.shape[:-1], units)     y = activation(z)
        backward   dz = activation.backward(grad)  (dz = grad when linear)
                   dkernel = x2.T @ dz2            dbias = dz2.sum(axis=0)
                   dx = dz @ kernel.T              (skipped when not needs_input_grad)

    As in Keras, an input of any rank is transformed along its last axis:
    every leading axis (the batch, time steps, positions) is folded into the
    rows of one matrix product, and the kernel and bias gradients sum over
    all of them. ``forward_linear`` / ``backward_linear`` below are the lines
    with ``z``; :class:`ActivatedLayer` applies the activation around them.

    Parameters
    ----------
    units : int
        Number of output features.
    activation : str, Activation or None
        Applied to ``z``; ``None`` (the default) means linear. It becomes the
        sub-layer ``self.activation``, which ``compile`` can fuse into the loss.
    use_bias : bool
        Whether to add ``bias``.
    kernel_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"`` and ``"zeros"`` by default, as in Keras.
    kernel_regularizer, bias_regularizer : str or regularizer, optional
        A penalty (``"l2"``, ``tn.regularizers.L1(0.01)``) the model adds to the loss while training.
    kernel_constraint, bias_constraint : str or constraint, optional
        A projection the optimizer applies after each update (``tn.constraints.MaxNorm(2.0)``: each
        unit's incoming weights, a kernel column, to norm at most 2).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, ..., in_features)``; output ``(batch, ..., units)`` (``(batch, in_features)``
    to ``(batch, units)`` in the common case). Parameters ``kernel (in_features, units)`` and
    ``bias (units,)``, Keras's names and layout. A layer built for one per-sample shape takes that shape.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.Dense(3, activation="relu")
    >>> layer(np.ones((4, 2))).shape
    (4, 3)
    >>> [p.name for p in layer.parameters()], layer.kernel.shape
    (['kernel', 'bias'], (2, 3))
    >>> tn.layers.Dense(3)(np.ones((4, 5, 2))).shape   # a sequence: each of the 5 steps
    (4, 5, 3)
    """

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            kernel_constraint,
            bias_constraint,
            **kwargs,
        )
        self.units = integer(units, self._label(), "units", minimum=1)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 1:
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, ..., features), received per-sample shape "
                f"{input_shape} (no feature axis). Give each sample at least one axis: x.reshape(-1, 1)."
            )
        self.build_kernel((input_shape[-1], self.units), self.units)

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        x2 = x if x.ndim == 2 else _rows(x)  # every leading axis folded into the rows
        self.remember(x=x2)  # kept as "x": for 2-D input it is x itself
        z = x2 @ self.kernel.value
        if self.bias is not None:
            z += self.bias.value
        return z if x.ndim == 2 else z.reshape(*x.shape[:-1], self.units)

    def backward_linear(self, dz: Array) -> Array | None:
        (x2,) = self.recall("x")
        dz2 = dz if dz.ndim == 2 else _rows(dz)
        np.matmul(x2.T, dz2, out=self.kernel.grad)  # written in place: it may be a view of a flat buffer
        if self.bias is not None:
            column_sums(dz2, out=self.bias.grad)  # dz2.sum(axis=0), in place too
        if not self.needs_input_grad:
            return None
        dx2 = dz2 @ self.kernel.value.T
        return dx2 if dz.ndim == 2 else dx2.reshape(*dz.shape[:-1], x2.shape[1])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}


def _rows(a: Array) -> Array:
    """``a`` as a matrix of rows along its last axis: ``a`` itself when 2-D, else a reshape (a view when it can be)."""
    return a if a.ndim == 2 else a.reshape(math.prod(a.shape[:-1]), a.shape[-1])
