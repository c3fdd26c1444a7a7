"""Variable sequence length: ``tn.Input(shape=(None, features))``, ``input_shape=(None, features)``.

A size of ``None`` is unknown until data flows (Keras's convention). Models
built so are trained on sequences of one length and predict on others, with
the results of running the same layers on those arrays directly; their
gradients are proven at two lengths; they save and load with the ``None``
kept; layers that need the size say so when the graph is made.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import ShapeError

L = tn.layers


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def lstm_graph() -> tuple[tn.Model, list[tn.Layer]]:
    """``Input((None, 5)) -> LSTM(4, return_sequences=True) -> Dense(3)``, and its two layers."""
    lstm, dense = L.LSTM(4, return_sequences=True, name="lstm"), L.Dense(3, name="dense")
    x = tn.Input(shape=(None, 5), name="steps")
    return tn.Model(x, dense(lstm(x))), [lstm, dense]


def attention_graph() -> tuple[tn.Model, dict[str, tn.Layer]]:
    """Token ids of any length -> Embedding -> causal self-attention + residual -> LayerNorm -> Dense softmax."""
    layers = {
        "embed": L.Embedding(12, 8, name="embed"),
        "mha": L.MultiHeadAttention(2, 4, seed=0, name="mha"),
        "add": L.Add(name="add"),
        "norm": L.LayerNorm(name="norm"),
        "out": L.Dense(12, activation="softmax", name="out"),
    }
    ids = tn.Input(shape=(None,), dtype="int64", name="ids")
    e = layers["embed"](ids)
    a = layers["mha"](e, e, use_causal_mask=True)
    y = layers["out"](layers["norm"](layers["add"]([e, a])))
    return tn.Model(ids, y), layers


def run_attention_layers(layers: dict[str, tn.Layer], ids: np.ndarray) -> np.ndarray:
    e = layers["embed"](ids)
    a = layers["mha"](e, e, use_causal_mask=True)
    return layers["out"](layers["norm"](layers["add"]([e, a])))


# ---------------------------------------------------------------------------- shapes
def test_none_shows_in_symbolic_shapes_and_in_the_summary() -> None:
    model, _ = lstm_graph()
    assert model.inputs.shape == (None, None, 5) and model.outputs.shape == (None, None, 3)
    assert model.input_shape == (None, 5)
    printed: list[str] = []
    model.summary(print_fn=printed.append)
    rows = {line.split()[0]: line for line in printed[0].splitlines() if line.startswith((" lstm ", " dense "))}
    assert "(None, None, 4)" in rows["lstm"] and "(None, None, 3)" in rows["dense"]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: L.Dense(3), (None, 3)),
        (lambda: tn.activations.ReLU(), (None, 5)),
        (lambda: L.Dropout(0.5), (None, 5)),
        (lambda: L.LayerNorm(), (None, 5)),
        (lambda: L.BatchNorm(), (None, 5)),
        (lambda: L.SimpleRNN(3), (3,)),
        (lambda: L.GRU(3, return_sequences=True), (None, 3)),
        (lambda: L.LSTM(3, return_sequences=True, return_state=True), [(None, 3), (3,), (3,)]),
        (lambda: L.Bidirectional(L.GRU(3, return_sequences=True)), (None, 6)),
        (lambda: L.TimeDistributed(L.Dense(2)), (None, 2)),
        (lambda: L.PositionEmbedding(sequence_length=10), (None, 5)),
        (lambda: L.Conv1D(4, 3), (None, 4)),
        (lambda: L.Conv1D(4, 3, strides=2, padding="same"), (None, 4)),
        (lambda: L.Conv1D(4, 3, padding="causal", dilation_rate=2), (None, 4)),
        (lambda: L.Flatten(), (None,)),
        (lambda: L.Reshape((-1, 1)), (None, 1)),
    ],
)
def test_layers_whose_parameters_do_not_depend_on_the_steps_build_with_none(
    make: Callable[[], tn.Layer], expected: Any
) -> None:
    y = make()(tn.Input(shape=(None, 5)))
    shapes = [t.shape[1:] for t in y] if isinstance(y, list) else y.shape[1:]
    assert shapes == expected


def test_merge_layers_embedding_repeat_vector_and_attention_take_none_steps() -> None:
    a, b = tn.Input(shape=(None, 4)), tn.Input(shape=(None, 3))
    assert L.Concatenate()([a, b]).shape == (None, None, 7)
    assert L.Concatenate(axis=1)([a, L.Dense(4)(b)]).shape == (None, None, 4)  # steps: None + None
    assert L.Add()([a, a]).shape == L.Maximum()([a, a]).shape == (None, None, 4)
    assert L.Dot(axes=(2, 2))([a, a]).shape == (None, None, None)  # (T, T) scores of an unknown T
    assert L.Embedding(10, 6)(tn.Input(shape=(None,), dtype="int64")).shape == (None, None, 6)
    assert L.RepeatVector(3)(L.LSTM(2)(a)).shape == (None, 3, 2)
    query, value = tn.Input(shape=(None, 8)), tn.Input(shape=(None, 6))
    mask = tn.Input(shape=(None, None))
    y, scores = L.MultiHeadAttention(2, 4)(query, value, attention_mask=mask, return_attention_scores=True)
    assert y.shape == (None, None, 8) and scores.shape == (None, 2, None, None)
    fixed_mask = tn.Input(shape=(7, 5))  # a known (T, S) fits unknown steps
    assert L.MultiHeadAttention(2, 4)(query, value, attention_mask=fixed_mask).shape == (None, None, 8)


def test_the_base_compute_output_shape_probes_two_sizes_for_a_layer_of_yours() -> None:
    class Doubled(tn.Layer):
        """Each sequence followed by itself: the steps double, the features stay."""

        def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
            return np.concatenate([x, x], axis=1)

        def backward(self, grad: np.ndarray) -> np.ndarray:
            half = grad.shape[1] // 2
            return grad[:, :half] + grad[:, half:]

    layer = Doubled()
    assert layer(tn.Input(shape=(None, 3))).shape == (None, None, 3)
    assert layer.compute_output_shape((4, 3)) == (8, 3)  # built for None, it takes a known size too


# ---------------------------------------------------------------------------- trained on one length, run on others
def test_an_lstm_graph_trained_on_length_7_predicts_lengths_11_and_3_as_its_layers_do() -> None:
    model, (lstm, dense) = lstm_graph()
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(rng(1).normal(size=(32, 7, 5)), rng(2).normal(size=(32, 7, 3)), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    for steps in (11, 3):
        x = rng(steps).normal(size=(6, steps, 5)).astype(np.float32)
        predicted = model.predict(x, verbose=0)
        assert predicted.shape == (6, steps, 3)
        np.testing.assert_array_equal(predicted, dense(lstm(x)))
        np.testing.assert_array_equal(model(x), predicted)
    model.evaluate(rng(3).normal(size=(4, 9, 5)), rng(4).normal(size=(4, 9, 3)), verbose=0)


def test_an_attention_graph_trained_on_length_7_predicts_lengths_11_and_3_as_its_layers_do() -> None:
    model, layers = attention_graph()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ids = rng(1).integers(0, 12, size=(32, 7))
    model.fit(ids, np.roll(ids, -1, axis=1), epochs=2, batch_size=8, verbose=0)
    for steps in (11, 3):
        x = rng(steps).integers(0, 12, size=(5, steps))
        predicted = model.predict(x, verbose=0)
        assert predicted.shape == (5, steps, 12)
        np.testing.assert_array_equal(predicted, run_attention_layers(layers, x))


def test_a_sequential_with_input_shape_none_trains_on_one_length_and_predicts_others() -> None:
    lstm, dense = L.GRU(4, return_sequences=True, input_shape=(None, 5)), L.Dense(2)
    model = tn.Sequential([lstm, dense])
    assert model.input_shape == (None, 5) and model.compute_output_shape((None, 5)) == (None, 2)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(rng(1).normal(size=(16, 7, 5)), rng(2).normal(size=(16, 7, 2)), epochs=2, verbose=0)
    for steps in (11, 3):
        x = rng(steps).normal(size=(3, steps, 5)).astype(np.float32)
        np.testing.assert_array_equal(model.predict(x, verbose=0), dense(lstm(x)))
    same = tn.Sequential([tn.Input(shape=(None, 5)), L.GRU(4), L.Dense(2)])
    assert same.predict(rng(5).normal(size=(2, 13, 5)), verbose=0).shape == (2, 2)


def test_a_none_model_still_refuses_a_wrong_known_size_and_targets_of_another_shape() -> None:
    model, _ = lstm_graph()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ShapeError, match=r"per-sample shape \(7, 4\), but the model expects \(None, 5\)"):
        model.predict(np.zeros((2, 7, 4)), verbose=0)
    with pytest.raises(ShapeError, match=r"must have shape \(2, None, 3\).*received \(2, 7, 2\)"):
        model.fit(np.zeros((2, 7, 5)), np.zeros((2, 7, 2)), verbose=0)


# ---------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("steps", [2, 5])
def test_the_gradients_of_an_lstm_graph_are_proven_at_two_lengths(steps: int) -> None:
    model, _ = lstm_graph()
    tn.testing.check_gradients(model, rng(steps).normal(size=(2, steps, 5)))


@pytest.mark.parametrize("steps", [3, 6])
def test_the_gradients_of_a_self_attention_graph_are_proven_at_two_lengths(steps: int) -> None:
    x = tn.Input(shape=(None, 6))
    h = L.Dense(8, activation="tanh")(x)
    a = L.MultiHeadAttention(2, 3, seed=1)(h, h, use_causal_mask=True)
    y = L.Dense(2)(L.LayerNorm()(L.Add()([h, a])))
    model = tn.Model(x, y)
    tn.testing.check_gradients(model, rng(steps).normal(size=(2, steps, 6)))


# ---------------------------------------------------------------------------- saving
def test_a_none_shape_graph_saves_and_loads_with_the_none_kept(tmp_path: Path) -> None:
    model, _ = attention_graph()
    config = model.get_config()
    entry = next(layer for layer in config["layers"] if layer["class_name"] == "InputLayer")
    assert entry["config"]["shape"] == [None]
    assert json.loads(json.dumps(config)) == config
    twin = tn.Model.from_config(config)
    assert twin.inputs.shape == (None, None) and twin.get_config() == config
    model.save(tmp_path / "model.npz")
    loaded = tn.load_model(tmp_path / "model.npz")
    assert loaded.input_shape == (None,)
    for steps in (4, 9):
        x = rng(steps).integers(0, 12, size=(3, steps))
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_sequential_with_input_shape_none_saves_and_loads(tmp_path: Path) -> None:
    model = tn.Sequential([L.LSTM(3, return_sequences=True, input_shape=(None, 2)), L.Dense(1)])
    assert model.get_config()["layers"][0]["config"]["input_shape"] == [None, 2]
    model.save(tmp_path / "seq.npz")
    loaded = tn.load_model(tmp_path / "seq.npz")
    x = rng(0).normal(size=(2, 6, 2))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# ---------------------------------------------------------------------------- what needs the size says so
def test_flatten_then_dense_after_steps_of_unknown_size_is_refused_when_the_graph_is_made() -> None:
    flat = L.Flatten()(tn.Input(shape=(None, 4)))
    assert flat.shape == (None, None)
    dense = L.Dense(3, name="head")
    with pytest.raises(
        ShapeError,
        match=r"Dense 'head': parameter 'kernel' would have shape \(None, 3\).*per-sample shape \(None,\) has "
        r"that size unknown \(None\)\. Give the size in tn\.Input\(shape=\.\.\.\)",
    ):
        dense(flat)
    assert not dense.built and dense.parameters() == []
    with pytest.raises(ShapeError, match=r"'kernel' would have shape \(None, 2\)"):
        tn.Sequential([L.Flatten(input_shape=(None, 4)), L.Dense(2)])


def test_reshape_to_explicit_sizes_of_an_input_of_unknown_size_is_refused() -> None:
    with pytest.raises(ShapeError, match=r"Reshape 'r'.*\(None, 4\) has a size unknown \(None\).*Put -1"):
        L.Reshape((2, 2), name="r")(tn.Input(shape=(None, 4)))


def test_a_windowed_pool_needs_known_sizes_a_global_one_does_not() -> None:
    image = tn.Input(shape=(None, None, 3))
    assert L.GlobalAvgPool2D()(image).shape == (None, 3)
    with pytest.raises(ShapeError, match=r"MaxPool2D 'pool'.*known height and width.*global pooling"):
        L.MaxPool2D(name="pool")(image)


def test_position_embedding_refuses_a_sequence_longer_than_sequence_length_when_it_meets_one() -> None:
    x = tn.Input(shape=(None, 4))
    model = tn.Model(x, L.PositionEmbedding(sequence_length=8, name="positions")(x))
    assert model.predict(np.zeros((2, 8, 4)), verbose=0).shape == (2, 8, 4)
    with pytest.raises(ShapeError, match=r"PositionEmbedding 'positions': the input has 9 steps.*sequence_length=8"):
        model.predict(np.zeros((2, 9, 4)), verbose=0)


def test_a_conv1d_built_for_none_steps_refuses_a_sequence_shorter_than_its_kernel() -> None:
    conv = L.Conv1D(2, 4, name="conv")
    conv(tn.Input(shape=(None, 3)))
    assert conv(np.zeros((1, 4, 3))).shape == (1, 1, 2)
    with pytest.raises(ShapeError, match=r"Conv1D 'conv': kernel_size \(4,\).*larger than the input's steps \(3,\)"):
        conv(np.zeros((1, 3, 3)))


def test_a_layer_built_for_a_known_length_refuses_other_lengths_and_none() -> None:
    lstm = L.LSTM(3, name="fixed")
    lstm(np.zeros((1, 7, 5)))
    with pytest.raises(ShapeError, match=r"LSTM 'fixed': expected input of shape \(batch, 7, 5\).*\(8, 5\)"):
        lstm(np.zeros((1, 8, 5)))
    with pytest.raises(ShapeError, match=r"LSTM 'fixed': expected input of shape \(batch, 7, 5\).*\(None, 5\)"):
        lstm(tn.Input(shape=(None, 5)))
    model = tn.Sequential([L.Dense(2, input_shape=(7, 5))])
    with pytest.raises(ShapeError, match=r"per-sample shape \(8, 5\), but the model expects \(7, 5\)"):
        model.predict(np.zeros((1, 8, 5)), verbose=0)
    mha = L.MultiHeadAttention(1, 2, name="att")
    mha(np.zeros((1, 4, 3)), np.zeros((1, 4, 3)))
    with pytest.raises(ShapeError, match=r"'att': built for query, value and key of per-sample shapes"):
        mha(np.zeros((1, 5, 3)), np.zeros((1, 5, 3)))


def test_a_layer_built_for_none_takes_any_size_there_and_only_the_known_sizes_elsewhere() -> None:
    dense = L.Dense(2, name="d")
    dense(tn.Input(shape=(None, 5)))
    assert dense(np.zeros((1, 9, 5))).shape == (1, 9, 2)
    with pytest.raises(ShapeError, match=r"Dense 'd': expected input of shape \(batch, None, 5\).*\(9, 4\)"):
        dense(np.zeros((1, 9, 4)))
    with pytest.raises(ShapeError, match=r"expected input of shape \(batch, None, 5\).*\(9, 2, 5\)"):
        dense(np.zeros((1, 9, 2, 5)))
