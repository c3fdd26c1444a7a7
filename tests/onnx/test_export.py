"""``tinynet.onnx.export`` on whole models: graphs with several inputs and outputs, shared layers, models inside
models, dynamic steps, opsets, float64 models; the errors; and a broken converter that the comparison catches.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import CallOrderError, InvalidValueError
from tinynet.onnx import OnnxExportError, export, verify
from tinynet.onnx.converters import CONVERTERS

from .helpers import assert_exported_matches, onnx, run

L = tn.layers


def _data(rng: np.random.Generator, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    return [rng.normal(size=shape).astype(np.float32) for shape in shapes]


def test_a_graph_with_two_inputs_two_outputs_a_shared_layer_and_a_model_inside(tmp_path) -> None:
    tn.utils.set_random_seed(0)
    a, c = tn.Input(shape=(6,), name="left"), tn.Input(shape=(6,), name="right")
    shared = L.Dense(5, activation="tanh", name="shared")
    tower = tn.Sequential([L.Dense(4, activation="relu"), L.BatchNorm(), L.Dense(3)], name="tower")
    left, right = shared(a), shared(c)  # one layer, two calls: one set of weights in the file
    joined = L.Concatenate()([tower(left), tower(right)])
    out_sum = L.Dense(1, activation="sigmoid", name="score")(joined)
    out_diff = L.Subtract(name="difference")([left, right])
    model = tn.Model([a, c], [out_sum, out_diff])
    rng = np.random.default_rng(1)
    proto = assert_exported_matches(
        model, tmp_path / "m.onnx", [_data(rng, (1, 6), (1, 6)), _data(rng, (9, 6), (9, 6))]
    )
    assert [i.name for i in proto.graph.input] == ["left", "right"]
    assert [o.name for o in proto.graph.output] == ["score", "difference"]
    kernels = [t for t in proto.graph.initializer if t.name.startswith("shared/kernel")]
    assert len(kernels) == 1


def test_a_graph_inside_a_graph_and_a_dict_of_outputs(tmp_path) -> None:
    tn.utils.set_random_seed(0)
    x = tn.Input(shape=(4,), name="x")
    inner = tn.Model(x, [L.Dense(3, name="p")(x), L.Dense(2, name="q")(x)], name="inner")
    y = tn.Input(shape=(4,), name="y")
    p, q = inner(y)
    model = tn.Model(y, {"first": L.Dense(2, activation="softmax")(p), "second": L.Multiply()([q, q])})
    rng = np.random.default_rng(2)
    proto = assert_exported_matches(model, tmp_path / "m.onnx", [_data(rng, (1, 4)), _data(rng, (5, 4))])
    assert [o.name for o in proto.graph.output] == ["first", "second"]


def test_dynamic_steps_run_at_any_length(tmp_path) -> None:
    """Steps built as None stay dynamic: a convolution, an LSTM, causal self-attention, position embeddings."""
    tn.utils.set_random_seed(0)
    x = tn.Input(shape=(None, 3), name="tokens")
    h = L.Conv1D(4, 3, padding="same", activation="relu")(x)
    h = L.Add()([h, L.PositionEmbedding(sequence_length=16)(h)])
    h = L.LSTM(5, return_sequences=True, go_backwards=True)(h)
    h = L.MultiHeadAttention(num_heads=2, key_dim=3)(h, h, use_causal_mask=True)
    h = L.LayerNorm()(h)
    model = tn.Model(x, [L.GRU(3)(h), L.GlobalMaxPooling1D()(h)])
    rng = np.random.default_rng(3)
    path = tmp_path / "m.onnx"
    proto = assert_exported_matches(model, path, [_data(rng, (2, 4, 3)), _data(rng, (3, 7, 3)), _data(rng, (1, 1, 3))])
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ["batch", "tokens_1", 3]


@pytest.mark.parametrize("opset", [14, 17, 18, 20])
def test_each_opset_gives_the_same_outputs(opset: int, tmp_path) -> None:
    """Before 17 LayerNorm is written out, from 18 the reductions take axes as inputs, from 20 GELU is one op."""
    tn.utils.set_random_seed(0)
    model = tn.Sequential([
        L.Conv2D(3, 3, padding="same", activation="gelu", input_shape=(6, 6, 2)),
        L.MaxPool2D(),
        L.GlobalAvgPool2D(),
        L.LayerNorm(),
        L.Dense(4, activation=tn.activations.GELU(approximate=True)),
    ])  # fmt: skip
    rng = np.random.default_rng(4)
    proto = assert_exported_matches(
        model, tmp_path / "m.onnx", [_data(rng, (1, 6, 6, 2)), _data(rng, (8, 6, 6, 2))], opset
    )
    ops = {node.op_type for node in proto.graph.node}
    assert ("Gelu" in ops) == (opset >= 20)
    assert ("LayerNormalization" in ops) == (opset >= 17)


def test_a_trained_batch_norm_and_a_float64_model_export_in_float32(tmp_path) -> None:
    tn.utils.set_random_seed(0)
    model = tn.Sequential([L.Dense(4, input_shape=(3,)), L.BatchNorm(), L.Dense(2)], dtype="float64")
    norm = model.layers[1]
    rng = np.random.default_rng(5)
    norm.set_weights([w + rng.uniform(0.5, 1.5, size=w.shape) for w in norm.get_weights()])  # moving stats too
    proto = assert_exported_matches(model, tmp_path / "m.onnx", [_data(rng, (1, 3)), _data(rng, (6, 3))])
    assert {t.data_type for t in proto.graph.initializer} == {onnx.TensorProto.FLOAT}


@pytest.mark.parametrize("activation", ["relu", None, "leaky_relu", "elu", "softplus"])
def test_recurrent_layers_with_other_activations(activation: object, tmp_path) -> None:
    tn.utils.set_random_seed(0)
    x = tn.Input(shape=(4, 3))
    outputs = [
        L.SimpleRNN(3, activation=activation)(x),
        L.GRU(3, activation=activation, reset_after=False)(x),
        L.LSTM(3, recurrent_activation=activation, return_sequences=True)(x),
    ]
    rng = np.random.default_rng(6)
    assert_exported_matches(tn.Model(x, outputs), tmp_path / "m.onnx", [_data(rng, (2, 4, 3))])


def test_time_distributed_dense_and_repeat_vector(tmp_path) -> None:
    tn.utils.set_random_seed(0)
    model = tn.Sequential([L.Dense(3, input_shape=(5,)), L.RepeatVector(4), L.TimeDistributed(L.Dense(2))])
    rng = np.random.default_rng(7)
    assert_exported_matches(model, tmp_path / "m.onnx", [_data(rng, (1, 5)), _data(rng, (3, 5))])


class Doubling(tn.Layer):
    """A layer of the user's own, which export has no converter for."""

    def forward(self, x, training=False):
        return 2.0 * x

    def backward(self, grad):
        return 2.0 * grad


