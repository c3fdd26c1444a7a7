"""RepeatVector and TimeDistributed: values against step-by-step references, the wrapped layer as a sub-layer
(walked, frozen, trained, saved), configs, refusals, and deliberately broken backwards that the checker catches.

The gradients of both are proven by the catalogue (tests/cases/sequence.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError, UnknownIdentifierError
from tinynet.layers.sequence import RepeatVector, TimeDistributed, _fold
from tinynet.registry import get_registered_class, serialize

L = tn.layers
Array = np.ndarray


def sequence(shape: tuple[int, ...] = (3, 5, 4), seed: int = 0) -> Array:
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=shape)


def dense(units: int = 3, **kwargs: Any) -> L.Dense:
    tn.utils.set_random_seed(0)
    return L.Dense(units, bias_initializer=tn.initializers.RandomNormal(seed=1), **kwargs)


# ---------------------------------------------------------------------------- RepeatVector
def test_repeat_vector_copies_each_sample_to_every_step_and_sums_the_gradient_back() -> None:
    layer = RepeatVector(4)
    x = sequence((3, 2)).astype(np.float32)
    y = layer(x)
    assert y.shape == (3, 4, 2) and y.dtype == np.float32
    for t in range(4):
        np.testing.assert_array_equal(y[:, t], x)
    y[0, 0, 0] = 99.0  # the steps are copies, not views of x or of each other
    assert x[0, 0] != 99.0 and y[0, 1, 0] != 99.0
    grad = sequence((3, 4, 2), seed=1).astype(np.float32)
    np.testing.assert_array_equal(layer.backward(grad), grad.sum(axis=1))
    assert layer.compute_output_shape((2,)) == (4, 2)


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "3"])
def test_repeat_vector_refuses_a_count_that_is_not_a_positive_int(n: Any) -> None:
    with pytest.raises((InvalidTypeError, InvalidValueError), match="RepeatVector.*n"):
        RepeatVector(n)


def test_repeat_vector_refuses_a_sequence_and_stays_unbuilt() -> None:
    layer = RepeatVector(2, name="repeat")
    with pytest.raises(ShapeError, match=r"RepeatVector 'repeat'.*\(batch, features\).*\(5, 4\)"):
        layer(sequence())
    assert not layer.built


# ---------------------------------------------------------------------------- TimeDistributed: values
@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda: dense(activation="tanh"), (3, 5, 4)),
        (lambda: L.Conv1D(2, 2, padding="same", bias_initializer=tn.initializers.RandomNormal(seed=2)), (2, 3, 6, 2)),
        (lambda: L.LayerNorm(), (2, 4, 3)),
        (lambda: tn.Sequential([dense(4, activation="relu"), L.Dense(2)]), (2, 3, 4)),
    ],
    ids=["dense", "conv1d", "layernorm", "sequential"],
)
def test_time_distributed_equals_the_layer_run_on_each_step(make: Any, shape: tuple[int, ...]) -> None:
    """Forward, dx and the parameter gradients equal a loop over the steps (gradients summed over them)."""
    wrapper = TimeDistributed(make()).astype("float64")
    x, grad_seed = sequence(shape), 3
    y = wrapper(x)
    grad = sequence(y.shape, seed=grad_seed)
    dx = wrapper.backward(grad)
    reference = wrapper.layer  # the same parameters, run one step at a time
    summed = [np.zeros_like(p.value) for p in reference.parameters()]
    for t in range(shape[1]):
        np.testing.assert_allclose(reference.forward(x[:, t]), y[:, t], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(reference.backward(grad[:, t]), dx[:, t], rtol=1e-12, atol=1e-12)
        summed = [s + p.grad for s, p in zip(summed, reference.parameters(), strict=True)]
    wrapper.forward(x)
    wrapper.backward(grad)
    for s, p in zip(summed, wrapper.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, s, rtol=1e-10, atol=1e-12)


def test_the_wrapped_layer_is_built_for_one_step() -> None:
    wrapper = TimeDistributed(L.Dense(3))
    assert wrapper(np.ones((2, 5, 4))).shape == (2, 5, 3)
    assert wrapper.input_shape == (5, 4) and wrapper.layer.input_shape == (4,)
    assert wrapper.compute_output_shape((5, 4)) == (5, 3)
    with pytest.raises(ShapeError, match=r"TimeDistributed.*\(6, 4\)"):
        wrapper(np.ones((2, 6, 4)))


def test_an_input_without_a_steps_axis_is_refused_and_nothing_is_built() -> None:
    wrapper = TimeDistributed(L.Dense(3), name="td")
    with pytest.raises(ShapeError, match=r"TimeDistributed 'td'.*\(batch, steps, \.\.\.\).*\(4,\)"):
        wrapper(np.ones((2, 4)))
    assert not wrapper.built and not wrapper.layer.built


def test_a_layer_that_refuses_the_step_shape_leaves_both_unbuilt() -> None:
    wrapper = TimeDistributed(RepeatVector(2))
    with pytest.raises(ShapeError, match="RepeatVector"):
        wrapper(np.ones((2, 3, 4, 5)))
    assert not wrapper.built and not wrapper.layer.built


@pytest.mark.parametrize("layer", [L.Dense, "dense", None], ids=["class", "string", "none"])
def test_time_distributed_takes_a_layer_instance_only(layer: Any) -> None:
    with pytest.raises(InvalidTypeError, match="TimeDistributed.*tinynet Layer"):
        TimeDistributed(layer)


# ---------------------------------------------------------------------------- the sub-layer
def test_the_wrapped_layer_is_a_sub_layer_walked_frozen_and_cast() -> None:
    inner = L.Dense(2, dtype="float64")
    wrapper = TimeDistributed(inner)
    assert wrapper.dtype == np.float64  # the layer's dtype by default
    wrapper(np.ones((1, 3, 4)))
    assert list(wrapper.walk()) == [wrapper, inner]
    assert wrapper.parameters() == inner.parameters() and wrapper.count_params() == 10
    wrapper.trainable = False
    assert not inner.trainable and wrapper.trainable_parameters() == []
    cast = TimeDistributed(L.Dense(2), dtype="float64")
    assert cast.layer.dtype == np.float64


def test_a_frozen_dropout_inside_is_the_identity_in_training() -> None:
    wrapper = TimeDistributed(L.Dropout(0.5, seed=0))
    x = np.ones((2, 3, 4), dtype=np.float32)
    assert (wrapper(x, training=True) != x).any()
    wrapper.layer.trainable = False
    np.testing.assert_array_equal(wrapper(x, training=True), x)


def test_without_input_grad_the_layer_inside_skips_it_and_gets_its_flag_back() -> None:
    wrapper = TimeDistributed(dense())
    x = sequence()
    wrapper(x)
    grad = np.ones((3, 5, 3), dtype=np.float32)
    wrapper.backward(grad)
    expected = [p.grad.copy() for p in wrapper.parameters()]
    wrapper.needs_input_grad = False
    assert wrapper.backward(grad) is None
    for e, p in zip(expected, wrapper.parameters(), strict=True):
        np.testing.assert_array_equal(e, p.grad)
    assert "needs_input_grad" not in vars(wrapper.layer) and wrapper.layer.needs_input_grad


def test_an_embedding_inside_takes_indices_and_refuses_one_out_of_range() -> None:
    wrapper = TimeDistributed(L.Embedding(5, 2), name="td")
    assert wrapper.takes_indices
    assert wrapper(np.array([[[0, 4], [1, 2], [3, 3]]])).shape == (1, 3, 2, 2)
    with pytest.raises(InvalidValueError, match=r"Embedding.*\[0, 5\)"):
        wrapper.check_input_values(np.array([[[0, 5], [1, 2], [3, 3]]]))


def test_fit_trains_the_layer_inside_and_the_model_saves_and_loads(tmp_path: Path) -> None:
    tn.utils.set_random_seed(0)
    x = sequence((32, 4, 3))
    y = x.sum(axis=-1, keepdims=True)  # a per-step target
    model = tn.Sequential([TimeDistributed(L.Dense(8, activation="tanh"), input_shape=(4, 3)), L.Dense(1)])
    model.compile(optimizer=tn.optimizers.Adam(0.02), loss="mse")
    before = model.get_weights()
    history = model.fit(x, y, batch_size=8, epochs=20, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert not np.array_equal(before[0], model.get_weights()[0])  # the wrapped kernel was trained
    tn.saving.save_model(model, tmp_path / "model.npz")
    clone = tn.saving.load_model(tmp_path / "model.npz")
    assert clone.get_config() == model.get_config()
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))


def test_in_a_graph_from_a_vector_to_a_sequence_and_step_by_step() -> None:
    tn.utils.set_random_seed(0)
    inputs = tn.Input(shape=(3,))
    steps = RepeatVector(4)(inputs)
    outputs = TimeDistributed(L.Dense(2, activation="tanh"))(L.SimpleRNN(5, return_sequences=True)(steps))
    model = tn.Model(inputs, outputs)
    assert model.compute_output_shape((3,)) == (4, 2)
    tn.testing.check_gradients(model.astype("float64"), sequence((2, 3)))


# ---------------------------------------------------------------------------- configs
class Scale(tn.Layer):
    """A user's layer, unregistered: found through ``custom_objects`` only."""

    accepts_any_shape = True

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(seen=True)
        return 2.0 * x

    def backward(self, grad: Array) -> Array:
        self.recall("seen")
        return 2.0 * grad


