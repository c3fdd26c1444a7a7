"""Converters of the merge layers: elementwise ``Add`` / ``Sub`` / ``Mul`` / ``Max`` / ``Min``, ``Concat``, ``Dot``.

``Average`` is the sum over ``n``, as tinynet computes it; ``Dot`` moves the
summed axis of each input next to the batch-wise matrix product, reshapes
both to 3-D and multiplies them with ``MatMul`` (cosine similarity first
divides each by its L2 norm, at least ``1e-7``, as tinynet and Keras do).
"""

from __future__ import annotations

import math
from typing import Any

from ...layers import Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract
from ...layers.dot import _EPSILON
from ..builder import GraphBuilder, Unsupported
from . import converts

__all__: list[str] = []


def _chain(b: GraphBuilder, op_type: str, xs: list[str], hint: str) -> str:
    """``((x0 op x1) op x2) ...``: tinynet's order of the sum or product."""
    y = xs[0]
    for x in xs[1:]:
        y = b.op(op_type, [y, x], hint=hint)
    return y


def _inputs(xs: Any) -> list[str]:
    if not isinstance(xs, list):
        raise Unsupported("a merge layer takes a list of inputs")
    return xs


@converts(Add, many=True)
def add(b: GraphBuilder, layer: Add, xs: Any, options: dict[str, Any]) -> str:
    return _chain(b, "Add", _inputs(xs), layer.name)


@converts(Subtract, many=True)
def subtract(b: GraphBuilder, layer: Subtract, xs: Any, options: dict[str, Any]) -> str:
    return b.op("Sub", _inputs(xs), hint=layer.name)


@converts(Multiply, many=True)
def multiply(b: GraphBuilder, layer: Multiply, xs: Any, options: dict[str, Any]) -> str:
    return _chain(b, "Mul", _inputs(xs), layer.name)


@converts(Average, many=True)
def average(b: GraphBuilder, layer: Average, xs: Any, options: dict[str, Any]) -> str:
    xs = _inputs(xs)
    return b.op("Div", [_chain(b, "Add", xs, f"{layer.name}/sum"), b.const(float(len(xs)))], hint=layer.name)


@converts(Maximum, Minimum, many=True)
def extreme(b: GraphBuilder, layer: Maximum | Minimum, xs: Any, options: dict[str, Any]) -> str:
    return b.op("Max" if isinstance(layer, Maximum) else "Min", _inputs(xs), hint=layer.name)


@converts(Concatenate, many=True)
def concatenate(b: GraphBuilder, layer: Concatenate, xs: Any, options: dict[str, Any]) -> str:
    xs = _inputs(xs)
    return b.op("Concat", xs, hint=layer.name, axis=layer._axis(len(b.shapes[xs[0]])))


def _normalized(b: GraphBuilder, x: str, axis: int) -> str:
    """``x / max(sqrt(sum(x * x, axis)), 1e-7)``."""
    norm = b.op("Sqrt", [b.reduce("ReduceSum", b.op("Mul", [x, x]), [axis])])
    return b.op("Div", [x, b.op("Max", [norm, b.const(_EPSILON)])])


@converts(Dot, many=True)
def dot(b: GraphBuilder, layer: Dot, xs: Any, options: dict[str, Any]) -> str:
    """``y[n, i, j] = sum_k x[n, i, k] * z[n, k, j]`` with ``i``, ``j`` the other axes, flattened and restored."""
    x, z = _inputs(xs)
    sx, sz = b.shapes[x], b.shapes[z]
    if None in sx or None in sz:
        raise Unsupported(f"its inputs' per-sample sizes must be known, and are {sx} and {sz}")
    a, c = layer._axes((len(sx), len(sz)))
    if layer.normalize:
        x, z = _normalized(b, x, a), _normalized(b, z, c)
    x_others = [i for i in range(1, len(sx) + 1) if i != a]
    z_others = [i for i in range(1, len(sz) + 1) if i != c]
    xi, zj = [sx[i - 1] for i in x_others], [sz[j - 1] for j in z_others]
    k = sx[a - 1]
    x3 = b.reshape(b.transpose(x, [0, *x_others, a]), [0, math.prod(xi), k])
    z3 = b.reshape(b.transpose(z, [0, c, *z_others]), [0, k, math.prod(zj)])
    y = b.op("MatMul", [x3, z3], hint=f"{layer.name}/matmul")
    return b.reshape(y, [0, *xi, *zj] if xi or zj else [0, 1])
