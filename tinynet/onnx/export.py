"""``export``: a tinynet model as one ONNX file, every layer converted, checked by ``onnx`` before it is written.

The walk is the model's own: a ``Sequential`` chains its layers, a graph model
replays its nodes (see :mod:`tinynet.onnx.converters.models`). The whole
graph is built in memory first, so a layer that cannot be exported stops the
export with an error naming it, and nothing is written.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .. import __version__
from .._validation import integer
from ..errors import InvalidValueError
from .builder import MIN_OPSET, GraphBuilder
from .checks import OnnxExportError, check_exportable, located, require
from .converters import Located, convert

__all__ = ["export", "DEFAULT_OPSET"]

DEFAULT_OPSET = 17
"""The opset written unless ``opset=`` says otherwise: 17 has ``LayerNormalization``, and runs almost anywhere."""


def export(model: Any, path: str | os.PathLike[str] | None, opset: int = DEFAULT_OPSET) -> Any:
    """Write ``model`` to ``path`` as an ONNX model in float32 and return the ``onnx.ModelProto``.

    The batch axis is dynamic (``"batch"``), and so is any per-sample size the
    model was built with as ``None`` (the steps of ``tn.Input(shape=(None, 8))``).
    Inputs and outputs keep the model's names (``model.input_names``,
    ``model.output_names``); an input that takes indices (an ``Embedding``
    first) is int64. The file runs in onnxruntime (or any ONNX runtime) without
    tinynet; :func:`tinynet.onnx.verify` compares it with ``predict``.

    Parameters
    ----------
    model : Model or Layer
        A built ``Sequential``, graph model (``tn.Model(inputs, outputs)``; several
        inputs and outputs, shared layers and models inside models included) or a
        single built layer.
    path : str or path-like, or None
        Where to write; ``None`` writes nothing and only returns the model.
    opset : int
        The ``ai.onnx`` opset, from 14 to the newest the installed ``onnx``
        knows; 17 by default. From 17 a ``LayerNorm`` on the last axis is one
        ``LayerNormalization``, from 20 GELU is one ``Gelu``.

    Raises
    ------
    OnnxExportError
        (a ``ValueError``) naming the first layer that cannot be exported, and
        why; raised before anything is written.
    MissingDependencyError
        When ``onnx`` is not installed (``pip install 'tinynet[onnx]'``).

    Examples
    --------
    >>> import tinynet as tn, tinynet.onnx  # doctest: +SKIP
    >>> model = tn.Sequential([tn.layers.Dense(8, activation="relu", input_shape=(4,)),
    ...                        tn.layers.Dense(3, activation="softmax")])  # doctest: +SKIP
    >>> proto = tinynet.onnx.export(model, "model.onnx")  # doctest: +SKIP
    >>> [n.op_type for n in proto.graph.node]  # doctest: +SKIP
    ['MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Softmax', 'Identity']
    """
    onnx = require("onnx")
    newest = int(onnx.defs.onnx_opset_version())
    opset = integer(opset, "tinynet.onnx.export", "opset")
    if not MIN_OPSET <= opset <= newest:
        raise InvalidValueError(
            f"tinynet.onnx.export: opset must be from {MIN_OPSET} to {newest} (the newest the installed onnx "
            f"{onnx.__version__} knows), received {opset}."
        )
    check_exportable(model)
    b = GraphBuilder(onnx, opset)
    specs = _input_specs(model)
    inputs = []
    for name, shape, integral in specs:
        b.reserve(name)
        b.shapes[name] = tuple(shape)
        dims: list[Any] = ["batch", *(f"{name}_{k + 1}" if d is None else int(d) for k, d in enumerate(shape))]
        elem = onnx.TensorProto.INT64 if integral else onnx.TensorProto.FLOAT
        inputs.append(b.value_info(name, elem, dims))
    names = [name for name, _, _ in specs]
    graph_input = model._graph is not None if hasattr(model, "_graph") else False
    x: Any = names if len(names) > 1 or (graph_input and model._graph.inputs.kind != "single") else names[0]
    wanted = _output_names(model)
    for name in wanted:
        b.reserve(name)
    try:
        out = convert(b, model, x)
    except Located as refused:
        raise located(refused.path, refused.reason) from None
    tensors = out if isinstance(out, list) else [out]
    outputs = []
    for name, tensor in zip(wanted, tensors, strict=True):
        b.nodes.append(onnx.helper.make_node("Identity", [tensor], [name], name=b.name(f"{name}/Identity")))
        out_dims: list[Any] = ["batch", *(None if d is None else int(d) for d in b.shapes[tensor])]
        outputs.append(b.value_info(name, onnx.TensorProto.FLOAT, out_dims))
    proto = b.model(model.name, inputs, outputs, __version__)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except Exception as error:  # the checker's own errors: a converter wrote an invalid graph
        raise OnnxExportError(
            f"tinynet.onnx.export: the ONNX graph of {model._label()} fails onnx's checker (a bug in a converter; "
            f"please report it): {error}"
        ) from error
    if path is not None:
        onnx.save_model(proto, os.fspath(path))
    return proto


def _input_specs(model: Any) -> list[tuple[str, tuple[Any, ...], bool]]:
    """``(name, per-sample shape, takes integers)`` for each input of ``model``, in order."""
    graph = getattr(model, "_graph", None)
    if graph is not None:
        return [
            (_clean(t.name), tuple(t.per_sample_shape), np.dtype(t.dtype).kind in "iu") for t in graph.inputs.tensors
        ]
    shape = model.input_shape
    if isinstance(shape, list):
        return [(f"input_{i}", tuple(s), False) for i, s in enumerate(shape)]
    return [("input", tuple(shape), bool(model.takes_indices))]


def _output_names(model: Any) -> list[str]:
    """The names of the outputs: a graph's ``output_names``, else ``output`` (``output_0``, ... for several)."""
    graph = getattr(model, "_graph", None)
    if graph is not None:
        names = list(model.output_names)
    else:
        shape = model.compute_output_shape(model.input_shape)
        names = [f"output_{i}" for i in range(len(shape))] if isinstance(shape, list) else ["output"]
    cleaned = [_clean(name) for name in names]
    if len(set(cleaned)) != len(cleaned):
        cleaned = [f"{name}_{i}" for i, name in enumerate(cleaned)]
    return cleaned


def _clean(name: str) -> str:
    return "".join(c if c.isalnum() or c in "_./-" else "_" for c in name) or "tensor"
