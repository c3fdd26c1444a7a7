"""SimpleRNN, LSTM, GRU: a per-step reference, Keras's layout and gate order, shapes, dtypes, training, bad input.

Gradients (entry by entry and along random directions), config round trips and the
backward contracts are checked for every catalogue case in ``tests/test_contracts.py``
(cases in ``tests/cases/recurrent.py``); this file pins what those cannot: that the
forward pass is the Keras computation, weight for weight.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError, UnknownIdentifierError
from tinynet.layers.gru import GRU
from tinynet.layers.lstm import LSTM
from tinynet.layers.simple_rnn import SimpleRNN
from tinynet.registry import get_registered_class, serialize


# ---------------------------------------------------------------------------- a plain per-step reference
def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


FUNCTIONS = {"tanh": np.tanh, "sigmoid": sigmoid, "relu": lambda z: np.maximum(z, 0.0), None: lambda z: z}


def reference_simple_rnn(x, kernel, recurrent_kernel, bias, act=np.tanh, h0=None):
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0])) if h0 is None else h0
    hs = []
    for t in range(x.shape[1]):
        h = act(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        hs.append(h)
    return np.stack(hs, axis=1)


def reference_lstm(x, kernel, recurrent_kernel, bias, act=np.tanh, rec=sigmoid, h0=None, c0=None, final_c=None):
    """Keras's LSTMCell, gate by gate: the kernel's column blocks are i, f, c, o. ``final_c`` (a list) gets c."""
    w_i, w_f, w_c, w_o = np.split(kernel, 4, axis=1)
    u_i, u_f, u_c, u_o = np.split(recurrent_kernel, 4, axis=1)
    b_i, b_f, b_c, b_o = np.split(bias, 4)
    h = c = np.zeros((x.shape[0], recurrent_kernel.shape[0]))
    h, c = (h if h0 is None else h0), (c if c0 is None else c0)
    hs = []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        i = rec(x_t @ w_i + h @ u_i + b_i)
        f = rec(x_t @ w_f + h @ u_f + b_f)
        c = f * c + i * act(x_t @ w_c + h @ u_c + b_c)
        o = rec(x_t @ w_o + h @ u_o + b_o)
        h = o * act(c)
        hs.append(h)
    if final_c is not None:
        final_c.append(c)
    return np.stack(hs, axis=1)


def reference_gru(x, kernel, recurrent_kernel, bias, reset_after=True, act=np.tanh, rec=sigmoid, h0=None):
    """Keras's GRUCell, gate by gate: the column blocks are z (update), r (reset), h (candidate)."""
    w_z, w_r, w_h = np.split(kernel, 3, axis=1)
    u_z, u_r, u_h = np.split(recurrent_kernel, 3, axis=1)
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
    bx_z, bx_r, bx_h = np.split(input_bias, 3)
    bh_z, bh_r, bh_h = np.split(recurrent_bias, 3)
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0])) if h0 is None else h0
    hs = []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        z = rec(x_t @ w_z + bx_z + h @ u_z + bh_z)
        r = rec(x_t @ w_r + bx_r + h @ u_r + bh_r)
        if reset_after:
            hh = act(x_t @ w_h + bx_h + r * (h @ u_h + bh_h))
        else:
            hh = act(x_t @ w_h + bx_h + (r * h) @ u_h)
        h = z * h + (1 - z) * hh
        hs.append(h)
    return np.stack(hs, axis=1)


def randomized(layer: tn.Layer, x: np.ndarray, seed: int = 0) -> list[np.ndarray]:
    """Build ``layer`` (float64) for ``x`` and give every parameter, biases included, random values."""
    layer.astype("float64").ensure_built(x.shape[1:])
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=0.6, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


X = np.random.default_rng(1).normal(size=(4, 5, 3))
ACTIVATIONS = [("tanh", "sigmoid"), ("relu", "sigmoid"), (None, "tanh"), ("tanh", None)]


