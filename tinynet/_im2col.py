"""im2col / col2im: a channels-last convolution as one matrix product.

Every output pixel of a convolution is a dot product of the kernel with the
window of the input it sees. Laying every window out as a column of one matrix
``cols`` turns the whole convolution into one product ``cols.T @ kernel2``.

Math (x of shape (n, h, w, c), zero-padded to (hp, wp) and held as xp of shape
(c, hp, wp, n); a (kh, kw) kernel with strides (sh, sw) and dilation (dh, dw))::

    im2col   cols[i, j, ch, p, q, b] = xp[ch, p*sh + i*dh, q*sw + j*dw, b]
             that is, for every tap (i, j):   cols[i, j] = xp[:, i*dh :: sh, j*dw :: sw]    (cut to oh x ow)
             seen as a (kh*kw*c, oh*ow*n) matrix
    col2im   for every tap (i, j):            dxp[:, i*dh :: sh, j*dw :: sw] += dcols[i, j]
             (the adjoint of im2col: where windows overlap, their gradients add up)

The rows of ``cols`` are ordered ``(i, j, channel)``, as in ``kernel.reshape(kh*kw*c, filters)`` for a
Keras kernel ``(kh, kw, c, filters)``; the columns ``(p, q, b)``: output pixels, **batch last**.
The product ``kernel2.T @ cols`` is then ``(filters, oh*ow*n)``: memory ordered ``(c, h, w, n)``,
which :func:`batch_first` shows as the NHWC array every layer sees (a view, no copy).

Why batch last: each tap is one copy of a strided view, and its cost is set by
the length of the contiguous runs it moves. With the batch innermost a run is
at least ``n`` values (``ow * n`` at stride 1) whatever the image, stride or
channel count; the ``(n, oh, ow, kh, kw, c)`` layout moves runs of ``c``
values (one, on a first layer), ``(c, n, oh, ow)`` runs of ``ow`` (one at
stride 2). And because a convolution's output is already batch last in
memory, the pooling after it and the next convolution read it without any
reordering, and their gradients come back batch last too: no array the size
of an activation is transposed between layers (docs/benchmarks.md, "Why the
code looks like this").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._workspace import Workspace

__all__ = ["Window", "axis_geometry", "im2col", "col2im", "batch_first", "batch_last"]

Pair = tuple[int, int]


def axis_geometry(n: int, k: int, s: int, d: int, padding: str) -> tuple[int, Pair]:
    """``(out, (before, after))`` along one axis of size ``n``: Keras's (TensorFlow's) rule.

    With ``span = (k - 1) * d + 1`` the dilated kernel size::

        valid    out = (n - span) // s + 1      no padding
        same     out = ceil(n / s)              total = max((out - 1) * s + span - n, 0),
                                                total // 2 before, the rest (the extra one) after
        causal   out = ceil(n / s)              span - 1 before, none after (output t never sees input t + 1)

    ``out < 1`` means the kernel does not fit: callers check it.

    Examples
    --------
    >>> axis_geometry(5, 2, 2, 1, "same")    # out 3, total 1: the extra row on the bottom
    (3, (0, 1))
    >>> axis_geometry(4, 3, 1, 2, "valid")   # span 5 > 4
    (0, (0, 0))
    """
    span = (k - 1) * d + 1
    if padding == "valid":
        return (n - span) // s + 1, (0, 0)
    out = -(-n // s)
    if padding == "causal":
        return out, (span - 1, 0)
    total = max((out - 1) * s + span - n, 0)
    return out, (total // 2, total - total // 2)


@dataclass(frozen=True)
class Window:
    """Where the taps of a 2-D kernel land on an ``(h, w)`` input, per spatial axis (height, width)."""

    size: Pair  # (h, w), unpadded
    kernel: Pair  # (kh, kw) taps
    strides: Pair
    dilation: Pair
    padding: tuple[Pair, Pair]  # ((top, bottom), (left, right))
    out: Pair  # (oh, ow)

    @classmethod
    def of(
        cls,
        size: tuple[int, ...],
        kernel: tuple[int, ...],
        strides: tuple[int, ...],
        dilation: tuple[int, ...],
        padding: tuple[str, ...],
    ) -> Window:
        """The window of a convolution; ``padding`` names each axis's rule (see :func:`axis_geometry`)."""
        axes = [axis_geometry(*args) for args in zip(size, kernel, strides, dilation, padding, strict=True)]
        return cls(size, kernel, strides, dilation, (axes[0][1], axes[1][1]), (axes[0][0], axes[1][0]))  # type: ignore[arg-type]

    @property
    def padded(self) -> Pair:
        """``(hp, wp)``: the size of the zero-padded input."""
        (top, bottom), (left, right) = self.padding
        return self.size[0] + top + bottom, self.size[1] + left + right

    def taps(self, axis: int) -> list[slice]:
        """For each tap along ``axis`` (0 height, 1 width), the slice of the padded axis it reads."""
        k, s, d, out = self.kernel[axis], self.strides[axis], self.dilation[axis], self.out[axis]
        return [slice(t * d, t * d + s * (out - 1) + 1, s) for t in range(k)]

    @property
    def inside(self) -> tuple[slice, slice]:
        """The slices of the padded height and width that hold the input."""
        (top, _), (left, _) = self.padding
        return slice(top, top + self.size[0]), slice(left, left + self.size[1])


