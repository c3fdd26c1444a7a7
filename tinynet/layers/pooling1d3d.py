"""Max and average pooling over sequences ``(batch, steps, features)`` and volumes ``(batch, d, h, w, channels)``.

The 2-D pools' method (:mod:`tinynet.layers.pooling`) on one or three spatial
axes: each window offset ``o = (o_1, ..., o_r)`` sees the (padded) input
through one strided view ``xp[:, o_1::s_1, ..., o_r::s_r, :]`` cut to the
output size, and whole views are combined. The loop is over the few offsets,
never over samples or positions. Keras's geometry per axis (size ``n``,
window ``k``, stride ``s``)::

    valid   out = (n - k) // s + 1          no padding
    same    out = ceil(n / s)               pad = max((out - 1) * s + k - n, 0): pad // 2 before, the rest after

Sizes may be unknown (``None``) when the layer is built: nothing here depends on them.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .._im2col import axis_geometry
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import channels_last, int_tuple, spatial_shape

__all__ = [
    "MaxPooling1D", "AveragePooling1D", "MaxPooling3D", "AveragePooling3D",
    "MaxPool1D", "AvgPool1D", "MaxPool3D", "AvgPool3D",
]  # fmt: skip

Geometry = tuple[tuple[int, ...], tuple[tuple[int, int], ...]]  # (out, ((before, after), ...)) per axis


class _PoolND(Layer):
    """Arguments, geometry, padding and views shared by the pools of any number of spatial axes (``rank``)."""

    rank: int = 1
    #: The value padding takes: it must never change the result (-inf for max, 0 for a sum).
    pad_value: float = 0.0

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        self.pool_size = int_tuple(pool_size, self.rank, self._label(), "pool_size")
        self.strides = self.pool_size if strides is None else int_tuple(strides, self.rank, self._label(), "strides")
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            raise InvalidValueError(f"{self._label()}: padding must be 'valid' or 'same', received {padding!r}.")
        self.padding = padding.lower()

    def _geometry(self, sizes: tuple[int | None, ...], input_shape: Shape) -> tuple[tuple[Any, ...], Any]:
        """Output sizes (``None`` where the input's is) and ``(before, after)`` paddings; refuses a window too big."""
        axes = [
            (None, (0, 0)) if n is None else axis_geometry(n, k, s, 1, self.padding)
            for n, k, s in zip(sizes, self.pool_size, self.strides, strict=True)
        ]
        if any(out is not None and out < 1 for out, _ in axes):
            raise ShapeError(
                f"{self._label()}: pool_size {self.pool_size} is larger than the input's sizes "
                f"{tuple(sizes)} (per-sample shape {tuple(input_shape)}) with padding='valid'. Use a smaller "
                "pool_size or padding='same'."
            )
        return tuple(out for out, _ in axes), tuple(pad for _, pad in axes)

    def build(self, input_shape: Shape) -> None:
        sizes, _ = spatial_shape(self, input_shape, self.rank)
        self._geometry(sizes, input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        sizes, channels = spatial_shape(self, input_shape, self.rank)
        out, _ = self._geometry(sizes, input_shape)
        return (*out, channels)

    def _padded(self, x: Array) -> tuple[Array, Geometry]:
        """``x`` padded for ``padding="same"`` with ``pad_value`` (``x`` itself if none is needed), and its geometry."""
        out, pads = self._geometry(x.shape[1:-1], x.shape[1:])
        if not any(before or after for before, after in pads):
            return x, (out, pads)
        padded = [n + before + after for n, (before, after) in zip(x.shape[1:-1], pads, strict=True)]
        xp = np.full((x.shape[0], *padded, x.shape[-1]), self.pad_value, dtype=x.dtype)
        xp[self._inside(x.shape, pads)] = x
        return xp, (out, pads)

    @staticmethod
    def _inside(x_shape: tuple[int, ...], pads: tuple[tuple[int, int], ...]) -> tuple[slice, ...]:
        """The index of the padded input that holds ``x``."""
        every = slice(None)
        return (every, *(slice(b, b + n) for n, (b, _) in zip(x_shape[1:-1], pads, strict=True)), every)

    def _views(self, out: tuple[int, ...]) -> list[tuple[slice, ...]]:
        """For each window offset, row-major, the index of its strided view of the padded input."""
        taps = [
            [slice(o, o + s * (m - 1) + 1, s) for o in range(k)]
            for k, s, m in zip(self.pool_size, self.strides, out, strict=True)
        ]
        every = slice(None)
        return [(every, *view, every) for view in itertools.product(*taps)]

    def _overlap(self) -> bool:
        """Whether windows share elements (a stride below the window): their gradients must then add up."""
        return any(s < k for s, k in zip(self.strides, self.pool_size, strict=True))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
        }


class _MaxPoolND(_PoolND):
    """Max pooling on ``rank`` spatial axes; the concrete classes give the rank and the docstring."""

    pad_value = -np.inf

    def forward(self, x: Array, training: bool = False) -> Array:
        xp, (out, pads) = self._padded(x)
        views = self._views(out)
        y = np.maximum(xp[views[0]], xp[views[-1]])  # the same view twice for a window of one: a copy
        for view in views[1:-1]:
            np.maximum(y, xp[view], out=y)
        self.remember(xp=xp, y=y, out=out, inside=self._inside(x.shape, pads))
        return y

    def backward(self, grad: Array) -> Array:
        xp, y, out, inside = self.recall("xp", "y", "out", "inside")
        dxp, views = np.zeros_like(xp), self._views(out)
        taken = xp[views[0]] == y
        np.multiply(grad, taken, out=dxp[views[0]])
        hit, overlap = np.empty_like(taken), self._overlap()
        for view in views[1:]:
            np.equal(xp[view], y, out=hit)
            np.greater(hit, taken, out=hit)  # hit and not taken
            taken |= hit
            if overlap:
                dxp[view] += grad * hit
            else:
                np.multiply(grad, hit, out=dxp[view])  # disjoint windows: write, no need to add
        return dxp[inside]


class _AvgPoolND(_PoolND):
    """Average pooling on ``rank`` spatial axes, counting only the real (unpadded) elements of a window."""

    def forward(self, x: Array, training: bool = False) -> Array:
        xp, (out, pads) = self._padded(x)
        views = self._views(out)
        y = xp[views[0]].copy()
        for view in views[1:]:
            y += xp[view]
        y *= self._inverse_count(x.shape, out, pads, x.dtype)
        self.remember(xp_shape=xp.shape, x_shape=x.shape, dtype=x.dtype, out=out, pads=pads)
        return y

    def backward(self, grad: Array) -> Array:
        xp_shape, x_shape, dtype, out, pads = self.recall("xp_shape", "x_shape", "dtype", "out", "pads")
        dxp, views = np.zeros(xp_shape, dtype=dtype), self._views(out)
        dy = grad * self._inverse_count(x_shape, out, pads, dtype)
        overlap = self._overlap()
        for view in views:
            if overlap:
                dxp[view] += dy
            else:
                dxp[view] = dy  # disjoint windows: write, no need to add
        return dxp[self._inside(x_shape, pads)]

    def _inverse_count(self, x_shape: tuple[int, ...], out: tuple[int, ...], pads: Any, dtype: Any) -> Array:
        """``1 / count`` of shape ``(*out, 1)``: how many real elements each window holds (a product over axes)."""
        inverse = np.ones((*out, 1))
        for axis, (n, k, s, m, (before, _)) in enumerate(
            zip(x_shape[1:-1], self.pool_size, self.strides, out, pads, strict=True)
        ):
            start = np.arange(m) * s - before
            count = np.minimum(start + k, n) - np.maximum(start, 0)
            inverse = inverse / count.reshape([-1 if a == axis else 1 for a in range(len(out) + 1)])
        return inverse.astype(dtype)


@register
class MaxPooling1D(_MaxPoolND):
    """Max pooling over steps: each output is the largest input in its window of steps.

    Math (x_o = xp[:, o::s] the strided view of window offset o; xp is x padded
    with -inf, so padding never wins; grad = dL/dy)::

        forward    y = max over o of x_o                        (np.maximum of the views)
        backward   hit_o = (x_o == y) and not taken,  taken |= hit_o
                   dx[view o] += grad * hit_o

    Ties: a window whose maximum occurs more than once sends its whole gradient
    to the **first** maximum, as ``argmax`` would (and as
    :class:`~tinynet.layers.MaxPool2D` does). Overlapping windows add up.

    Parameters
    ----------
    pool_size : int or (int,)
        The window ``k``; ``2`` by default, as in Keras.
    strides : int or (int,), optional
        The step ``s``; ``None`` (the default) means ``pool_size``.
    padding : {"valid", "same"}
        Keras's: ``"valid"`` keeps whole windows only; ``"same"`` gives
        ``ceil(steps / s)`` outputs, padding the end more when uneven.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)``; output ``(batch, out_steps, features)``.
    ``steps`` may be unknown (``None``) when the layer is built.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[1.0], [4.0], [2.0], [3.0], [9.0]]])
    >>> MaxPooling1D()(x)[0, :, 0]
    array([4., 3.], dtype=float32)
    >>> MaxPooling1D(padding="same")(x)[0, :, 0]
    array([4., 3., 9.], dtype=float32)

    Notes
    -----
    ``backward`` compares ``x`` with the ``y`` that ``forward`` returned (no
    index array is kept), so neither may be changed in place in between.
    """

    rank = 1


@register
class AveragePooling1D(_AvgPoolND):
    """Average pooling over steps: each output is the mean of the inputs in its window of steps.

    Math (x_o = xp[:, o::s] the strided view of window offset o; xp is x padded
    with zeros; count = how many steps of the window lie inside x, so with
    ``padding="same"`` the padding is not counted, as in Keras; grad = dL/dy)::

        forward    y = (sum over o of x_o) / count
        backward   dx[view o] += grad / count                   for every offset o

    Parameters
    ----------
    pool_size, strides, padding, data_format, **kwargs
        As for :class:`MaxPooling1D`.

    Shape
    -----
    input ``(batch, steps, features)``; output ``(batch, out_steps, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[1.0], [4.0], [2.0], [3.0], [9.0]]])
    >>> AveragePooling1D(padding="same")(x)[0, :, 0]   # the last window holds one real step
    array([2.5, 2.5, 9. ], dtype=float32)
    """

    rank = 1


@register
class MaxPooling3D(_MaxPoolND):
    """Max pooling over volumes: each output is the largest input in its ``(kd, kh, kw)`` window.

    Math (x_o = xp[:, od::sd, oh::sh, ow::sw] the strided view of window offset
    o = (od, oh, ow), offsets in row-major order; xp is x padded with -inf;
    grad = dL/dy)::

        forward    y = max over o of x_o                        (np.maximum of the kd * kh * kw views)
        backward   hit_o = (x_o == y) and not taken,  taken |= hit_o
                   dx[view o] += grad * hit_o

    Ties go to the first maximum in row-major order; overlapping windows add up.

    Parameters
    ----------
    pool_size : int or (int, int, int)
        The window ``(kd, kh, kw)``; ``(2, 2, 2)`` by default, as in Keras (an int is the same on every axis).
    strides : int or (int, int, int), optional
        The step ``(sd, sh, sw)``; ``None`` (the default) means ``pool_size``.
    padding : {"valid", "same"}
        As for :class:`MaxPooling1D`, on each axis.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output ``(batch, out_d, out_h, out_w, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> MaxPooling3D()(np.arange(8.0).reshape(1, 2, 2, 2, 1)).ravel()
    array([7.], dtype=float32)
    """

    rank = 3


@register
class AveragePooling3D(_AvgPoolND):
    """Average pooling over volumes: each output is the mean of the inputs in its ``(kd, kh, kw)`` window.

    Math (x_o = xp[:, od::sd, oh::sh, ow::sw] the strided view of window offset o;
    xp is x padded with zeros; count = how many elements of the window lie
    inside x, a product over the three axes; grad = dL/dy)::

        forward    y = (sum over o of x_o) / count
        backward   dx[view o] += grad / count                   for every offset o

    Parameters
    ----------
    pool_size, strides, padding, data_format, **kwargs
        As for :class:`MaxPooling3D`.

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output ``(batch, out_d, out_h, out_w, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> AveragePooling3D()(np.arange(8.0).reshape(1, 2, 2, 2, 1)).ravel()
    array([3.5], dtype=float32)
    """

    rank = 3


#: Keras's shorter spellings.
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D
