"""Separable convolutions: ``SeparableConv1D``, ``SeparableConv2D``, a depthwise then a pointwise convolution.

The depthwise step is :func:`tinynet.layers.depthwise.depthwise` on im2col's
columns; the pointwise step, a 1x1 convolution, is a matrix product on its
rows; the bias and the activation come once, at the end, as in Keras.
"""

from __future__ import annotations

from typing import Any

from .. import constraints, initializers, regularizers
from .._im2col_nd import batch_first, batch_last, col2im, im2col
from .._numerics import column_sums
from .._validation import integer
from ..layer import Array, Shape
from ..registry import register, serialize
from .activated import _serialize_optional
from .conv_base import ConvGeometry
from .depthwise import depthwise, depthwise_backward

__all__ = ["SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D"]


class _SeparableConv(ConvGeometry):
    """What ``SeparableConv1D`` and ``SeparableConv2D`` share: arguments, the two products and their gradients.

    Math (cols = im2col(x), rows (tap, channel), batch last; ``depthwise`` is one matmul per channel,
    see :func:`~tinynet.layers.depthwise.depthwise`; pointwise2 = pointwise_kernel.reshape(channels * M, filters);
    grad = dL/dy)::

        forward    cols = im2col(x)                 zd = depthwise(cols, depthwise_kernel)
                   z = batch_first(zd @ pointwise2) + bias                          y = activation(z)
        backward   dz = activation.backward(grad)   dzc = batch_last(dz)
                   dpointwise_kernel = zd.T @ dzc   dbias = dzc.sum(axis=0)
                   dzd = dzc @ pointwise2.T
                   ddepthwise_kernel, dcols = depthwise_backward(cols, depthwise_kernel, dzd)
                   dx = col2im(dcols)               (dcols and dx skipped when not needs_input_grad)

    ``kernel_*`` of :class:`~tinynet.layers.ActivatedLayer` hold Keras's ``depthwise_*`` arguments.
    """

    strides_with_dilation = True  # as for the depthwise layers

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            activation,
            use_bias,
            depthwise_initializer,
            bias_initializer,
            depthwise_regularizer,
            bias_regularizer,
            depthwise_constraint,
            bias_constraint,
            **kwargs,
        )
        self.filters = integer(filters, self._label(), "filters", minimum=1)
        self.depth_multiplier = integer(depth_multiplier, self._label(), "depth_multiplier", minimum=1)
        self._set_geometry(kernel_size, strides, padding, dilation_rate, data_format)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape: Shape) -> None:
        self._check_input(input_shape)
        maps = input_shape[-1] * self.depth_multiplier
        self.depthwise_kernel = self.add_parameter(
            "depthwise_kernel",
            (*self.kernel_size, input_shape[-1], self.depth_multiplier),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.pointwise_kernel = self.add_parameter(
            "pointwise_kernel",
            (*(1,) * self.rank, maps, self.filters),
            self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self.bias = (
            self.add_parameter(
                "bias",
                (self.filters,),
                self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
            if self.use_bias
            else None
        )

    def output_channels(self, channels: int) -> int:
        return self.filters

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        window = self._window(x.shape[1:-1])
        self._check_window(window, x.shape[1:])  # a layer built for sizes None meets the sizes here
        cols = im2col(x, window)
        zd = depthwise(cols, self.depthwise_kernel.value)
        zc = zd @ self.pointwise_kernel.value.reshape(-1, self.filters)
        if self.bias is not None:
            zc += self.bias.value
        self.remember(cols=cols, zd=zd, window=window, x_shape=x.shape)
        return batch_first(zc, window).copy()  # contiguous

    def backward_linear(self, dz: Array) -> Array | None:
        cols, zd, window, x_shape = self.recall("cols", "zd", "window", "x_shape")
        dzc = batch_last(dz)
        pointwise2 = self.pointwise_kernel.value.reshape(-1, self.filters)
        self.pointwise_kernel.grad = (zd.T @ dzc).reshape(self.pointwise_kernel.shape)
        if self.bias is not None:
            self.bias.grad = column_sums(dzc)  # dzc.sum(axis=0)
        dzd = dzc @ pointwise2.T
        self.depthwise_kernel.grad, dcols = depthwise_backward(
            cols, self.depthwise_kernel.value, dzd, self.needs_input_grad
        )
        return None if dcols is None else col2im(dcols, window, x_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for what in ("initializer", "regularizer", "constraint"):
            config[f"depthwise_{what}"] = config.pop(f"kernel_{what}")
        return {
            **config,
            "pointwise_initializer": serialize(self.pointwise_initializer),
            "pointwise_regularizer": _serialize_optional(self.pointwise_regularizer),
            "pointwise_constraint": _serialize_optional(self.pointwise_constraint),
            "filters": self.filters,
            "depth_multiplier": self.depth_multiplier,
        }


@register
class SeparableConv2D(_SeparableConv):
    """2-D separable convolution: a depthwise convolution, then a 1x1 convolution mixing its maps into ``filters``.

    Math (xp = x zero-padded; M = depth_multiplier; output of the depthwise step zd, channel c*M + m)::

        zd[b, p, q, c*M + m] = sum over i, j of xp[b, p*sh + i*dh, q*sw + j*dw, c] * depthwise_kernel[i, j, c, m]
        z[b, p, q, f] = bias[f] + sum over k of zd[b, p, q, k] * pointwise_kernel[0, 0, k, f]     y = activation(z)

    computed as matrix products over im2col's columns (the Math of ``_SeparableConv`` in
    ``tinynet/layers/separable.py``): fewer weights and products than a :class:`~tinynet.layers.Conv2D`.

    Parameters
    ----------
    filters : int
        Number of output channels.
    kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier : optional
        As for :class:`~tinynet.layers.DepthwiseConv2D` (the depthwise step's geometry).
    activation, use_bias, bias_initializer, bias_regularizer, bias_constraint, **kwargs
        As for :class:`~tinynet.layers.Conv2D`.
    depthwise_initializer, pointwise_initializer : str or initializer
        ``"glorot_uniform"`` by default, as in Keras.
    depthwise_regularizer, pointwise_regularizer, depthwise_constraint, pointwise_constraint : optional
        Penalties and constraints on the two kernels.

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, out_h, out_w, filters)``. Parameters, in
    Keras's order and layout: ``depthwise_kernel (kh, kw, channels, depth_multiplier)``,
    ``pointwise_kernel (1, 1, channels * depth_multiplier, filters)`` and ``bias (filters,)``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = SeparableConv2D(8, 3, depth_multiplier=2, padding="same")
    >>> layer(np.ones((2, 5, 6, 3))).shape
    (2, 5, 6, 8)
    >>> [w.shape for w in layer.get_weights()]
    [(3, 3, 3, 2), (1, 1, 6, 8), (8,)]
    """

    rank = 2


@register
class SeparableConv1D(_SeparableConv):
    """1-D separable convolution: a depthwise convolution over steps, then a pointwise one into ``filters``.

    Math (xp = x zero-padded; M = depth_multiplier)::

        zd[b, t, c*M + m] = sum over i of xp[b, t*s + i*d, c] * depthwise_kernel[i, c, m]
        z[b, t, f] = bias[f] + sum over k of zd[b, t, k] * pointwise_kernel[0, k, f]       y = activation(z)

    computed as :class:`SeparableConv2D` computes it (the Math of ``_SeparableConv``), on one spatial axis.

    Parameters
    ----------
    filters, padding, data_format, depth_multiplier, activation, use_bias, depthwise_initializer, \
pointwise_initializer, bias_initializer, depthwise_regularizer, pointwise_regularizer, bias_regularizer, \
depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs
        As for :class:`SeparableConv2D`.
    kernel_size, strides, dilation_rate : int or (int,)
        ``k``, ``s`` (1 by default) and ``d`` (1 by default).

    Shape
    -----
    input ``(batch, steps, channels)``; output ``(batch, out_steps, filters)``. Parameters
    ``depthwise_kernel (k, channels, depth_multiplier)``, ``pointwise_kernel (1, channels * depth_multiplier,
    filters)`` and ``bias (filters,)``, Keras's names, order and layout.

    Examples
    --------
    >>> import numpy as np
    >>> layer = SeparableConv1D(4, 3, strides=2)
    >>> layer(np.ones((2, 9, 3))).shape
    (2, 4, 4)
    """

    rank = 1


#: Keras's other names for the separable convolutions (the same classes).
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
