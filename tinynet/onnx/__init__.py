"""Leaving tinynet: a model as an ONNX file, for onnxruntime or any other ONNX runtime.

``tinynet.onnx.export(model, path)`` converts a built ``Sequential`` or graph
model, layer by layer, into one ONNX graph (float32, a dynamic batch axis)
and writes it; ``tinynet.onnx.verify(model, path, x)`` runs the file in
onnxruntime and compares it with ``model.predict(x)``. Both need the optional
packages (``pip install 'tinynet[onnx]'``): importing ``tinynet`` never
imports them, nor does importing this module; ``export`` does.

Modules: :mod:`~tinynet.onnx.builder` (the graph under construction),
:mod:`~tinynet.onnx.converters` (one module per family of layers),
:mod:`~tinynet.onnx.checks` (what is refused, and the comparison),
:mod:`~tinynet.onnx.export`.
"""

from __future__ import annotations

from .checks import OnnxExportError, verify
from .export import DEFAULT_OPSET, export

__all__ = ["DEFAULT_OPSET", "OnnxExportError", "export", "verify"]
