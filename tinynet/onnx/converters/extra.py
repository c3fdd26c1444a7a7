"""Converters of Keras's further core layers: the noise layers and Identity (the identity when predicting), the
activation layers, PReLU, and the 3-D convolution.

Noise and regularization act only while training (``GaussianNoise``,
``GaussianDropout``, ``AlphaDropout``, the spatial dropouts,
``ActivityRegularization``), so an exported model, which only predicts, has
nothing of them. ``Activation`` is its activation; Keras's ``Softmax`` layer
is ``Softmax`` (a call with a mask is refused); ``PReLU`` is ``PRelu`` with
``alpha`` broadcast over its shared axes; ``Conv3D`` is the convolution
converter of :mod:`~tinynet.onnx.converters.spatial` on three axes.
"""

from __future__ import annotations

from typing import Any

from ...layers import (
    Activation,
    ActivityRegularization,
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    Identity,
    PReLU,
    Softmax,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from ...layers.conv3d import Conv3D
from ..builder import GraphBuilder, Unsupported
from . import converts
from .activations import activate
from .spatial import conv

__all__: list[str] = []


@converts(Identity, ActivityRegularization, GaussianNoise, GaussianDropout, AlphaDropout)
@converts(SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)
def inference_identity(b: GraphBuilder, layer: Any, x: str) -> str:
    return x


@converts(Activation)
def activation_layer(b: GraphBuilder, layer: Activation, x: str) -> str:
    return activate(b, layer.activation, x)


@converts(Softmax, many=True)
def softmax_layer(b: GraphBuilder, layer: Softmax, x: Any, options: dict[str, Any]) -> str:
    if isinstance(x, list) or options.get("mask") is not None:
        raise Unsupported("a call with a mask cannot be exported (the file carries no masks)")
    return b.op("Softmax", [x], hint=layer.name, axis=int(layer.axis))


@converts(PReLU)
def prelu(b: GraphBuilder, layer: PReLU, x: str) -> str:
    return b.op("PRelu", [x, b.weight(layer, "alpha", layer.alpha.value)], hint=layer.name)


converts(Conv3D)(conv)
