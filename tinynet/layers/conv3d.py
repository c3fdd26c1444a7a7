"""``Conv3D``: a convolution over volumes (or videos), channels last, as one im2col matrix product."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._im2col_nd import batch_first, batch_last, col2im, im2col
from .._numerics import column_sums
from .._validation import integer
from ..errors import InvalidValueError
from ..layer import Array, Shape
from ..registry import register
from .conv_base import ConvGeometry

__all__ = ["Conv3D", "Convolution3D"]


@register
class Conv3D(ConvGeometry):
    """3-D convolution: each output voxel is a weighted sum of a window of the input, over all channels.

    Math (xp = x zero-padded; cols = im2col(x) of shape (kd*kh*kw*c, od*oh*ow*n), batch last;
    kernel2 = kernel.reshape(kd*kh*kw*c, filters); grad = dL/dy; see :mod:`tinynet._im2col_nd`)::

        z[b, p, q, r, f] = bias[f] + sum over i, j, l, ch of
                           xp[b, p*sd + i*dd, q*sh + j*dh, r*sw + l*dw, ch] * kernel[i, j, l, ch, f]

        forward    cols = im2col(x)                z = batch_first(cols.T @ kernel2) + bias     y = activation(z)
        backward   dz = activation.backward(grad)  dzc = batch_last(dz)
                   dkernel = cols @ dzc            dbias = dzc.sum(axis=0)
                   dcols = kernel2 @ dzc.T         dx = col2im(dcols)     (both skipped when not needs_input_grad)

    Parameters
    ----------
    filters : int
        Number of output channels.
    kernel_size : int or (int, int, int)
        ``(kd, kh, kw)``.
    strides : int or (int, int, int)
        ``(sd, sh, sw)``; 1 by default.
    padding : {"valid", "same"}
        As for :class:`~tinynet.layers.Conv2D` (Keras's rule), on each of the three axes.
    data_format : {"channels_last", None}
        Keras's argument; tinynet is channels-last only, and ``"channels_first"`` is refused.
    dilation_rate : int or (int, int, int)
        Spacing between kernel taps; 1 by default. Cannot exceed 1 together with strides (as in Keras).
    groups : int
        Keras's argument; only 1 (every filter sees every channel) is supported.
    activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, \
kernel_constraint, bias_constraint, **kwargs
        As for :class:`~tinynet.layers.Conv2D`.

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output ``(batch, out_d, out_h, out_w, filters)``.
    Parameters ``kernel (kd, kh, kw, channels, filters)`` and ``bias (filters,)``, Keras's names and layout.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Conv3D(4, 3, strides=2, padding="same")
    >>> layer(np.ones((2, 5, 6, 7, 3))).shape, layer.kernel.shape
    ((2, 3, 3, 4, 4), (3, 3, 3, 3, 4))
    >>> cube_sum = Conv3D(1, 2, kernel_initializer="ones", use_bias=False)
    >>> cube_sum(np.arange(8.0).reshape(1, 2, 2, 2, 1)).ravel()    # 0 + 1 + ... + 7
    array([28.], dtype=float32)
    """

    rank = 3

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1, 1),
        groups: int = 1,
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
        self.filters = integer(filters, self._label(), "filters", minimum=1)
        if integer(groups, self._label(), "groups", minimum=1) != 1:
            raise InvalidValueError(
                f"{self._label()}: groups={groups} is not supported; only groups=1 (every filter sees every "
                "channel); DepthwiseConv1D and DepthwiseConv2D convolve each channel on its own."
            )
        self.groups = 1
        self._set_geometry(kernel_size, strides, padding, dilation_rate, data_format)

    def build(self, input_shape: Shape) -> None:
        self._check_input(input_shape)
        self.build_kernel((*self.kernel_size, input_shape[-1], self.filters), self.filters)

    def output_channels(self, channels: int) -> int:
        return self.filters

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        window = self._window(x.shape[1:-1])
        self._check_window(window, x.shape[1:])  # a layer built for sizes None meets the sizes here
        cols = im2col(x, window)
        z = batch_first(cols.T @ self.kernel.value.reshape(-1, self.filters), window)
        self.remember(cols=cols, window=window, x_shape=x.shape)
        return z.copy() if self.bias is None else np.add(z, self.bias.value, order="C")  # contiguous

    def backward_linear(self, dz: Array) -> Array | None:
        cols, window, x_shape = self.recall("cols", "window", "x_shape")
        dzc = batch_last(dz)
        self.kernel.grad = (cols @ dzc).reshape(self.kernel.shape)
        if self.bias is not None:
            self.bias.grad = column_sums(dzc)  # dzc.sum(axis=0)
        if not self.needs_input_grad:
            return None
        return col2im(self.kernel.value.reshape(-1, self.filters) @ dzc.T, window, x_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters, "groups": self.groups}


#: Keras's other name for :class:`Conv3D` (the same class).
Convolution3D = Conv3D
