"""``Model.get_compile_config`` / ``compile_from_config`` and ``get_training_state`` / ``set_training_state``.

Compile settings round trip through JSON (custom classes through ``custom_objects``); the training state
put into a twin with the same weights makes its further training bitwise that of the original; every
refusal changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import CallOrderError, InvalidTypeError, InvalidValueError, ShapeError, UnknownIdentifierError

L = tn.layers


class UnregisteredHuber(tn.losses.Huber):
    """A loss class no registry knows: found through custom_objects only."""


def model(seed: int = 0, dropout: bool = False) -> tn.Sequential:
    tn.utils.set_random_seed(seed)
    layers = [L.Dense(6, activation="tanh", input_shape=(3,)), L.Dense(1)]
    if dropout:
        layers.insert(1, L.Dropout(0.3))
    return tn.Sequential(layers)


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    return x, x.sum(axis=1, keepdims=True)


def fit(m: tn.Model, epochs: int) -> dict[str, list[float]]:
    return m.fit(*data(), epochs=epochs, batch_size=8, verbose=0).history


# ---------------------------------------------------------------------------- compile settings
def test_the_compile_config_is_none_before_compile_and_json_ready_after() -> None:
    m = model()
    assert m.get_compile_config() is None
    schedule = tn.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    m.compile(optimizer=tn.optimizers.Adam(learning_rate=schedule), loss="huber", metrics=["mae", "mse"])
    config = m.get_compile_config()
    assert config is not None and set(config) == {"optimizer", "loss", "metrics"}
    assert config == json.loads(json.dumps(config))
    assert config["optimizer"]["config"]["learning_rate"]["class_name"] == "ExponentialDecay"
    twin = model()
    twin.compile_from_config(json.loads(json.dumps(config)))
    assert twin.get_compile_config() == config
    assert [metric.name for metric in twin.compiled_metrics] == ["mae", "mse"]


def test_compile_from_config_finds_custom_classes_in_custom_objects() -> None:
    m = model()
    m.compile(optimizer="sgd", loss=UnregisteredHuber(delta=2.0))
    config = m.get_compile_config()
    twin = model()
    with pytest.raises(UnknownIdentifierError, match="UnregisteredHuber"):
        twin.compile_from_config(config)
    assert not twin.compiled
    twin.compile_from_config(config, custom_objects={"UnregisteredHuber": UnregisteredHuber})
    assert type(twin.loss) is UnregisteredHuber and twin.loss.delta == 2.0


def test_compile_from_config_takes_what_compile_takes_too() -> None:
    m = model()
    m.compile_from_config({"optimizer": "adam", "loss": "mse", "metrics": ["mae"]})
    assert type(m.optimizer) is tn.optimizers.Adam and m.compiled_metrics[0].name == "mae"


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        ("adam", InvalidValueError, "keys 'optimizer', 'loss' and 'metrics'"),
        ({"optimizer": "adam", "loss": "mse"}, InvalidValueError, "keys 'optimizer', 'loss' and 'metrics'"),
        ({"optimizer": "adam", "loss": "mse", "metrics": "mae"}, InvalidTypeError, "'metrics' must be a list"),
        ({"optimizer": {"class_name": "Nope", "config": {}}, "loss": "mse", "metrics": []}, UnknownIdentifierError,
         "Nope"),
        ({"optimizer": "adam", "loss": {"class_name": "Dense", "config": {}}, "metrics": []}, UnknownIdentifierError,
         "not a loss"),
    ],
)  # fmt: skip
def test_a_refused_compile_config_leaves_the_model_as_it_was(config: Any, error: type, match: str) -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mae")
    before = m.get_compile_config()
    optimizer = m.optimizer
    with pytest.raises(error, match=match):
        m.compile_from_config(config)
    assert m.get_compile_config() == before and m.optimizer is optimizer


# ---------------------------------------------------------------------------- training state
def test_the_training_state_is_none_before_compile_and_cannot_be_set_then() -> None:
    m = model()
    assert m.get_training_state() is None
    with pytest.raises(CallOrderError, match="set_training_state.*before compile"):
        m.set_training_state({"optimizer": {"iterations": 0}, "shuffle_rng": None})


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd"])
def test_a_twin_given_the_weights_and_the_training_state_trains_bitwise_the_same(optimizer: str) -> None:
    straight = model(dropout=True)
    straight.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    history = fit(straight, 4)
    first = model(dropout=True)
    first.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    before = fit(first, 2)
    twin = model(seed=9, dropout=True)
    twin.set_weights(first.get_weights())
    twin.compile_from_config(first.get_compile_config())
    twin.set_training_state(first.get_training_state())
    for name, generator in first.layers[1].random_generators().items():  # Dropout's: the layers' own
        twin.layers[1].random_generators()[name].bit_generator.state = generator.bit_generator.state
    after = fit(twin, 2)
    assert history == {key: before[key] + after[key] for key in history}
    for a, b in zip(straight.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b, strict=True)
    state, expected = twin.get_training_state(), straight.get_training_state()
    assert state["shuffle_rng"] == expected["shuffle_rng"]
    assert sorted(state["optimizer"]) == sorted(expected["optimizer"])
    for key, value in expected["optimizer"].items():
        np.testing.assert_array_equal(state["optimizer"][key], value, strict=True)


def test_the_training_state_is_a_copy() -> None:
    m = model()
    m.compile(optimizer="adam", loss="mse")
    fit(m, 1)
    state = m.get_training_state()
    state["optimizer"]["0/m"][...] = 7.0
    state["shuffle_rng"]["state"]["state"] = 1
    again = m.get_training_state()
    assert not (again["optimizer"]["0/m"] == 7.0).any() and again["shuffle_rng"]["state"]["state"] != 1


def _broken(kind: str, state: dict[str, Any]) -> Any:
    if kind == "not_a_dict":
        return [state]
    if kind == "unknown_key":
        return {**state, "epoch": 3}
    if kind == "bad_generator":
        return {**state, "shuffle_rng": {"bit_generator": "MT19937", "state": {}}}
    if kind == "slot_shape":
        return {**state, "optimizer": {**state["optimizer"], "0/m": np.zeros((9, 9), np.float32)}}
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "error", "match"),
    [
        ("not_a_dict", InvalidValueError, "keys 'optimizer' and 'shuffle_rng'"),
        ("unknown_key", InvalidValueError, "keys 'optimizer' and 'shuffle_rng'"),
        ("bad_generator", InvalidValueError, "'shuffle_rng' is not a state of fit's PCG64 generator"),
        ("slot_shape", ShapeError, r"'0/m' must have the shape of parameter 0"),
    ],
)
def test_a_refused_training_state_changes_nothing(kind: str, error: type, match: str) -> None:
    source = model()
    source.compile(optimizer="adam", loss="mse")
    fit(source, 2)
    m = model()
    m.compile(optimizer="adam", loss="mse")
    fit(m, 1)
    before = m.get_training_state()
    with pytest.raises(error, match=match):
        m.set_training_state(_broken(kind, source.get_training_state()))
    after = m.get_training_state()
    assert after["shuffle_rng"] == before["shuffle_rng"] and int(after["optimizer"]["iterations"]) == 5
    for key, value in before["optimizer"].items():
        np.testing.assert_array_equal(after["optimizer"][key], value, strict=True)


def test_a_state_without_the_shuffling_generator_leaves_it() -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    state = m.get_training_state()
    fit(m, 1)
    moved = m.get_training_state()["shuffle_rng"]
    m.set_training_state({**state, "shuffle_rng": None})
    assert int(m.optimizer.iterations) == 0 and m.get_training_state()["shuffle_rng"] == moved
