"""Depthwise convolutions: ``DepthwiseConv1D``, ``DepthwiseConv2D``, each channel convolved on its own.

The columns of :mod:`tinynet._im2col_nd` hold every channel's window apart
(rows ordered ``(tap, channel)``), so a depthwise convolution is one batched
matrix product, one product per channel: :func:`depthwise` and its gradient
:func:`depthwise_backward`, which :mod:`tinynet.layers.separable` shares.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._im2col_nd import batch_first, batch_last, col2im, im2col
from .._numerics import column_sums
from .._validation import integer
from ..layer import Array, Shape
from ..registry import register
from .conv_base import ConvGeometry

__all__ = ["DepthwiseConv1D", "DepthwiseConv2D", "depthwise", "depthwise_backward"]


def depthwise(cols: Array, kernel: Array) -> Array:
    """Each channel's columns times its own kernel: ``(positions, channels * depth_multiplier)`` rows.

    ``cols`` is ``(taps * channels, positions)`` from im2col, ``kernel`` Keras's ``(k..., channels,
    depth_multiplier)``; output channel ``c * depth_multiplier + m`` is channel ``c``'s ``m``-th map, as in Keras.
    With ``cols3 = cols.reshape(taps, channels, positions)`` and ``kernel3 = kernel.reshape(taps, channels, m)``::

        zd[:, c, :] = cols3[:, c, :].T @ kernel3[:, c, :]          for every channel c (one batched matmul)
    """
    taps, channels, multiplier = math.prod(kernel.shape[:-2]), kernel.shape[-2], kernel.shape[-1]
    cols3 = cols.reshape(taps, channels, -1)
    zd = np.matmul(cols3.transpose(1, 2, 0), kernel.reshape(taps, channels, multiplier).transpose(1, 0, 2))
    return zd.transpose(1, 0, 2).reshape(-1, channels * multiplier)  # (channels, positions, m) -> rows


def depthwise_backward(cols: Array, kernel: Array, dzd: Array, needs_dcols: bool) -> tuple[Array, Array | None]:
    """The gradients of :func:`depthwise` for ``dzd`` = dL/dzd: ``(dkernel, dcols)`` (``dcols`` may be skipped)::

    dkernel3[:, c, :] = cols3[:, c, :] @ dzd[:, c, :]            dcols3[:, c, :] = kernel3[:, c, :] @ dzd[:, c, :].T
    """
    taps, channels, multiplier = math.prod(kernel.shape[:-2]), kernel.shape[-2], kernel.shape[-1]
    cols3 = cols.reshape(taps, channels, -1)
    dz3 = dzd.reshape(-1, channels, multiplier).transpose(1, 0, 2)  # (channels, positions, m)
    dkernel = np.matmul(cols3.transpose(1, 0, 2), dz3).transpose(1, 0, 2).reshape(kernel.shape)
    if not needs_dcols:
        return dkernel, None
    dcols = np.matmul(kernel.reshape(taps, channels, multiplier).transpose(1, 0, 2), dz3.transpose(0, 2, 1))
    return dkernel, np.ascontiguousarray(dcols.transpose(1, 0, 2)).reshape(cols.shape)


class _DepthwiseConv(ConvGeometry):
    """What ``DepthwiseConv1D`` and ``DepthwiseConv2D`` share: arguments, the batched product and its gradient.

    Math (cols = im2col(x), rows (tap, channel), columns output positions, batch last; ``depthwise``
    is one matmul per channel, see :func:`depthwise`; grad = dL/dy)::

        forward    cols = im2col(x)                z = batch_first(depthwise(cols, kernel)) + bias   y = activation(z)
        backward   dz = activation.backward(grad)  dzc = batch_last(dz)
                   dkernel, dcols = depthwise_backward(cols, kernel, dzc)        dbias = dzc.sum(axis=0)
                   dx = col2im(dcols)             (dcols and dx skipped when not needs_input_grad)

    ``kernel_*`` of :class:`~tinynet.layers.ActivatedLayer` hold Keras's ``depthwise_*`` arguments.
    """

    strides_with_dilation = True  # Keras's depthwise layers take both (its JAX and PyTorch backends run them)

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        depthwise_constraint: Any = None,
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
        self.depth_multiplier = integer(depth_multiplier, self._label(), "depth_multiplier", minimum=1)
        self._set_geometry(kernel_size, strides, padding, dilation_rate, data_format)

    def build(self, input_shape: Shape) -> None:
        self._check_input(input_shape)
        channels = input_shape[-1]
        self.build_kernel((*self.kernel_size, channels, self.depth_multiplier), channels * self.depth_multiplier)

    def output_channels(self, channels: int) -> int:
        return channels * self.depth_multiplier

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        window = self._window(x.shape[1:-1])
        self._check_window(window, x.shape[1:])  # a layer built for sizes None meets the sizes here
        cols = im2col(x, window)
        z = batch_first(depthwise(cols, self.kernel.value), window)
        self.remember(cols=cols, window=window, x_shape=x.shape)
        return z.copy() if self.bias is None else np.add(z, self.bias.value, order="C")  # contiguous

    def backward_linear(self, dz: Array) -> Array | None:
        cols, window, x_shape = self.recall("cols", "window", "x_shape")
        dzc = batch_last(dz)
        self.kernel.grad, dcols = depthwise_backward(cols, self.kernel.value, dzc, self.needs_input_grad)
        if self.bias is not None:
            self.bias.grad = column_sums(dzc)  # dzc.sum(axis=0)
        return None if dcols is None else col2im(dcols, window, x_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for what in ("initializer", "regularizer", "constraint"):
            config[f"depthwise_{what}"] = config.pop(f"kernel_{what}")
        return {**config, "depth_multiplier": self.depth_multiplier}


@register
class DepthwiseConv2D(_DepthwiseConv):
    """2-D depthwise convolution: each channel convolved with its own ``depth_multiplier`` kernels, apart.

    Math (xp = x zero-padded; output channel c * depth_multiplier + m)::

        z[b, p, q, c*M + m] = bias[c*M + m] + sum over i, j of xp[b, p*sh + i*dh, q*sw + j*dw, c] * kernel[i, j, c, m]
        y = activation(z)

    computed as one batched matrix product over im2col's columns, and its gradient as two more
    (the Math of ``_DepthwiseConv`` in ``tinynet/layers/depthwise.py``).

    Parameters
    ----------
    kernel_size : int or (int, int)
        ``(kh, kw)``.
    strides : int or (int, int)
        ``(sh, sw)``; 1 by default.
    padding : {"valid", "same"}
        As for :class:`~tinynet.layers.Conv2D` (Keras's rule).
    depth_multiplier : int
        ``M``, the output channels per input channel; 1 by default.
    data_format : {"channels_last", None}
        Keras's argument; tinynet is channels-last only, and ``"channels_first"`` is refused.
    dilation_rate : int or (int, int)
        Spacing between kernel taps; 1 by default (with strides too, as Keras's JAX and PyTorch backends).
    activation, use_bias, bias_initializer, bias_regularizer, bias_constraint, **kwargs
        As for :class:`~tinynet.layers.Conv2D`.
    depthwise_initializer, depthwise_regularizer, depthwise_constraint : optional
        For ``kernel``: ``"glorot_uniform"`` (fans ``kh * kw * channels`` and ``kh * kw * M``), no penalty and
        no constraint by default, as in Keras.

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, out_h, out_w, channels * depth_multiplier)``.
    Parameters ``kernel (kh, kw, channels, depth_multiplier)`` and ``bias (channels * depth_multiplier,)``:
    Keras 3's names (tf.keras 2 called the kernel ``depthwise_kernel``) and layouts.

    Examples
    --------
    >>> import numpy as np
    >>> layer = DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    >>> layer(np.ones((2, 5, 6, 3))).shape, layer.kernel.shape
    ((2, 5, 6, 6), (3, 3, 3, 2))
    >>> box = DepthwiseConv2D(2, depthwise_initializer="ones", use_bias=False)
    >>> box(np.stack([np.ones((2, 2)), np.full((2, 2), 10.0)], axis=-1)[None]).ravel()   # each channel's own sum
    array([ 4., 40.], dtype=float32)
    """

    rank = 2


@register
class DepthwiseConv1D(_DepthwiseConv):
    """1-D depthwise convolution over steps: each channel convolved with its own kernels, apart.

    Math (xp = x zero-padded; output channel c * depth_multiplier + m)::

        z[b, t, c*M + m] = bias[c*M + m] + sum over i of xp[b, t*s + i*d, c] * kernel[i, c, m]      y = activation(z)

    computed as :class:`DepthwiseConv2D` computes it (the Math of ``_DepthwiseConv``), on one spatial axis.

    Parameters
    ----------
    kernel_size, strides, dilation_rate : int or (int,)
        ``k``, ``s`` (1 by default) and ``d`` (1 by default).
    padding, depth_multiplier, data_format, activation, use_bias, depthwise_initializer, bias_initializer, \
depthwise_regularizer, bias_regularizer, depthwise_constraint, bias_constraint, **kwargs
        As for :class:`DepthwiseConv2D`.

    Shape
    -----
    input ``(batch, steps, channels)``; output ``(batch, out_steps, channels * depth_multiplier)``. Parameters
    ``kernel (k, channels, depth_multiplier)`` and ``bias (channels * depth_multiplier,)``, Keras 3's names.

    Examples
    --------
    >>> import numpy as np
    >>> pairs = DepthwiseConv1D(2, depthwise_initializer="ones", use_bias=False)
    >>> pairs(np.array([[[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]]))[0]    # x[t] + x[t + 1], per channel
    array([[ 3., 30.],
           [ 5., 50.]], dtype=float32)
    """

    rank = 1
