"""Pooling layers on channels-last images ``(batch, height, width, channels)``.

``MaxPool2D`` and ``AvgPool2D`` slide a ``pool_size`` window with ``strides``
and see each window through ``kh * kw`` strided views of the (padded) input,
one per offset ``(i, j)`` inside the window: ``xp[:, i::sh, j::sw, :]``
(cut to the output size). The loop is over the few offsets, never over samples
or pixels, and combining whole views with ``np.maximum`` is much faster than
reducing a ``reshape`` of the windows.
The global pools, which reduce the whole height and width, are in ``global_pooling2d.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._im2col import Window
from .._validation import integer
from .._workspace import Workspace, in_layout_of
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import channels_last

__all__ = ["MaxPool2D", "AvgPool2D", "MaxPooling2D", "AveragePooling2D"]

Index = tuple[slice, slice, slice, slice]


def _pair(value: Any, where: str, name: str) -> tuple[int, int]:
    """An int ``k`` as ``(k, k)``, or a pair of positive ints, as a tuple."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise InvalidValueError(f"{where}: {name} must be an int or a pair of ints, received {value!r}.")
        return integer(value[0], where, name, minimum=1), integer(value[1], where, name, minimum=1)
    k = integer(value, where, name, minimum=1)
    return k, k


def _image_shape(layer: Layer, input_shape: Shape) -> tuple[int, int, int]:
    """``(height, width, channels)`` of a per-sample shape, or a ``ShapeError`` naming the layer.

    Height and width may be ``None`` (any size); the global pools take that, the windowed ones refuse it.
    """
    if len(input_shape) != 3 or min((d for d in input_shape[:2] if d is not None), default=1) < 1:
        raise ShapeError(
            f"{layer._label()}: expected input of shape (batch, height, width, channels) with height and "
            f"width >= 1 (or None), received per-sample shape {tuple(input_shape)} (input (batch, "
            f"{', '.join(map(str, input_shape))})). Images are channels-last; add the channel axis with x[..., None]."
        )
    h, w, c = input_shape
    return h, w, c


class _Pool2D(Layer):
    """Checks and config shared by ``MaxPool2D`` and ``AvgPool2D``.

    The windows lie where a convolution's would: :class:`~tinynet._im2col.Window`
    with dilation 1. Keras's geometry, per spatial axis (size ``n``, window
    ``k``, stride ``s``)::

        valid   out = (n - k) // s + 1                 no padding (needs n >= k)
        same    out = ceil(n / s)                      pad = max((out - 1) * s + k - n, 0),
                                                       pad // 2 before, the rest after (bottom/right)
    """

    #: The value padding takes: it must never change the result (-inf for max, 0 for a sum).
    pad_value: float = 0.0

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        self.pool_size = _pair(pool_size, self._label(), "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, self._label(), "strides")
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            raise InvalidValueError(f"{self._label()}: padding must be 'valid' or 'same', received {padding!r}.")
        self.padding = padding.lower()
        self._space = Workspace()  # the output and input gradient of each step, reused (tinynet/_workspace.py)

    def _window(self, h: int, w: int) -> Window:
        """Where the pool's windows lie on an ``h x w`` image."""
        return Window.of((h, w), self.pool_size, self.strides, (1, 1), (self.padding, self.padding))

    def build(self, input_shape: Shape) -> None:
        h, w, _ = _image_shape(self, input_shape)
        if h is None or w is None:
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, height, width, channels) with known height and "
                f"width, received per-sample shape {tuple(input_shape)}: a size unknown (None). Give the sizes in "
                "tn.Input(shape=...), or use a global pooling layer, which takes any size."
            )
        if self.padding == "valid" and (h < self.pool_size[0] or w < self.pool_size[1]):
            raise ShapeError(
                f"{self._label()}: pool_size {self.pool_size} is larger than the input's height x width "
                f"{(h, w)} (per-sample shape {tuple(input_shape)}) with padding='valid'. Use a smaller "
                "pool_size or padding='same'."
            )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        h, w, c = _image_shape(self, input_shape)
        return (*self._window(h, w).out, c)

    def _pad(self, x: Array, window: Window) -> Array:
        """``x`` padded for ``padding="same"`` with ``pad_value`` (``x`` itself when no padding is needed)."""
        if window.padded == window.size:
            return x
        xp = np.full((x.shape[0], *window.padded, x.shape[3]), self.pad_value, dtype=x.dtype)
        xp[(slice(None), *window.inside)] = x
        return xp

    @staticmethod
    def _views(window: Window) -> list[Index]:
        """For each window offset ``(i, j)``, row-major, the index of its strided view of the padded input."""
        every = slice(None)
        return [(every, rows, columns, every) for rows in window.taps(0) for columns in window.taps(1)]

    def _overlap(self) -> bool:
        """Whether windows share elements (``strides < pool_size``): their gradients must then add up."""
        return self.strides[0] < self.pool_size[0] or self.strides[1] < self.pool_size[1]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
        }


