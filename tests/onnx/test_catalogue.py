"""Every catalogue layer (tests/cases) in a one-layer graph: exported, checked, and run in onnxruntime against
``predict`` at two batch sizes; or, for the layers ONNX export refuses, the error that names the layer.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tests.cases import LAYER_CASES, LayerCase, MultiInputCase
from tinynet.onnx import OnnxExportError, export

from .helpers import assert_exported_matches

#: Cases whose layer cannot be exported, and a word the error must say. The padding-mask cases are left out:
#: a mask comes from a layer that makes one (Embedding(mask_zero=True), Masking), and those are refused.
REFUSED = {
    "embedding_mask_zero": "padding mask",
    "masking": "padding mask",
}

CASES = [case for case in LAYER_CASES if not case.padded and not isinstance(case.make(), tn.layers.InputLayer)]


def one_layer_model(case: LayerCase) -> tn.Model:
    """The case's layer called on ``tn.Input`` tensors of the case's first shapes (with the case's options)."""
    layer = case.make()
    if isinstance(case, MultiInputCase):
        inputs: object = [tn.Input(shape=shape, name=f"in{i}") for i, shape in enumerate(case.input_shapes[0])]
    else:
        integral = case.index_range is not None
        inputs = tn.Input(shape=case.feature_shapes[0], dtype="int64" if integral else None, name="in0")
    return tn.Model(inputs, layer(inputs, **case.options))


def sample(case: LayerCase, batch: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Random inputs for ``batch`` samples: indices, 0/1 masks, or values in the case's range."""
    if isinstance(case, MultiInputCase):
        shapes = case.input_shapes[0]
        return [
            rng.integers(0, 2, size=(batch, *shape)).astype(np.float32)
            if i in case.masks
            else rng.uniform(case.low, case.high, size=(batch, *shape)).astype(np.float32)
            for i, shape in enumerate(shapes)
        ]
    if case.index_range is not None:
        return [rng.integers(0, case.index_range, size=(batch, *case.feature_shapes[0]))]
    return [rng.uniform(case.low, case.high, size=(batch, *case.feature_shapes[0])).astype(np.float32)]


@pytest.mark.parametrize("case", [c for c in CASES if c.id not in REFUSED], ids=lambda c: c.id)
def test_a_catalogue_layer_runs_in_onnxruntime_as_in_predict(case: LayerCase, tmp_path) -> None:
    model = one_layer_model(case)
    rng = np.random.default_rng(0)
    assert_exported_matches(model, tmp_path / "model.onnx", [sample(case, 1, rng), sample(case, 6, rng)])


@pytest.mark.parametrize("case", [c for c in CASES if c.id in REFUSED], ids=lambda c: c.id)
def test_a_layer_export_refuses_is_named_and_nothing_is_written(case: LayerCase, tmp_path) -> None:
    model = one_layer_model(case)
    layer = model.layers[-1]
    with pytest.raises(OnnxExportError, match=REFUSED[case.id]) as caught:
        export(model, tmp_path / "model.onnx")
    assert repr(layer.name) in str(caught.value)
    assert not (tmp_path / "model.onnx").exists()
