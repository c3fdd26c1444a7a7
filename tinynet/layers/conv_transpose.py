"""Transposed convolutions: ``Conv1DTranspose``, ``Conv2DTranspose``, ``Conv3DTranspose``, channels last.

A transposed convolution is the adjoint of a convolution: its forward is that
convolution's input gradient, ``col2im`` of a matrix product, and its
backward is that convolution's forward, ``im2col`` and a product (the Math of
``_ConvTranspose``). It maps something shaped like a convolution's output to
something shaped like its input: with strides, it upsamples.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._im2col_nd import WindowND, batch_first, batch_last, col2im, im2col
from .._numerics import column_sums
from .._validation import integer
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Shape
from ..registry import register
from .conv_base import ConvGeometry

__all__ = [
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "Convolution1DTranspose", "Convolution2DTranspose", "Convolution3DTranspose",
]  # fmt: skip


def transposed_geometry(n: int, k: int, s: int, d: int, padding: str, output_padding: int | None) -> tuple[int, int]:
    """``(out, before)`` along one axis of size ``n``: Keras's output size, and where it starts in the full output.

    The full output of a transposed convolution has ``(n - 1) * s + span`` positions
    (``span = (k - 1) * d + 1``): input position ``i`` reaches ``i * s + t * d`` through tap ``t``.
    Keras keeps ``out`` of them from position ``before`` on (zeros past the end)::

        valid    out = (n - 1) * s + span + output_padding      (output_padding None: max(span, s) - span)
                 before = 0
        same     out = n * s                                     (output_padding None)
                     = (n - 1) * s + span % 2 + output_padding
                 before = span - 1 - min(ceil(total / 2), span - 1),
                     total = s + span - 2 (output_padding None), else span + span % 2 - 2 + output_padding

    Examples
    --------
    >>> transposed_geometry(3, 3, 2, 1, "same", None)   # doubles the size
    (6, 0)
    >>> transposed_geometry(3, 3, 2, 1, "valid", None)
    (7, 0)
    >>> transposed_geometry(3, 5, 1, 1, "same", None)
    (3, 2)
    """
    span = (k - 1) * d + 1
    if padding == "valid":
        extra = max(span, s) - span if output_padding is None else output_padding
        return (n - 1) * s + span + extra, 0
    if output_padding is None:
        out, total = n * s, s + span - 2
    else:
        out, total = (n - 1) * s + span % 2 + output_padding, span + span % 2 - 2 + output_padding
    return out, span - 1 - min(-(-total // 2), span - 1)


class _ConvTranspose(ConvGeometry):
    """What the transposed convolutions share: arguments, geometry, the col2im product and its gradient.

    Math (xc = batch_last(x) of shape (n_1*...*n_r*batch, channels), one row per input position;
    kernel2 = kernel.reshape(k_1*...*k_r*filters, channels); the window is that of the convolution
    from the output's shape to the input's, see :mod:`tinynet._im2col_nd`; grad = dL/dy)::

        forward    xc = batch_last(x)              z = col2im(kernel2 @ xc.T) + bias      y = activation(z)
        backward   dz = activation.backward(grad)  cols = im2col(dz)
                   dkernel = cols @ xc             dbias = dz summed over all but the last axis
                   dx = batch_first(cols.T @ kernel2)          (skipped when not needs_input_grad)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = 1,
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
        self._set_geometry(kernel_size, strides, padding, dilation_rate, data_format)
        self.output_padding = None if output_padding is None else self._sizes(output_padding, "output_padding", 0)
        too_large = self.output_padding is not None and any(
            p >= s for p, s in zip(self.output_padding, self.strides, strict=True)
        )
        if too_large:
            raise InvalidValueError(
                f"{self._label()}: output_padding must be less than strides on every axis (as in Keras), received "
                f"output_padding={self.output_padding} and strides={self.strides}."
            )

    def _geometry(self, sizes: tuple[int, ...]) -> list[tuple[int, int]]:
        pads = self.output_padding or (None,) * self.rank
        args = zip(sizes, self.kernel_size, self.strides, self.dilation_rate, pads, strict=True)
        return [transposed_geometry(n, k, s, d, self.padding, p) for n, k, s, d, p in args]

    def output_sizes(self, sizes: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(out for out, _ in self._geometry(sizes))

    def output_channels(self, channels: int) -> int:
        return self.filters

    def _window(self, sizes: tuple[int, ...]) -> WindowND:
        """The window of the convolution from the output's sizes to the input's ``sizes``."""
        geometry = self._geometry(sizes)
        out, before = tuple(o for o, _ in geometry), tuple(b for _, b in geometry)
        return WindowND.transposed(out, tuple(sizes), self.kernel_size, self.strides, self.dilation_rate, before)

    def _check_window(self, window: WindowND, input_shape: Shape) -> None:
        """Refuse an output with no position (``padding='same'``, an even span, ``output_padding=0``, one step)."""
        if min(window.size) < 1:
            raise ShapeError(
                f"{self._label()}: the output would have spatial shape {window.size} for input of shape "
                f"(batch, {', '.join(map(str, input_shape))}) with kernel_size {self.kernel_size}, strides "
                f"{self.strides}, padding='{self.padding}' and output_padding={self.output_padding}. Use a longer "
                "input, or output_padding=None."
            )

    def build(self, input_shape: Shape) -> None:
        self._check_input(input_shape)
        self.build_kernel((*self.kernel_size, self.filters, input_shape[-1]), self.filters)

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        window = self._window(x.shape[1:-1])
        self._check_window(window, x.shape[1:])  # a layer built for sizes None meets the sizes here
        xc = batch_last(x)
        kernel2 = self.kernel.value.reshape(-1, x.shape[-1])
        z = col2im(kernel2 @ xc.T, window, (len(x), *window.size, self.filters))  # a new array
        if self.bias is not None:
            z += self.bias.value
        self.remember(xc=xc, window=window)
        return z

    def backward_linear(self, dz: Array) -> Array | None:
        xc, window = self.recall("xc", "window")
        cols = im2col(dz, window)
        self.kernel.grad = (cols @ xc).reshape(self.kernel.shape)
        if self.bias is not None:
            self.bias.grad = column_sums(dz.reshape(-1, self.filters))  # dz summed over all but the last axis
        if not self.needs_input_grad:
            return None
        return np.ascontiguousarray(batch_first(cols.T @ self.kernel.value.reshape(-1, xc.shape[1]), window))

    def get_config(self) -> dict[str, Any]:
        output_padding = None if self.output_padding is None else list(self.output_padding)
        return {**super().get_config(), "filters": self.filters, "output_padding": output_padding}


@register
class Conv2DTranspose(_ConvTranspose):
    """2-D transposed convolution: each input pixel adds a kernel-shaped patch, scaled by its channels, to the output.

    Math (full output before Keras's crop; grad = dL/dy)::

        z[b, p*sh + i*dh, q*sw + j*dw, f] += x[b, p, q, ch] * kernel[i, j, f, ch]     (summed over p, q, i, j, ch)
        z += bias                                                                       y = activation(z)

    computed as ``col2im`` of one matrix product, and its gradient as ``im2col`` and two more
    (the Math of ``_ConvTranspose`` in ``tinynet/layers/conv_transpose.py``).

    Parameters
    ----------
    filters : int
        Number of output channels.
    kernel_size : int or (int, int)
        ``(kh, kw)``.
    strides : int or (int, int)
        ``(sh, sw)``, 1 by default: the factor by which the output is larger.
    padding : {"valid", "same"}
        Keras's output size (see ``transposed_geometry``): ``"same"`` gives ``n * s`` on an axis,
        ``"valid"`` ``(n - 1) * s + max(span, s)``, ``span = (k - 1) * dilation + 1``.
    output_padding : int, (int, int) or None
        Given, the output has ``(n - 1) * s + span + output_padding`` positions (``"valid"``) or
        ``(n - 1) * s + span % 2 + output_padding`` (``"same"``); each less than its stride. ``None``
        (the default) lets ``padding`` decide, as in Keras.
    data_format : {"channels_last", None}
        Keras's argument; tinynet is channels-last only, and ``"channels_first"`` is refused.
    dilation_rate : int or (int, int)
        Spacing between kernel taps; 1 by default. Cannot exceed 1 together with strides (as in Keras).
    activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, \
kernel_constraint, bias_constraint, **kwargs
        As for :class:`~tinynet.layers.Conv2D`.

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, out_h, out_w, filters)``. Parameters
    ``kernel (kh, kw, filters, channels)`` (Keras's layout: output channels before input channels) and
    ``bias (filters,)``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Conv2DTranspose(4, 3, strides=2, padding="same")
    >>> layer(np.ones((2, 5, 6, 3))).shape, layer.kernel.shape
    ((2, 10, 12, 4), (3, 3, 4, 3))
    >>> spread = Conv2DTranspose(1, 2, strides=2, kernel_initializer="ones", use_bias=False)
    >>> spread(np.array([[1.0, 2.0]]).reshape(1, 1, 2, 1))[0, :, :, 0]    # each pixel becomes a 2x2 block
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]], dtype=float32)
    """

    rank = 2


@register
class Conv1DTranspose(_ConvTranspose):
    """1-D transposed convolution: each input step adds a kernel-shaped run of steps to the output.

    Math (full output before Keras's crop; grad = dL/dy)::

        z[b, t*s + i*d, f] += x[b, t, ch] * kernel[i, f, ch]     (summed over t, i, ch)
        z += bias                                                 y = activation(z)

    computed as :class:`Conv2DTranspose` computes it (the Math of ``_ConvTranspose``), on one spatial axis.

    Parameters
    ----------
    filters, padding, output_padding, data_format, activation, use_bias, kernel_initializer, bias_initializer, \
kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint, **kwargs
        As for :class:`Conv2DTranspose`.
    kernel_size, strides, dilation_rate : int or (int,)
        ``k``, ``s`` (1 by default) and ``d`` (1 by default); strides and dilation cannot both exceed 1.

    Shape
    -----
    input ``(batch, steps, channels)``; output ``(batch, out_steps, filters)``. Parameters
    ``kernel (k, filters, channels)`` and ``bias (filters,)``, Keras's names and layout.

    Examples
    --------
    >>> import numpy as np
    >>> upsample = Conv1DTranspose(1, 2, strides=2, kernel_initializer="ones", use_bias=False)
    >>> upsample(np.array([[[1.0], [2.0], [3.0]]]))[0, :, 0]    # each step repeated
    array([1., 1., 2., 2., 3., 3.], dtype=float32)
    """

    rank = 1


@register
class Conv3DTranspose(_ConvTranspose):
    """3-D transposed convolution: each input voxel adds a kernel-shaped block to the output.

    Math (full output before Keras's crop; grad = dL/dy)::

        z[b, p*sd + i*dd, q*sh + j*dh, r*sw + l*dw, f] += x[b, p, q, r, ch] * kernel[i, j, l, f, ch]
        z += bias                                                                       y = activation(z)

    computed as :class:`Conv2DTranspose` computes it (the Math of ``_ConvTranspose``), on three spatial axes.

    Parameters
    ----------
    filters, padding, output_padding, data_format, activation, use_bias, kernel_initializer, bias_initializer, \
kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint, **kwargs
        As for :class:`Conv2DTranspose`.
    kernel_size, strides, dilation_rate : int or (int, int, int)
        Per axis (depth, height, width); strides and dilation cannot both exceed 1.

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output ``(batch, out_d, out_h, out_w, filters)``.
    Parameters ``kernel (kd, kh, kw, filters, channels)`` and ``bias (filters,)``, Keras's names and layout.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Conv3DTranspose(2, (2, 3, 3), strides=(1, 2, 2), padding="same")
    >>> layer(np.ones((1, 2, 3, 4, 5))).shape, layer.kernel.shape
    ((1, 2, 6, 8, 2), (2, 3, 3, 2, 5))
    """

    rank = 3


#: Keras's other names for the transposed convolutions (the same classes).
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
