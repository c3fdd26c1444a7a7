"""``UpSampling1D/2D/3D``: repeat each step, pixel or voxel ``size`` times along each spatial axis.

``UpSampling2D(interpolation="bilinear")`` interpolates instead, with half-pixel
centres as Keras 3 (``ops.image.resize``), TensorFlow and PyTorch
(``align_corners=False``) do. Output ``o`` of an axis of size ``L`` scaled by
``s`` reads the input at ``u = clip((o + 0.5) / s - 0.5, 0, L - 1)``, between
``floor(u)`` and the next entry: a fixed linear map of each axis, a matrix
``B (s * L, L)``, so forward and backward are one matrix product per axis each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidValueError
from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import along, channels_last, int_tuple, spatial_shape

__all__ = ["UpSampling1D", "UpSampling2D", "UpSampling3D"]


def bilinear_matrix(size: int, scale: int, dtype: Any) -> Array:
    """``B (scale * size, size)``: row ``o`` interpolates between the two inputs around ``(o + 0.5) / scale - 0.5``.

    Examples
    --------
    >>> bilinear_matrix(2, 2, np.float64)
    array([[1.  , 0.  ],
           [0.75, 0.25],
           [0.25, 0.75],
           [0.  , 1.  ]])
    """
    u = np.clip((np.arange(scale * size) + 0.5) / scale - 0.5, 0.0, size - 1)
    low = np.floor(u).astype(np.intp)
    high = np.minimum(low + 1, size - 1)
    frac = u - low
    matrix = np.zeros((scale * size, size))
    rows = np.arange(scale * size)
    np.add.at(matrix, (rows, low), 1.0 - frac)
    np.add.at(matrix, (rows, high), frac)
    return matrix.astype(dtype)


class _UpSampling(Layer):
    """Nearest-neighbour upsampling of ``rank`` spatial axes by the factors ``size``."""

    rank: int = 1

    def __init__(self, size: Any = 2, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        self.size = int_tuple(size, self.rank, self._label(), "size")

    def build(self, input_shape: Shape) -> None:
        spatial_shape(self, input_shape, self.rank)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        sizes, channels = spatial_shape(self, input_shape, self.rank)
        return (*(None if n is None else n * s for n, s in zip(sizes, self.size, strict=True)), channels)

    def forward(self, x: Array, training: bool = False) -> Array:
        y = x
        for axis, s in enumerate(self.size, start=1):
            y = np.repeat(y, s, axis=axis)
        self.remember(x_shape=x.shape)
        return y if y is not x else y.copy()

    def backward(self, grad: Array) -> Array:
        (x_shape,) = self.recall("x_shape")
        split = [x_shape[0]]
        for n, s in zip(x_shape[1:-1], self.size, strict=True):
            split += [n, s]
        repeats = tuple(range(2, 2 * self.rank + 1, 2))
        return grad.reshape(*split, x_shape[-1]).sum(axis=repeats)

    def get_config(self) -> dict[str, Any]:
        size: Any = self.size[0] if self.rank == 1 else list(self.size)
        return {**super().get_config(), "size": size}


@register
class UpSampling1D(_UpSampling):
    """Repeat each step of a sequence ``size`` times.

    Math (s = size; grad = dL/dy)::

        forward    y = repeat(x, s, axis=1)                    (y[:, t] = x[:, t // s])
        backward   dx = grad.reshape(n, steps, s, f).sum(axis=2)

    Parameters
    ----------
    size : int
        The factor ``s``; ``2`` by default, as in Keras.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)``, ``steps`` possibly unknown (``None``);
    output ``(batch, s * steps, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> UpSampling1D(3)(np.array([[[1.0], [2.0]]]))[0, :, 0]
    array([1., 1., 1., 2., 2., 2.], dtype=float32)
    """

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(size, **kwargs)


@register
class UpSampling2D(_UpSampling):
    """Enlarge an image by the factors ``size``: repeat each pixel, or interpolate bilinearly.

    Math (size = (sh, sw); grad = dL/dy)::

        nearest    forward    y = repeat(repeat(x, sh, axis=1), sw, axis=2)
                   backward   dx = grad.reshape(n, h, sh, w, sw, c).sum(axis=(2, 4))
        bilinear   forward    y = B_h @ x @ B_w.T          (B_h = bilinear_matrix(h, sh), B_w likewise)
                   backward   dx = B_h.T @ grad @ B_w

    Parameters
    ----------
    size : int or (int, int)
        The factors ``(sh, sw)``; ``(2, 2)`` by default, as in Keras.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    interpolation : {"nearest", "bilinear"}
        ``"nearest"`` (the default) repeats; ``"bilinear"`` interpolates with
        half-pixel centres (see the module docstring). Keras's other methods
        (``"bicubic"``, ``"lanczos3"``, ``"lanczos5"``, ``"area"``) are refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, sh * height, sw * width, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0]]).reshape(1, 1, 2, 1)
    >>> UpSampling2D((1, 2))(x)[0, :, :, 0]
    array([[1., 1., 2., 2.]], dtype=float32)
    >>> UpSampling2D((1, 2), interpolation="bilinear")(x)[0, :, :, 0]
    array([[1.  , 1.25, 1.75, 2.  ]], dtype=float32)
    """

    rank = 2

    def __init__(
        self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest", **kwargs: Any
    ) -> None:
        super().__init__(size, data_format, **kwargs)
        if not isinstance(interpolation, str) or interpolation.lower() not in ("nearest", "bilinear"):
            raise InvalidValueError(
                f"{self._label()}: interpolation must be 'nearest' or 'bilinear', received {interpolation!r}. "
                "Keras's 'bicubic', 'lanczos3', 'lanczos5' and 'area' are not implemented in tinynet."
            )
        self.interpolation = interpolation.lower()

    def forward(self, x: Array, training: bool = False) -> Array:
        if self.interpolation == "nearest":
            return super().forward(x, training)
        b_h, b_w = (bilinear_matrix(n, s, x.dtype) for n, s in zip(x.shape[1:3], self.size, strict=True))
        self.remember(b_h=b_h, b_w=b_w)
        return np.ascontiguousarray(along(b_w, along(b_h, x, 1), 2))

    def backward(self, grad: Array) -> Array:
        if self.interpolation == "nearest":
            return super().backward(grad)
        b_h, b_w = self.recall("b_h", "b_w")
        return np.ascontiguousarray(along(b_h.T, along(b_w.T, grad, 2), 1))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "interpolation": self.interpolation}


@register
class UpSampling3D(_UpSampling):
    """Enlarge a volume by repeating each voxel ``size`` times along depth, height and width.

    Math (size = (sd, sh, sw); grad = dL/dy)::

        forward    y = x repeated sd times along depth, sh along height, sw along width
        backward   dx = grad.reshape(n, d, sd, h, sh, w, sw, c).sum(axis=(2, 4, 6))

    Parameters
    ----------
    size : int or (int, int, int)
        The factors ``(sd, sh, sw)``; ``(2, 2, 2)`` by default, as in Keras.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, depth, height, width, channels)``;
    output ``(batch, sd * depth, sh * height, sw * width, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> UpSampling3D()(np.zeros((1, 1, 2, 3, 4))).shape
    (1, 2, 4, 6, 4)
    """

    rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(size, data_format, **kwargs)
