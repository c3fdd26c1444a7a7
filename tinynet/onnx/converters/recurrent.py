"""Converters of SimpleRNN, LSTM, GRU (ONNX's ``RNN``, ``LSTM``, ``GRU``) and of ``Bidirectional``.

ONNX's recurrent operators run on ``(steps, batch, features)`` and hold the
weights transposed, ``W (gates * units, features)``, with the input and the
recurrent biases side by side in ``B``. Keras's gate order is kept by ONNX's
GRU (update, reset, candidate; ``reset_after=True`` is
``linear_before_reset=1``, its second bias row ONNX's recurrent bias) but not
by its LSTM, which wants ``i, o, f, c`` where Keras has ``i, f, c, o``: the
blocks are reordered. ``go_backwards`` reverses the sequence before the
operator (a ``Slice`` of step -1), so a sequence output comes in the order the
steps ran, as in Keras. The steps may be dynamic.

``Bidirectional`` converts its two layers one after the other and merges
them as it does (the backward sequence reversed back first).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...activations import ELU, LeakyReLU, Linear, ReLU, Sigmoid, Softplus, Tanh
from ...layers import GRU, LSTM, Bidirectional, SimpleRNN
from ..builder import GraphBuilder, Unsupported
from . import converts

__all__: list[str] = []

#: tinynet activation -> ONNX's name for it inside a recurrent operator.
_NAMES = {Tanh: "Tanh", Sigmoid: "Sigmoid", ReLU: "Relu", Linear: "Affine", LeakyReLU: "LeakyRelu", ELU: "Elu",
          Softplus: "Softplus"}  # fmt: skip


def _activations(layer: Any, used: list[Any]) -> dict[str, Any]:
    """The ``activations`` attribute (and the alphas and betas of those that take them) for ``used``."""
    names, alphas, betas = [], [], []
    for activation in used:
        name = _NAMES.get(type(activation))
        if name is None:
            raise Unsupported(
                f"ONNX's recurrent operators have no {type(activation).__name__} activation (they take "
                f"{', '.join(sorted(_NAMES.values()))})"
            )
        names.append(name)
        if name == "Affine":
            alphas.append(1.0)
            betas.append(0.0)
        elif name == "LeakyRelu":
            alphas.append(float(activation.negative_slope))
        elif name == "Elu":
            alphas.append(float(activation.alpha))
    attrs: dict[str, Any] = {"activations": names}
    if alphas:
        attrs["activation_alpha"] = alphas
    if betas:
        attrs["activation_beta"] = betas
    return attrs


def _blocks(a: np.ndarray, order: list[int], units: int) -> np.ndarray:
    """The ``units``-wide blocks of the last axis of ``a`` in ``order``."""
    return np.concatenate([a[..., k * units : (k + 1) * units] for k in order], axis=-1)


def run(b: GraphBuilder, layer: Any, x: str, states: list[str]) -> tuple[str, list[str]]:
    """Every state ``(batch, steps, units)`` in the order the steps ran, and the final states (h, and LSTM's c)."""
    n = layer.units
    op_type = {SimpleRNN: "RNN", LSTM: "LSTM", GRU: "GRU"}[type(layer)]
    order = [0, 3, 1, 2] if op_type == "LSTM" else list(range(layer.gates))  # Keras i,f,c,o -> ONNX i,o,f,c
    w = _blocks(layer.kernel.value, order, n).T[None]
    r = _blocks(layer.recurrent_kernel.value, order, n).T[None]
    attrs: dict[str, Any] = {"hidden_size": n, "direction": "forward"}
    act, rec = layer.activation, layer.recurrent_activation
    attrs.update(
        _activations(layer, [act] if op_type == "RNN" else [rec, act] if op_type == "GRU" else [rec, act, act])
    )
    bias = ""
    if layer.bias is not None:
        value = layer.bias.value
        after = op_type == "GRU" and layer.reset_after
        w_bias, r_bias = (value[0], value[1]) if after else (value, np.zeros_like(value))
        bias = b.weight(layer, "B", np.concatenate([_blocks(w_bias, order, n), _blocks(r_bias, order, n)])[None])
    if op_type == "GRU":
        attrs["linear_before_reset"] = int(layer.reset_after)
    sequence = b.reverse(x, 1) if layer.go_backwards else x
    inputs = [b.transpose(sequence, [1, 0, 2]), b.weight(layer, "W", w), b.weight(layer, "R", r), bias, ""]
    inputs += [b.unsqueeze(s, [0]) for s in states]
    while inputs[-1] == "":
        inputs.pop()
    outs = b.op(op_type, inputs, outputs=3 if op_type == "LSTM" else 2, hint=layer.name, **attrs)
    ys = b.transpose(b.squeeze(outs[0], [1]), [1, 0, 2])
    return ys, [b.squeeze(s, [0]) for s in outs[1:]]


def _states(layer: Any, xs: Any) -> tuple[str, list[str]]:
    if isinstance(xs, list):
        return xs[0], list(xs[1:])
    return xs, []


@converts(SimpleRNN, LSTM, GRU, many=True)
def recurrent(b: GraphBuilder, layer: Any, xs: Any, options: dict[str, Any]) -> Any:
    if options.get("mask") is not None:
        raise Unsupported("a padding mask cannot be exported")
    x, states = _states(layer, xs)
    ys, final = run(b, layer, x, states)
    output = ys if layer.return_sequences else final[0]
    return [output, *final] if layer.return_state else output


@converts(Bidirectional, many=True)
def bidirectional(b: GraphBuilder, layer: Bidirectional, xs: Any, options: dict[str, Any]) -> Any:
    x, states = _states(layer, xs)
    for inner in (layer.forward_layer, layer.backward_layer):
        if type(inner) not in (SimpleRNN, LSTM, GRU):
            raise Unsupported(f"its {type(inner).__name__} is not a SimpleRNN, LSTM or GRU")
    half = len(layer.forward_layer.state_shapes())
    outputs = []
    for inner, given in ((layer.forward_layer, states[:half]), (layer.backward_layer, states[half:])):
        ys, final = run(b, inner, x, given)
        outputs.append((ys if layer.return_sequences else final[0], final))
    (y_f, final_f), (y_b, final_b) = outputs
    if layer.return_sequences:
        y_b = b.reverse(y_b, 1)
    final = [*final_f, *final_b] if layer.return_state else []
    mode = layer.merge_mode
    if mode is None:
        return [y_f, y_b, *final]
    if mode == "concat":
        y = b.op("Concat", [y_f, y_b], axis=-1, hint=layer.name)
    elif mode == "sum":
        y = b.op("Add", [y_f, y_b], hint=layer.name)
    elif mode == "ave":
        y = b.op("Mul", [b.op("Add", [y_f, y_b]), b.const(0.5)], hint=layer.name)
    else:
        y = b.op("Mul", [y_f, y_b], hint=layer.name)
    return [y, *final] if layer.return_state else y
