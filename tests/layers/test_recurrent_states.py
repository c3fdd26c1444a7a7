"""SimpleRNN, LSTM, GRU with ``return_state``, ``initial_state`` and ``go_backwards``: Keras's semantics, pinned.

The gradients of every combination are proven by the catalogue (``tests/cases/recurrent.py``); this file
pins the forward values against the per-step references of ``test_recurrent.py``, the call forms (keyword,
list, graph), the refusals, and deliberately broken backwards that the checker must catch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, ShapeError
from tinynet.layers.gru import GRU
from tinynet.layers.lstm import LSTM
from tinynet.layers.recurrent import Recurrent
from tinynet.layers.simple_rnn import SimpleRNN

from .test_recurrent import X, randomized, reference_gru, reference_lstm, reference_simple_rnn

Array = np.ndarray
CLASSES = pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])


def states_for(layer: Recurrent, n: int = 4, seed: int = 5) -> list[Array]:
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.8, size=(n, layer.units)) for _ in layer.state_names]


def reference(layer: Recurrent, x: Array, weights: list[Array], states: list[Array] | None = None) -> tuple:
    """Every state of the per-step reference (float64) and the final c for an LSTM (else ``None``)."""
    states = states or [None, None]
    if isinstance(layer, LSTM):
        final_c: list[Array] = []
        return reference_lstm(x, *weights, h0=states[0], c0=states[1], final_c=final_c), final_c[0]
    if isinstance(layer, GRU):
        return reference_gru(x, *weights, reset_after=layer.reset_after, h0=states[0]), None
    return reference_simple_rnn(x, *weights, h0=states[0]), None


# ---------------------------------------------------------------------------- values against the references
@CLASSES
@pytest.mark.parametrize("return_sequences", [False, True])
def test_go_backwards_runs_the_reversed_sequence_and_returns_its_steps_in_that_order(cls, return_sequences) -> None:
    """Keras's go_backwards: the steps run from the last to the first, and a sequence output keeps that order."""
    layer = cls(3, go_backwards=True, return_sequences=return_sequences)
    weights = randomized(layer, X)
    expected, _ = reference(layer, X[:, ::-1], weights)
    np.testing.assert_allclose(layer(X), expected if return_sequences else expected[:, -1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "make",
    [lambda: SimpleRNN(3), lambda: LSTM(3), lambda: GRU(3), lambda: GRU(3, reset_after=False)],
    ids=["simple_rnn", "lstm", "gru", "gru_reset_before"],
)
def test_initial_states_start_the_reference_there(make) -> None:
    layer = make()
    weights = randomized(layer, X)
    states = states_for(layer)
    expected, _ = reference(layer, X, weights, states)
    np.testing.assert_allclose(layer(X, initial_state=states), expected[:, -1], rtol=1e-12, atol=1e-14)
    assert not np.allclose(layer(X), expected[:, -1])  # the states matter


@CLASSES
@pytest.mark.parametrize("return_sequences", [False, True])
def test_return_state_gives_the_output_then_the_final_states(cls, return_sequences) -> None:
    layer = cls(3, return_state=True, return_sequences=return_sequences)
    weights = randomized(layer, X)
    outputs = layer(X)
    expected, c = reference(layer, X, weights)
    assert isinstance(outputs, list) and len(outputs) == 1 + len(layer.state_names)
    np.testing.assert_allclose(outputs[0], expected if return_sequences else expected[:, -1], rtol=1e-12)
    np.testing.assert_allclose(outputs[1], expected[:, -1], rtol=1e-12)
    if cls is LSTM:
        np.testing.assert_allclose(outputs[2], c, rtol=1e-12)
    output_shape = (5, 3) if return_sequences else (3,)
    assert layer.compute_output_shape((5, 3)) == [output_shape, *[(3,)] * len(layer.state_names)]


@CLASSES
def test_all_at_once_matches_the_reference(cls) -> None:
    """From given states, backwards, every step, and the final states: the reference on the reversed input."""
    layer = cls(2, go_backwards=True, return_sequences=True, return_state=True)
    weights = randomized(layer, X)
    states = states_for(layer)
    expected, c = reference(layer, X[:, ::-1], weights, states)
    outputs = layer([X, *states])
    np.testing.assert_allclose(outputs[0], expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(outputs[1], expected[:, -1], rtol=1e-12)
    if c is not None:
        np.testing.assert_allclose(outputs[2], c, rtol=1e-12)


# ---------------------------------------------------------------------------- the call forms
def test_initial_state_keyword_list_and_single_array_are_one_call() -> None:
    lstm = LSTM(3)
    randomized(lstm, X)
    h0, c0 = states_for(lstm)
    np.testing.assert_array_equal(lstm(X, initial_state=[h0, c0]), lstm([X, h0, c0]))
    np.testing.assert_array_equal(lstm(X, initial_state=(h0, c0)), lstm([X, h0, c0]))
    gru = GRU(3)
    randomized(gru, X)
    np.testing.assert_array_equal(gru(X, initial_state=h0), gru([X, h0]))  # one state: the array alone


@CLASSES
def test_one_layer_runs_with_and_without_states_and_zero_states_change_nothing(cls) -> None:
    layer = cls(3)
    randomized(layer, X)
    zeros = [np.zeros((4, 3)) for _ in layer.state_names]
    y = layer(X)
    grad = np.random.default_rng(1).normal(size=y.shape)
    dx = layer.backward(grad)
    kernel_grad = layer.kernel.grad.copy()
    np.testing.assert_array_equal(layer(X, initial_state=zeros), y)
    dx_with, *d_states = layer.backward(grad)
    np.testing.assert_allclose(dx_with, dx, rtol=1e-12)
    np.testing.assert_allclose(layer.kernel.grad, kernel_grad, rtol=1e-12)
    assert [d.shape for d in d_states] == [(4, 3)] * len(layer.state_names)
    assert layer.input_shape == (5, 3)  # built for the sequence alone


@CLASSES
def test_backward_takes_none_for_an_output_that_reaches_no_loss(cls) -> None:
    layer = cls(3, return_state=True, return_sequences=True)
    randomized(layer, X)
    outputs = layer(X)
    grad = np.random.default_rng(2).normal(size=outputs[0].shape)
    dx = layer.backward([grad, *[np.zeros_like(s) for s in outputs[1:]]])
    np.testing.assert_array_equal(layer.backward([grad, *[None] * (len(outputs) - 1)]), dx)
    only_state = layer.backward([None, np.ones_like(outputs[1]), *[None] * (len(outputs) - 2)])
    assert only_state.shape == X.shape and np.abs(only_state).sum() > 0


def test_an_encoder_hands_its_states_to_a_decoder_in_a_graph(tmp_path: Path) -> None:
    """Keras's seq2seq: the decoder starts from the encoder's final states; gradients reach the encoder."""
    tn.utils.set_random_seed(0)
    source, target = tn.Input(shape=(5, 3)), tn.Input(shape=(4, 2))
    encoder = LSTM(6, return_state=True, name="encoder")
    _, h, c = encoder(source)
    decoded = LSTM(6, return_sequences=True, name="decoder")(target, initial_state=[h, c])
    model = tn.Model([source, target], tn.layers.Dense(2)(decoded))
    assert model.compute_output_shape([(5, 3), (4, 2)]) == (4, 2)
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(3, 5, 3)), rng.normal(size=(3, 4, 2))]
    tn.testing.check_gradients(model.astype("float64"), xs, directions=3)
    encoder_kernel = encoder.kernel.value.copy()
    model.compile(optimizer="adam", loss="mse")
    model.fit(xs, rng.normal(size=(3, 4, 2)), epochs=2, verbose=0)
    assert not np.array_equal(encoder.kernel.value, encoder_kernel)  # trained through the decoder's initial states
    clone = tn.Model.from_config(json.loads(json.dumps(model.get_config())))
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(xs, verbose=0), model.predict(xs, verbose=0), rtol=1e-6)
    tn.saving.save_model(model, tmp_path / "seq2seq.npz")
    loaded = tn.saving.load_model(tmp_path / "seq2seq.npz")
    np.testing.assert_array_equal(loaded.predict(xs, verbose=0), model.predict(xs, verbose=0))


