"""Large arrays a layer reuses from one step to the next instead of allocating them afresh.

A convolution's columns, its output and its input gradient are megabytes
each, allocated and freed every step. The C allocator hands freed memory
of that size back to the system, so each new array is faulted in again page
by page: on Keras's MNIST convnet that cost more than the arithmetic. A
:class:`Workspace` keeps the arrays instead and hands one out again only
when nothing else holds it: no layer memory, no view, no caller. So a
layer may return a workspace array, remember it for backward, or be called
twice before its backward (a shared layer in a graph): whoever still holds
an array keeps it, and the workspace allocates a new one.

"Nothing else holds it" is read from the reference count. An array and
every view of it hold a reference to its memory, so the count cannot miss
a user. Two arrays per purpose suffice for training: the one the last
forward remembered, and the one this forward fills.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

__all__ = ["Workspace", "memory_order", "in_layout_of"]

KEEP_PER_PURPOSE = 2  # the remembered array and the one being filled


class Workspace:
    """Reusable uninitialised arrays, by purpose, shape and dtype.

    Examples
    --------
    >>> space = Workspace()
    >>> a = space.empty("cols", (2, 3), np.float32)
    >>> space.empty("cols", (2, 3), np.float32) is a      # a is still held here
    False
    >>> del a
    >>> b = space.empty("cols", (2, 3), np.float32)      # a's memory, free again
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[tuple[int, ...], np.dtype, list[np.ndarray]]] = {}

    def empty(self, purpose: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """An array of ``shape`` and ``dtype`` that nothing else references (its contents are garbage).

        One shape is kept per purpose: another shape (the last, smaller batch
        of an epoch) lets the arrays of the previous one go, so a workspace
        never holds more than two arrays per purpose.
        """
        dtype = np.dtype(dtype)
        entry = self._kept.get(purpose)
        if entry is None or entry[0] != shape or entry[1] != dtype:
            entry = self._kept[purpose] = (shape, dtype, [])
        kept = entry[2]
        for array in kept:
            if sys.getrefcount(array) == _FREE:
                return array
        array = np.empty(shape, dtype)
        if len(kept) < KEEP_PER_PURPOSE:
            kept.append(array)
        return array

    def __getstate__(self) -> dict[str, Any]:
        """Nothing: a pickled or copied layer carries no scratch arrays (they may be megabytes)."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._kept = {}

    def empty_like(self, purpose: str, a: np.ndarray) -> np.ndarray:
        """:meth:`empty` with ``a``'s shape and dtype, its axes laid out in memory in the order of ``a``'s.

        An element-wise operation between arrays of the same layout runs over
        contiguous memory; between an NHWC array and a batch-last one it does
        not, and was measured ten times slower (see :func:`in_layout_of`).
        """
        order = memory_order(a)
        array = self.empty(purpose, tuple(a.shape[axis] for axis in order), a.dtype)
        return array.transpose(np.argsort(order))

    def zeros(self, purpose: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """:meth:`empty`, filled with zeros."""
        array = self.empty(purpose, shape, dtype)
        array.fill(0)
        return array


def memory_order(a: np.ndarray) -> list[int]:
    """``a``'s axes from the slowest-varying in memory to the fastest (``[0, 1, ..., ndim - 1]`` when C-contiguous)."""
    return sorted(range(a.ndim), key=lambda axis: -abs(a.strides[axis]))


def in_layout_of(a: np.ndarray, like: np.ndarray, space: Workspace | None = None) -> np.ndarray:
    """``a`` (same shape as ``like``) laid out in memory as ``like`` is: ``a`` itself, or one copy.

    A layer's backward multiplies the incoming gradient with arrays its
    forward kept, laid out as its input was. A gradient laid out otherwise
    (an NHWC gradient from ``Flatten`` against a convolution's batch-last
    output) makes every such product stride across memory: on a 128x26x26x32
    batch one product took 9 ms instead of 0.5. One reordering copy first
    costs less than the second such product.
    """
    if (a.flags.c_contiguous and like.flags.c_contiguous) or memory_order(a) == memory_order(like):
        return a
    same = np.empty_like(like) if space is None else space.empty_like("layout", like)
    same[...] = a
    return same


def _references_when_free() -> int:
    """The count ``sys.getrefcount`` reports inside :meth:`Workspace.empty`'s loop for an array held nowhere else.

    Measured rather than assumed, as the same loop sees it: the list, the loop
    variable and the call's argument (Python versions count differently).
    """
    kept = [np.empty(0)]
    for array in kept:
        return sys.getrefcount(array)
    raise AssertionError("unreachable")


_FREE = _references_when_free()
