"""Symbolic tensors: what ``tn.Input`` returns and what a layer returns when it is called on one.

A symbolic tensor holds no data: it stands for a batch that will flow
through a graph — its per-sample shape, its dtype, and the *node* it came
from. Calling a layer on symbolic tensors builds the layer (its parameters
exist from then on), infers the output shape, and records a :class:`Node`
(this layer, these inputs, these outputs) instead of computing anything.
``tn.Model(inputs, outputs)`` then walks the nodes back from the outputs to
the inputs: that is the graph it runs.

Examples
--------
>>> import tinynet as tn
>>> x = tn.Input(shape=(4,), name="features")
>>> x.shape
(None, 4)
>>> h = tn.layers.Dense(3)(x)
>>> h.shape, h.node.layer.kernel.shape
((None, 3), (4, 3))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InvalidTypeError

if TYPE_CHECKING:
    from .layer import Layer, Shape

__all__ = ["SymbolicTensor", "Node", "is_symbolic", "call_symbolic"]


class SymbolicTensor:
    """A placeholder for a batch in a graph: per-sample shape, dtype, and the node that produces it.

    Attributes
    ----------
    shape : tuple
        ``(None, *per_sample_shape)``: the batch size is not known until data flows, nor is
        any per-sample size that is ``None`` (the steps of ``tn.Input(shape=(None, 8))``).
    dtype : numpy dtype
    node : Node
        The call that produces this tensor (an ``InputLayer``'s for ``tn.Input``).
    index : int
        Which output of that call it is.
    name : str
    """

    def __init__(self, per_sample_shape: Shape, dtype: Any, node: Node, index: int, name: str) -> None:
        self.per_sample_shape = tuple(per_sample_shape)
        self.dtype = np.dtype(dtype)
        self.node = node
        self.index = index
        self.name = name

    @property
    def shape(self) -> tuple[int | None, ...]:
        return (None, *self.per_sample_shape)

    def __repr__(self) -> str:
        return f"<SymbolicTensor {self.name!r} shape={self.shape} dtype={self.dtype.name}>"

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise InvalidTypeError(
            f"{self!r} holds no data: it stands for a batch in a graph. Build a model with "
            "tn.Model(inputs, outputs) and call the model on arrays."
        )


class Node:
    """One call of a layer on symbolic tensors: the layer, its input tensors, its output tensors.

    ``inputs`` and ``outputs`` are flat lists; ``takes_list`` / ``gives_list`` say
    whether the layer took (returned) a list or a single tensor, so the graph
    calls it the same way on arrays.
    """

    def __init__(
        self, layer: Layer, inputs: list[SymbolicTensor], takes_list: bool, options: dict[str, Any] | None = None
    ) -> None:
        self.layer = layer
        self.inputs = inputs
        self.takes_list = takes_list
        self.options = dict(options or {})
        self.outputs: list[SymbolicTensor] = []
        self.gives_list = False

    def __repr__(self) -> str:
        return f"<Node {self.layer.name!r}: {[t.name for t in self.inputs]} -> {[t.name for t in self.outputs]}>"


def is_symbolic(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor, or a list or tuple holding one."""
    if isinstance(x, SymbolicTensor):
        return True
    return isinstance(x, (list, tuple)) and any(isinstance(item, SymbolicTensor) for item in x)


def call_symbolic(layer: Layer, x: Any, options: dict[str, Any] | None = None) -> Any:
    """Record ``layer`` called on symbolic ``x``: build it, infer the output shape, return output tensor(s).

    ``options`` (a call's own plain settings) are kept with the node: the graph passes them to ``forward``.
    """
    options = dict(options or {})
    for key, value in options.items():
        if not (value is None or isinstance(value, (bool, int, float, str))):
            raise InvalidTypeError(
                f"{layer._label()}: in a graph a call's option must be a plain value (bool, number, string or "
                f"None), so the graph can be saved; {key}={value!r:.60} is not."
            )
    takes_list = isinstance(x, (list, tuple))
    inputs = list(x) if takes_list else [x]
    for position, item in enumerate(inputs):
        if not isinstance(item, SymbolicTensor):
            raise InvalidTypeError(
                f"{layer._label()}: called on a mix of symbolic tensors and data (input {position} is "
                f"{type(item).__name__}). In a graph every input is a symbolic tensor, from tn.Input or a layer."
            )
    shapes: Any = [t.per_sample_shape for t in inputs] if takes_list else inputs[0].per_sample_shape
    layer.ensure_built(shapes)
    shaper: Any = layer
    output_shape = shaper.compute_output_shape(shapes, **options) if options else layer.compute_output_shape(shapes)
    node = Node(layer, inputs, takes_list, options)
    node.gives_list = isinstance(output_shape, list)
    shapes_out = output_shape if node.gives_list else [output_shape]
    dtype = layer.dtype
    node.outputs = [
        SymbolicTensor(shape, dtype, node, i, layer.name if len(shapes_out) == 1 else f"{layer.name}:{i}")
        for i, shape in enumerate(shapes_out)
    ]
    return list(node.outputs) if node.gives_list else node.outputs[0]