def test_the_config_holds_the_layer_and_from_config_rebuilds_it() -> None:
    wrapper = TimeDistributed(L.Dense(3, activation="relu"), name="td")
    config = json.loads(json.dumps(wrapper.get_config()))
    assert config["layer"] == serialize(wrapper.layer)
    clone = TimeDistributed.from_config(config)
    assert clone.get_config() == wrapper.get_config() and clone.layer is not wrapper.layer
    nested = TimeDistributed(tn.Sequential([Scale(), L.Dense(2)]))
    entry = json.loads(json.dumps(serialize(nested)))
    with pytest.raises(UnknownIdentifierError, match="Scale"):
        get_registered_class(entry["class_name"]).from_config(entry["config"])
    again = TimeDistributed.from_config(entry["config"], custom_objects={"Scale": Scale})
    assert isinstance(again.layer.layers[0], Scale)


@pytest.mark.parametrize(
    ("entry", "error", "fragment"),
    [
        ("Dense", InvalidValueError, "'layer' must be"),
        ({"class_name": "Dense"}, InvalidValueError, "'layer' must be"),
        ({"class_name": "Adam", "config": {}}, InvalidTypeError, "not a Layer"),
        ({"class_name": "NoSuchLayer", "config": {}}, UnknownIdentifierError, "NoSuchLayer"),
    ],
    ids=["string", "no-config", "optimizer", "unknown"],
)
def test_from_config_refuses_an_entry_that_is_not_a_layer(entry: Any, error: type[Exception], fragment: str) -> None:
    config = {**TimeDistributed(L.Dense(2)).get_config(), "layer": entry}
    with pytest.raises(error, match=fragment):
        TimeDistributed.from_config(config)


