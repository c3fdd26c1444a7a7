"""Converters of the sequence layers: Embedding, PositionEmbedding, MultiHeadAttention, TimeDistributed.

``Embedding`` is a ``Gather`` of rows (one that makes a padding mask is
refused: the file carries no masks). ``PositionEmbedding`` slices its table
to the input's steps and ``Expand``s it to the input's shape, so any number
of steps up to ``sequence_length`` runs. ``MultiHeadAttention`` is written out
as tinynet computes it: three projections (``MatMul`` + ``Add``, heads split
with ``Reshape`` / ``Transpose``), scaled scores, the masks as a ``Where`` to
the lowest float (the causal one a constant, or ``Trilu`` for steps known only
at run time), ``Softmax``, the mix of values, the output projection.
``TimeDistributed`` folds the steps into the batch around its inner layer.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...layers import Embedding, MultiHeadAttention, PositionEmbedding, TimeDistributed
from ..builder import GraphBuilder, Unsupported
from . import convert, converts

__all__: list[str] = []


@converts(Embedding)
def embedding(b: GraphBuilder, layer: Embedding, x: str) -> str:
    if layer.mask_zero:
        raise Unsupported(
            "with mask_zero=True it makes a padding mask, and the exported graph carries no masks: the layers "
            "after it would see the padded steps"
        )
    return b.op("Gather", [b.weight(layer, "embeddings", layer.embeddings.value), x], hint=layer.name, axis=0)


def _dims(b: GraphBuilder, x: str, start: int, end: int) -> str:
    """The run-time sizes of axes ``start:end`` of ``x``, a 1-D int64 tensor."""
    return b.slice(b.op("Shape", [x]), [start], [end], [0])


@converts(PositionEmbedding)
def position_embedding(b: GraphBuilder, layer: PositionEmbedding, x: str) -> str:
    """``table[:steps]`` broadcast to the input's shape (steps on the axis before the features)."""
    steps_axis = len(b.shapes[x]) - 1
    table = b.weight(layer, "position_embeddings", layer.position_embeddings.value)
    rows = b.op("Slice", [table, b.ints([0]), _dims(b, x, steps_axis, steps_axis + 1), b.ints([0])])
    return b.op("Expand", [rows, b.op("Shape", [x])], hint=layer.name)


def _project(b: GraphBuilder, layer: Any, x: str, kernel: Any, bias: Any, key: str) -> str:
    """``x . kernel + bias`` per head: ``(b, t, d)`` to ``(b, h, t, k)``."""
    dim, heads, size = kernel.shape
    y = b.op("MatMul", [x, b.weight(layer, f"{key}/kernel", kernel.value.reshape(dim, heads * size))])
    if bias is not None:
        y = b.op("Add", [y, b.weight(layer, f"{key}/bias", bias.value.reshape(-1))])
    return b.transpose(b.reshape(y, [0, 0, heads, size]), [0, 2, 1, 3])


def _allowed(b: GraphBuilder, inputs: list[str], causal: bool, z: str, steps: tuple[Any, Any]) -> str | None:
    """Where query step t may attend to step s, boolean ``(b, 1, t, s)`` or ``(t, s)``; ``None`` when everywhere."""
    allowed = None
    if len(inputs) > 3:
        allowed = b.unsqueeze(b.op("Greater", [inputs[3], b.const(0.5)]), [1])
    if causal:
        if None not in steps:
            lower = b.const(np.tri(*steps, dtype=np.bool_), np.bool_, "causal")
        else:  # ones of the scores' (t, s), lower triangle kept
            ones = b.op("ConstantOfShape", [_dims(b, z, 2, 4)], value=b.numpy_helper.from_array(np.ones(1, np.int64)))
            lower = b.op("Cast", [b.op("Trilu", [ones], upper=0)], to=b.onnx.TensorProto.BOOL)
        allowed = lower if allowed is None else b.op("And", [allowed, lower])
    return allowed


@converts(MultiHeadAttention, many=True)
def attention(b: GraphBuilder, layer: MultiHeadAttention, xs: Any, options: dict[str, Any]) -> Any:
    if not isinstance(xs, list) or options.get("mask") is not None:
        raise Unsupported("it takes [query, value(, key, attention_mask)] without padding masks")
    query, value = xs[0], xs[1]
    key = xs[2] if len(xs) > 2 else value
    q = _project(b, layer, query, layer.query_kernel, layer.query_bias, "query")
    k = _project(b, layer, key, layer.key_kernel, layer.key_bias, "key")
    v = _project(b, layer, value, layer.value_kernel, layer.value_bias, "value")
    scores = b.op("MatMul", [q, b.transpose(k, [0, 1, 3, 2])])
    z = b.op("Mul", [scores, b.const(1.0 / math.sqrt(layer.key_dim))])
    steps = (b.shapes[query][0], b.shapes[value][0])
    allowed = _allowed(b, xs, bool(options.get("use_causal_mask")), z, steps)
    if allowed is None:
        p = b.op("Softmax", [z], axis=-1, hint=f"{layer.name}/scores")
    else:
        lowest = b.const(np.finfo(np.float32).min)
        weights = b.op("Softmax", [b.op("Where", [allowed, z, lowest])], axis=-1)
        p = b.op("Mul", [weights, b.op("Cast", [allowed], to=b.onnx.TensorProto.FLOAT)], hint=f"{layer.name}/scores")
    o = b.reshape(b.transpose(b.op("MatMul", [p, v]), [0, 2, 1, 3]), [0, 0, layer.num_heads * layer.value_dim])
    out_shape = layer.output_kernel.shape[2:]
    kernel = layer.output_kernel.value.reshape(layer.num_heads * layer.value_dim, -1)
    y = b.op("MatMul", [o, b.weight(layer, "attention_output/kernel", kernel)])
    if layer.output_bias is not None:
        y = b.op("Add", [y, b.weight(layer, "attention_output/bias", layer.output_bias.value.reshape(-1))])
    if len(out_shape) > 1:
        y = b.reshape(y, [0, 0, *out_shape])
    return [y, p] if options.get("return_attention_scores") else y


@converts(TimeDistributed)
def time_distributed(b: GraphBuilder, layer: TimeDistributed, x: str) -> str:
    """The inner layer on ``(batch * steps, ...)``, reshaped back to ``(batch, steps, ...)``."""
    each = tuple(b.shapes[x][1:])
    if None in each:
        raise Unsupported(f"the shape of each step must be known to fold the steps into the batch, and is {each}")
    folded = b.reshape(x, [-1, *each])
    b.shapes[folded] = each
    y = convert(b, layer.layer, folded)
    out = tuple(b.shapes[y])
    if None in out:
        raise Unsupported(f"its inner layer's output per step must have a known shape, and has {out}")
    return b.op("Reshape", [y, b.op("Concat", [_dims(b, x, 0, 2), b.ints(out)], axis=0)], hint=layer.name)
