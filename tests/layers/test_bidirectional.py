"""Bidirectional: values against its two layers run by hand, Keras's copies and weight order, states, configs,
refusals, training, and deliberately broken backwards that the checker catches.

Its gradients are proven by the catalogue (``tests/cases/bidirectional.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError, UnknownIdentifierError
from tinynet.layers.bidirectional import Bidirectional
from tinynet.layers.gru import GRU
from tinynet.layers.lstm import LSTM
from tinynet.layers.simple_rnn import SimpleRNN

Array = np.ndarray
X = np.random.default_rng(1).normal(size=(4, 5, 3))
MODES = ["concat", "sum", "mul", "ave", None]


def randomized(layer: Bidirectional, x: Array = X, seed: int = 0) -> None:
    layer.astype("float64").ensure_built(x.shape[1:])
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(scale=0.6, size=w.shape) for w in layer.get_weights()])


def by_hand(layer: Bidirectional, x: Array, states: list[Array] | None = None) -> tuple[Any, Any]:
    """The two directions' outputs from the inner layers themselves, the backward one put back in step order."""
    half = len(layer.forward_layer.state_names)
    forward = layer.forward_layer(x, initial_state=states[:half] if states else None)
    backward = layer.backward_layer(x, initial_state=states[half:] if states else None)
    if layer.return_sequences:
        backward = backward[0][:, ::-1] if layer.return_state else backward[:, ::-1]
    return forward, backward


# ---------------------------------------------------------------------------- values
@pytest.mark.parametrize("merge_mode", MODES)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_the_output_merges_the_two_directions(merge_mode, return_sequences) -> None:
    layer = Bidirectional(GRU(3, return_sequences=return_sequences), merge_mode=merge_mode)
    randomized(layer)
    f, b = by_hand(layer, X)
    expected = {
        "concat": lambda: np.concatenate([f, b], axis=-1),
        "sum": lambda: f + b,
        "mul": lambda: f * b,
        "ave": lambda: (f + b) / 2,
        None: lambda: [f, b],
    }[merge_mode]()
    got = layer(X)
    for a, e in zip(got if merge_mode is None else [got], expected if merge_mode is None else [expected], strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-12)


def test_with_return_sequences_step_t_has_read_the_whole_sequence() -> None:
    """The backward half of step t depends on the steps from t on, the forward half on those up to t."""
    layer = Bidirectional(SimpleRNN(2, return_sequences=True))
    randomized(layer)
    y = layer(X)
    changed = X.copy()
    changed[:, 4] += 1.0  # the last step
    y2 = layer(changed)
    np.testing.assert_array_equal(y2[:, :4, :2], y[:, :4, :2])  # forward: steps before 4 never read it
    assert not np.allclose(y2[:, 0, 2:], y[:, 0, 2:])  # backward: step 0 has read it


