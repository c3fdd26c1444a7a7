"""RNN and its cells: the same numbers as LSTM, GRU and SimpleRNN, a user's cell, stacks, PyTorch, refusals.

Gradients (entry by entry and along random directions), masks, config round trips and the
backward contracts are checked for every catalogue case in ``tests/test_contracts.py``
(cases in ``tests/cases/rnn.py``); this file pins that ``RNN(cell)`` is the layer of the same
name, output for output and gradient for gradient, that a wrong ``backward_step`` is caught,
and the errors.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import CallOrderError, InvalidTypeError, InvalidValueError, ShapeError
from tinynet.layers import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells

from ..cases.rnn import MinimalCell

PAIRS = {
    "simple_rnn": (lambda: SimpleRNNCell(3), lambda **kw: SimpleRNN(3, **kw), 1),
    "lstm": (lambda: LSTMCell(3), lambda **kw: LSTM(3, **kw), 2),
    "gru": (lambda: GRUCell(3), lambda **kw: GRU(3, **kw), 1),
    "gru_reset_before": (lambda: GRUCell(3, reset_after=False), lambda **kw: GRU(3, reset_after=False, **kw), 1),
    "lstm_relu_linear": (
        lambda: LSTMCell(3, activation="relu", recurrent_activation=None),
        lambda **kw: LSTM(3, activation="relu", recurrent_activation=None, **kw),
        2,
    ),
}
OPTIONS = [
    {},
    {"return_sequences": True},
    {"return_state": True, "go_backwards": True},
    {"return_sequences": True, "return_state": True, "go_backwards": True},
    {"return_sequences": True, "zero_output_for_mask": True},
]


def _randomized(layer: tn.Layer, x: np.ndarray, weights: list[np.ndarray] | None = None) -> list[np.ndarray]:
    layer.astype("float64").ensure_built(x.shape[1:])
    rng = np.random.default_rng(4)
    weights = weights or [rng.normal(scale=0.6, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


def _run(layer: tn.Layer, inputs: Any, mask: Any) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Outputs, input gradients and parameter gradients for one random upstream gradient per output."""
    y = layer.forward(inputs, mask=mask)
    ys = y if isinstance(y, list) else [y]
    rng = np.random.default_rng(8)
    upstream = [rng.normal(size=a.shape) for a in ys]
    dx = layer.backward(upstream if isinstance(y, list) else upstream[0])
    return ys, dx if isinstance(dx, list) else [dx], [p.grad.copy() for p in layer.parameters()]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(o) or "last")
@pytest.mark.parametrize("states", [False, True], ids=["zeros", "initial_state"])
@pytest.mark.parametrize("masked", [False, True], ids=["", "masked"])
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_rnn_of_a_cell_is_the_layer_of_that_name(name: str, options: dict, states: bool, masked: bool) -> None:
    """Same weights, same outputs, input gradients and parameter gradients, in every way of calling."""
    make_cell, make_layer, count = PAIRS[name]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 2))
    inputs: Any = [x, *[rng.normal(size=(4, 3)) for _ in range(count)]] if states else x
    mask = (rng.uniform(size=(4, 5)) > 0.3) if masked else None
    rnn, layer = RNN(make_cell(), **options), make_layer(**options)
    weights = _randomized(rnn, x)
    _randomized(layer, x, weights)
    for got, want in zip(_run(rnn, inputs, mask), _run(layer, inputs, mask), strict=True):
        assert len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_rnn_of_each_cell_keeps_the_layers_weight_names_shapes_and_order() -> None:
    for cell, layer in ((SimpleRNNCell(4), SimpleRNN(4)), (LSTMCell(4), LSTM(4)), (GRUCell(4), GRU(4))):
        rnn = RNN(cell)
        rnn.ensure_built((5, 3))
        layer.ensure_built((5, 3))
        assert [(p.name, p.shape) for p in rnn.parameters()] == [(p.name, p.shape) for p in layer.parameters()]
        assert cell.output_size == 4 and cell.state_size == ([4, 4] if isinstance(cell, LSTMCell) else 4)


def test_a_seeded_cell_starts_with_the_layers_weights() -> None:
    """The same initializers in the same order: the same seed gives the same numbers as the layer's."""
    for make_cell, make_layer in ((lambda: LSTMCell(3), lambda: LSTM(3)), (lambda: GRUCell(3), lambda: GRU(3))):
        tn.utils.set_random_seed(7)
        rnn = RNN(make_cell())
        rnn.ensure_built((4, 2))
        tn.utils.set_random_seed(7)
        layer = make_layer()
        layer.ensure_built((4, 2))
        for a, b in zip(rnn.get_weights(), layer.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- a user's cell, stacks
def test_a_users_cell_runs_in_rnn_and_is_proven_by_check_gradients() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 2))
    tn.testing.check_gradients(RNN(MinimalCell(3), return_sequences=True, go_backwards=True), x)
    tn.testing.check_gradients(RNN(MinimalCell(3), return_state=True), [x, rng.normal(size=(3, 3))])
    tn.testing.check_gradients(MinimalCell(3), [x[:, 0], rng.normal(size=(3, 3))])  # one step alone