@pytest.mark.parametrize("activation", ["tanh", "relu", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn_matches_the_reference(activation, return_sequences) -> None:
    layer = SimpleRNN(3, activation=activation, return_sequences=return_sequences)
    kernel, recurrent_kernel, bias = randomized(layer, X)
    expected = reference_simple_rnn(X, kernel, recurrent_kernel, bias, FUNCTIONS[activation])
    np.testing.assert_allclose(layer(X), expected if return_sequences else expected[:, -1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation, recurrent_activation", ACTIVATIONS)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_matches_the_reference(activation, recurrent_activation, return_sequences) -> None:
    layer = LSTM(3, activation=activation, recurrent_activation=recurrent_activation, return_sequences=return_sequences)
    weights = randomized(layer, X)
    expected = reference_lstm(X, *weights, FUNCTIONS[activation], FUNCTIONS[recurrent_activation])
    np.testing.assert_allclose(layer(X), expected if return_sequences else expected[:, -1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("activation, recurrent_activation", ACTIVATIONS)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gru_matches_the_reference(reset_after, activation, recurrent_activation, return_sequences) -> None:
    layer = GRU(
        3,
        activation=activation,
        recurrent_activation=recurrent_activation,
        reset_after=reset_after,
        return_sequences=return_sequences,
    )
    weights = randomized(layer, X)
    expected = reference_gru(X, *weights, reset_after, FUNCTIONS[activation], FUNCTIONS[recurrent_activation])
    np.testing.assert_allclose(layer(X), expected if return_sequences else expected[:, -1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("make", [LSTM, GRU], ids=["lstm", "gru"])
def test_without_bias_matches_the_reference_with_a_zero_bias(make) -> None:
    layer = make(2, use_bias=False)
    kernel, recurrent_kernel = randomized(layer, X)
    width = kernel.shape[1]
    if isinstance(layer, LSTM):
        expected = reference_lstm(X, kernel, recurrent_kernel, np.zeros(width))
    else:
        expected = reference_gru(X, kernel, recurrent_kernel, np.zeros((2, width)))
    assert [p.name for p in layer.parameters()] == ["kernel", "recurrent_kernel"]
    np.testing.assert_allclose(layer(X), expected[:, -1], rtol=1e-12)


# ---------------------------------------------------------------------------- Keras's layout, pinned by hand
def sig(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


SEQUENCE = np.array([[[1.0], [-2.0]]])  # one sample, two steps, one feature


def test_lstm_gate_order_is_keras_i_f_c_o() -> None:
    """units=1: each of the four columns is one gate, each with its own weight, so a swap shows."""
    layer = LSTM(1, return_sequences=True).astype("float64")
    layer.ensure_built((2, 1))
    layer.set_weights([[[0.1, 0.2, 0.3, 0.4]], [[0.5, 0.6, 0.7, 0.8]], [0.01, 0.02, 0.03, 0.04]])
    # step 1 (h = c = 0, x = 1)
    i, f, g, o = sig(0.11), sig(0.22), math.tanh(0.33), sig(0.44)
    c1 = i * g  # f multiplies c = 0
    h1 = o * math.tanh(c1)
    # step 2 (x = -2)
    i = sig(-0.2 + 0.5 * h1 + 0.01)
    f = sig(-0.4 + 0.6 * h1 + 0.02)
    g = math.tanh(-0.6 + 0.7 * h1 + 0.03)
    o = sig(-0.8 + 0.8 * h1 + 0.04)
    c2 = f * c1 + i * g
    h2 = o * math.tanh(c2)
    np.testing.assert_allclose(layer(SEQUENCE)[0, :, 0], [h1, h2], rtol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_gate_order_is_keras_z_r_h_and_bias_rows_input_then_recurrent(reset_after: bool) -> None:
    layer = GRU(1, reset_after=reset_after, return_sequences=True).astype("float64")
    layer.ensure_built((2, 1))
    bias = [[0.01, 0.02, 0.03], [0.04, 0.05, 0.06]] if reset_after else [0.01, 0.02, 0.03]
    layer.set_weights([[[0.1, 0.2, 0.3]], [[0.4, 0.5, 0.6]], bias])
    bh = (0.04, 0.05, 0.06) if reset_after else (0.0, 0.0, 0.0)
    h = 0.0
    hs = []
    for x in (1.0, -2.0):
        z = sig(0.1 * x + 0.01 + 0.4 * h + bh[0])
        r = sig(0.2 * x + 0.02 + 0.5 * h + bh[1])
        if reset_after:
            hh = math.tanh(0.3 * x + 0.03 + r * (0.6 * h + bh[2]))
        else:
            hh = math.tanh(0.3 * x + 0.03 + 0.6 * (r * h))
        h = z * h + (1 - z) * hh
        hs.append(h)
    np.testing.assert_allclose(layer(SEQUENCE)[0, :, 0], hs, rtol=1e-12)


def test_simple_rnn_pinned_by_hand() -> None:
    layer = SimpleRNN(1, return_sequences=True).astype("float64")
    layer.ensure_built((2, 1))
    layer.set_weights([[[0.7]], [[-0.3]], [0.1]])
    h1 = math.tanh(0.7 + 0.1)
    h2 = math.tanh(-1.4 - 0.3 * h1 + 0.1)
    np.testing.assert_allclose(layer(SEQUENCE)[0, :, 0], [h1, h2], rtol=1e-12)


@pytest.mark.parametrize(
    "make, shapes",
    [
        (lambda: SimpleRNN(4), [(3, 4), (4, 4), (4,)]),
        (lambda: LSTM(4), [(3, 16), (4, 16), (16,)]),
        (lambda: GRU(4), [(3, 12), (4, 12), (2, 12)]),
        (lambda: GRU(4, reset_after=False), [(3, 12), (4, 12), (12,)]),
    ],
    ids=["simple_rnn", "lstm", "gru", "gru_reset_before"],
)
def test_parameters_have_keras_names_shapes_and_order(make, shapes) -> None:
    layer = make()
    layer.ensure_built((5, 3))
    assert [p.name for p in layer.parameters()] == ["kernel", "recurrent_kernel", "bias"]
    assert [w.shape for w in layer.get_weights()] == shapes


def test_lstm_unit_forget_bias_opens_the_forget_gate_only() -> None:
    layer = LSTM(3)
    layer.ensure_built((2, 2))
    np.testing.assert_array_equal(layer.bias.value, [0] * 3 + [1] * 3 + [0] * 6)
    off = LSTM(3, unit_forget_bias=False)
    off.ensure_built((2, 2))
    np.testing.assert_array_equal(off.bias.value, np.zeros(12))
    constant = LSTM(2, bias_initializer=tn.initializers.Constant(0.5))
    constant.ensure_built((2, 2))
    np.testing.assert_array_equal(constant.bias.value, [0.5, 0.5, 1, 1, 0.5, 0.5, 0.5, 0.5])


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_recurrent_kernel_starts_orthogonal(cls) -> None:
    layer = cls(3)
    layer.ensure_built((2, 2))
    u = layer.recurrent_kernel.value.astype(np.float64)
    np.testing.assert_allclose(u @ u.T, np.eye(u.shape[0]), atol=1e-6)  # orthonormal rows, as in Keras


def test_seeded_lstm_is_reproducible() -> None:
    tn.utils.set_random_seed(3)
    a = LSTM(3)(X)
    tn.utils.set_random_seed(3)
    b = LSTM(3)(X)
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- shapes and dtypes
@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_return_sequences_shapes_and_last_step(cls) -> None:
    tn.utils.set_random_seed(0)
    sequences = cls(3, return_sequences=True)
    last = cls(3)
    ys = sequences(X)
    last.ensure_built(X.shape[1:])
    last.set_weights(sequences.get_weights())
    y = last(X)
    assert ys.shape == (4, 5, 3) and y.shape == (4, 3)
    np.testing.assert_array_equal(ys[:, -1], y)
    assert sequences.compute_output_shape((5, 3)) == (5, 3) and last.compute_output_shape((5, 3)) == (3,)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_last_state_backward_is_sequence_backward_with_grad_at_the_last_step(cls) -> None:
    tn.utils.set_random_seed(0)
    sequences, last = cls(2, return_sequences=True).astype("float64"), cls(2).astype("float64")
    sequences(X)
    last.ensure_built(X.shape[1:])
    last.set_weights(sequences.get_weights())
    last(X)
    grad = np.random.default_rng(0).normal(size=(4, 2))
    dx_last = last.backward(grad)
    full = np.zeros((4, 5, 2))
    full[:, -1] = grad
    dx_sequences = sequences.backward(full)
    np.testing.assert_allclose(dx_last, dx_sequences, rtol=1e-12)
    for a, b in zip(last.parameters(), sequences.parameters(), strict=True):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12)


@pytest.mark.parametrize(
    "make",
    [lambda: SimpleRNN(3), lambda: LSTM(3, return_sequences=True), lambda: GRU(3, reset_after=False)],
    ids=["simple_rnn", "lstm_sequences", "gru_reset_before"],
)
def test_float32_stays_float32_and_float64_works(make) -> None:
    layer = make()
    y = layer(X.astype(np.float32))
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == np.float32
    assert all(p.value.dtype == p.grad.dtype == np.float32 for p in layer.parameters())
    layer.astype("float64")
    assert layer(X).dtype == np.float64 and layer.backward(np.ones(y.shape)).dtype == np.float64


def test_gru_takes_another_batch_size_after_build() -> None:
    layer = GRU(2)
    assert layer(X).shape == (4, 2)
    assert layer(X[:1]).shape == (1, 2)


def test_lstm_one_activation_instance_may_serve_both_roles() -> None:
    act = tn.activations.Tanh()
    layer = LSTM(2, activation=act, recurrent_activation=act)
    assert layer.recurrent_activation is not layer.activation
    layer(X)
    assert len(list(layer.walk())) == 3


# ---------------------------------------------------------------------------- training
@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_learns_the_sum_of_short_sequences(cls) -> None:
    tn.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(256, 5, 1))
    y = x.sum(axis=1)
    model = tn.Sequential([cls(8, input_shape=(5, 1)), tn.layers.Dense(1)])
    model.compile(tn.optimizers.Adam(learning_rate=0.01), "mse")
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=32, epochs=40, verbose=0)  # 320 steps
    assert time.perf_counter() - start < 3.0
    loss = history.history["loss"]
    assert loss[-1] < loss[0] / 100 and loss[-1] < 0.02


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
@pytest.mark.parametrize("shape, received", [((4, 3), "(3,)"), ((4, 5, 3, 2), "(5, 3, 2)"), ((4, 0, 3), "(0, 3)")])
def test_a_sequence_of_the_wrong_rank_is_refused_with_no_state_change(cls, shape, received) -> None:
    layer = cls(2)
    with pytest.raises(ShapeError) as error:
        layer(np.ones(shape))
    message = str(error.value)
    assert layer.name in message and cls.__name__ in message
    assert "(batch, timesteps, features)" in message and received in message
    assert not layer.built and layer.parameters() == [] and layer.input_shape is None
    assert layer(X).shape == (4, 2)  # the same layer still works


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_other_features_or_timesteps_after_build_are_refused_with_no_state_change(cls) -> None:
    layer = cls(2).astype("float64")
    layer(X)
    grad = np.ones((4, 2))
    dx = layer.backward(grad)
    weights = layer.get_weights()
    for bad in (X[:, :, :2], X[:, :3]):
        with pytest.raises(ShapeError, match=r"expected input of shape \(batch, 5, 3\)"):
            layer(bad)
    for before, after in zip(weights, layer.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(layer.backward(grad), dx)  # what forward remembered is intact


def test_lstm_in_a_sequential_given_a_flat_input_shape_is_refused() -> None:
    with pytest.raises(ShapeError, match=r"\(batch, timesteps, features\).*\(5,\)"):
        tn.Sequential([LSTM(4, input_shape=(5,)), tn.layers.Dense(1)])


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_bad_arguments_are_refused(cls) -> None:
    with pytest.raises(InvalidValueError, match="units must be a positive int"):
        cls(0)
    with pytest.raises(InvalidValueError, match="units"):
        cls(2.5)
    with pytest.raises(UnknownIdentifierError):
        cls(2, activation="tanhh")
    with pytest.raises(InvalidValueError, match="stateful not supported yet"):
        cls(2, stateful=True)
    with pytest.raises(TypeError):  # past the regularizers, arguments are keyword-only (Keras has others there)
        cls(2, "tanh", *([None] * 9), True)


# ---------------------------------------------------------------------------- config
@pytest.mark.parametrize(
    "make, keys",
    [
        (lambda: SimpleRNN(3, activation="relu"), set()),
        (lambda: LSTM(3, unit_forget_bias=False), {"recurrent_activation", "unit_forget_bias"}),
        (lambda: GRU(3, reset_after=False, return_sequences=True), {"recurrent_activation", "reset_after"}),
    ],
    ids=["simple_rnn", "lstm", "gru"],
)
def test_config_has_keras_keys_and_round_trips(make, keys) -> None:
    layer = make()
    config = json.loads(json.dumps(layer.get_config()))
    common = {"units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "return_sequences"}
    common |= {"return_state", "go_backwards"}
    assert common | keys <= set(config)
    clone = get_registered_class(type(layer).__name__).from_config(config)
    assert clone.get_config() == layer.get_config()
    layer.ensure_built((5, 3))
    clone.ensure_built((5, 3))
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in layer.get_weights()]


# ---------------------------------------------------------------------------- the Orthogonal initializer
@pytest.mark.parametrize("shape", [(3, 12), (12, 3), (5, 5), (2, 3, 4), (1, 1)])
def test_orthogonal_is_orthonormal_along_its_shorter_side(shape) -> None:
    w = tn.initializers.Orthogonal(gain=2.0, seed=0)(shape, dtype="float64")
    assert w.shape == shape and w.dtype == np.float64
    m = w.reshape(-1, shape[-1]) / 2.0
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, np.eye(min(m.shape)), atol=1e-12)


def test_orthogonal_id_seed_config_and_bad_shapes() -> None:
    init = tn.initializers.get("orthogonal")
    assert type(init) is tn.initializers.Orthogonal and tn.initializers.orthogonal is tn.initializers.Orthogonal
    assert init((3, 3)).dtype == np.float32
    a, b = tn.initializers.Orthogonal(seed=4), tn.initializers.Orthogonal(seed=4)
    np.testing.assert_array_equal(a((4, 4)), b((4, 4)))
    clone = tn.initializers.get(json.loads(json.dumps(serialize(tn.initializers.Orthogonal(gain=0.5, seed=1)))))
    assert clone.get_config() == {"gain": 0.5, "seed": 1}
    assert tn.initializers.Orthogonal()((0, 3)).shape == (0, 3)
    with pytest.raises(InvalidValueError, match="at least two dimensions"):
        tn.initializers.Orthogonal()((4,))
