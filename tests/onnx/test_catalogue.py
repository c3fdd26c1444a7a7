"""Every catalogue layer (tests/cases) in a one-layer graph: exported, checked, and run in onnxruntime against
``predict`` at two batch sizes; or, for the layers ONNX export refuses, the error that names the layer.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tests.cases import LAYER_CASES, LayerCase, MultiInputCase
from tinynet.onnx import OnnxExportError, export
from tinynet.onnx.converters import CONVERTERS, convertible

from .helpers import assert_exported_matches

#: Cases whose layer has a converter that refuses this configuration, and a word the error must say. The
#: padding-mask cases are left out: a mask comes from a layer that makes one (Embedding(mask_zero=True), Masking),
#: and those are refused.
REFUSED = {
    "embedding_mask_zero": "padding mask",
    "masking": "padding mask",
    "bidirectional_rnn_lstm_cell_sum": "is not a SimpleRNN, LSTM or GRU",  # RNN(cell) has no converter yet
}

#: The layers ONNX export must convert (the issue's list): a converter removed by mistake fails here.
REQUIRED = [
    "Dense", "Conv1D", "Conv2D", "MaxPool2D", "AvgPool2D", "MaxPooling1D", "AveragePooling1D", "MaxPooling3D",
    "AveragePooling3D", "GlobalAvgPool2D", "GlobalMaxPool2D", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
    "GlobalAveragePooling3D", "GlobalMaxPooling3D", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "Flatten",
    "Reshape", "Permute", "BatchNorm", "LayerNorm", "Dropout", "Embedding", "PositionEmbedding", "RepeatVector",
    "TimeDistributed", "MultiHeadAttention", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "Add", "Subtract",
    "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "ZeroPadding2D", "Cropping2D", "UpSampling2D",
]  # fmt: skip
ACTIVATIONS = ["ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softmax", "Softplus", "SiLU", "Linear"]


def _in_a_graph(case: LayerCase) -> bool:
    """Whether the case's call can be a node of a graph: no padding mask, options of plain values only."""
    plain = all(v is None or isinstance(v, (bool, int, float, str)) for v in case.options.values())
    return plain and not case.padded and not isinstance(case.make(), tn.layers.InputLayer)


CASES = [case for case in LAYER_CASES if _in_a_graph(case)]
EXPORTED = [c for c in CASES if c.id not in REFUSED and convertible(c.make())]
NOT_CONVERTED = [c for c in CASES if not convertible(c.make())]


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


@pytest.mark.parametrize("case", EXPORTED, ids=lambda c: c.id)
def test_a_catalogue_layer_runs_in_onnxruntime_as_in_predict(case: LayerCase, tmp_path) -> None:
    model = one_layer_model(case)
    rng = np.random.default_rng(0)
    assert_exported_matches(model, tmp_path / "model.onnx", [sample(case, 1, rng), sample(case, 6, rng)])


@pytest.mark.parametrize("case", [c for c in CASES if c.id in REFUSED], ids=lambda c: c.id)
def test_a_configuration_export_refuses_is_named_and_nothing_is_written(case: LayerCase, tmp_path) -> None:
    model = one_layer_model(case)
    with pytest.raises(OnnxExportError, match=REFUSED[case.id]) as caught:
        export(model, tmp_path / "model.onnx")
    assert repr(model.layers[-1].name) in str(caught.value)
    assert not (tmp_path / "model.onnx").exists()


@pytest.mark.parametrize("case", NOT_CONVERTED, ids=lambda c: c.id)
def test_a_layer_without_a_converter_is_refused_by_name(case: LayerCase, tmp_path) -> None:
    model = one_layer_model(case)
    layer = model.layers[-1]
    with pytest.raises(OnnxExportError, match=f"{type(layer).__name__} {layer.name!r}: there is no ONNX converter"):
        export(model, tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_the_required_layers_and_activations_have_converters() -> None:
    classes = {cls.__name__ for cls in CONVERTERS if cls.__module__.startswith("tinynet.layers")}
    assert set(REQUIRED) <= classes, sorted(set(REQUIRED) - classes)
    activations = {cls.__name__ for cls in CONVERTERS if cls.__module__.startswith("tinynet.activations")}
    assert set(ACTIVATIONS) <= activations, sorted(set(ACTIVATIONS) - activations)
