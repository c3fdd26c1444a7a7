"""The checks around an export: the optional packages, the model before conversion, the file after.

- :func:`require` imports ``onnx`` (and ``onnxruntime`` for :func:`verify`) or
  says what to install;
- :func:`check_exportable` refuses, before anything is converted, a model
  that is not built or not a model;
- :func:`located` words a converter's refusal: the first layer that cannot be
  exported, where it sits, and why (the export stops there, before writing);
- :func:`verify` runs an exported file in onnxruntime on given inputs and
  returns the largest difference from ``model.predict``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import CallOrderError, InvalidTypeError, MissingDependencyError, TinynetError
from ..layer import Layer

__all__ = ["OnnxExportError", "require", "check_exportable", "located", "verify"]


class OnnxExportError(TinynetError, ValueError):
    """A model (a layer in it, or its configuration) that ONNX export cannot express; the message says which."""


def require(name: str) -> Any:
    """The module ``name`` (``"onnx"``, ``"onnxruntime"``), or a ``MissingDependencyError`` saying how to get it."""
    try:
        return __import__(name)
    except ImportError as error:
        raise MissingDependencyError(
            f"tinynet.onnx needs the {name} package, which is not installed ({error}). Install it with: "
            "pip install onnx onnxruntime (or pip install 'tinynet[onnx]')."
        ) from error


def check_exportable(model: Any) -> None:
    """Refuse what is not a built tinynet model (or layer) before any conversion starts."""
    if not isinstance(model, Layer):
        raise InvalidTypeError(
            f"tinynet.onnx.export: expected a tinynet Model or Layer, received {type(model).__name__}."
        )
    if not model.built or model.input_shape is None:
        raise CallOrderError(
            f"tinynet.onnx.export: {model._label()} is not built, so its input shape is unknown. Give the first "
            "layer input_shape=(...), start with tn.Input, or call the model on a batch first."
        )


def located(path: list[str], reason: str) -> OnnxExportError:
    """The error for a layer a converter refused: ``path`` from the model down to the layer."""
    where = " > ".join(path)
    return OnnxExportError(f"tinynet.onnx.export: cannot export {where}: {reason}. Nothing was written.")


def verify(model: Any, path: Any, x: Any, atol: float = 1e-5) -> float:
    """The largest absolute difference between onnxruntime on the file at ``path`` and ``model.predict(x)``.

    ``x`` is what ``predict`` takes (one array, or a list of them for several
    inputs). Raises ``OnnxExportError`` when the difference exceeds ``atol``
    or the outputs differ in number or shape.

    Examples
    --------
    >>> import numpy as np, tinynet as tn, tinynet.onnx  # doctest: +SKIP
    >>> model = tn.Sequential([tn.layers.Dense(2, input_shape=(3,))])  # doctest: +SKIP
    >>> tinynet.onnx.export(model, "model.onnx")  # doctest: +SKIP
    >>> tinynet.onnx.verify(model, "model.onnx", np.ones((4, 3))) < 1e-5  # doctest: +SKIP
    True
    """
    ort = require("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    arrays = list(x) if isinstance(x, (list, tuple)) else [x]
    feeds = {}
    for spec, array in zip(session.get_inputs(), arrays, strict=True):
        dtype = np.int64 if spec.type == "tensor(int64)" else np.float32
        feeds[spec.name] = np.asarray(array, dtype=dtype)
    got = session.run(None, feeds)
    expected = model.predict(x, verbose=0) if hasattr(model, "predict") else model(x)
    expected = list(expected.values()) if isinstance(expected, dict) else expected
    expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    if len(got) != len(expected) or any(g.shape != np.shape(e) for g, e in zip(got, expected, strict=True)):
        raise OnnxExportError(
            f"tinynet.onnx.verify: onnxruntime gave outputs of shapes {[g.shape for g in got]}, predict "
            f"{[np.shape(e) for e in expected]}."
        )
    worst = max(
        float(np.max(np.abs(g - np.asarray(e, dtype=np.float64)), initial=0.0))
        for g, e in zip(got, expected, strict=True)
    )
    if not worst <= atol:
        raise OnnxExportError(
            f"tinynet.onnx.verify: onnxruntime and predict differ by up to {worst:.3g}, more than atol={atol:g}."
        )
    return worst