def im2col(x: np.ndarray, window: Window, space: Workspace | None = None) -> np.ndarray:
    """The columns ``(kh*kw*c, oh*ow*n)`` of an NHWC batch ``x``: one column per output pixel, batch last.

    ``x`` may be any strided view; when its memory is already ``(c, h, w, n)``
    (the output of a convolution or a pooling of one) and needs no padding,
    the taps are copied from it directly. ``space`` supplies the arrays.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> im2col(x, Window.of((3, 3), (2, 2), (1, 1), (1, 1), ("valid", "valid")))   # one row per tap
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    space = space or Workspace()
    n, _, _, c = x.shape
    (kh, kw), (oh, ow), (hp, wp) = window.kernel, window.out, window.padded
    xc = x.transpose(3, 1, 2, 0)  # (c, h, w, n): batch last
    if window.padded != window.size:
        padded = space.zeros("padded", (c, hp, wp, n), x.dtype)
        padded[(slice(None), *window.inside)] = xc  # zero border
        xc = padded
    elif not xc.flags.c_contiguous:  # an NHWC array: one transposing copy, then every tap copies long runs
        xc = space.empty("padded", (c, hp, wp, n), x.dtype)
        xc[...] = x.transpose(3, 1, 2, 0)
    cols = space.empty("cols", (kh, kw, c, oh, ow, n), x.dtype)
    for i, height_i in enumerate(window.taps(0)):
        for j, width_j in enumerate(window.taps(1)):
            cols[i, j] = xc[:, height_i, width_j]
    return cols.reshape(kh * kw * c, oh * ow * n)


def col2im(dcols: np.ndarray, window: Window, x_shape: tuple[int, ...], space: Workspace | None = None) -> np.ndarray:
    """The adjoint of :func:`im2col`: add each column entry back where it was read; returns ``dx`` of ``x_shape``.

    ``dx`` is an NHWC view of a ``(c, h, w, n)`` array (batch last), as
    :func:`batch_first` gives a convolution's output.

    Examples
    --------
    >>> window = Window.of((3, 3), (2, 2), (1, 1), (1, 1), ("valid", "valid"))
    >>> col2im(np.ones((4, 4)), window, (1, 3, 3, 1))[0, :, :, 0]   # how many windows hold each pixel
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    space = space or Workspace()
    n, _, _, c = x_shape
    (kh, kw), (oh, ow), (hp, wp) = window.kernel, window.out, window.padded
    dcols = dcols.reshape(kh, kw, c, oh, ow, n)
    dxp = space.zeros("dx", (c, hp, wp, n), dcols.dtype)
    for i, height_i in enumerate(window.taps(0)):
        for j, width_j in enumerate(window.taps(1)):
            dxp[:, height_i, width_j] += dcols[i, j]
    inside_h, inside_w = window.inside
    return dxp[:, inside_h, inside_w].transpose(3, 1, 2, 0)


def batch_first(zf: np.ndarray, window: Window) -> np.ndarray:
    """A convolution's ``(f, oh*ow*n)`` output (``kernel2.T @ cols``) seen as NHWC ``(n, oh, ow, f)``: a view."""
    oh, ow = window.out
    return zf.reshape(len(zf), oh, ow, -1).transpose(3, 1, 2, 0)


def batch_last(dz: np.ndarray) -> np.ndarray:
    """An NHWC ``(n, oh, ow, f)`` gradient as ``(f, oh*ow*n)`` rows: a view when its memory is batch last."""
    return dz.transpose(3, 1, 2, 0).reshape(dz.shape[-1], -1)