# ---------------------------------------------------------------------------- refusals
@CLASSES
def test_initial_states_of_the_wrong_number_or_shape_are_refused_with_no_state_change(cls) -> None:
    layer = cls(3)
    count = len(layer.state_names)
    bad = [
        [X, *[np.zeros((4, 3))] * (count + 1)],
        [X, *[np.zeros((4, 2))] * count],
        [X, *[np.zeros((4, 3, 1))] * count],
    ]
    for inputs in bad:
        with pytest.raises(ShapeError, match=rf"{count} initial state\(s\) of per-sample shapes"):
            layer(inputs)
        assert not layer.built
    with pytest.raises(InvalidTypeError, match="either as initial_state= or"):
        layer([X, *states_for(layer)], initial_state=states_for(layer))
    assert layer(X, initial_state=states_for(layer)).shape == (4, 3)


def test_a_return_state_backward_wants_one_gradient_per_output() -> None:
    layer = LSTM(2, return_state=True)
    y, h, c = layer(X)
    with pytest.raises(InvalidTypeError, match="list of 3 gradients"):
        layer.backward(np.ones_like(y))
    with pytest.raises(InvalidTypeError, match="received 2"):
        layer.backward([np.ones_like(y), np.ones_like(h)])


def test_a_graph_refuses_states_of_the_wrong_shape() -> None:
    source, state = tn.Input(shape=(5, 3)), tn.Input(shape=(4,))
    with pytest.raises(ShapeError, match=r"\(batch, 3\)"):
        GRU(3)(source, initial_state=state)


