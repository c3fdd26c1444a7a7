"""Constraints: Keras's math against hand values, config and ids, and the optimizer applying them after each update
(not to frozen parameters), on Dense, Conv2D and Embedding, through save and load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from tinynet.errors import InvalidTypeError, InvalidValueError, UnknownIdentifierError
from tinynet.registry import serialize

W = np.array([[3.0, 0.6, 0.0], [4.0, 0.8, 0.0]])  # column norms 5, 1 and 0


# --------------------------------------------------------------------------- the math
def test_max_norm_scales_long_columns_down_and_leaves_the_others() -> None:
    got = MaxNorm(2.0)(W)
    scale = np.array([2.0 / (1e-7 + 5.0), 1.0 / (1e-7 + 1.0), 0.0])  # Keras's epsilon in every denominator
    np.testing.assert_allclose(got, W * scale, rtol=1e-12)
    np.testing.assert_allclose(got[:, 0], [1.2, 1.6], rtol=1e-7)
    np.testing.assert_allclose(MaxNorm(2.0, axis=1)(W), W * (2.0 / (1e-7 + np.sqrt([[9.36], [16.64]]))), rtol=1e-12)


def test_non_neg_zeroes_negative_entries() -> None:
    np.testing.assert_array_equal(NonNeg()(np.array([[-2.0, 0.5], [0.0, -1e-9]])), [[0.0, 0.5], [0.0, 0.0]])


def test_unit_norm_scales_every_column_to_length_one() -> None:
    got = UnitNorm()(W)
    np.testing.assert_allclose(got[:, :2], [[0.6, 0.6], [0.8, 0.8]], rtol=1e-6)
    np.testing.assert_array_equal(got[:, 2], [0.0, 0.0])  # a zero column stays finite: epsilon
    np.testing.assert_allclose(np.linalg.norm(UnitNorm(axis=1)(W), axis=1), [1.0, 1.0], rtol=1e-6)


def test_min_max_norm_moves_norms_into_the_range_by_rate() -> None:
    full = MinMaxNorm(min_value=2.0, max_value=4.0)(W)  # norms 5 -> 4, 1 -> 2, 0 stays 0
    np.testing.assert_allclose(np.linalg.norm(full, axis=0), [4.0, 2.0, 0.0], rtol=1e-6)
    half = MinMaxNorm(min_value=2.0, max_value=4.0, rate=0.5)(W)  # halfway: 5 -> 4.5, 1 -> 1.5
    np.testing.assert_allclose(np.linalg.norm(half, axis=0), [4.5, 1.5, 0.0], rtol=1e-6)
    np.testing.assert_allclose(MinMaxNorm(rate=0.0)(W), W / (1 + 1e-7 / np.maximum(np.linalg.norm(W, axis=0), 1e-300)))


def test_norms_over_several_axes_are_per_filter() -> None:
    kernel = np.random.default_rng(0).normal(size=(3, 3, 2, 4)) * 5  # a Conv2D kernel: filters on the last axis
    got = MaxNorm(1.5, axis=[0, 1, 2])(kernel)
    np.testing.assert_allclose(np.sqrt((got**2).sum(axis=(0, 1, 2))), np.full(4, 1.5), rtol=1e-6)


@pytest.mark.parametrize("constraint", [MaxNorm(), NonNeg(), UnitNorm(), MinMaxNorm()], ids=repr)
def test_float32_stays_float32(constraint: Constraint) -> None:
    w = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    assert constraint(w).dtype == np.float32


# --------------------------------------------------------------------------- config, ids and arguments
@pytest.mark.parametrize(
    "constraint",
    [MaxNorm(3.0, axis=[0, 1]), NonNeg(), UnitNorm(axis=-1), MinMaxNorm(0.5, 2.0, 0.25, axis=1)],
    ids=repr,
)
def test_config_round_trips_through_json(constraint: Constraint) -> None:
    clone = tn.constraints.get(json.loads(json.dumps(serialize(constraint))))
    assert type(clone) is type(constraint) and clone.get_config() == constraint.get_config()
    w = np.random.default_rng(1).normal(size=(3, 4))
    np.testing.assert_array_equal(clone(w), constraint(w))


@pytest.mark.parametrize(
    "identifier, cls, config",
    [
        ("max_norm", MaxNorm, {"max_value": 2.0, "axis": 0}),
        ("non_neg", NonNeg, {}),
        ("unit_norm", UnitNorm, {"axis": 0}),
        ("min_max_norm", MinMaxNorm, {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}),
        ("MaxNorm", MaxNorm, {"max_value": 2.0, "axis": 0}),
    ],
)
def test_string_ids_give_keras_defaults(identifier: str, cls: type, config: dict[str, Any]) -> None:
    constraint = tn.constraints.get(identifier)
    assert type(constraint) is cls and constraint.get_config() == config


def test_get_passes_none_and_instances_through_and_refuses_unknown_ids() -> None:
    constraint = NonNeg()
    assert tn.constraints.get(None) is None and tn.constraints.get(constraint) is constraint
    with pytest.raises(UnknownIdentifierError, match="Unknown constraint 'max_nrom'. Known constraint ids: max_norm"):
        tn.constraints.get("max_nrom")


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: MaxNorm(-1.0), InvalidValueError, "MaxNorm: max_value must be a finite float >= 0, received -1.0"),
        (lambda: MaxNorm(axis=1.5), InvalidTypeError, "MaxNorm: axis must be an int or a list of distinct ints"),
        (lambda: UnitNorm(axis=[0, 0]), InvalidTypeError, "UnitNorm: axis must be an int or a list of distinct"),
        (lambda: UnitNorm(axis=True), InvalidTypeError, "UnitNorm: axis must be"),
        (lambda: MinMaxNorm(2.0, 1.0), InvalidValueError, "MinMaxNorm: min_value must be <= max_value"),
        (lambda: MinMaxNorm(rate=1.5), InvalidValueError, r"MinMaxNorm: rate must be a finite float in \[0, 1\]"),
    ],
)
def test_arguments_are_checked(build: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()


# --------------------------------------------------------------------------- applied by the optimizer
def test_the_optimizer_applies_the_constraint_after_the_update_in_place() -> None:
    p = tn.Parameter("w", np.array([-1.0, 2.0]), constraint=NonNeg())
    array = p.value
    p.grad = [-3.0, 1.0]
    tn.optimizers.SGD(learning_rate=1.0).step([p])  # [2, 1], then the constraint
    np.testing.assert_array_equal(p.value, [2.0, 1.0])
    p.grad = [3.0, 0.0]
    tn.optimizers.SGD(learning_rate=1.0).step([p])  # [-1, 1] -> [0, 1]
    np.testing.assert_array_equal(p.value, [0.0, 1.0])
    assert p.value is array


def test_a_frozen_parameter_keeps_a_value_its_constraint_would_change() -> None:
    frozen = tn.Parameter("w", np.array([-1.0, 5.0]), trainable=False, constraint=MaxNorm(1.0))
    tn.optimizers.Adam().step([frozen])
    np.testing.assert_array_equal(frozen.value, [-1.0, 5.0])


def moons() -> tuple[np.ndarray, np.ndarray]:
    return tn.datasets.make_moons(256, noise=0.2, random_state=0)


def max_norm_model(constraint: Any) -> tn.Sequential:
    """A Keras program's shape; the kernel starts with columns of norm about 4, above MaxNorm(2)'s bound."""
    tn.utils.set_random_seed(0)
    kernel_initializer = tn.initializers.RandomNormal(stddev=3.0)
    model = tn.Sequential(
        [
            tn.layers.Dense(
                64,
                activation="relu",
                kernel_initializer=kernel_initializer,
                kernel_constraint=constraint,
                input_shape=(2,),
            ),  # fmt: skip
            tn.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=tn.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_a_keras_program_with_max_norm_trains_and_keeps_the_kernel_columns_within_the_norm() -> None:
    x, y = moons()
    model = max_norm_model(tn.constraints.MaxNorm(2.0))
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.85
    norms = np.linalg.norm(model.layers[0].kernel.value, axis=0)
    assert norms.max() <= 2.0 * (1 + 4 * np.finfo(np.float32).eps)  # 2, but for float32 rounding of the norm
    assert norms.max() > 1.9  # the constraint acted: columns were cut to the bound
    free = max_norm_model(None)
    free.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert np.linalg.norm(free.layers[0].kernel.value, axis=0).max() > 2.0


def test_a_frozen_layer_s_constraint_is_not_applied_by_fit() -> None:
    x, y = moons()
    model = max_norm_model(tn.constraints.MaxNorm(0.1))
    model.layers[0].trainable = False
    kernel = model.layers[0].kernel.value.copy()
    assert np.linalg.norm(kernel, axis=0).max() > 0.1
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    np.testing.assert_array_equal(model.layers[0].kernel.value, kernel)


def test_conv2d_and_embedding_take_constraints_too() -> None:
    tn.utils.set_random_seed(0)
    conv = tn.layers.Conv2D(3, 2, kernel_constraint=MaxNorm(0.5, axis=[0, 1, 2]), bias_constraint="non_neg")
    conv(np.ones((1, 4, 4, 2)))
    assert (conv.kernel.constraint, conv.bias.constraint) == (conv.kernel_constraint, conv.bias_constraint)
    conv.kernel.grad = np.full(conv.kernel.shape, -10.0)
    conv.bias.grad = np.array([1.0, -1.0, 1.0])
    tn.optimizers.SGD(1.0).step(conv.parameters())
    assert np.sqrt((conv.kernel.value**2).sum(axis=(0, 1, 2))).max() <= 0.5
    np.testing.assert_array_equal(conv.bias.value, [0.0, 1.0, 0.0])
    embedding = tn.layers.Embedding(5, 3, embeddings_constraint=UnitNorm(axis=1))
    embedding(np.array([[0, 1]]))
    embedding.embeddings.grad = np.ones((5, 3))
    tn.optimizers.SGD(0.1).step(embedding.parameters())
    np.testing.assert_allclose(np.linalg.norm(embedding.embeddings.value, axis=1), np.ones(5), rtol=1e-6)


def test_save_and_load_keep_the_constraints(tmp_path: Path) -> None:
    x, y = moons()
    model = max_norm_model(MinMaxNorm(0.5, 1.5, rate=0.5, axis=0))
    model.layers[1].bias_constraint = None  # the default: stays None in the file
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    model.save(tmp_path / "model.npz")
    clone = tn.load_model(tmp_path / "model.npz")
    dense = clone.layers[0]
    assert isinstance(dense.kernel_constraint, MinMaxNorm) and dense.kernel.constraint is dense.kernel_constraint
    assert dense.kernel_constraint.get_config() == {"min_value": 0.5, "max_value": 1.5, "rate": 0.5, "axis": 0}
    assert dense.get_config()["kernel_constraint"] == serialize(model.layers[0].kernel_constraint)
    assert dense.bias_constraint is None and clone.layers[1].kernel_constraint is None
    for m in (model, clone):
        m.fit(x, y, epochs=1, batch_size=32, verbose=0, shuffle=False)
    np.testing.assert_array_equal(clone.layers[0].kernel.value, model.layers[0].kernel.value)


def test_a_layer_config_names_its_constraints() -> None:
    layer = tn.layers.Dense(2, kernel_constraint="max_norm", bias_constraint=NonNeg())
    config = json.loads(json.dumps(layer.get_config()))
    assert config["kernel_constraint"] == {"class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 0}}
    assert config["bias_constraint"] == {"class_name": "NonNeg", "config": {}}
    clone = tn.layers.Dense.from_config(config)
    assert isinstance(clone.kernel_constraint, MaxNorm) and isinstance(clone.bias_constraint, NonNeg)
    assert tn.layers.Embedding(3, 2).get_config()["embeddings_constraint"] is None