# ---------------------------------------------------------------------------- broken variants are caught
class MeanRepeatVector(RepeatVector):
    """Averages the steps' gradients instead of summing them (as if the copies were a mean)."""

    def backward(self, grad: Array) -> Array:
        self.recall("repeated")
        return grad.mean(axis=1)


class TimeMajorTimeDistributed(TimeDistributed):
    """Folds the gradient step-major ((steps, batch) order) while forward folded it batch-major."""

    def backward(self, grad: Array) -> Array:
        (steps,) = self.recall("steps")
        dh = self.layer.backward(np.swapaxes(grad, 0, 1).reshape(-1, *grad.shape[2:]))
        return dh.reshape(*steps, *dh.shape[1:])


class LastStepTimeDistributed(TimeDistributed):
    """Keeps the parameter gradients of the last step only, as a loop that assigns instead of adding would."""

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad)
        x = self._x
        self.layer.forward(x[:, -1])
        self.layer.backward(grad[:, -1])
        self.layer.forward(_fold(x))
        return dx

    def forward(self, x: Array, training: bool = False) -> Array:
        self._x = x
        return super().forward(x, training)


BROKEN: list[tuple[str, Any, tuple[int, ...]]] = [
    ("repeat_vector_mean", lambda: MeanRepeatVector(3), (4, 2)),
    ("time_distributed_time_major", lambda: TimeMajorTimeDistributed(dense()), (3, 4, 2)),
    ("time_distributed_last_step_only", lambda: LastStepTimeDistributed(dense()), (3, 4, 2)),
]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(("make", "shape"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_backward_is_caught(make: Any, shape: tuple[int, ...], directions: int | None) -> None:
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), sequence(shape), directions=directions)
