"""``summary_table``: the text ``Model.summary()`` prints."""

from __future__ import annotations

from typing import Any

from ..layer import Layer

__all__ = ["summary_table"]

_WIDTHS = (34, 22, 12)
_CONNECTED = 30


def summary_table(model: Layer) -> str:
    """Name (type), output shape and parameter count of each direct sub-layer, then the totals.

    A graph model gets one row per layer (a shared layer once) and a "Connected
    to" column: the tensors each call of the layer reads, as ``name[call][output]``.

    Examples
    --------
    >>> import tinynet as tn
    >>> model = tn.Sequential([tn.layers.Dense(4, activation="relu", input_shape=(2,)),
    ...                        tn.layers.Dense(1, activation="sigmoid")], name="moons")
    >>> print(summary_table(model))  # doctest: +ELLIPSIS
    Model: "moons"
    ...
     dense... (Dense)                   (None, 4)                       12
     dense... (Dense)                   (None, 1)                        5
    ...
    Total params: 17
    Trainable params: 17
    Non-trainable params: 0
    ...
    """
    graph = getattr(model, "_graph", None)
    width = sum(_WIDTHS) + (_CONNECTED if graph is not None else 0)
    rule = "_" * width
    header = _row("Layer (type)", "Output Shape", "Param #") + ("  Connected to" if graph is not None else "")
    lines = [f'Model: "{model.name}"', rule, header, "=" * width]
    if graph is None:
        for layer in model.sublayers():
            shape = "?" if layer.input_shape is None else str((None, *layer.compute_output_shape(layer.input_shape)))
            lines.append(_row(f"{layer.name} ({type(layer).__name__})", shape, f"{layer.count_params():,}"))
    else:
        lines += _graph_rows(graph)
    total = model.count_params()
    trainable = sum(p.size for p in model.trainable_parameters())
    lines += [
        "=" * width,
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        rule,
    ]
    return "\n".join(lines)


def _graph_rows(graph: Any) -> list[str]:
    """One row per layer of a graph, a shared layer once: what each of its calls reads, as ``name[call][output]``."""
    names: dict[int, str] = {}
    calls: dict[str, int] = {}
    connected: dict[int, list[str]] = {}
    shapes: dict[int, str] = {}
    for node in graph.nodes:
        layer = node.layer
        call = calls.get(layer.name, 0)
        calls[layer.name] = call + 1
        for index, tensor in enumerate(node.outputs):
            names[id(tensor)] = f"{layer.name}[{call}][{index}]"
        connected.setdefault(id(layer), []).extend(names[id(t)] for t in node.inputs)
        shapes.setdefault(id(layer), ", ".join(str(t.shape) for t in node.outputs))
    return [
        _row(f"{layer.name} ({type(layer).__name__})", shapes[id(layer)], f"{layer.count_params():,}")
        + "  "
        + (", ".join(connected[id(layer)]) or "-")
        for layer in graph.layers
    ]


def _row(name: str, shape: str, count: str) -> str:
    """One row of the table; a cell too long for its column keeps one space before the next."""
    return f" {name:<{_WIDTHS[0] - 2}} {shape:<{_WIDTHS[1] - 1}} {count:>{_WIDTHS[2] - 1}}"
