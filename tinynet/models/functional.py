"""``Graph``: the nodes between a model's inputs and outputs, run forward in topological order and backward in reverse.

``tn.Model(inputs, outputs)`` walks the nodes that calling layers on symbolic
tensors recorded (see :mod:`tinynet.symbolic`) back from the outputs to the
inputs, and keeps them in an order where every node comes after the nodes it
reads from. That is the whole graph: a list of nodes and numbered slots for
the tensors between them.

Math (node k computes y_k = f_k(its inputs); grad = dL/d(outputs))::

    forward    slot[input i] = x_i;   for each node in order:  slot[outputs] = f_k(slot[inputs])
    backward   g[output j] = grad_j;  for each node in reverse: g[inputs] += f_k.backward(g[outputs])

The gradients of a tensor that feeds several nodes are *summed*. A layer
called at several nodes (a shared layer) shares its parameters; each call
keeps its own memory — the graph saves the memories of the layer's walk after
that call's forward and puts them back before its backward — and the
parameter gradients of all its calls are summed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._masking import run_masked
from ..errors import InvalidTypeError, InvalidValueError
from ..layer import Array, Layer
from ..layers.input_layer import InputLayer
from ..symbolic import SymbolicTensor
from ._plan import PoolThenActivate, commutes

__all__ = ["Graph", "Structure"]


class Structure:
    """How a model's inputs (or outputs) are grouped: one tensor, a list, or a dict by name."""

    def __init__(self, owner: str, what: str, given: Any) -> None:
        if isinstance(given, SymbolicTensor):
            self.kind, self.keys, tensors = "single", [given.name], [given]
        elif isinstance(given, (list, tuple)) and given:
            self.kind, self.keys, tensors = (
                "list",
                [t.name if isinstance(t, SymbolicTensor) else "" for t in given],
                list(given),
            )
        elif isinstance(given, dict) and given:
            self.kind, self.keys, tensors = "dict", list(given), list(given.values())
        else:
            raise InvalidTypeError(
                f"{owner}: {what} must be a symbolic tensor (from tn.Input or a layer), a list or a dict of them; "
                f"received {type(given).__name__}."
            )
        for index, tensor in enumerate(tensors):
            if not isinstance(tensor, SymbolicTensor):
                raise InvalidTypeError(
                    f"{owner}: {what}[{index}] must be a symbolic tensor, received {type(tensor).__name__}."
                )
        self.tensors: list[SymbolicTensor] = tensors

    def flatten(self, value: Any) -> list[Any]:
        """``value`` in this structure, as a list in order (no checks: the trainer checks what users give)."""
        if self.kind == "single":
            return [value]
        if self.kind == "dict" and isinstance(value, dict):
            return [value[key] for key in self.keys]
        return list(value)

    def pack(self, values: list[Any]) -> Any:
        """A list in order, back in this structure."""
        if self.kind == "single":
            return values[0]
        if self.kind == "dict":
            return dict(zip(self.keys, values, strict=True))
        return values


class _Step:
    """One node as the graph runs it: the layer, the slots it reads and writes."""

    __slots__ = (
        "layer", "reads", "writes", "takes_list", "gives_list", "options", "shared", "simple", "read", "write",
    )  # fmt: skip

    def __init__(
        self, layer: Layer, reads: list[int], writes: list[int], takes_list: bool, gives_list: bool, options: dict
    ) -> None:
        self.layer, self.reads, self.writes = layer, reads, writes
        self.takes_list, self.gives_list, self.options = takes_list, gives_list, options
        self.shared = False
        #: One tensor in, one out, no options (most nodes): the loops take a shorter path through ``read``/``write``.
        self.simple = not takes_list and not gives_list and not options
        self.read, self.write = reads[0] if reads else -1, writes[0] if writes else -1