def test_the_states_are_the_forward_layers_then_the_backward_layers() -> None:
    layer = Bidirectional(LSTM(3, return_sequences=True, return_state=True))
    randomized(layer)
    rng = np.random.default_rng(4)
    states = [rng.normal(size=(4, 3)) for _ in range(4)]
    y, h_f, c_f, h_b, c_b = layer(X, initial_state=states)
    (f, fh, fc), b = by_hand(layer, X, states)
    np.testing.assert_allclose(y, np.concatenate([f, b], axis=-1), rtol=1e-12)
    _, bh, bc = layer.backward_layer(X, initial_state=states[2:])
    for got, expected in zip([h_f, c_f, h_b, c_b], [fh, fc, bh, bc], strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert layer.compute_output_shape((5, 3)) == [(5, 6), (3,), (3,), (3,), (3,)]
    none = Bidirectional(GRU(2, return_state=True), merge_mode=None)
    assert [a.shape for a in none(X)] == [(4, 2)] * 4 and none.compute_output_shape((5, 3)) == [(2,)] * 4


# ---------------------------------------------------------------------------- Keras's copies and weights
def test_both_directions_are_fresh_copies_of_the_layer_with_keras_names_and_weight_order() -> None:
    tn.utils.set_random_seed(0)
    lstm = LSTM(3, name="encoder")
    lstm(X)
    layer = Bidirectional(lstm)
    forward, backward = layer.forward_layer, layer.backward_layer
    assert forward is not lstm and backward is not lstm and not forward.built
    assert (forward.name, backward.name) == ("forward_encoder", "backward_encoder")
    assert (forward.go_backwards, backward.go_backwards) == (False, True)
    assert forward.get_config() == {**lstm.get_config(), "name": "forward_encoder"}
    layer(X)
    weights = layer.get_weights()
    assert [w.shape for w in weights] == [(3, 12), (3, 12), (12,)] * 2
    assert [id(p) for p in layer.parameters()] == [id(p) for p in [*forward.parameters(), *backward.parameters()]]
    assert not np.array_equal(weights[0], weights[3])  # each direction initialized on its own
    assert [inner.name for inner in layer.walk()][:2] == [layer.name, "forward_encoder"]


def test_a_backward_layer_given_is_used_as_given() -> None:
    backward = SimpleRNN(4, go_backwards=True, activation="relu")
    layer = Bidirectional(GRU(2), backward_layer=backward)
    assert layer.backward_layer is backward
    assert layer(X).shape == (4, 6)  # concat: 2 + 4 features


def test_a_dtype_given_casts_both_copies() -> None:
    layer = Bidirectional(LSTM(2), dtype="float64")
    assert layer.forward_layer.dtype == layer.backward_layer.dtype == np.float64
    assert layer(X).dtype == np.float64


def test_frozen_the_wrapper_trains_neither_direction() -> None:
    layer = Bidirectional(GRU(2), trainable=False)
    layer(X)
    assert layer.trainable_parameters() == [] and len(layer.parameters()) == 6


# ---------------------------------------------------------------------------- in models: training, configs, files
def test_learns_a_task_that_needs_the_last_step_read_first(tmp_path: Path) -> None:
    """The target at each step is the next step's input: only the backward direction has read it."""
    tn.utils.set_random_seed(0)
    x = np.random.default_rng(0).uniform(-1, 1, size=(256, 6, 1))
    y = np.concatenate([x[:, 1:], np.zeros_like(x[:, :1])], axis=1)
    model = tn.Sequential([Bidirectional(GRU(8, return_sequences=True), input_shape=(6, 1)), tn.layers.Dense(1)])
    model.compile(tn.optimizers.Adam(learning_rate=0.02), "mse")
    history = model.fit(x, y, batch_size=32, epochs=30, verbose=0)
    loss = history.history["loss"]
    assert loss[-1] < loss[0] / 10
    tn.saving.save_model(model, tmp_path / "bi.npz")
    loaded = tn.saving.load_model(tmp_path / "bi.npz")
    np.testing.assert_array_equal(loaded.predict(x[:8]), model.predict(x[:8]))


def test_the_config_holds_both_layers_and_round_trips() -> None:
    layer = Bidirectional(LSTM(3, return_sequences=True), merge_mode="ave", name="bi")
    config = json.loads(json.dumps(layer.get_config()))
    assert config["layer"]["config"]["name"] == "forward_" + config["layer"]["config"]["name"].removeprefix("forward_")
    assert config["backward_layer"]["config"]["go_backwards"] is True and config["merge_mode"] == "ave"
    clone = Bidirectional.from_config(config)
    assert clone.get_config() == layer.get_config()
    layer(X)
    clone.ensure_built(X.shape[1:])
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(X), layer(X))


def test_in_a_graph_with_two_outputs() -> None:
    inputs = tn.Input(shape=(5, 3))
    forward, backward = Bidirectional(GRU(2, return_sequences=True), merge_mode=None)(inputs)
    model = tn.Model(inputs, tn.layers.Add()([forward, backward]))
    assert model.compute_output_shape((5, 3)) == (5, 2)
    tn.testing.check_gradients(model.astype("float64"), X[:2], directions=3)
    clone = tn.Model.from_config(json.loads(json.dumps(model.get_config())))
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))


@tn.register(package="TestBidirectional")
class Halved(SimpleRNN):
    """A user's recurrent layer: found by its registered name."""

    def forward(self, x: Any, training: bool = False) -> Any:
        return 0.5 * super().forward(x, training)

    def backward(self, grad: Any) -> Any:
        return super().backward(0.5 * grad)


def test_a_users_recurrent_layer_is_copied_and_configured() -> None:
    layer = Bidirectional(Halved(2))
    assert type(layer.forward_layer) is Halved and type(layer.backward_layer) is Halved
    clone = Bidirectional.from_config(json.loads(json.dumps(layer.get_config())))
    assert type(clone.backward_layer) is Halved
    tn.testing.check_gradients(layer, X[:2])


# ---------------------------------------------------------------------------- refusals
def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvalidTypeError, match="layer must be a recurrent layer"):
        Bidirectional(tn.layers.Dense(3))
    with pytest.raises(InvalidTypeError, match="backward_layer must be a recurrent layer"):
        Bidirectional(LSTM(3), backward_layer=tn.layers.Dense(3))
    with pytest.raises(InvalidValueError, match="merge_mode must be one of"):
        Bidirectional(LSTM(3), merge_mode="max")
    with pytest.raises(InvalidValueError, match="both have go_backwards=False"):
        Bidirectional(LSTM(3), backward_layer=LSTM(3))
    with pytest.raises(InvalidValueError, match="return_sequences=True .* return_sequences=False"):
        Bidirectional(LSTM(3, return_sequences=True), backward_layer=LSTM(3, go_backwards=True))
    with pytest.raises(InvalidValueError, match="both have go_backwards=True"):
        Bidirectional(LSTM(3, go_backwards=True))


