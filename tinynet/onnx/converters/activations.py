"""Converters of the activations, alone or inside a layer (``Dense(..., activation="relu")``).

Each maps to one ONNX operator where ONNX has it (Relu, LeakyRelu, Elu,
Sigmoid, Tanh, Softmax on any axis, Softplus; Gelu from opset 20) and to a
short composition otherwise: GELU as ``x * 0.5 * (1 + Erf(x / sqrt(2)))`` (or
its tanh form), SiLU as ``x * Sigmoid(x)``, Linear as nothing at all.
"""

from __future__ import annotations

import math
from typing import Any

from ...activations import ELU, GELU, LeakyReLU, Linear, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from ..builder import GraphBuilder, Unsupported
from . import CONVERTERS, converts

__all__ = ["activate"]


def activate(b: GraphBuilder, activation: Any, x: str) -> str:
    """``activation`` (a layer's ``activation`` sub-layer, or ``None``) applied to tensor ``x``."""
    if activation is None:
        return x
    fn = CONVERTERS.get(type(activation))
    if fn is None:
        raise Unsupported(f"its activation {type(activation).__name__} has no ONNX converter")
    return str(fn(b, activation, x, {}))


@converts(ReLU)
def relu(b: GraphBuilder, layer: ReLU, x: str) -> str:
    """``Relu``; with Keras's options, ``where(x > t, x, a * (x - t))`` then at most ``max_value``."""
    t, a, m = float(layer.threshold), float(layer.negative_slope), layer.max_value
    if t == 0.0 and a == 0.0:
        y = b.op("Relu", [x], hint=layer.name if m is None else None)
    else:
        below = b.op("Mul", [b.op("Sub", [x, b.const(t)]), b.const(a)])
        y = b.op("Where", [b.op("Greater", [x, b.const(t)]), x, below])
    if m is None:
        return y
    return b.op("Min", [y, b.const(float(m))], hint=layer.name)


@converts(LeakyReLU)
def leaky_relu(b: GraphBuilder, layer: LeakyReLU, x: str) -> str:
    return b.op("LeakyRelu", [x], hint=layer.name, alpha=float(layer.negative_slope))


@converts(ELU)
def elu(b: GraphBuilder, layer: ELU, x: str) -> str:
    return b.op("Elu", [x], hint=layer.name, alpha=float(layer.alpha))


@converts(Sigmoid)
def sigmoid(b: GraphBuilder, layer: Sigmoid, x: str) -> str:
    return b.op("Sigmoid", [x], hint=layer.name)


@converts(Tanh)
def tanh(b: GraphBuilder, layer: Tanh, x: str) -> str:
    return b.op("Tanh", [x], hint=layer.name)


@converts(Softplus)
def softplus(b: GraphBuilder, layer: Softplus, x: str) -> str:
    return b.op("Softplus", [x], hint=layer.name)


@converts(Softmax)
def softmax(b: GraphBuilder, layer: Softmax, x: str) -> str:
    return b.op("Softmax", [x], hint=layer.name, axis=int(layer.axis))


@converts(SiLU)
def silu(b: GraphBuilder, layer: SiLU, x: str) -> str:
    return b.op("Mul", [x, b.op("Sigmoid", [x])], hint=layer.name)


@converts(Linear)
def linear(b: GraphBuilder, layer: Linear, x: str) -> str:
    return x


@converts(GELU)
def gelu(b: GraphBuilder, layer: GELU, x: str) -> str:
    """Opset 20's ``Gelu``; before it, ``0.5 * x * (1 + erf(x / sqrt(2)))`` or the tanh form."""
    if b.opset >= 20:
        return b.op("Gelu", [x], hint=layer.name, approximate="tanh" if layer.approximate else "none")
    if layer.approximate:  # 0.5 * x * (1 + tanh(c * (x + k * x^3)))
        cube = b.op("Mul", [b.op("Mul", [x, x]), x])
        inner = b.op("Add", [x, b.op("Mul", [cube, b.const(GELU._K)])])
        t = b.op("Tanh", [b.op("Mul", [inner, b.const(GELU._C)])])
    else:
        t = b.op("Erf", [b.op("Mul", [x, b.const(1.0 / math.sqrt(2.0))])])
    half_x = b.op("Mul", [x, b.const(0.5)])
    return b.op("Mul", [half_x, b.op("Add", [t, b.const(1.0)])], hint=layer.name)
