"""Global pooling over volumes ``(batch, depth, height, width, channels)``: one value per sample and channel."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import boolean
from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import channels_last, spatial_shape

__all__ = ["GlobalAveragePooling3D", "GlobalMaxPooling3D", "GlobalAvgPool3D", "GlobalMaxPool3D"]


class _GlobalPool3D(Layer):
    """Shared by the two: the input check, the output shape and ``keepdims``."""

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        self.keepdims = boolean(keepdims, self._label(), "keepdims")

    def build(self, input_shape: Shape) -> None:
        spatial_shape(self, input_shape, 3)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        _, channels = spatial_shape(self, input_shape, 3)
        return (1, 1, 1, channels) if self.keepdims else (channels,)

    def shaped(self, y: Array) -> Array:
        """``y (batch, channels)`` with the pooled axes kept when ``keepdims``."""
        return y[:, None, None, None, :] if self.keepdims else y

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}


@register
class GlobalAveragePooling3D(_GlobalPool3D):
    """The mean over depth, height and width, per sample and channel.

    Math (x of shape (n, d, h, w, c) seen as xf = x.reshape(n, m, c) with m = d * h * w;
    grad = dL/dy, shape (n, c))::

        forward    y = ones @ xf / m                           (ones: a row of m ones)
        backward   dx = grad[:, None, None, None, :] / m       (the same for every position)

    Parameters
    ----------
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    keepdims : bool
        Keep the pooled axes: output ``(batch, 1, 1, 1, channels)``. ``False`` by default, as in Keras.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, depth, height, width, channels)``, sizes possibly unknown (``None``);
    output ``(batch, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> GlobalAveragePooling3D()(np.arange(16.0).reshape(1, 2, 2, 2, 2))
    array([[7., 8.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        n, c = x.shape[0], x.shape[-1]
        m = math.prod(x.shape[1:-1])
        ones = np.ones((1, m), dtype=x.dtype)
        y = (ones @ x.reshape(n, m, c)) * (1.0 / m)
        self.remember(x_shape=x.shape, dtype=x.dtype)
        return self.shaped(y.reshape(n, c))

    def backward(self, grad: Array) -> Array:
        x_shape, dtype = self.recall("x_shape", "dtype")
        n, c, m = x_shape[0], x_shape[-1], math.prod(x_shape[1:-1])
        dx = np.empty(x_shape, dtype=dtype)
        dx[...] = grad.reshape(n, 1, 1, 1, c) * (1.0 / m)
        return dx


@register
class GlobalMaxPooling3D(_GlobalPool3D):
    """The maximum over depth, height and width, per sample and channel.

    Math (x of shape (n, d, h, w, c) seen as xf = x.reshape(n, d * h * w, c); grad = dL/dy)::

        forward    first = xf.argmax(axis=1)          (the first maximum, row-major)
                   y = xf[:, first, :]
        backward   dxf[:, first, :] = grad            (zero elsewhere)

    Ties go, as in :class:`~tinynet.layers.GlobalMaxPool2D`, to the first maximum in row-major order.

    Parameters
    ----------
    data_format, keepdims, **kwargs
        As for :class:`GlobalAveragePooling3D`.

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output ``(batch, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> GlobalMaxPooling3D()(np.arange(16.0).reshape(1, 2, 2, 2, 2))
    array([[14., 15.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        n, c = x.shape[0], x.shape[-1]
        xf = x.reshape(n, -1, c)
        first = xf.argmax(axis=1)[:, None, :]
        y = np.take_along_axis(xf, first, axis=1)
        self.remember(first=first, x_shape=x.shape, dtype=x.dtype)
        return self.shaped(y.reshape(n, c))

    def backward(self, grad: Array) -> Array:
        first, x_shape, dtype = self.recall("first", "x_shape", "dtype")
        n, c = x_shape[0], x_shape[-1]
        dxf = np.zeros((n, math.prod(x_shape[1:-1]), c), dtype=dtype)
        np.put_along_axis(dxf, first, grad.reshape(n, 1, c), axis=1)
        return dxf.reshape(x_shape)


#: Keras's shorter spellings.
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D
