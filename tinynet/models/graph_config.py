"""A graph model's config: its layers, its nodes in order, and where its inputs and outputs are, as JSON-ready data.

:func:`graph_config` describes a :class:`~tinynet.models.functional.Graph`;
:func:`graph_from_config` makes the layers from that description and calls
them anew on symbolic tensors, in order, giving the inputs and outputs that
``tn.Model(inputs, outputs)`` takes. A tensor is named by
``[layer name, call, output]``, so the calls of a shared layer stay apart.
A malformed entry is refused with an ``InvalidValueError``; a name that refers
to no layer or tensor raises a ``KeyError`` (loading a model file reports
either as a ``ModelFileError``).
"""

from __future__ import annotations

from typing import Any

from .._layer_entries import layer_from_entry
from ..errors import InvalidValueError
from ..layer import Layer
from ..layers.input_layer import InputLayer
from ..registry import serialize
from ..symbolic import SymbolicTensor
from .functional import Graph, Structure

__all__ = ["graph_config", "graph_from_config"]


def graph_config(graph: Graph) -> dict[str, Any]:
    """The graph as JSON-ready data: its layers' configs, its nodes in order, and where inputs and outputs are.

    A tensor is named by ``[layer name, call, output]``: the ``call``-th call of
    that layer in the graph (an ``InputLayer``'s tensor is ``[name, 0, 0]``), its
    ``output``-th output.
    """
    refs: dict[int, list[Any]] = {}
    calls: dict[str, int] = {}
    nodes = []
    for node in graph.nodes:
        name = node.layer.name
        call = calls.get(name, 0)
        calls[name] = call + 1
        for index, tensor in enumerate(node.outputs):
            refs[id(tensor)] = [name, call, index]
        if not isinstance(node.layer, InputLayer):
            entry = {"layer": name, "inputs": [refs[id(t)] for t in node.inputs], "takes_list": node.takes_list}
            nodes.append({**entry, "options": dict(node.options)} if node.options else entry)
    return {
        "layers": [serialize(layer) for layer in graph.layers],
        "nodes": nodes,
        "inputs": _structure_config(graph.inputs, refs),
        "outputs": _structure_config(graph.outputs, refs),
    }


def graph_from_config(config: dict[str, Any], custom_objects: dict[str, type] | None) -> tuple[Any, Any]:
    """The inputs and outputs of the graph :func:`graph_config` described, its layers made and called anew."""
    layers: dict[str, Layer] = {}
    tensors: dict[tuple[str, int, int], SymbolicTensor] = {}
    for entry in _list(config, "layers"):
        layer = layer_from_entry(entry, custom_objects)
        if layer.name in layers:
            raise InvalidValueError(f"Model.from_config: two layers are named {layer.name!r}.")
        layers[layer.name] = layer
        if isinstance(layer, InputLayer):
            tensors[(layer.name, 0, 0)] = layer.output
    calls: dict[str, int] = {}
    for node in _list(config, "nodes"):
        if not isinstance(node, dict) or set(node) - {"options"} != {"layer", "inputs", "takes_list"}:
            raise InvalidValueError(
                f"Model.from_config: a node must be {{'layer', 'inputs', 'takes_list'}}, received {node!r:.80}."
            )
        layer = layers[node["layer"]]
        args = [tensors[_ref(ref)] for ref in node["inputs"]]
        options = node.get("options", {})
        if not isinstance(options, dict):
            raise InvalidValueError(f"Model.from_config: a node's options must be a dict, received {options!r:.80}.")
        out = layer(args if node["takes_list"] is True else args[0], **options)
        call = calls.get(layer.name, 0)
        calls[layer.name] = call + 1
        for index, tensor in enumerate(out if isinstance(out, list) else [out]):
            tensors[(layer.name, call, index)] = tensor
    return _structure_from_config(config.get("inputs"), tensors), _structure_from_config(config.get("outputs"), tensors)


def _structure_config(structure: Structure, refs: dict[int, list[Any]]) -> dict[str, Any]:
    return {"kind": structure.kind, "keys": list(structure.keys), "tensors": [refs[id(t)] for t in structure.tensors]}


def _structure_from_config(config: Any, tensors: dict[tuple[str, int, int], SymbolicTensor]) -> Any:
    if not isinstance(config, dict) or set(config) != {"kind", "keys", "tensors"}:
        raise InvalidValueError(
            f"Model.from_config: inputs and outputs must be {{'kind', 'keys', 'tensors'}}, received {config!r:.80}."
        )
    found = [tensors[_ref(ref)] for ref in _list(config, "tensors")]
    kind, keys = config["kind"], config["keys"]
    if kind == "single" and len(found) == 1:
        return found[0]
    if kind == "dict" and isinstance(keys, list) and len(keys) == len(found) and all(isinstance(k, str) for k in keys):
        return dict(zip(keys, found, strict=True))
    if kind == "list":
        return found
    raise InvalidValueError(
        f"Model.from_config: an inputs or outputs entry of kind {kind!r:.40} does not fit its tensors."
    )


def _ref(ref: Any) -> tuple[str, int, int]:
    if not (isinstance(ref, list) and len(ref) == 3 and isinstance(ref[0], str)
            and all(type(i) is int and i >= 0 for i in ref[1:])):  # fmt: skip
        raise InvalidValueError(f"Model.from_config: a tensor is named [layer, call, output], received {ref!r:.80}.")
    return ref[0], ref[1], ref[2]


def _list(config: Any, key: str) -> list[Any]:
    value = config.get(key) if isinstance(config, dict) else None
    if not isinstance(value, list):
        raise InvalidValueError(f"Model.from_config: {key!r} must be a list, received {value!r:.80}.")
    return value
