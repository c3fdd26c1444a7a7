"""``Cropping1D/2D/3D``: cut entries off the start and the end of each spatial axis of a channels-last input."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import channels_last, pairs, spatial_shape

__all__ = ["Cropping1D", "Cropping2D", "Cropping3D"]


class _Cropping(Layer):
    """Cropping of ``rank`` spatial axes: ``cropping`` holds one ``(before, after)`` pair per axis."""

    rank: int = 1

    def __init__(self, cropping: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        self.cropping = pairs(cropping, self.rank, self._label(), "cropping")

    def _kept(self, sizes: tuple[Any, ...], input_shape: Shape) -> tuple[Any, ...]:
        """The sizes left after cropping (``None`` where unknown), or a ``ShapeError`` when nothing is left."""
        kept = tuple(None if n is None else n - b - a for n, (b, a) in zip(sizes, self.cropping, strict=True))
        if any(k is not None and k < 1 for k in kept):
            raise ShapeError(
                f"{self._label()}: cropping {self.cropping} leaves nothing of the input's spatial sizes "
                f"{tuple(sizes)} (per-sample shape {tuple(input_shape)}). Each axis must keep at least one entry: "
                "crop less."
            )
        return kept

    def build(self, input_shape: Shape) -> None:
        sizes, _ = spatial_shape(self, input_shape, self.rank)
        self._kept(sizes, input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        sizes, channels = spatial_shape(self, input_shape, self.rank)
        return (*self._kept(sizes, input_shape), channels)

    def forward(self, x: Array, training: bool = False) -> Array:
        kept = self._kept(x.shape[1:-1], x.shape[1:])
        every = slice(None)
        inside = (every, *(slice(b, b + k) for k, (b, _) in zip(kept, self.cropping, strict=True)), every)
        self.remember(inside=inside, x_shape=x.shape, dtype=x.dtype)
        return x[inside]

    def backward(self, grad: Array) -> Array:
        inside, x_shape, dtype = self.recall("inside", "x_shape", "dtype")
        dx = np.zeros(x_shape, dtype=dtype)
        dx[inside] = grad
        return dx

    def get_config(self) -> dict[str, Any]:
        cropping: Any = list(self.cropping[0]) if self.rank == 1 else [list(p) for p in self.cropping]
        return {**super().get_config(), "cropping": cropping}


@register
class Cropping1D(_Cropping):
    """Cut steps off the start and the end of a sequence.

    Math (cropping = (b, a), kept = steps - b - a; grad = dL/dy)::

        forward    y = x[:, b:b + kept]
        backward   dx = zeros(n, steps, f);  dx[:, b:b + kept] = grad

    Parameters
    ----------
    cropping : int or (int, int)
        ``(b, a)``: the steps cut at the start and at the end; an int is the same for both. ``(1, 1)`` by default,
        as in Keras.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)``, ``steps`` possibly unknown (``None``);
    output ``(batch, steps - b - a, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> Cropping1D((1, 2))(np.arange(5.0).reshape(1, 5, 1))[0, :, 0]
    array([1., 2.], dtype=float32)
    """

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(cropping, **kwargs)


@register
class Cropping2D(_Cropping):
    """Cut rows and columns off the edges of an image.

    Math (cropping = ((top, bottom), (left, right)); kh = h - top - bottom, kw = w - left - right;
    grad = dL/dy)::

        forward    y = x[:, top:top + kh, left:left + kw]
        backward   dx = zeros(x.shape);  dx[:, top:top + kh, left:left + kw] = grad

    Parameters
    ----------
    cropping : int, (int, int) or ((int, int), (int, int))
        Keras's forms: an int for all four sides; ``(ch, cw)`` for top and
        bottom, left and right; or ``((top, bottom), (left, right))``.
        ``((0, 0), (0, 0))`` by default, as in Keras.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, kh, kw, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> Cropping2D(((1, 0), (0, 1)))(np.arange(9.0).reshape(1, 3, 3, 1))[0, :, :, 0]
    array([[3., 4.],
           [6., 7.]], dtype=float32)
    """

    rank = 2

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(cropping, data_format, **kwargs)


@register
class Cropping3D(_Cropping):
    """Cut entries off the edges of a volume, on each of depth, height and width.

    Math (cropping = ((d0, d1), (h0, h1), (w0, w1)); kd = d - d0 - d1 and likewise kh, kw;
    grad = dL/dy)::

        forward    y = x[:, d0:d0 + kd, h0:h0 + kh, w0:w0 + kw]
        backward   dx = zeros(x.shape);  dx[:, d0:d0 + kd, h0:h0 + kh, w0:w0 + kw] = grad

    Parameters
    ----------
    cropping : int, (int, int, int) or three (int, int) pairs
        As for :class:`Cropping2D`, one entry per axis; ``((1, 1), (1, 1), (1, 1))`` by default, as in Keras.
    data_format, **kwargs
        As for :class:`Cropping2D`.

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output ``(batch, kd, kh, kw, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> Cropping3D()(np.zeros((1, 4, 3, 5, 2))).shape
    (1, 2, 1, 3, 2)
    """

    rank = 3

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(cropping, data_format, **kwargs)
