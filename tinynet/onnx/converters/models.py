"""Converters of the containers: a ``Sequential`` chains its layers, a graph model replays its nodes.

A model inside a model (a ``Sequential`` as one layer of a graph, a graph
called on tensors of another) is converted in place, so the file holds one
flat ONNX graph. A layer a graph calls at several nodes is converted at each,
on the same initializers (see ``GraphBuilder.weight``).
"""

from __future__ import annotations

from typing import Any

from ...models import Model, Sequential
from ..builder import GraphBuilder, Unsupported
from . import FOR_SUBCLASSES, convert, converts

__all__: list[str] = []


@converts(Sequential, many=True)
def sequential(b: GraphBuilder, model: Sequential, x: Any, options: dict[str, Any]) -> Any:
    for layer in model.layers:
        x = convert(b, layer, x)
    return x


@converts(Model, many=True)
def graph(b: GraphBuilder, model: Model, x: Any, options: dict[str, Any]) -> Any:
    """The nodes of ``tn.Model(inputs, outputs)`` in their order, each on the tensors it reads."""
    steps = model._graph
    if steps is None:
        raise Unsupported(
            "a Model subclass with its own forward cannot be read as a graph. Build it as tn.Model(inputs, "
            "outputs) or a Sequential to export it"
        )
    arrays = x if isinstance(x, list) else [x]
    if len(arrays) != len(steps.input_slots):
        raise Unsupported(f"it takes {len(steps.input_slots)} inputs, here it is called on {len(arrays)}")
    values: dict[int, Any] = dict(zip(steps.input_slots, arrays, strict=True))
    for step in steps.steps:
        args = [values[s] for s in step.reads] if step.takes_list else values[step.read]
        out = convert(b, step.layer, args, step.options)
        for slot, name in zip(step.writes, out if step.gives_list else [out], strict=True):
            values[slot] = name
    outputs = [values[s] for s in steps.output_slots]
    return outputs[0] if steps.outputs.kind == "single" else outputs


FOR_SUBCLASSES[Model] = graph