class Graph:
    """The nodes from ``inputs`` to ``outputs`` in an order where each comes after what it reads.

    Parameters
    ----------
    owner : str
        How errors name the model.
    inputs, outputs : symbolic tensor, list or dict of them
        ``inputs`` must be ``tn.Input`` tensors; every output must depend on them alone.
    """

    def __init__(self, owner: str, inputs: Any, outputs: Any) -> None:
        self.inputs = Structure(owner, "inputs", inputs)
        self.outputs = Structure(owner, "outputs", outputs)
        for tensor in self.inputs.tensors:
            if not isinstance(tensor.node.layer, InputLayer):
                raise InvalidValueError(
                    f"{owner}: inputs must be tensors made by tn.Input; {tensor.name!r} comes from "
                    f"{tensor.node.layer._label()}."
                )
        if len({id(t) for t in self.inputs.tensors}) != len(self.inputs.tensors):
            raise InvalidValueError(f"{owner}: the same input tensor is listed twice in inputs.")
        nodes = _nodes_in_order(owner, self.outputs.tensors, {id(t.node) for t in self.inputs.tensors})
        slot: dict[int, int] = {id(t): i for i, t in enumerate(self.inputs.tensors)}
        self.steps: list[_Step] = []
        self.nodes = nodes
        for node in nodes:
            if isinstance(node.layer, InputLayer):
                continue
            reads = [slot[id(t)] for t in node.inputs]
            writes = []
            for tensor in node.outputs:
                slot[id(tensor)] = len(slot)
                writes.append(slot[id(tensor)])
            self.steps.append(_Step(node.layer, reads, writes, node.takes_list, node.gives_list, node.options))
        self.slot_count = len(slot)
        self.input_slots = list(range(len(self.inputs.tensors)))
        self.output_slots = [slot[id(t)] for t in self.outputs.tensors]
        layers: list[Layer] = [t.node.layer for t in self.inputs.tensors]
        calls: dict[int, int] = {}
        for step in self.steps:
            calls[id(step.layer)] = calls.get(id(step.layer), 0) + 1
            if calls[id(step.layer)] == 1:
                layers.append(step.layer)
        for step in self.steps:
            step.shared = calls[id(step.layer)] > 1
        names = [layer.name for layer in layers]
        if len(set(names)) != len(names):
            twice = sorted({name for name in names if names.count(name) > 1})
            raise InvalidValueError(
                f"{owner}: the layers of a graph need distinct names (its config refers to them by name); "
                f"{twice} name more than one layer. Pass name= to tell them apart."
            )
        self.layers = layers
        #: The steps without masks: a plain ReLU layer and the max pooling that alone reads it run as one
        #: step, pooling first (:mod:`tinynet.models._plan`); with masks the nodes run one by one.
        self.pooled_steps = _pool_first(self.steps, set(self.output_slots))
        self._kept_modes: dict[bool, tuple[int, bool, list[int]]] = {}  # by pooled: see _modes
        self._masks: tuple[int, bool] | None = None

    def check_input_values(self, x: Any) -> None:
        """Ask each layer that reads an input directly whether its values are in range (an Embedding's indices)."""
        arrays = [x] if self.inputs.kind == "single" else self.inputs.flatten(x)
        for step in self.steps:
            if step.simple and step.read < len(arrays):
                step.layer.check_input_values(arrays[step.read])

    # ------------------------------------------------------------------ running
    def forward(self, model: Any, x: Any, training: bool, mask: Any = None) -> Any:
        """The outputs for inputs ``x`` (in the inputs' structure); remembers what ``backward`` needs in ``model``.

        When a layer may make a mask, or ``mask`` (the inputs' masks) is given, every
        tensor's mask is carried along (see :mod:`tinynet._masking`) and ``model``
        keeps the outputs' masks.
        """
        values: list[Any] = [None] * self.slot_count
        if self.inputs.kind == "single":
            values[0] = x
        else:
            for slot, array in zip(self.input_slots, self.inputs.flatten(x), strict=True):
                values[slot] = array
        masks: list[Any] | None = None
        if mask is not None or self._makes_masks():
            masks = [None] * self.slot_count
            given = [mask] if self.inputs.kind == "single" else list(mask) if isinstance(mask, (list, tuple)) else []
            for slot, m in zip(self.input_slots, given, strict=False):
                masks[slot] = m
        memories: dict[int, list[tuple[Layer, Any]]] = {}
        remembering = model.remembering
        pooled = masks is None
        steps = self.pooled_steps if pooled else self.steps
        for index, step in enumerate(steps):
            layer = step.layer
            if step.simple and masks is None:
                values[step.write] = layer.forward(values[step.read], training and layer.trainable)
            else:
                args = [values[s] for s in step.reads] if step.takes_list else values[step.read]
                if masks is None:
                    out = layer.forward(args, training and layer.trainable, **step.options)
                else:
                    in_mask = [masks[s] for s in step.reads] if step.takes_list else masks[step.read]
                    out, out_mask = run_masked(layer, args, training and layer.trainable, in_mask, step.options)
                    parts = out_mask if step.gives_list and isinstance(out_mask, list) else [out_mask]
                    for slot, m in zip(step.writes, parts, strict=False):
                        masks[slot] = m
                if step.gives_list:
                    for slot, part in zip(step.writes, out, strict=True):
                        values[slot] = part
                else:
                    values[step.write] = out
            if step.shared and remembering:  # this call's memory, put back before its backward
                memories[index] = [(inner, inner._memory) for inner in layer.walk()]
        model.remember(state=(values, memories, pooled))
        outputs = [values[s] for s in self.output_slots]
        model.keep_output_masks(outputs, None if masks is None else [masks[s] for s in self.output_slots])
        if self.outputs.kind == "single":
            return outputs[0]
        return self.outputs.pack(outputs)

    def _makes_masks(self) -> bool:
        """Whether a layer of the graph may make a mask; kept until ``Layer.parameter_changes`` moves."""
        if self._masks is None or self._masks[0] != Layer.parameter_changes:
            self._masks = (Layer.parameter_changes, any(step.layer.creates_mask for step in self.steps))
        return self._masks[1]

    def backward(self, model: Layer, grad: Any) -> Any:
        """dL/d(inputs) from ``grad`` = dL/d(outputs); ``None`` when ``model.needs_input_grad`` is false."""
        ((values, memories, pooled),) = model.recall("state")
        steps = self.pooled_steps if pooled else self.steps  # the steps forward ran
        grads: list[Any] = [None] * self.slot_count
        if self.outputs.kind == "single":
            grads[self.output_slots[0]] = grad
        else:
            for slot, g in zip(self.output_slots, self.outputs.flatten(grad), strict=True):
                grads[slot] = g if grads[slot] is None else grads[slot] + g
        modes = self._modes(model, pooled)
        summed: dict[int, tuple[Any, Array]] = {}
        for index in range(len(steps) - 1, -1, -1):
            step = steps[index]
            mode = modes[index]
            if mode == 0:
                continue
            if step.gives_list:
                upstream = [grads[s] for s in step.writes]
                if all(g is None for g in upstream):
                    continue  # nothing that reaches a loss comes out of this node
                g_out: Any = [
                    np.zeros_like(values[s]) if g is None else g for s, g in zip(step.writes, upstream, strict=True)
                ]
            else:
                g_out = grads[step.write]
                if g_out is None:
                    continue
            layer = step.layer
            if step.shared:
                for inner, memory in memories[index]:
                    inner._memory = memory
            if mode == 1:  # parameters only: nothing upstream needs this node's input gradient
                layer.needs_input_grad = False
                try:
                    layer.backward(g_out)
                finally:
                    vars(layer).pop("needs_input_grad", None)
            else:
                dx = layer.backward(g_out)
                if dx is None:
                    pass
                elif step.takes_list:
                    for slot, part in zip(step.reads, dx, strict=True):
                        if part is not None:  # None: an input with no gradient (indices, a mask)
                            grads[slot] = part if grads[slot] is None else grads[slot] + part
                else:
                    before = grads[step.read]
                    grads[step.read] = dx if before is None else before + dx
            if step.shared:
                for p in layer.trainable_parameters():
                    before = summed.get(id(p))
                    # a copy of the first call's gradient: a later call's backward may write into p.grad in place
                    summed[id(p)] = (p, p.grad.copy() if before is None else before[1] + p.grad)
        if summed:
            for p, total in summed.values():
                p.grad = total
        if not model.needs_input_grad:
            return None
        return self.inputs.pack([np.zeros_like(values[s]) if grads[s] is None else grads[s] for s in self.input_slots])

    def _modes(self, model: Layer, pooled: bool) -> list[int]:
        """Per step of those forward ran (``pooled_steps`` or ``steps``): 0 skip, 1 parameters only, 2 parameters
        and input gradient; kept until anything changes.

        A tensor needs a gradient when something trainable lies upstream of it
        (or it is an input and the caller wants dL/dx); a node runs its backward
        when it has something to train or any of its inputs needs a gradient.
        """
        key = (Layer.parameter_changes, model.needs_input_grad)
        kept = self._kept_modes.get(pooled)
        if kept is not None and kept[:2] == key:
            return kept[2]
        needed = [False] * self.slot_count
        for slot in self.input_slots:
            needed[slot] = model.needs_input_grad
        modes = []
        for step in self.pooled_steps if pooled else self.steps:
            trains = bool(step.layer.trainable_parameters())
            inputs_need = any(needed[s] for s in step.reads)
            for slot in step.writes:
                needed[slot] = trains or inputs_need
            modes.append(2 if inputs_need else 1 if trains else 0)
        self._kept_modes[pooled] = (*key, modes)
        return modes


