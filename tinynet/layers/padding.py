"""``ZeroPadding1D/2D/3D``: zeros added before and after each spatial axis of a channels-last input."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import channels_last, pairs, spatial_shape

__all__ = ["ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"]


class _ZeroPadding(Layer):
    """Padding of ``rank`` spatial axes: ``padding`` holds one ``(before, after)`` pair per axis."""

    rank: int = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        self.padding = pairs(padding, self.rank, self._label(), "padding")

    def build(self, input_shape: Shape) -> None:
        spatial_shape(self, input_shape, self.rank)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        sizes, channels = spatial_shape(self, input_shape, self.rank)
        return (*(None if n is None else n + b + a for n, (b, a) in zip(sizes, self.padding, strict=True)), channels)

    def _inside(self, x_shape: tuple[int, ...]) -> tuple[slice, ...]:
        """The index of the padded output that holds ``x``."""
        every = slice(None)
        return (every, *(slice(b, b + n) for n, (b, _) in zip(x_shape[1:-1], self.padding, strict=True)), every)

    def forward(self, x: Array, training: bool = False) -> Array:
        sizes = [n + b + a for n, (b, a) in zip(x.shape[1:-1], self.padding, strict=True)]
        y = np.zeros((x.shape[0], *sizes, x.shape[-1]), dtype=x.dtype)
        inside = self._inside(x.shape)
        y[inside] = x
        self.remember(inside=inside)
        return y

    def backward(self, grad: Array) -> Array:
        (inside,) = self.recall("inside")
        return grad[inside].copy()

    def get_config(self) -> dict[str, Any]:
        padding: Any = list(self.padding[0]) if self.rank == 1 else [list(p) for p in self.padding]
        return {**super().get_config(), "padding": padding}


@register
class ZeroPadding1D(_ZeroPadding):
    """Add zero steps at the start and the end of a sequence.

    Math (padding = (b, a); grad = dL/dy)::

        forward    y = zeros(n, b + steps + a, f);  y[:, b:b + steps] = x
        backward   dx = grad[:, b:b + steps]

    Parameters
    ----------
    padding : int or (int, int)
        ``(b, a)``: the zero steps before and after; an int is the same on both sides. ``1`` by default, as in Keras.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)``, ``steps`` possibly unknown (``None``);
    output ``(batch, b + steps + a, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> ZeroPadding1D((1, 2))(np.ones((1, 2, 1)))[0, :, 0]
    array([0., 1., 1., 0., 0.], dtype=float32)
    """

    rank = 1


@register
class ZeroPadding2D(_ZeroPadding):
    """Add rows and columns of zeros around an image.

    Math (padding = ((top, bottom), (left, right)); grad = dL/dy)::

        forward    y = zeros(n, top + h + bottom, left + w + right, c)
                   y[:, top:top + h, left:left + w] = x
        backward   dx = grad[:, top:top + h, left:left + w]

    Parameters
    ----------
    padding : int, (int, int) or ((int, int), (int, int))
        Keras's forms: an int for all four sides; ``(ph, pw)`` for top and
        bottom, left and right; or ``((top, bottom), (left, right))``. ``(1, 1)`` by default.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)``;
    output ``(batch, top + height + bottom, left + width + right, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> ZeroPadding2D(((1, 0), (0, 1)))(np.ones((1, 2, 2, 1)))[0, :, :, 0]
    array([[0., 0., 0.],
           [1., 1., 0.],
           [1., 1., 0.]], dtype=float32)
    """

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)


@register
class ZeroPadding3D(_ZeroPadding):
    """Add zeros around a volume, before and after each of depth, height and width.

    Math (padding = ((d0, d1), (h0, h1), (w0, w1)); grad = dL/dy)::

        forward    y = zeros(n, d0 + d + d1, h0 + h + h1, w0 + w + w1, c)
                   y[:, d0:d0 + d, h0:h0 + h, w0:w0 + w] = x
        backward   dx = grad[:, d0:d0 + d, h0:h0 + h, w0:w0 + w]

    Parameters
    ----------
    padding : int, (int, int, int) or three (int, int) pairs
        As for :class:`ZeroPadding2D`, one entry per axis; ``((1, 1), (1, 1), (1, 1))`` by default.
    data_format, **kwargs
        As for :class:`ZeroPadding2D`.

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output each spatial size plus its two paddings.

    Examples
    --------
    >>> import numpy as np
    >>> ZeroPadding3D()(np.ones((1, 1, 1, 1, 2))).shape
    (1, 3, 3, 3, 2)
    """

    rank = 3

    def __init__(self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)
