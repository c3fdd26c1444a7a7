"""``GraphBuilder``: the ONNX graph an export writes, node by node, with the ``onnx`` package's own helpers.

The converters (:mod:`tinynet.onnx.converters`) never touch protobuf: they ask
the builder for an operator (``b.op("MatMul", [x, w])``), a weight
(``b.weight(layer, "kernel", array)``, written once however often a shared
layer is called) or a constant, and get back tensor names. The builder keeps
each tensor's per-sample shape (``None`` where it is only known at run time)
so a converter can read the sizes it needs, and writes ``opset``-dependent
spellings in one place (``reduce``, ``squeeze``, ``split``).

Every tensor is in tinynet's own layout (batch first, channels last): a
converter that needs ONNX's channels-first layout transposes around its
operator, so what flows between converters is always what ``predict`` sees.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["GraphBuilder", "Unsupported", "MIN_OPSET"]

#: The oldest opset written: ``Trilu`` (a causal mask of any length) and the axes of ``ReduceSum`` as an input.
MIN_OPSET = 14


class Unsupported(Exception):
    """A converter cannot express this layer (its configuration) in ONNX; the message says why.

    The exporter turns it into an ``OnnxExportError`` that names the layer and where it sits.
    """


class GraphBuilder:
    """Nodes, initializers and names of one ONNX graph; ``onnx`` is imported by the caller and passed in.

    Parameters
    ----------
    onnx : module
        The ``onnx`` package (imported lazily by :func:`tinynet.onnx.export`).
    opset : int
        The ``ai.onnx`` opset the graph is written for.
    """

    def __init__(self, onnx: Any, opset: int) -> None:
        self.onnx, self.helper, self.numpy_helper = onnx, onnx.helper, onnx.numpy_helper
        self.opset = opset
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.shapes: dict[str, Any] = {}  # tensor name -> per-sample shape (tuple, None where dynamic)
        self._names: set[str] = set()
        self._weights: dict[tuple[int, str], str] = {}
        self._constants: dict[tuple[str, tuple[int, ...], bytes], str] = {}

    # ------------------------------------------------------------------ names and data
    def name(self, hint: str) -> str:
        """A tensor or node name not used yet, made from ``hint``."""
        base = "".join(c if c.isalnum() or c in "_./:-" else "_" for c in hint) or "t"
        name, k = base, 1
        while name in self._names:
            name, k = f"{base}_{k}", k + 1
        self._names.add(name)
        return name

    def reserve(self, name: str) -> None:
        """Claim ``name`` (a graph input's) so that no other tensor takes it."""
        self._names.add(name)

    def weight(self, owner: Any, key: str, array: Any) -> str:
        """The initializer for ``owner``'s ``key`` (a parameter, or an array derived from it), in float32.

        One initializer per ``(owner, key)``: a layer called at several nodes shares its weights in the file too.
        """
        found = self._weights.get((id(owner), key))
        if found is None:
            found = self._add_initializer(np.asarray(array, dtype=np.float32), f"{owner.name}/{key}")
            self._weights[(id(owner), key)] = found
        return found

    def const(self, value: Any, dtype: Any = np.float32, hint: str = "const") -> str:
        """A constant initializer (shared by equal constants); ints default to int64 with ``dtype=np.int64``."""
        array = np.asarray(value, dtype=dtype)
        key = (array.dtype.str, array.shape, array.tobytes())
        found = self._constants.get(key)
        if found is None:
            found = self._constants[key] = self._add_initializer(array, hint)
        return found

    def ints(self, values: Any) -> str:
        """A 1-D int64 constant (shapes, axes, indices)."""
        return self.const(list(values), np.int64, "ints")

    def _add_initializer(self, array: np.ndarray, hint: str) -> str:
        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    # ------------------------------------------------------------------ nodes
    def op(self, op_type: str, inputs: list[str], outputs: int = 1, hint: str | None = None, **attrs: Any) -> Any:
        """Add one node; its output name, or the list of ``outputs`` names when ``outputs`` > 1.

        An input given as ``""`` is an optional input left out, as ONNX spells it.
        """
        base = hint or op_type.lower()
        names = [self.name(base if outputs == 1 else f"{base}:{i}") for i in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, inputs, names, name=self.name(f"{base}/{op_type}"), **attrs))
        return names[0] if outputs == 1 else names

    def transpose(self, x: str, perm: list[int]) -> str:
        return self.op("Transpose", [x], perm=list(perm))

    def reshape(self, x: str, shape: list[int]) -> str:
        """``x`` reshaped to ``shape``: 0 copies the input's size on that axis (the batch), -1 is inferred."""
        return self.op("Reshape", [x, self.ints(shape)])

    def reduce(self, op_type: str, x: str, axes: list[int], keepdims: bool = True) -> str:
        """``ReduceMean`` / ``ReduceMax`` / ``ReduceSum`` / ... over ``axes``, spelled for the opset.

        ``ReduceSum`` takes its axes as an input from opset 13, the others from opset 18.
        """
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.op(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.op(op_type, [x], axes=list(axes), keepdims=int(keepdims))

    def squeeze(self, x: str, axes: list[int]) -> str:
        return self.op("Squeeze", [x, self.ints(axes)])

    def unsqueeze(self, x: str, axes: list[int]) -> str:
        return self.op("Unsqueeze", [x, self.ints(axes)])

    def split(self, x: str, sizes: list[int], axis: int) -> list[str]:
        """``x`` cut along ``axis`` into parts of ``sizes``."""
        parts = self.op("Split", [x, self.ints(sizes)], outputs=len(sizes), axis=axis)
        return parts if len(sizes) > 1 else [parts]

    def slice(self, x: str, starts: list[int], ends: list[int], axes: list[int], steps: list[int] | None = None) -> str:
        inputs = [x, self.ints(starts), self.ints(ends), self.ints(axes)]
        return self.op("Slice", inputs + ([self.ints(steps)] if steps is not None else []))

    def reverse(self, x: str, axis: int) -> str:
        """``x`` with ``axis`` read from its end to its start (a Slice of step -1; any length)."""
        return self.slice(x, [-1], [-(2**63)], [axis], [-1])

    # ------------------------------------------------------------------ the model
    def value_info(self, name: str, elem_type: int, shape: list[Any]) -> Any:
        return self.helper.make_tensor_value_info(name, elem_type, shape)

    def model(self, name: str, inputs: list[Any], outputs: list[Any], producer: str) -> Any:
        """The ``ModelProto`` of everything added: one graph, the ``ai.onnx`` opset, the oldest IR it needs."""
        graph = self.helper.make_graph(self.nodes, name, inputs, outputs, initializer=self.initializers)
        opsets = [self.helper.make_opsetid("", self.opset)]
        ir_version = self.helper.find_min_ir_version_for(opsets)
        return self.helper.make_model(
            graph, opset_imports=opsets, ir_version=ir_version, producer_name="tinynet", producer_version=producer
        )
