"""What the ONNX tests share: the optional packages (skipped with a reason without them), models, comparisons."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinynet as tn

onnx = pytest.importorskip("onnx", reason="the ONNX export tests need onnx (pip install 'tinynet[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the ONNX export tests need onnxruntime (pip install 'tinynet[onnx]')")

from tinynet.onnx import export  # noqa: E402  (after the skips: export imports onnx)

#: The largest difference allowed between onnxruntime and ``predict``, in float32.
ATOL = 1e-5


def run(path: Any, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """The outputs of onnxruntime on the file at ``path`` for ``inputs``, one array per graph input, in order."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {}
    for spec, array in zip(session.get_inputs(), inputs, strict=True):
        feeds[spec.name] = np.asarray(array, dtype=np.int64 if spec.type == "tensor(int64)" else np.float32)
    return list(session.run(None, feeds))


def predicted(model: tn.Model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """``model.predict`` on ``inputs`` (one array, or the list), as a list of outputs."""
    y = model.predict(inputs[0] if len(inputs) == 1 else inputs, verbose=0)
    y = list(y.values()) if isinstance(y, dict) else y
    return [np.asarray(a) for a in (y if isinstance(y, list) else [y])]


def assert_exported_matches(model: tn.Model, path: Any, batches: list[list[np.ndarray]], opset: int = 17) -> Any:
    """Export ``model`` to ``path``, check the file with onnx's full checker, and compare it with ``predict``."""
    proto = export(model, path, opset=opset)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    for inputs in batches:
        got, expected = run(path, inputs), predicted(model, inputs)
        assert len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            assert g.shape == e.shape
            assert g.dtype == np.float32
            assert np.max(np.abs(g - e), initial=0.0) <= ATOL, float(np.max(np.abs(g - e)))
    return proto
