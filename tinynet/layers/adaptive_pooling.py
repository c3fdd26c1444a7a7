"""Adaptive pooling: pool any input size down (or up) to a fixed ``output_size``, on 1, 2 or 3 spatial axes.

Output ``i`` of an axis of size ``L`` pooled to ``out`` covers the bin
``[start_i, end_i)`` with, as in PyTorch's adaptive pooling and Keras 3's::

    start_i = floor(i * L / out)        end_i = ceil((i + 1) * L / out)

Neighbouring bins may share an element when ``L`` is not a multiple of ``out``.
Both pools work one axis at a time, which is exact because a window is a box
(a product of one bin per axis):

- the **average** of a box is the average along each axis in turn, a linear map
  ``A (out, L)`` per axis with ``A[i, j] = 1 / (end_i - start_i)`` inside the bin:
  one matrix product per axis forward, its transpose backward;
- the **maximum** of a box is the maximum along the last axis, then along the
  one before, and so on. Each step loops over the offsets ``t`` inside a bin
  (never over positions) and keeps, per output, the index of its first maximum.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import along, channels_last, int_tuple, spatial_shape

__all__ = [
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
]  # fmt: skip


def bins(size: int, out: int) -> tuple[Array, Array]:
    """``(start, end)``, each of shape ``(out,)``: the bins of an axis of ``size`` pooled to ``out`` outputs.

    Examples
    --------
    >>> bins(5, 3)
    (array([0, 1, 3]), array([2, 4, 5]))
    """
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def average_matrix(size: int, out: int, dtype: Any) -> Array:
    """``A (out, size)``: row ``i`` averages the bin ``[start_i, end_i)``."""
    start, end = bins(size, out)
    j = np.arange(size)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class _AdaptivePool(Layer):
    """``output_size``, ``data_format``, the input check and the output shape, for ``rank`` spatial axes."""

    rank: int = 1

    def __init__(self, output_size: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        self.output_size = int_tuple(output_size, self.rank, self._label(), "output_size")

    def build(self, input_shape: Shape) -> None:
        spatial_shape(self, input_shape, self.rank)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        _, channels = spatial_shape(self, input_shape, self.rank)
        return (*self.output_size, channels)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "output_size": list(self.output_size)}


class _AdaptiveAverage(_AdaptivePool):
    """Adaptive average pooling: one averaging matrix per spatial axis (see the module docstring)."""

    def forward(self, x: Array, training: bool = False) -> Array:
        matrices = [average_matrix(n, out, x.dtype) for n, out in zip(x.shape[1:-1], self.output_size, strict=True)]
        y = x
        for axis, a in enumerate(matrices, start=1):
            y = along(a, y, axis)
        self.remember(matrices=matrices)
        return np.ascontiguousarray(y)

    def backward(self, grad: Array) -> Array:
        (matrices,) = self.recall("matrices")
        dx = grad
        for axis in range(len(matrices), 0, -1):
            dx = along(matrices[axis - 1].T, dx, axis)
        return np.ascontiguousarray(dx)


class _AdaptiveMax(_AdaptivePool):
    """Adaptive max pooling: a maximum along each spatial axis in turn, last axis first (see the module docstring)."""

    def forward(self, x: Array, training: bool = False) -> Array:
        y, steps = x, []
        for axis in range(self.rank, 0, -1):
            start, end = bins(y.shape[axis], self.output_size[axis - 1])
            reduced, winner = _max_along(y, axis, start, end)
            steps.append((axis, winner, y.shape))
            y = reduced
        self.remember(steps=steps)
        return y

    def backward(self, grad: Array) -> Array:
        (steps,) = self.recall("steps")
        dx = grad
        for axis, winner, shape in reversed(steps):
            dx = _scatter_along(dx, winner, axis, shape)
        return dx


def _max_along(x: Array, axis: int, start: Array, end: Array) -> tuple[Array, Array]:
    """The maximum of each bin along ``axis``, and the index (along ``axis``) of its first maximum.

    Math (offset t of bin i reads index_t[i] = min(start_i + t, end_i - 1), the last
    index repeated where a bin is shorter: a repeat never beats itself)::

        y = x[index_0]; winner = index_0
        for t = 1 .. longest bin - 1:   better = x[index_t] > y;  y, winner = where(better, x[index_t], index_t)
    """
    shape = [1] * x.ndim
    shape[axis] = len(start)
    y = np.take(x, start, axis=axis)
    winner = np.broadcast_to(start.reshape(shape), y.shape).copy()
    for t in range(1, int((end - start).max())):
        index = np.minimum(start + t, end - 1)
        candidate = np.take(x, index, axis=axis)
        better = candidate > y
        np.copyto(y, candidate, where=better)
        np.copyto(winner, np.broadcast_to(index.reshape(shape), y.shape), where=better)
    return y, winner


def _scatter_along(grad: Array, winner: Array, axis: int, shape: tuple[int, ...]) -> Array:
    """``dx`` of ``shape``: each entry of ``grad`` added at its ``winner`` along ``axis`` (bins may share a winner)."""
    size = shape[axis]
    g = np.moveaxis(grad, axis, 0).reshape(grad.shape[axis], -1)
    w = np.moveaxis(winner, axis, 0).reshape(g.shape)
    rest = g.shape[1]
    flat = np.bincount((w * rest + np.arange(rest)).ravel(), weights=g.ravel(), minlength=size * rest)
    moved = flat.reshape(size, *np.moveaxis(grad, axis, 0).shape[1:]).astype(grad.dtype, copy=False)
    return np.moveaxis(moved, 0, axis)


@register
class AdaptiveAveragePooling1D(_AdaptiveAverage):
    """Average the steps of a sequence into ``output_size`` bins, whatever its length.

    Math (A = average_matrix(steps, out): A[i, j] = 1 / (end_i - start_i) for j in
    bin i, else 0; grad = dL/dy)::

        forward    y[:, i, :] = sum_j A[i, j] * x[:, j, :]         (y = A @ x)
        backward   dx = A.T @ grad

    Parameters
    ----------
    output_size : int or (int,)
        The number of output steps ``out``.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)``, ``steps`` possibly unknown (``None``);
    output ``(batch, out, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> AdaptiveAveragePooling1D(3)(np.array([[[1.0], [2.0], [4.0], [8.0], [16.0]]]))[0, :, 0]
    array([ 1.5     ,  4.666667, 12.      ], dtype=float32)
    """

    rank = 1


@register
class AdaptiveAveragePooling2D(_AdaptiveAverage):
    """Average an image into an ``(out_h, out_w)`` grid of bins, whatever its size.

    Math (A_h = average_matrix(h, out_h), A_w = average_matrix(w, out_w), applied
    along the height and the width axis; grad = dL/dy)::

        forward    y = A_h @ x @ A_w.T          (per sample and channel: the mean over bin (i, j))
        backward   dx = A_h.T @ grad @ A_w

    The mean over a bin ``[start_i, end_i) x [start_j, end_j)`` is the mean along
    each axis in turn, so the two matrices do it exactly.

    Parameters
    ----------
    output_size : int or (int, int)
        The output grid ``(out_h, out_w)``; an int is the same for both.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)``, sizes possibly unknown (``None``);
    output ``(batch, out_h, out_w, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> AdaptiveAveragePooling2D(2)(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    """

    rank = 2


@register
class AdaptiveAveragePooling3D(_AdaptiveAverage):
    """Average a volume into an ``(out_d, out_h, out_w)`` grid of bins, whatever its size.

    Math (A_d, A_h, A_w the averaging matrices of the three axes; grad = dL/dy)::

        forward    y = x averaged along depth by A_d, height by A_h, width by A_w
        backward   dx = grad mapped back along width by A_w.T, height by A_h.T, depth by A_d.T

    Parameters
    ----------
    output_size : int or (int, int, int)
        The output grid ``(out_d, out_h, out_w)``; an int is the same for all three.
    data_format, **kwargs
        As for :class:`AdaptiveAveragePooling2D`.

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output ``(batch, out_d, out_h, out_w, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> AdaptiveAveragePooling3D(1)(np.arange(8.0).reshape(1, 2, 2, 2, 1)).ravel()
    array([3.5], dtype=float32)
    """

    rank = 3


@register
class AdaptiveMaxPooling1D(_AdaptiveMax):
    """The maximum of each of ``output_size`` bins of steps, whatever the sequence's length.

    Math (bin i = [start_i, end_i); grad = dL/dy)::

        forward    y[:, i, :] = max over j in bin i of x[:, j, :];  winner_i = its first argmax
        backward   dx[:, winner_i, :] += grad[:, i, :]          (bins sharing a winner add up)

    Ties go to the first maximum in the bin.

    Parameters
    ----------
    output_size : int or (int,)
        The number of output steps.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)``; output ``(batch, out, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> AdaptiveMaxPooling1D(3)(np.array([[[1.0], [5.0], [4.0], [8.0], [2.0]]]))[0, :, 0]
    array([5., 8., 8.], dtype=float32)
    """

    rank = 1


@register
class AdaptiveMaxPooling2D(_AdaptiveMax):
    """The maximum of each bin of an ``(out_h, out_w)`` grid, whatever the image's size.

    Math (x_w = x reduced along the width: per row, the maximum of each width bin;
    winner_w, winner_h the first argmax of each step; grad = dL/dy)::

        forward    x_w[:, :, j] = max over q in bin j of x[:, :, q]
                   y[:, i, j] = max over p in bin i of x_w[:, p, j]
        backward   dx_w[:, winner_h, :] += grad;  dx[:, :, winner_w] += dx_w

    Reducing the width first and the height after gives, on a tie, the first
    maximum of the bin in row-major order.

    Parameters
    ----------
    output_size : int or (int, int)
        The output grid ``(out_h, out_w)``; an int is the same for both.
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
    >>> AdaptiveMaxPooling2D((1, 2))(np.arange(9.0).reshape(1, 3, 3, 1))[0, :, :, 0]
    array([[7., 8.]], dtype=float32)
    """

    rank = 2


@register
class AdaptiveMaxPooling3D(_AdaptiveMax):
    """The maximum of each bin of an ``(out_d, out_h, out_w)`` grid, whatever the volume's size.

    Math (as :class:`AdaptiveMaxPooling2D`, one axis more: reduce the width, then
    the height, then the depth; backward scatters back in the reverse order)::

        forward    y = max over the depth bin of (max over the height bin of (max over the width bin of x))
        backward   each step sends its gradient to its winner: depth, then height, then width

    Parameters
    ----------
    output_size : int or (int, int, int)
        The output grid ``(out_d, out_h, out_w)``; an int is the same for all three.
    data_format, **kwargs
        As for :class:`AdaptiveMaxPooling2D`.

    Shape
    -----
    input ``(batch, depth, height, width, channels)``; output ``(batch, out_d, out_h, out_w, channels)``.

    Examples
    --------
    >>> import numpy as np
    >>> AdaptiveMaxPooling3D(1)(np.arange(8.0).reshape(1, 2, 2, 2, 1)).ravel()
    array([7.], dtype=float32)
    """

    rank = 3