def _nodes_in_order(owner: str, outputs: list[SymbolicTensor], inputs: set[int]) -> list[Any]:
    """Every node the outputs depend on, each after the nodes it reads from (depth first, without recursion)."""
    order: list[Any] = []
    state: dict[int, int] = {}  # 1 being visited, 2 placed
    for tensor in outputs:
        stack = [(tensor.node, False)]
        while stack:
            node, expanded = stack.pop()
            if state.get(id(node)) == 2:
                continue
            if expanded:
                state[id(node)] = 2
                order.append(node)
                continue
            if isinstance(node.layer, InputLayer) and id(node) not in inputs:
                raise InvalidValueError(
                    f"{owner}: the outputs depend on the input {node.outputs[0].name!r}, which is not among the "
                    "model's inputs. Pass every tn.Input the outputs are computed from."
                )
            state[id(node)] = 1
            stack.append((node, True))
            stack.extend((t.node, False) for t in reversed(node.inputs) if state.get(id(t.node)) != 2)
    return order


def _pool_first(steps: list[_Step], output_slots: set[int]) -> list[_Step]:
    """``steps``, with each plain ReLU layer and the max pooling that alone reads its output run as one step.

    The pair must be one node each, neither shared, and the layer's output no
    model output: then nothing else sees the tensor between them. The step
    takes the layer's place; nothing between the two read the pooling's output.
    """
    readers: dict[int, int] = {}
    for step in steps:
        for slot in step.reads:
            readers[slot] = readers.get(slot, 0) + 1
    reader_of = {step.read: j for j, step in enumerate(steps) if step.simple}
    pooled, taken = [], set()
    for i, step in enumerate(steps):
        if i in taken:
            continue
        j = reader_of.get(step.write, -1) if step.simple and not step.shared else -1
        pool = steps[j] if j > i else None
        if (
            pool is not None
            and readers[step.write] == 1
            and step.write not in output_slots
            and not pool.shared
            and commutes(step.layer, pool.layer)
        ):
            pair = PoolThenActivate(step.layer, pool.layer)  # type: ignore[arg-type]  # commutes checked the types
            pooled.append(_Step(pair, step.reads, pool.writes, False, False, {}))  # type: ignore[arg-type]
            taken.add(j)
        else:
            pooled.append(step)
    return pooled
