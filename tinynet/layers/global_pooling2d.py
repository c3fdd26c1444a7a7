"""Global pooling over images ``(batch, height, width, channels)``: one value per sample and channel.

``GlobalAvgPool2D`` takes the mean and ``GlobalMaxPool2D`` the maximum over
the whole height and width, which may be of any size (``None`` in a shape).
The windowed 2-D pools are in ``pooling.py``, whose input check these share.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidValueError
from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import channels_last
from .pooling import _image_shape

__all__ = ["GlobalAvgPool2D", "GlobalMaxPool2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D"]


class _GlobalPool2D(Layer):
    """Shared by the global pools: the input check, the output shape and ``keepdims``."""

    def __init__(self, keepdims: bool = False, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        if not isinstance(keepdims, (bool, np.bool_)):
            raise InvalidValueError(f"{self._label()}: keepdims must be True or False, received {keepdims!r}.")
        self.keepdims = bool(keepdims)

    def build(self, input_shape: Shape) -> None:
        _image_shape(self, input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        _, _, c = _image_shape(self, input_shape)
        return (1, 1, c) if self.keepdims else (c,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}


@register
class GlobalAvgPool2D(_GlobalPool2D):
    """The mean over height and width, per sample and channel.

    Math (x of shape (n, h, w, c); grad = dL/dy, shape (n, c))::

        forward    y = ones @ x.reshape(n, h * w, c) / (h * w)      (ones: a row of h * w ones)
        backward   dx = grad[:, None, None, :] / (h * w)          (the same for every pixel)

    The sum over pixels is a matrix product with a row of ones, faster than
    ``x.sum(axis=(1, 2))``, which reduces along a short fast axis when there are few channels.

    Parameters
    ----------
    keepdims : bool
        Keep the pooled axes: output ``(batch, 1, 1, channels)``. ``False`` by default, as in Keras.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> GlobalAvgPool2D()(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[3., 4.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        n, h, w, c = x.shape
        ones = np.ones((1, h * w), dtype=x.dtype)
        y = (ones @ x.reshape(n, h * w, c)) * (1.0 / (h * w))
        self.remember(x_shape=x.shape, dtype=x.dtype)
        return y.reshape(n, 1, 1, c) if self.keepdims else y.reshape(n, c)

    def backward(self, grad: Array) -> Array:
        x_shape, dtype = self.recall("x_shape", "dtype")
        n, h, w, c = x_shape
        dx = np.empty(x_shape, dtype=dtype)
        dx[...] = grad.reshape(n, 1, 1, c) * (1.0 / (h * w))
        return dx


@register
class GlobalMaxPool2D(_GlobalPool2D):
    """The maximum over height and width, per sample and channel.

    Math (x of shape (n, h, w, c) seen as xf = x.reshape(n, h * w, c); grad = dL/dy)::

        forward    first = xf.argmax(axis=1)          (the first maximum, row-major)
                   y = xf[:, first, :]
        backward   dxf[:, first, :] = grad            (zero elsewhere)

    Ties go, as in :class:`MaxPool2D`, to the first maximum in row-major order.

    Parameters
    ----------
    keepdims : bool
        Keep the pooled axes: output ``(batch, 1, 1, channels)``. ``False`` by default, as in Keras.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> GlobalMaxPool2D()(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[6., 7.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        n, h, w, c = x.shape
        xf = x.reshape(n, h * w, c)
        first = xf.argmax(axis=1)[:, None, :]  # argmax then take beats max over this middle axis, and backward needs it
        y = np.take_along_axis(xf, first, axis=1)
        self.remember(first=first, x_shape=x.shape, dtype=x.dtype)
        return y.reshape(n, 1, 1, c) if self.keepdims else y.reshape(n, c)

    def backward(self, grad: Array) -> Array:
        first, x_shape, dtype = self.recall("first", "x_shape", "dtype")
        n, h, w, c = x_shape
        dxf = np.zeros((n, h * w, c), dtype=dtype)
        np.put_along_axis(dxf, first, grad.reshape(n, 1, c), axis=1)
        return dxf.reshape(x_shape)


#: Keras's longer spellings, bound to the same classes.
GlobalAveragePooling2D = GlobalAvgPool2D
GlobalMaxPooling2D = GlobalMaxPool2D