def test_the_first_layer_that_cannot_be_exported_is_named_with_its_path_and_nothing_is_written(tmp_path) -> None:
    inner = tn.Sequential([L.Dense(3), Doubling(name="twice"), L.Embedding(4, 2, mask_zero=True)], name="inner")
    x = tn.Input(shape=(3,))
    model = tn.Model(x, L.Dense(1)(inner(x)), name="outer")
    path = tmp_path / "m.onnx"
    with pytest.raises(
        OnnxExportError, match=r"Model 'outer' > Sequential 'inner' > Doubling 'twice': there is no ONNX"
    ):
        export(model, path)
    assert not path.exists()


def test_an_activation_onnx_recurrent_operators_lack_is_refused(tmp_path) -> None:
    model = tn.Sequential([L.LSTM(2, activation="gelu", input_shape=(3, 2))])
    with pytest.raises(OnnxExportError, match="LSTM 'lstm.*no GELU activation"):
        export(model, tmp_path / "m.onnx")


def test_a_model_subclass_an_unbuilt_model_and_a_bad_opset_are_refused(tmp_path) -> None:
    class Mine(tn.Model):
        def forward(self, x, training=False):
            return x

    with pytest.raises(CallOrderError, match="not built"):
        export(tn.Sequential([L.Dense(2)]), tmp_path / "m.onnx")
    mine = Mine(input_shape=(3,))
    mine.ensure_built((3,))
    with pytest.raises(OnnxExportError, match="its own forward"):
        export(mine, tmp_path / "m.onnx")
    with pytest.raises(InvalidValueError, match="opset must be from 14"):
        export(tn.Sequential([L.Dense(2, input_shape=(3,))]), tmp_path / "m.onnx", opset=9)
    assert not (tmp_path / "m.onnx").exists()


