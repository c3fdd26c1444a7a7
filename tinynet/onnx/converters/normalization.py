"""Converters of ``BatchNorm`` (inference: one multiply-add with folded constants) and ``LayerNorm``.

An exported model only predicts, so ``BatchNorm`` uses its moving statistics,
folded with ``gamma`` and ``beta`` into ``scale = gamma / sqrt(var + eps)``
and ``shift = beta - mean * scale``. ``LayerNorm`` on the last axis is ONNX's
``LayerNormalization`` from opset 17; on another axis, or before 17, it is
written out: ``ReduceMean``, ``Sub``, the mean of squares, ``Sqrt``, ``Div``.
"""

from __future__ import annotations

import numpy as np

from ...layers import BatchNorm, LayerNorm
from ..builder import GraphBuilder
from . import converts

__all__: list[str] = []


@converts(BatchNorm)
def batch_norm(b: GraphBuilder, layer: BatchNorm, x: str) -> str:
    """``y = x * scale + shift`` with ``scale`` and ``shift`` folded from the moving statistics in float64."""
    mean = layer.moving_mean.value.astype(np.float64)
    var = layer.moving_variance.value.astype(np.float64)
    gamma = 1.0 if layer.gamma is None else layer.gamma.value.astype(np.float64)
    beta = 0.0 if layer.beta is None else layer.beta.value.astype(np.float64)
    scale = gamma / np.sqrt(var + layer.epsilon)
    shift = beta - mean * scale
    shape = layer._broadcast[1:]  # (features,) on the feature axis, 1 elsewhere; the batch broadcasts
    y = b.op("Mul", [x, b.weight(layer, "scale", scale.reshape(shape))], hint=f"{layer.name}/scale")
    return b.op("Add", [y, b.weight(layer, "shift", shift.reshape(shape))], hint=layer.name)


@converts(LayerNorm)
def layer_norm(b: GraphBuilder, layer: LayerNorm, x: str) -> str:
    a, rank = layer._a, len(b.shapes[x]) + 1
    features = layer._broadcast[a]
    gamma = np.ones(features) if layer.gamma is None else layer.gamma.value
    beta = np.zeros(features) if layer.beta is None else layer.beta.value
    if a == rank - 1 and b.opset >= 17:
        inputs = [x, b.weight(layer, "gamma", gamma), b.weight(layer, "beta", beta)]
        return b.op("LayerNormalization", inputs, hint=layer.name, axis=-1, epsilon=float(layer.epsilon))
    shape = layer._broadcast[1:]
    d = b.op("Sub", [x, b.reduce("ReduceMean", x, [a])])
    var = b.reduce("ReduceMean", b.op("Mul", [d, d]), [a])
    xhat = b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, b.const(layer.epsilon)])])])
    y = b.op("Mul", [xhat, b.weight(layer, "gamma", gamma.reshape(shape))])
    return b.op("Add", [y, b.weight(layer, "beta", beta.reshape(shape))], hint=layer.name)
