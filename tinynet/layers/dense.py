"""``Dense``: the fully connected layer, the seed's only kind of layer."""

from __future__ import annotations

from typing import Any

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

    Math (batch on axis 0, grad = dL/dy)::

        forward    z = x @ kernel + bias           y = activation(z)
        backward   dz = activation.backward(grad)  (dz = grad when linear)
                   dkernel = x.T @ dz              dbias = dz.sum(axis=0)
                   dx = dz @ kernel.T              (skipped when not needs_input_grad)

    ``forward_linear`` / ``backward_linear`` below are the lines with ``z``;
    :class:`ActivatedLayer` applies the activation around them.

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
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, in_features)``; output ``(batch, units)``. Parameters
    ``kernel (in_features, units)`` and ``bias (units,)``, Keras's names and layout.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.Dense(3, activation="relu")
    >>> layer(np.ones((4, 2))).shape
    (4, 3)
    >>> [p.name for p in layer.parameters()], layer.kernel.shape
    (['kernel', 'bias'], (2, 3))
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, **kwargs
        )
        self.units = integer(units, self._label(), "units", minimum=1)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 1:
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, features), received per-sample shape "
                f"{input_shape}. Put a Flatten layer before it for images or sequences."
            )
        self.build_kernel((input_shape[0], self.units), self.units)

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        self.remember(x=x)
        z = x @ self.kernel.value
        if self.bias is not None:
            z += self.bias.value
        return z

    def backward_linear(self, dz: Array) -> Array | None:
        (x,) = self.recall("x")
        self.kernel.grad = x.T @ dz
        if self.bias is not None:
            self.bias.grad = column_sums(dz)  # dz.sum(axis=0)
        return dz @ self.kernel.value.T if self.needs_input_grad else None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return (self.units,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}
