"""im2col / col2im over any number of spatial axes: :mod:`tinynet._im2col` for 1-D, 2-D and 3-D windows.

The same scheme as :mod:`tinynet._im2col`, with the kernel's taps along ``r``
spatial axes instead of two: the input, zero-padded and held batch last as
``xp`` of shape ``(c, *padded, n)``, gives one strided view per kernel offset,
and the views stacked are the columns of one matrix product.

Math (x of shape (n, *size, c); a kernel of ``k`` taps per axis, strides ``s``, dilation ``d``;
a tap ``t = (t_1, ..., t_r)`` and an output position ``o = (o_1, ..., o_r)``)::

    im2col   cols[t, ch, o, b] = xp[ch, o_1*s_1 + t_1*d_1, ..., o_r*s_r + t_r*d_r, b]
             that is, for every tap t:     cols[t] = xp[:, t_1*d_1 :: s_1, ..., t_r*d_r :: s_r]   (cut to out)
             seen as a (prod(k)*c, prod(out)*n) matrix
    col2im   for every tap t:              dxp[:, t_1*d_1 :: s_1, ...] += dcols[t]
             (the adjoint of im2col: where windows overlap, their gradients add up)

Rows are ordered ``(t_1, ..., t_r, channel)``, as in ``kernel.reshape(-1, filters)`` for a Keras kernel
``(k_1, ..., k_r, c, filters)``; columns ``(o_1, ..., o_r, b)``, batch last (why: see :mod:`tinynet._im2col`).

A transposed convolution runs the same two functions the other way round: its
forward is :func:`col2im` (the input gradient of the convolution it transposes)
and its backward :func:`im2col`. Its window is built with :meth:`WindowND.transposed`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ._im2col import axis_geometry

__all__ = ["WindowND", "im2col", "col2im", "batch_first", "batch_last"]

Sizes = tuple[int, ...]
Pair = tuple[int, int]


@dataclass(frozen=True)
class WindowND:
    """Where the taps of an ``r``-D kernel land on an input of spatial ``size``, one entry per axis."""

    size: Sizes  # unpadded spatial sizes
    kernel: Sizes  # taps per axis
    strides: Sizes
    dilation: Sizes
    padding: tuple[Pair, ...]  # (before, after) per axis
    out: Sizes  # output positions per axis

    @classmethod
    def of(cls, size: Sizes, kernel: Sizes, strides: Sizes, dilation: Sizes, padding: str) -> WindowND:
        """The window of a convolution with Keras's ``padding`` rule on every axis (see ``axis_geometry``)."""
        axes = [axis_geometry(*args, padding) for args in zip(size, kernel, strides, dilation, strict=True)]
        return cls(size, kernel, strides, dilation, tuple(a[1] for a in axes), tuple(a[0] for a in axes))

    @classmethod
    def transposed(
        cls, size: Sizes, out: Sizes, kernel: Sizes, strides: Sizes, dilation: Sizes, before: Sizes
    ) -> WindowND:
        """The window of the convolution from ``size`` to ``out`` whose adjoint is a transposed convolution.

        ``before`` is the padding in front of each axis; the padding after is what the taps need
        to reach, at least 0 (a larger ``size`` leaves positions no tap reads: their gradient is 0).
        """
        spans = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
        after = [
            max((o - 1) * s + span - n - b, 0)
            for o, s, span, n, b in zip(out, strides, spans, size, before, strict=True)
        ]
        return cls(size, kernel, strides, dilation, tuple(zip(before, after, strict=True)), out)

    @property
    def rank(self) -> int:
        return len(self.size)

    @property
    def padded(self) -> Sizes:
        """The spatial sizes of the zero-padded input."""
        return tuple(n + b + a for n, (b, a) in zip(self.size, self.padding, strict=True))

    def taps(self, axis: int) -> list[slice]:
        """For each tap along ``axis``, the slice of the padded axis it reads."""
        k, s, d, out = self.kernel[axis], self.strides[axis], self.dilation[axis], self.out[axis]
        return [slice(t * d, t * d + s * (out - 1) + 1, s) for t in range(k)]

    def offsets(self) -> Iterator[tuple[tuple[int, ...], tuple[slice, ...]]]:
        """Every kernel offset ``t`` with the slices of the padded axes it reads: the loop of im2col and col2im."""
        slices = itertools.product(*(self.taps(axis) for axis in range(self.rank)))
        return zip(np.ndindex(*self.kernel), slices, strict=True)

    @property
    def inside(self) -> tuple[slice, ...]:
        """The slices of the padded axes that hold the input."""
        return tuple(slice(b, b + n) for n, (b, _) in zip(self.size, self.padding, strict=True))


def _spatial_last(rank: int) -> tuple[int, ...]:
    """The axes of ``(n, *size, c)`` in the order ``(c, *size, n)``."""
    return (rank + 1, *range(1, rank + 1), 0)


def im2col(x: np.ndarray, window: WindowND) -> np.ndarray:
    """The columns ``(prod(kernel)*c, prod(out)*n)`` of a channels-last batch ``x``: one per output position.

    Examples
    --------
    >>> x = np.arange(4.0).reshape(1, 4, 1)
    >>> im2col(x, WindowND.of((4,), (2,), (1,), (1,), "valid"))   # one row per tap
    array([[0., 1., 2.],
           [1., 2., 3.]])
    """
    n, c, rank = x.shape[0], x.shape[-1], window.rank
    make = np.zeros if window.padded != window.size else np.empty
    xp = make((c, *window.padded, n), dtype=x.dtype)
    xp[(slice(None), *window.inside)] = x.transpose(_spatial_last(rank))  # zero border, batch last
    cols = np.empty((*window.kernel, c, *window.out, n), dtype=x.dtype)
    for tap, slices in window.offsets():
        cols[tap] = xp[(slice(None), *slices)]
    return cols.reshape(math.prod(window.kernel) * c, math.prod(window.out) * n)


def col2im(dcols: np.ndarray, window: WindowND, x_shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of :func:`im2col`: add each column entry back where it was read; returns ``dx`` of ``x_shape``.

    Examples
    --------
    >>> window = WindowND.of((4,), (2,), (1,), (1,), "valid")
    >>> col2im(np.ones((2, 3)), window, (1, 4, 1))[0, :, 0]   # how many windows hold each step
    array([1., 2., 2., 1.])
    """
    n, c, rank = x_shape[0], x_shape[-1], window.rank
    dcols = dcols.reshape(*window.kernel, c, *window.out, n)
    dxp = np.zeros((c, *window.padded, n), dtype=dcols.dtype)
    for tap, slices in window.offsets():
        dxp[(slice(None), *slices)] += dcols[tap]
    return np.ascontiguousarray(dxp[(slice(None), *window.inside)].transpose(_spatial_last(rank)))  # its own inverse


def batch_first(zcols: np.ndarray, window: WindowND) -> np.ndarray:
    """``(prod(out)*n, f)`` rows in :func:`im2col`'s order, seen as channels-last ``(n, *out, f)`` (a view)."""
    rank = window.rank
    return zcols.reshape(*window.out, -1, zcols.shape[-1]).transpose(rank, *range(rank), rank + 1)


def batch_last(dz: np.ndarray) -> np.ndarray:
    """A channels-last ``(n, *out, f)`` array as ``(prod(out)*n, f)`` rows in :func:`im2col`'s order (a copy)."""
    rank = dz.ndim - 2
    return np.ascontiguousarray(dz.transpose(*range(1, rank + 1), 0, rank + 1)).reshape(-1, dz.shape[-1])
