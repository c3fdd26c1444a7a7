"""Converters of the convolutions and pools: ONNX's channels-first operators, transposed around.

tinynet keeps the channels last, ``(batch, *spatial, channels)``; ONNX's
``Conv``, ``MaxPool`` and ``AveragePool`` take ``(batch, channels, *spatial)``.
Each converter transposes in, runs the operator, and transposes out, so the
tensors between layers stay in tinynet's layout (onnxruntime's optimizer
cancels the pairs a chain of convolutions leaves). Keras's ``"same"`` padding
puts the odd pad after (bottom, right): written as explicit ``pads`` when the
size is known, as ``auto_pad="SAME_UPPER"`` (the same rule) when it is not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...layers import (
    AveragePooling1D,
    AveragePooling3D,
    AvgPool2D,
    Conv1D,
    Conv2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling3D,
    GlobalAvgPool2D,
    GlobalMaxPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling3D,
    MaxPool2D,
    MaxPooling1D,
    MaxPooling3D,
)
from ..builder import GraphBuilder
from . import converts
from .activations import activate

__all__ = ["channels_first", "channels_last", "same_pads"]


def channels_first(b: GraphBuilder, x: str, rank: int) -> str:
    """``(batch, *spatial, channels)`` to ``(batch, channels, *spatial)``."""
    return b.transpose(x, [0, rank + 1, *range(1, rank + 1)])


def channels_last(b: GraphBuilder, x: str, rank: int) -> str:
    """``(batch, channels, *spatial)`` back to ``(batch, *spatial, channels)``."""
    return b.transpose(x, [0, *range(2, rank + 2), 1])


def same_pads(sizes: tuple[Any, ...], spans: tuple[int, ...], strides: tuple[int, ...]) -> list[int] | None:
    """ONNX ``pads`` (all befores, then all afters) for Keras's ``"same"``; ``None`` when a size is unknown.

    ``out = ceil(n / s)``, ``pad = max((out - 1) * s + span - n, 0)``: ``pad // 2`` before, the rest after.
    """
    if any(n is None for n in sizes):
        return None
    before, after = [], []
    for n, span, s in zip(sizes, spans, strides, strict=True):
        total = max((-(-n // s) - 1) * s + span - n, 0)
        before.append(total // 2)
        after.append(total - total // 2)
    return before + after


def _window(padding: str, sizes: tuple[Any, ...], spans: tuple[int, ...], strides: tuple[int, ...]) -> dict[str, Any]:
    """The padding attributes of a window operator for ``"valid"``, ``"same"`` or ``"causal"``."""
    rank = len(spans)
    if padding == "valid":
        return {"pads": [0] * (2 * rank)}
    if padding == "causal":  # (span - 1) zeros before the sequence, none after
        return {"pads": [span - 1 for span in spans] + [0] * rank}
    pads = same_pads(sizes, spans, strides)
    return {"auto_pad": "SAME_UPPER"} if pads is None else {"pads": pads}


@converts(Conv1D, Conv2D)
def conv(b: GraphBuilder, layer: Any, x: str) -> str:
    """``Conv`` on the transposed input with the kernel as ``(filters, channels, *kernel_size)``; bias as its B."""
    rank = len(layer.kernel_size)
    kernel = np.transpose(layer.kernel.value, (rank + 1, rank, *range(rank)))
    spans = tuple((k - 1) * d + 1 for k, d in zip(layer.kernel_size, layer.dilation_rate, strict=True))
    inputs = [channels_first(b, x, rank), b.weight(layer, "kernel", kernel)]
    if layer.bias is not None:
        inputs.append(b.weight(layer, "bias", layer.bias.value))
    z = b.op(
        "Conv", inputs, hint=f"{layer.name}/conv", kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
        dilations=list(layer.dilation_rate), **_window(layer.padding, b.shapes[x][:-1], spans, layer.strides),
    )  # fmt: skip
    return activate(b, layer.activation, channels_last(b, z, rank))


@converts(MaxPool2D, MaxPooling1D, MaxPooling3D, AvgPool2D, AveragePooling1D, AveragePooling3D)
def pool(b: GraphBuilder, layer: Any, x: str) -> str:
    """``MaxPool`` / ``AveragePool``; the average counts real elements only (``count_include_pad=0``), as Keras."""
    rank = len(layer.pool_size)
    average = isinstance(layer, (AvgPool2D, AveragePooling1D, AveragePooling3D))
    attrs = _window(layer.padding, b.shapes[x][:-1], tuple(layer.pool_size), tuple(layer.strides))
    if average:
        attrs["count_include_pad"] = 0
    y = b.op(
        "AveragePool" if average else "MaxPool", [channels_first(b, x, rank)], hint=layer.name,
        kernel_shape=list(layer.pool_size), strides=list(layer.strides), **attrs,
    )  # fmt: skip
    return channels_last(b, y, rank)


@converts(GlobalAvgPool2D, GlobalAveragePooling1D, GlobalAveragePooling3D)
def global_average(b: GraphBuilder, layer: Any, x: str) -> str:
    rank = len(b.shapes[x]) - 1
    return b.reduce("ReduceMean", x, list(range(1, rank + 1)), keepdims=layer.keepdims)


@converts(GlobalMaxPool2D, GlobalMaxPooling1D, GlobalMaxPooling3D)
def global_max(b: GraphBuilder, layer: Any, x: str) -> str:
    rank = len(b.shapes[x]) - 1
    return b.reduce("ReduceMax", x, list(range(1, rank + 1)), keepdims=layer.keepdims)