def test_merging_outputs_of_two_widths_other_than_by_concat_is_refused_at_build() -> None:
    layer = Bidirectional(GRU(2), merge_mode="sum", backward_layer=GRU(3, go_backwards=True))
    with pytest.raises(ShapeError, match=r"merge_mode='sum' needs outputs of one shape.*\(2,\).*\(3,\)"):
        layer(X)
    assert not layer.built


def test_bad_inputs_and_gradients_are_refused() -> None:
    layer = Bidirectional(LSTM(3, return_state=True))
    with pytest.raises(ShapeError, match=r"4 initial state\(s\)"):
        layer(X, initial_state=[np.zeros((4, 3))] * 2)
    with pytest.raises(ShapeError, match=r"\(batch, timesteps, features\)"):
        layer(X[:, 0])
    y, *states = layer(X)
    with pytest.raises(InvalidTypeError, match="list of 5 gradients"):
        layer.backward(np.ones_like(y))


@pytest.mark.parametrize(
    ("key", "entry", "error", "fragment"),
    [
        ("layer", "LSTM", InvalidValueError, "'layer' must be"),
        ("layer", {"class_name": "Adam", "config": {}}, InvalidTypeError, "not a Layer"),
        ("backward_layer", {"class_name": "NoSuchLayer", "config": {}}, UnknownIdentifierError, "NoSuchLayer"),
        ("backward_layer", {"class_name": "Dense"}, InvalidValueError, "'backward_layer' must be"),
    ],
    ids=["string", "optimizer", "unknown", "no-config"],
)
def test_from_config_refuses_an_entry_that_is_not_a_layer(key, entry, error, fragment) -> None:
    config = {**Bidirectional(GRU(2)).get_config(), key: entry}
    with pytest.raises(error, match=fragment):
        Bidirectional.from_config(config)


# ---------------------------------------------------------------------------- broken variants are caught
class BackwardGradientNotReversed(Bidirectional):
    """Hands the backward layer its gradient in the input's step order, not in the order it ran."""

    def backward(self, grad: Any) -> Any:
        self.return_sequences = False  # skips the reversal
        try:
            return super().backward(grad)
        finally:
            self.return_sequences = True


class ConcatHalvesSwapped(Bidirectional):
    def _unmerge(self, grads: list[Any], y_f: Array, y_b: Array) -> tuple[Any, Any]:
        g_f, g_b = super()._unmerge(grads, y_f, y_b)
        return g_b, g_f


class MulFactorsNotSwapped(Bidirectional):
    """d(y_f * y_b)/dy_f taken as y_f."""

    def _unmerge(self, grads: list[Any], y_f: Array, y_b: Array) -> tuple[Any, Any]:
        return grads[0] * y_f, grads[0] * y_b


class AveNotHalved(Bidirectional):
    def _unmerge(self, grads: list[Any], y_f: Array, y_b: Array) -> tuple[Any, Any]:
        return grads[0], grads[0]


class StatesHandedToTheWrongDirection(Bidirectional):
    """The backward layer's final-state gradients given to the forward layer and the other way round."""

    def backward(self, grad: Any) -> Any:
        y, h_f, h_b = grad
        return super().backward([y, h_b, h_f])


BIAS = {"bias_initializer": tn.initializers.RandomNormal(stddev=0.5, seed=5)}
BROKEN = [
    ("backward_gradient_not_reversed", lambda: BackwardGradientNotReversed(GRU(2, return_sequences=True, **BIAS))),
    ("concat_halves_swapped", lambda: ConcatHalvesSwapped(LSTM(2, return_sequences=True, **BIAS))),
    ("mul_factors_not_swapped", lambda: MulFactorsNotSwapped(SimpleRNN(2, **BIAS), merge_mode="mul")),
    ("ave_not_halved", lambda: AveNotHalved(GRU(2, **BIAS), merge_mode="ave")),
    ("states_to_the_wrong_direction", lambda: StatesHandedToTheWrongDirection(GRU(2, return_state=True, **BIAS))),
]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize("make", [b[1] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_backward_is_caught(make: Any, directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), X[:3, :4], directions=directions)


def test_a_bidirectional_rnn_of_cells_computes_what_the_bidirectional_layer_computes() -> None:
    """Bidirectional(RNN(GRUCell)) and Bidirectional(GRU) with the same weights: outputs, dx and every gradient."""
    x = np.random.default_rng(0).normal(size=(3, 4, 2))
    cells = tn.layers.Bidirectional(tn.layers.RNN(tn.layers.GRUCell(3), return_sequences=True)).astype("float64")
    layer = tn.layers.Bidirectional(tn.layers.GRU(3, return_sequences=True)).astype("float64")
    cells(x)
    layer(x)
    layer.set_weights(cells.get_weights())
    upstream = np.random.default_rng(1).normal(size=(3, 4, 6))
    np.testing.assert_allclose(cells.forward(x), layer.forward(x), rtol=1e-12)
    np.testing.assert_allclose(cells.backward(upstream), layer.backward(upstream), rtol=1e-12)
    for a, b in zip(cells.parameters(), layer.parameters(), strict=True):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12, atol=1e-15)
