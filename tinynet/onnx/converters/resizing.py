"""Converters of the layers that change spatial sizes: padding, cropping, upsampling, adaptive pools.

``ZeroPadding`` is ``Pad``, ``Cropping`` a ``Slice``, nearest ``UpSampling`` a
``Resize`` that repeats (``asymmetric`` coordinates, ``floor``). Bilinear
upsampling and adaptive average pooling are linear maps of one axis at a
time: the same matrices tinynet uses, applied with ``MatMul`` along each axis
(their sizes must be known). Adaptive max pooling takes the ``ReduceMax`` of
each bin, bin by bin, and concatenates them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...layers import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
    Cropping1D,
    Cropping2D,
    Cropping3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from ...layers.adaptive_pooling import average_matrix, bins
from ...layers.upsampling import bilinear_matrix
from ..builder import GraphBuilder, Unsupported
from . import converts

__all__ = ["along"]


def along(b: GraphBuilder, matrix: np.ndarray, x: str, axis: int, rank: int) -> str:
    """``y[..., i, ...] = sum_j matrix[i, j] * x[..., j, ...]`` along ``axis`` of a tensor of ``rank`` axes.

    The axis is moved next to the channels, multiplied by ``matrix`` (which broadcasts over the batch), moved back.
    """
    perm = [i for i in range(rank) if i not in (axis, rank - 1)] + [axis, rank - 1]
    back = [perm.index(i) for i in range(rank)]
    y = b.op("MatMul", [b.const(matrix), b.transpose(x, perm)])
    return b.transpose(y, back)


def _known(layer: Any, sizes: tuple[Any, ...]) -> tuple[int, ...]:
    if any(n is None for n in sizes):
        raise Unsupported(f"its spatial sizes must be known to write its matrices, and are {sizes}")
    return tuple(int(n) for n in sizes)


@converts(ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
def zero_padding(b: GraphBuilder, layer: Any, x: str) -> str:
    before = [0, *(p[0] for p in layer.padding), 0]
    after = [0, *(p[1] for p in layer.padding), 0]
    return b.op("Pad", [x, b.ints(before + after)], hint=layer.name, mode="constant")


@converts(Cropping1D, Cropping2D, Cropping3D)
def cropping(b: GraphBuilder, layer: Any, x: str) -> str:
    axes = list(range(1, len(layer.cropping) + 1))
    ends = [-c[1] if c[1] else 2**62 for c in layer.cropping]
    return b.slice(x, [c[0] for c in layer.cropping], ends, axes)


@converts(UpSampling1D, UpSampling2D, UpSampling3D)
def upsampling(b: GraphBuilder, layer: Any, x: str) -> str:
    rank = len(layer.size) + 2
    if getattr(layer, "interpolation", "nearest") == "bilinear":
        sizes = _known(layer, b.shapes[x][:-1])
        y = x
        for axis, (n, s) in enumerate(zip(sizes, layer.size, strict=True), start=1):
            y = along(b, bilinear_matrix(n, s, np.float32), y, axis, rank)
        return y
    scales = b.const([1.0, *(float(s) for s in layer.size), 1.0])
    return b.op(
        "Resize", [x, "", scales], hint=layer.name, mode="nearest",
        coordinate_transformation_mode="asymmetric", nearest_mode="floor",
    )  # fmt: skip


@converts(AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D)
def adaptive_average(b: GraphBuilder, layer: Any, x: str) -> str:
    sizes = _known(layer, b.shapes[x][:-1])
    rank = len(sizes) + 2
    y = x
    for axis, (n, out) in enumerate(zip(sizes, layer.output_size, strict=True), start=1):
        y = along(b, average_matrix(n, out, np.float32), y, axis, rank)
    return y


@converts(AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
def adaptive_max(b: GraphBuilder, layer: Any, x: str) -> str:
    sizes = _known(layer, b.shapes[x][:-1])
    y = x
    for axis, (n, out) in enumerate(zip(sizes, layer.output_size, strict=True), start=1):
        start, end = bins(n, out)
        parts = [
            b.reduce("ReduceMax", b.slice(y, [int(s)], [int(e)], [axis]), [axis])
            for s, e in zip(start, end, strict=True)
        ]
        y = parts[0] if len(parts) == 1 else b.op("Concat", parts, axis=axis)
    return y
