"""Converters of the core layers: Dense, Dropout, the reshaping layers, RepeatVector, InputLayer.

``Dense`` on any rank is ``MatMul`` (which broadcasts over the leading axes)
then ``Add``; ``Flatten`` is ONNX's ``Flatten(axis=1)``, which reads the
channels-last tensor in the same row-major order as tinynet's; ``Reshape``
keeps the batch with a ``0`` in the target shape; ``Dropout`` is the identity
(an exported model only predicts).
"""

from __future__ import annotations

from ...layers import Dense, Dropout, Flatten, InputLayer, Masking, Permute, RepeatVector, Reshape
from ..builder import GraphBuilder, Unsupported
from . import converts
from .activations import activate

__all__: list[str] = []


@converts(Dense)
def dense(b: GraphBuilder, layer: Dense, x: str) -> str:
    """``z = x @ kernel (+ bias)`` along the last axis; then the activation."""
    z = b.op("MatMul", [x, b.weight(layer, "kernel", layer.kernel.value)], hint=f"{layer.name}/matmul")
    if layer.bias is not None:
        z = b.op("Add", [z, b.weight(layer, "bias", layer.bias.value)], hint=f"{layer.name}/z")
    return activate(b, layer.activation, z)


@converts(Dropout, InputLayer)
def identity(b: GraphBuilder, layer: Dropout | InputLayer, x: str) -> str:
    return x


@converts(Flatten)
def flatten(b: GraphBuilder, layer: Flatten, x: str) -> str:
    return b.op("Flatten", [x], hint=layer.name, axis=1)


@converts(Reshape)
def reshape(b: GraphBuilder, layer: Reshape, x: str) -> str:
    return b.reshape(x, [0, *layer.target_shape])


@converts(Permute)
def permute(b: GraphBuilder, layer: Permute, x: str) -> str:
    return b.transpose(x, [0, *layer.dims])


@converts(RepeatVector)
def repeat_vector(b: GraphBuilder, layer: RepeatVector, x: str) -> str:
    """``(batch, features)`` to ``(batch, n, features)``: Unsqueeze, then Tile along the new axis."""
    return b.op("Tile", [b.unsqueeze(x, [1]), b.ints([1, layer.n, 1])], hint=layer.name)


@converts(Masking)
def masking(b: GraphBuilder, layer: Masking, x: str) -> str:
    raise Unsupported(
        "it makes a padding mask, and the exported graph carries no masks: the layers after it would see the "
        "padded steps. Export a model without Masking (and pad with values the model was trained to ignore)"
    )