# ---------------------------------------------------------------------------- broken variants are caught
class FinalCForgotten(LSTM):
    """Drops the gradient of the final c that return_state returns."""

    def step_grads(self, grad: Any, hs: Array, shown: Array | None = None) -> tuple[Array, list[Array | None]]:
        dhs, _ = super().step_grads(grad, hs, shown)
        return dhs, [None]


class FinalHForgotten(GRU):
    """Reads the output's gradient only, dropping the final h's: right only when nobody uses the state."""

    def step_grads(self, grad: Any, hs: Array, shown: Array | None = None) -> tuple[Array, list[Array | None]]:
        return super().step_grads([grad[0], None], hs, shown)


class DxNotReversed(SimpleRNN):
    """Forgets that the steps ran backwards: dx comes back in the order of the run."""

    def inputs_grad(self, x: Array, dzx: Array, d_initial: list[Array], given: bool) -> Any:
        dx = self.project_backward(x, dzx)
        return [dx, *d_initial] if given else dx


class InitialStatesGetNoGradient(LSTM):
    """Treats the initial states as constants."""

    def inputs_grad(self, x: Array, dzx: Array, d_initial: list[Array], given: bool) -> Any:
        return super().inputs_grad(x, dzx, [np.zeros_like(d) for d in d_initial], given)


class FirstStepReadsZeros(GRU):
    """Computes the recurrent kernel's gradient as if every run started from zeros."""

    @staticmethod
    def previous(hs: Array, h0: Array) -> Array:
        return Recurrent.previous(hs, np.zeros_like(h0))


def _seq(seed: int = 0) -> Array:
    return np.random.default_rng(seed).normal(size=(3, 4, 2))


def _with_states(units: int, count: int) -> list[Array]:
    rng = np.random.default_rng(9)
    return [_seq(), *[rng.normal(size=(3, units)) for _ in range(count)]]


BIAS = {"bias_initializer": tn.initializers.RandomNormal(stddev=0.5, seed=5)}
BROKEN = [
    ("final_c_forgotten", lambda: FinalCForgotten(3, return_state=True, **BIAS), _seq),
    ("final_h_forgotten", lambda: FinalHForgotten(3, return_state=True, return_sequences=True, **BIAS), _seq),
    ("dx_not_reversed", lambda: DxNotReversed(3, go_backwards=True, **BIAS), _seq),
    ("initial_states_get_no_gradient", lambda: InitialStatesGetNoGradient(3, **BIAS), lambda: _with_states(3, 2)),
    ("first_step_reads_zeros", lambda: FirstStepReadsZeros(3, **BIAS), lambda: _with_states(3, 1)),
]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(("make", "inputs"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_backward_is_caught(make: Any, inputs: Any, directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), inputs(), directions=directions)