def test_a_users_cell_trains_saves_and_loads(tmp_path) -> None:
    tn.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5, 1))
    y = x.sum(axis=1)
    model = tn.Sequential([RNN(MinimalCell(8), input_shape=(5, 1)), tn.layers.Dense(1)])
    model.compile(optimizer=tn.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    model.save(tmp_path / "m.npz")
    clone = tn.load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_stacked_cells_are_the_layers_stacked() -> None:
    """RNN([LSTMCell, GRUCell]) computes LSTM(return_sequences) then GRU, given the same weights."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 6, 2))
    rnn = RNN(StackedRNNCells([LSTMCell(4), GRUCell(3)]), return_state=True)
    weights = _randomized(rnn, x)
    lstm, gru = LSTM(4, return_sequences=True, return_state=True), GRU(3, return_state=True)
    _randomized(lstm, x, weights[:3])
    middle, h_0, c_0 = lstm(x)
    _randomized(gru, middle, weights[3:])
    output, h_1 = gru(middle)
    for got, want in zip(rnn(x), [output, h_0, c_0, h_1], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_stacked_states_are_flat_and_keras_nested_initial_states_are_taken() -> None:
    rng = np.random.default_rng(3)
    x, h_0, c_0, h_1 = (
        rng.normal(size=(2, 4, 3)),
        rng.normal(size=(2, 2)),
        rng.normal(size=(2, 2)),
        rng.normal(size=(2, 5)),
    )
    rnn = RNN([LSTMCell(2), SimpleRNNCell(5)], return_state=True)
    assert rnn.cell.state_size == [[2, 2], 5] and rnn.state_shapes() == [(2,), (2,), (5,)]
    flat = rnn(x, initial_state=[h_0, c_0, h_1])
    nested = rnn(x, initial_state=[[h_0, c_0], h_1])
    for a, b in zip(flat, nested, strict=True):
        np.testing.assert_array_equal(a, b)
    assert [a.shape for a in flat] == [(2, 5), (2, 2), (2, 2), (2, 5)]


def test_rnn_in_a_graph_takes_an_encoders_states() -> None:
    source, target = tn.Input(shape=(6, 3)), tn.Input(shape=(None, 2))
    _, h, c = RNN(LSTMCell(4), return_state=True)(source)
    decoded = RNN(LSTMCell(4), return_sequences=True)(target, initial_state=[h, c])
    model = tn.Model([source, target], tn.layers.Dense(2)(decoded))
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(8, 6, 3)), rng.normal(size=(8, 4, 2))]
    model.fit(xs, rng.normal(size=(8, 4, 2)), epochs=1, verbose=0)
    assert model.predict(xs, verbose=0).shape == (8, 4, 2)


# ---------------------------------------------------------------------------- broken cells are caught
class GradientOverwritten(MinimalCell):
    """Sets the parameters' gradients at each step instead of adding to them: only the first step's survive."""

    def backward_step(self, d_output, d_states):
        x_t, h_prev, h = self.recall_step("x_t", "h_prev", "h")
        dz = (d_output + d_states[0]) * (1.0 - h * h)
        self.kernel.grad = x_t.T @ dz
        self.recurrent_kernel.grad = h_prev.T @ dz
        self.bias.grad = dz.sum(axis=0)
        return dz @ self.kernel.value.T, [dz @ self.recurrent_kernel.value.T]


class StateGradientDropped(MinimalCell):
    """Ignores the gradient reaching the new state from later steps (truncated backpropagation)."""

    def backward_step(self, d_output, d_states):
        return super().backward_step(d_output, [np.zeros_like(d_states[0])])


class NoTanhDerivative(MinimalCell):
    """Forgets the tanh's derivative."""

    def backward_step(self, d_output, d_states):
        x_t, h_prev, _ = self.recall_step("x_t", "h_prev", "h")
        dz = d_output + d_states[0]
        self.kernel.grad += x_t.T @ dz
        self.recurrent_kernel.grad += h_prev.T @ dz
        self.bias.grad += dz.sum(axis=0)
        return dz @ self.kernel.value.T, [dz @ self.recurrent_kernel.value.T]


class ForgetGateFromH(LSTMCell):
    """Multiplies the forget gate's gradient by h_prev instead of c_prev."""

    def forward_step(self, x_t, states):
        step = super().forward_step(x_t, states)
        self.remember_step(c_prev=states[0])  # what backward_step reads as c_prev is h_prev
        return step


BROKEN = [
    ("gradient_overwritten", lambda: RNN(GradientOverwritten(3))),
    ("state_gradient_dropped", lambda: RNN(StateGradientDropped(3), return_sequences=True)),
    ("no_tanh_derivative", lambda: RNN(NoTanhDerivative(3), go_backwards=True)),
    ("forget_gate_from_h", lambda: RNN(ForgetGateFromH(3), return_state=True)),
    ("broken_cell_in_a_stack", lambda: RNN([SimpleRNNCell(2), StateGradientDropped(3)])),
]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize("make", [b[1] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_backward_step_is_caught(make: Any, directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    x = np.random.default_rng(5).normal(size=(3, 4, 2))
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), x, directions=directions)


# ---------------------------------------------------------------------------- PyTorch, float64
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch not installed")
@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
def test_rnn_of_a_cell_matches_pytorch(kind: str) -> None:
    """torch.nn.LSTM / GRU / RNN (tanh), float64: outputs, dx, and every weight's gradient (layouts converted)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x, units = rng.normal(size=(3, 5, 2)), 4
    cell = {"lstm": LSTMCell(units), "gru": GRUCell(units), "simple_rnn": SimpleRNNCell(units)}[kind]
    rnn = RNN(cell, return_sequences=True)
    kernel, recurrent, bias = _randomized(rnn, x)
    y, (dx,), (dkernel, drecurrent, dbias) = _run(rnn, x, None)
    # torch's gate blocks: LSTM i, f, g, o (Keras's); GRU r, z, n (Keras's z, r, h); weights (gates * units, in)
    order = [1, 0, 2] if kind == "gru" else list(range(kernel.shape[1] // units))

    def blocks(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a[..., g * units : (g + 1) * units] for g in order], axis=-1)

    bias_ih, bias_hh = (bias[0], bias[1]) if kind == "gru" else (bias, np.zeros_like(bias))
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simple_rnn": torch.nn.RNN}[kind]
    net = module(2, units, batch_first=True).double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(blocks(kernel).T))
        net.weight_hh_l0.copy_(torch.tensor(blocks(recurrent).T))
        net.bias_ih_l0.copy_(torch.tensor(blocks(bias_ih)))
        net.bias_hh_l0.copy_(torch.tensor(blocks(bias_hh)))
    xt = torch.tensor(x, requires_grad=True)
    yt, _ = net(xt)
    yt.backward(torch.tensor(np.random.default_rng(8).normal(size=y[0].shape)))
    np.testing.assert_allclose(y[0], yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(blocks(dkernel), net.weight_ih_l0.grad.numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(blocks(drecurrent), net.weight_hh_l0.grad.numpy().T, rtol=1e-10, atol=1e-12)
    dbias_ih = blocks(dbias[0] if kind == "gru" else dbias)
    np.testing.assert_allclose(dbias_ih, net.bias_ih_l0.grad.numpy(), rtol=1e-10, atol=1e-12)
    if kind == "gru":
        np.testing.assert_allclose(blocks(dbias[1]), net.bias_hh_l0.grad.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------- refusals
def test_what_is_not_a_cell_is_refused() -> None:
    with pytest.raises(InvalidTypeError, match="RNN 'rnn': cell must be a cell .* received Dense"):
        RNN(tn.layers.Dense(3))
    with pytest.raises(InvalidTypeError, match="cell 1 must be a cell .* received LSTM"):
        StackedRNNCells([LSTMCell(2), LSTM(2)])
    with pytest.raises(InvalidTypeError, match="non-empty list"):
        StackedRNNCells([])


def test_a_bad_state_size_and_keras_options_not_supported_are_refused() -> None:
    cell = MinimalCell(3)
    cell.state_size = 0
    with pytest.raises(InvalidValueError, match=r"state_size must be a positive int .* received 0"):
        RNN(cell)
    for option in ("stateful", "unroll"):
        with pytest.raises(InvalidValueError, match=f"{option} not supported yet"):
            RNN(LSTMCell(2), **{option: True})
    for option in ("dropout", "recurrent_dropout", "seed"):
        with pytest.raises(InvalidValueError, match=f"LSTMCell: {option} not supported yet"):
            LSTMCell(2, **{option: 0.1})


def test_bad_shapes_are_refused_with_no_state_change() -> None:
    rnn = RNN(LSTMCell(2))
    with pytest.raises(ShapeError, match=r"expected input of shape \(batch, timesteps, features\)"):
        rnn(np.ones((3, 4)))
    assert not rnn.built and not rnn.cell.built
    rnn(np.ones((3, 4, 2)))
    with pytest.raises(ShapeError, match=r"2 initial state\(s\) of per-sample shapes"):
        rnn(np.ones((3, 4, 2)), initial_state=[np.ones((3, 2))])
    with pytest.raises(ShapeError, match="expected a step's input of per-sample shape"):
        LSTMCell(2)(np.ones((3, 4, 2)))
    with pytest.raises(ShapeError, match=r"a step takes its input and 1 state\(s\)"):
        GRUCell(2)([np.ones((3, 4)), np.ones((3, 5))])


def test_a_step_that_remembered_nothing_says_so() -> None:
    class Forgetful(MinimalCell):
        def forward_step(self, x_t, states):
            h = np.tanh(x_t @ self.kernel.value + states[0] @ self.recurrent_kernel.value)
            return h, [h]

    rnn = RNN(Forgetful(2))
    y = rnn(np.ones((2, 3, 1)))
    with pytest.raises(CallOrderError, match=r"recall_step\('x_t', 'h_prev', 'h'\) for step 2.*remember_step"):
        rnn.backward(np.ones_like(y))