@register
class MaxPool2D(_Pool2D):
    """Max pooling: each output is the largest input in its window.

    Math (x_ij = xp[:, i::sh, j::sw] the view of window offset (i, j), offsets in
    row-major order; xp is x padded with -inf, so padding never wins; grad = dL/dy)::

        forward    y = max over (i, j) of x_ij                       (np.maximum of the kh * kw views)
        backward   hit_ij = (x_ij == y) and not taken,  taken |= hit_ij
                   dx[view (i, j)] += grad * hit_ij
                   (disjoint windows: the last offset's hit is simply "not taken")

    Ties: a window whose maximum occurs more than once sends its whole gradient
    to the **first** maximum in row-major order (the top-left one), as
    ``argmax`` would; the ``taken`` flags stop later equal elements from
    receiving it too. Overlapping windows (``strides < pool_size``) add up.
    A window holding NaN has the maximum NaN, which equals nothing: with
    disjoint windows its gradient goes to its last element.

    The output (and the input gradient) is laid out in memory as the input
    is: batch last after a convolution (see :class:`Conv2D`).

    Parameters
    ----------
    pool_size : int or (int, int)
        Window ``(kh, kw)``; ``(2, 2)`` by default.
    strides : int or (int, int), optional
        Step ``(sh, sw)``; ``None`` (the default) means ``pool_size``.
    padding : {"valid", "same"}
        Keras's: ``"valid"`` keeps whole windows only; ``"same"`` gives
        ``ceil(size / stride)`` outputs, padding the bottom/right more when uneven.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, out_h, out_w, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> MaxPool2D()(x)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)

    Notes
    -----
    ``backward`` compares ``x`` with the ``y`` that ``forward`` returned (no
    index array is kept), so neither may be changed in place in between.
    """

    pad_value = -np.inf

    def forward(self, x: Array, training: bool = False) -> Array:
        window = self._window(*x.shape[1:3])
        xp, views = self._pad(x, window), self._views(window)
        y = self._space.empty_like("y", xp[views[0]])  # laid out as x is (batch last after a convolution)
        np.maximum(xp[views[0]], xp[views[-1]], out=y)  # the same view twice for a 1x1 pool: a copy
        for view in views[1:-1]:
            np.maximum(y, xp[view], out=y)
        self.remember(xp=xp, y=y, window=window)
        return y

    def backward(self, grad: Array) -> Array:
        xp, y, window = self.recall("xp", "y", "window")
        grad = in_layout_of(grad, y, self._space)  # from Flatten: NHWC, y batch last after a convolution
        views, overlap = self._views(window), self._overlap()
        dxp = self._space.empty_like("dx", xp)
        self._zero_uncovered(dxp, window)
        taken = xp[views[0]] == y
        np.multiply(grad, taken, out=dxp[views[0]])
        hit = np.empty_like(taken)
        for view in views[1:]:
            if view is views[-1] and not overlap:
                np.logical_not(taken, out=hit)  # the last offset: every window not yet taken has its maximum here
            else:
                np.equal(xp[view], y, out=hit)
                np.greater(hit, taken, out=hit)  # hit and not taken
                taken |= hit
            if overlap:
                dxp[view] += grad * hit
            else:
                np.multiply(grad, hit, out=dxp[view])  # disjoint windows: write, no need to add
        return dxp[(slice(None), *window.inside)]

    def _zero_uncovered(self, dxp: Array, window: Window) -> None:
        """Zero what the writes of ``backward`` will not cover: everything unless the windows tile the input
        (they add up where they overlap; gaps are never written), else the rows and columns past the last
        window, which a ``"valid"`` pool drops."""
        if self.strides != self.pool_size:
            dxp.fill(0)
            return
        covered_h, covered_w = (out * stride for out, stride in zip(window.out, self.strides, strict=True))
        dxp[:, covered_h:] = 0
        dxp[:, :, covered_w:] = 0


@register
class AvgPool2D(_Pool2D):
    """Average pooling: each output is the mean of the inputs in its window.

    Math (x_ij = xp[:, i::sh, j::sw] the view of window offset (i, j); xp is x
    padded with zeros; count = how many elements of the window lie inside x,
    so with ``padding="same"`` the padding is not counted, as in Keras; grad = dL/dy)::

        forward    y = (sum over (i, j) of x_ij) / count
        backward   dx[view (i, j)] += grad / count          for every offset (i, j)

    Parameters
    ----------
    pool_size, strides, padding, data_format, **kwargs
        As for :class:`MaxPool2D`.

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, out_h, out_w, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> AvgPool2D(padding="same")(x)[0, :, :, 0]
    array([[2. , 3.5],
           [6.5, 8. ]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        window = self._window(*x.shape[1:3])
        xp, views = self._pad(x, window), self._views(window)
        y = xp[views[0]].copy()
        for view in views[1:]:
            y += xp[view]
        y *= self._inverse_count(window, x.dtype)
        self.remember(xp_shape=xp.shape, dtype=x.dtype, window=window)
        return y

    def backward(self, grad: Array) -> Array:
        xp_shape, dtype, window = self.recall("xp_shape", "dtype", "window")
        dxp, views = np.zeros(xp_shape, dtype=dtype), self._views(window)
        dy = grad * self._inverse_count(window, dtype)
        overlap = self._overlap()
        for view in views:
            if overlap:
                dxp[view] += dy
            else:
                dxp[view] = dy  # disjoint windows: write, no need to add
        return dxp[(slice(None), *window.inside)]

    @staticmethod
    def _inverse_count(window: Window, dtype: np.dtype) -> Array:
        """``1 / count`` of shape ``(out_h, out_w, 1)``: how many real (unpadded) elements each window holds."""
        counts = []
        for axis in (0, 1):
            start = np.arange(window.out[axis]) * window.strides[axis] - window.padding[axis][0]
            counts.append(np.minimum(start + window.kernel[axis], window.size[axis]) - np.maximum(start, 0))
        return (1.0 / np.outer(counts[0], counts[1]))[:, :, None].astype(dtype)


#: Keras's longer spellings, bound to the same classes.
MaxPooling2D = MaxPool2D
AveragePooling2D = AvgPool2D