def test_path_none_writes_nothing_and_verify_compares(tmp_path) -> None:
    model = tn.Sequential([L.Dense(2, activation="silu", input_shape=(3,))])
    proto = export(model, None)
    path = tmp_path / "m.onnx"
    onnx.save_model(proto, str(path))
    x = np.random.default_rng(8).normal(size=(4, 3))
    assert verify(model, path, x) <= 1e-5
    model.layers[0].bias.value += 1.0  # the file no longer matches the model
    with pytest.raises(OnnxExportError, match="differ by up to"):
        verify(model, path, x)


def test_a_broken_converter_is_caught(tmp_path, monkeypatch) -> None:
    """The comparison has teeth: an LSTM converter that forgets ONNX's gate order (i, o, f, c) fails it."""
    from tinynet.onnx.converters import recurrent

    def keras_order(a: np.ndarray, order: list[int], units: int) -> np.ndarray:
        return a  # Keras's i, f, c, o left as it is

    monkeypatch.setattr(recurrent, "_blocks", keras_order)
    tn.utils.set_random_seed(0)
    model = tn.Sequential([L.LSTM(3, input_shape=(4, 2))])
    with pytest.raises(AssertionError):
        assert_exported_matches(model, tmp_path / "m.onnx", [_data(np.random.default_rng(9), (3, 4, 2))])
    assert CONVERTERS  # the registry itself is untouched


def test_importing_tinynet_imports_no_onnx() -> None:
    code = "import sys, tinynet, tinynet.onnx; print('onnx' in sys.modules, 'onnxruntime' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_an_integer_input_takes_indices(tmp_path) -> None:
    tn.utils.set_random_seed(0)
    model = tn.Sequential([L.Embedding(7, 3, input_shape=(5,)), L.Flatten(), L.Dense(2)])
    proto = export(model, tmp_path / "m.onnx")
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    x = np.random.default_rng(10).integers(0, 7, size=(4, 5))
    (got,) = run(tmp_path / "m.onnx", [x])
    assert np.max(np.abs(got - model.predict(x, verbose=0))) <= 1e-5


def test_images_of_any_size_and_attention_scores(tmp_path) -> None:
    """Unknown image sizes pad "same" with SAME_UPPER (Keras's rule); attention scores are a second output."""
    tn.utils.set_random_seed(0)
    image = tn.Input(shape=(None, None, 3), name="image")
    h = L.Conv2D(4, 3, strides=2, padding="same", activation="relu")(L.Conv2D(3, 2, padding="same")(image))
    path = tmp_path / "image.onnx"
    rng = np.random.default_rng(11)
    assert_exported_matches(
        tn.Model(image, L.GlobalMaxPool2D()(h)), path, [_data(rng, (2, 9, 7, 3)), _data(rng, (1, 4, 6, 3))]
    )
    q, v = tn.Input(shape=(5, 6), name="q"), tn.Input(shape=(7, 4), name="v")
    y, scores = L.MultiHeadAttention(3, 2, output_shape=(2, 3))(q, v, return_attention_scores=True)
    model = tn.Model([q, v], [y, scores])
    assert_exported_matches(
        model, tmp_path / "mha.onnx", [_data(rng, (1, 5, 6), (1, 7, 4)), _data(rng, (4, 5, 6), (4, 7, 4))]
    )
