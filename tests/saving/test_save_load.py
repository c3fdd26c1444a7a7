"""``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``: the model file on disk.

Exact round trips (weights bitwise, dtypes kept), byte-identical files, training resumed from a file
equal bitwise to training never interrupted (Adam and every other optimizer, with dropout, a schedule,
``initial_epoch``), atomic writes that leave the previous file on any failure, custom classes through
the registry or ``custom_objects``, and weights-only files checked entirely before anything is set.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import CallOrderError, InvalidTypeError, InvalidValueError
from tinynet.saving import FORMAT_VERSION, ModelFileError, load_model, load_weights, save_model, save_weights
from tinynet.saving import archive as archive_module

from .helpers import L, assert_same_training_state, assert_same_weights, classifier, fit, moons

O = tn.optimizers


# ---------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_trained_model_round_trips_bitwise(tmp_path: Path, dtype: str) -> None:
    model = classifier(dtype=dtype)
    fit(model, 2)
    save_model(model, tmp_path / "model.npz")
    clone = load_model(tmp_path / "model.npz")
    assert type(clone) is tn.Sequential and clone.get_config() == model.get_config()
    assert all(w.dtype == np.dtype(dtype) for w in clone.get_weights())
    assert_same_training_state(model, clone)
    assert [type(m) for m in clone.compiled_metrics] == [type(m) for m in model.compiled_metrics]
    assert [m.name for m in clone.compiled_metrics] == ["accuracy"]
    assert type(clone.loss) is type(model.loss) and clone.loss.get_config() == model.loss.get_config()
    x, y = moons()
    np.testing.assert_array_equal(clone.predict(x), model.predict(x), strict=True)
    assert clone.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_the_file_is_a_plain_npz_of_json_and_npy_members(tmp_path: Path) -> None:
    model = classifier()
    fit(model, 1)
    save_model(model, tmp_path / "model.npz")
    with zipfile.ZipFile(tmp_path / "model.npz") as archive:
        infos = archive.infolist()
        config = json.loads(archive.read("config.json").decode("utf-8"))
    assert infos[0].filename == "config.json"
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) and i.compress_type == zipfile.ZIP_STORED for i in infos)
    assert config["format_version"] == FORMAT_VERSION and config["kind"] == "model"
    assert [w["member"] for w in config["weights"]] == [
        "weights/0001_kernel.npy",
        "weights/0001_bias.npy",
        "weights/0003_kernel.npy",
        "weights/0003_bias.npy",
    ]
    assert config["model"] == json.loads(json.dumps(tn.registry.serialize(model)))
    with np.load(tmp_path / "model.npz", allow_pickle=False) as npz:  # numpy itself reads it, pickles refused
        stored = [npz[w["member"][: -len(".npy")]] for w in config["weights"]]
        assert int(npz["optimizer/iterations"]) == model.optimizer.iterations
    for array, weight in zip(stored, model.get_weights(), strict=True):
        assert array.dtype == np.float32
        np.testing.assert_array_equal(array, weight, strict=True)


def test_saving_twice_gives_identical_bytes_and_a_loaded_model_saves_the_same_bytes(tmp_path: Path) -> None:
    model = classifier(dropout=True)
    fit(model, 2)
    save_model(model, tmp_path / "a.npz")
    save_model(model, tmp_path / "b.npz")
    save_model(load_model(tmp_path / "a.npz"), tmp_path / "c.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes() == (tmp_path / "c.npz").read_bytes()
    save_weights(model, tmp_path / "w1.npz")
    save_weights(model, tmp_path / "w2.npz")
    assert (tmp_path / "w1.npz").read_bytes() == (tmp_path / "w2.npz").read_bytes()


OPTIMIZERS: dict[str, Callable[[], Any]] = {
    "adam": lambda: O.Adam(learning_rate=0.01),
    "adam_amsgrad": lambda: O.Adam(learning_rate=0.01, amsgrad=True),
    "adamw": lambda: O.AdamW(learning_rate=0.01),
    "sgd_nesterov": lambda: O.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "rmsprop_centered": lambda: O.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
    "adagrad": lambda: O.Adagrad(learning_rate=0.05),
    "nadam": lambda: O.Nadam(learning_rate=0.01),
    "adamax": lambda: O.Adamax(learning_rate=0.01),
    "adadelta": lambda: O.Adadelta(learning_rate=1.0),
    "lion_weight_decay": lambda: O.Lion(learning_rate=0.001, weight_decay=0.1),
    "lamb": lambda: O.Lamb(learning_rate=0.01),
    "ftrl": lambda: O.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01),
    "adafactor": lambda: O.Adafactor(learning_rate=0.1),  # r and c of the kernels: their own shapes in the file
    "adam_schedule_clipnorm": lambda: O.Adam(
        learning_rate=O.schedules.ExponentialDecay(0.01, decay_steps=5, decay_rate=0.5), clipnorm=1.0
    ),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_resumed_from_a_file_equals_uninterrupted_training(tmp_path: Path, name: str) -> None:
    """fit 2 epochs, save, load, fit 2 more == fit 4 epochs: weights, slots, step count and history, bitwise."""
    dropout = name == "adam"
    straight = classifier(optimizer=OPTIMIZERS[name](), dropout=dropout)
    history = fit(straight, 4)
    first = classifier(optimizer=OPTIMIZERS[name](), dropout=dropout)
    before = fit(first, 2)
    save_model(first, tmp_path / "model.npz")
    resumed = load_model(tmp_path / "model.npz")
    after = fit(resumed, 2)
    assert_same_training_state(straight, resumed)
    assert history == {key: before[key] + after[key] for key in history}


def test_resuming_with_initial_epoch_as_keras_does(tmp_path: Path) -> None:
    straight = classifier()
    history = fit(straight, 4)
    first = classifier()
    before = fit(first, 2)
    save_model(first, tmp_path / "model.npz")
    resumed = load_model(tmp_path / "model.npz")
    after = fit(resumed, 4, initial_epoch=2)
    assert_same_training_state(straight, resumed)
    assert history == {key: before[key] + after[key] for key in history}


def test_compile_false_gives_the_same_model_uncompiled(tmp_path: Path) -> None:
    model = classifier()
    fit(model, 1)
    save_model(model, tmp_path / "model.npz")
    clone = load_model(tmp_path / "model.npz", compile=False)
    assert not clone.compiled and clone.optimizer is None
    assert_same_weights(model, clone)


def test_an_uncompiled_model_round_trips(tmp_path: Path) -> None:
    tn.utils.set_random_seed(0)
    model = tn.Sequential([L.Dense(3, activation="tanh", input_shape=(4,)), L.Dense(2)])
    save_model(model, tmp_path / "model.npz")
    config = json.loads(zipfile.ZipFile(tmp_path / "model.npz").read("config.json"))
    assert config["compile"] is None and config["optimizer_state"] is None and config["shuffle_rng"] is None
    clone = load_model(tmp_path / "model.npz")
    assert not clone.compiled
    assert_same_weights(model, clone)


def test_nested_frozen_regularized_models_round_trip(tmp_path: Path) -> None:
    tn.utils.set_random_seed(1)
    inner = tn.Sequential([L.Dense(5, kernel_regularizer=tn.regularizers.L2(0.01)), L.BatchNorm()])
    model = tn.Sequential([L.Dense(4, activation="elu", input_shape=(3,)), inner, L.Dense(2, activation="softmax")])
    inner.trainable = False
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy", "sparse_categorical_accuracy"]
    )
    x = np.random.default_rng(0).normal(size=(20, 3))
    model.fit(x, np.arange(20) % 2, epochs=2, batch_size=8, verbose=0)
    save_model(model, tmp_path / "model.npz")
    clone = load_model(tmp_path / "model.npz")
    assert clone.get_config() == model.get_config()
    assert [layer.trainable for layer in clone.walk()] == [layer.trainable for layer in model.walk()]
    assert_same_training_state(model, clone)
    np.testing.assert_array_equal(clone.predict(x), model.predict(x), strict=True)


def test_a_model_around_a_built_inner_model_saves_and_loads(tmp_path: Path) -> None:
    """Sequential([inner, Softmax()]) with ``inner`` built before: built at once, so it can be saved."""
    tn.utils.set_random_seed(3)
    inner = tn.Sequential([L.Dense(3, input_shape=(2,))])
    model = tn.Sequential([inner, tn.activations.Softmax()])
    model.save(tmp_path / "model.npz")
    clone = load_model(tmp_path / "model.npz")
    x = np.random.default_rng(0).normal(size=(4, 2))
    np.testing.assert_array_equal(clone.predict(x), model.predict(x), strict=True)


def test_a_bare_layer_round_trips(tmp_path: Path) -> None:
    tn.utils.set_random_seed(2)
    layer = L.Dense(3, activation="gelu")
    x = np.random.default_rng(1).normal(size=(4, 5)).astype(np.float32)
    y = layer(x)
    save_model(layer, tmp_path / "dense.npz")
    clone = load_model(tmp_path / "dense.npz")
    assert type(clone) is L.Dense and clone.get_config() == layer.get_config()
    np.testing.assert_array_equal(clone(x), y, strict=True)


# ---------------------------------------------------------------------------- refused saves
def test_an_unbuilt_model_cannot_be_saved(tmp_path: Path) -> None:
    model = tn.Sequential([L.Dense(3)])
    with pytest.raises(CallOrderError, match="needs a built model.*input_shape"):
        save_model(model, tmp_path / "model.npz")
    with pytest.raises(CallOrderError, match="needs a built model"):
        save_weights(model, tmp_path / "model.npz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["model.keras", "model.h5", "MODEL.HDF5", "weights.weights.h5"])
def test_a_keras_extension_is_refused_before_anything_is_written(tmp_path: Path, name: str) -> None:
    """tinynet's files are its own zip format: under Keras's extensions they would mislead, so they are refused."""
    model = classifier()
    extension = "." + name.rsplit(".", 1)[1]
    expected = (
        rf"Sequential '\w+': save_(model|weights): '.*{name}' ends in '\{extension}', an extension of Keras's"
        r".*'\.npz', e\.g\. '[\w.]+\.npz'"
    )
    with pytest.raises(InvalidValueError, match=expected):
        model.save(tmp_path / name)
    with pytest.raises(InvalidValueError, match=expected):
        save_weights(model, str(tmp_path / name))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["model.npz", "model.tinynet", "model", "model.keras.npz"])
def test_other_extensions_are_written(tmp_path: Path, name: str) -> None:
    model = classifier()
    model.save(tmp_path / name)
    assert_same_weights(model, load_model(tmp_path / name))


def test_only_layers_are_saved(tmp_path: Path) -> None:
    with pytest.raises(InvalidTypeError, match="expected a tinynet Layer"):
        save_model({"not": "a model"}, tmp_path / "model.npz")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="path must be"):
        save_model(classifier(), 3)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- atomic writes
def _previous_file(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "model.npz"
    path.write_bytes(b"the previous file")
    return path, path.read_bytes()


def test_a_config_that_cannot_be_saved_fails_before_any_file_is_touched(tmp_path: Path) -> None:
    path, previous = _previous_file(tmp_path)
    model = classifier(optimizer=O.SGD(learning_rate=lambda step: 0.1))
    with pytest.raises(InvalidTypeError, match="cannot serialize the learning rate"):
        save_model(model, path)
    assert path.read_bytes() == previous and sorted(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()], ids=["oserror", "interrupt"])
def test_a_failure_while_writing_leaves_the_previous_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    path, previous = _previous_file(tmp_path)
    real, calls = archive_module._write_member, []

    def failing(archive: zipfile.ZipFile, name: str, data: Any) -> None:
        calls.append(name)
        if len(calls) == 3:
            raise error
        real(archive, name, data)

    monkeypatch.setattr(archive_module, "_write_member", failing)
    with pytest.raises(type(error)):
        save_model(classifier(), path)
    assert path.read_bytes() == previous and sorted(tmp_path.iterdir()) == [path]


def test_a_failed_replace_leaves_the_previous_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, previous = _previous_file(tmp_path)

    def failing_replace(source: str, target: str) -> None:
        raise PermissionError("no")

    monkeypatch.setattr(archive_module.os, "replace", failing_replace)
    with pytest.raises(PermissionError):
        save_model(classifier(), path)
    assert path.read_bytes() == previous and sorted(tmp_path.iterdir()) == [path]


def test_a_successful_save_leaves_only_the_file_with_the_usual_permissions(tmp_path: Path) -> None:
    save_model(classifier(), tmp_path / "model.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "model.npz").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_missing_folder_raises_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        save_model(classifier(), tmp_path / "missing" / "model.npz")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- custom classes
@tn.register
class SavingTestScaledTanh(tn.Layer):
    """y = alpha * tanh(x), one learnable alpha per feature (the custom-layer guide's example)."""

    def __init__(self, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.offset = offset

    def build(self, input_shape: tuple[int, ...]) -> None:
        self.alpha = self.add_parameter("alpha", input_shape[-1:], initializer="random_normal")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        t = np.tanh(x + self.offset)
        self.remember(t=t)
        return self.alpha.value * t

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (t,) = self.recall("t")
        self.alpha.grad = (grad * t).sum(axis=0)
        return grad * self.alpha.value * (1.0 - t * t)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "offset": self.offset}


class SavingTestUnregistered(SavingTestScaledTanh):
    """The same layer under a name no registry knows."""


def _custom_model(layer_class: type) -> tn.Sequential:
    tn.utils.set_random_seed(4)
    model = tn.Sequential([L.Dense(3, input_shape=(2,)), layer_class(offset=0.5), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_a_registered_custom_layer_round_trips(tmp_path: Path) -> None:
    model = _custom_model(SavingTestScaledTanh)
    fit(model, 1, validation_split=0.0)
    save_model(model, tmp_path / "model.npz")
    clone = load_model(tmp_path / "model.npz")
    assert type(clone.layers[1]) is SavingTestScaledTanh and clone.layers[1].offset == 0.5
    assert_same_training_state(model, clone)


def test_an_unregistered_custom_layer_is_named_with_how_to_register_it(tmp_path: Path) -> None:
    model = _custom_model(SavingTestUnregistered)
    save_model(model, tmp_path / "model.npz")
    with pytest.raises(ModelFileError, match=r"'SavingTestUnregistered'.*@tn\.register.*custom_objects"):
        load_model(tmp_path / "model.npz")
    clone = load_model(tmp_path / "model.npz", custom_objects={"SavingTestUnregistered": SavingTestUnregistered})
    assert type(clone.layers[1]) is SavingTestUnregistered
    assert_same_weights(model, clone)


def test_custom_objects_must_map_names_to_classes(tmp_path: Path) -> None:
    save_model(classifier(), tmp_path / "model.npz")
    with pytest.raises(InvalidTypeError, match="custom_objects"):
        load_model(tmp_path / "model.npz", custom_objects={"Dense": "os.system"})  # type: ignore[dict-item]
    with pytest.raises(InvalidTypeError, match="custom_objects"):
        load_model(tmp_path / "model.npz", custom_objects=[("Dense", L.Dense)])  # type: ignore[arg-type]


@tn.register
class SavingTestCountingOnes(tn.initializers.Initializer):
    """Ones, counting its calls."""

    calls = 0

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        SavingTestCountingOnes.calls += 1
        return np.ones(shape, dtype=dtype)


def test_loading_runs_no_initializer_and_leaves_no_budget_behind(tmp_path: Path) -> None:
    """The file's values overwrite the parameters, so they start as zeros; after loading, layers build as usual."""
    model = tn.Sequential([L.Dense(3, kernel_initializer=SavingTestCountingOnes(), input_shape=(2,))])
    save_model(model, tmp_path / "model.npz")
    calls = SavingTestCountingOnes.calls
    clone = load_model(tmp_path / "model.npz")
    assert SavingTestCountingOnes.calls == calls and type(clone.layers[0].kernel_initializer) is SavingTestCountingOnes
    assert_same_weights(model, clone)
    fresh = L.Dense(1000, kernel_initializer=SavingTestCountingOnes())
    fresh(np.ones((1, 1000)))  # 4 MB: beyond the file's budget, which ended with load_model
    assert SavingTestCountingOnes.calls == calls + 1 and fresh.kernel.value.all()


@tn.register
class SavingTestTwoTower(tn.Model):
    """A user Model subclass: its own forward/backward over plain-attribute sub-layers."""

    def __init__(self, hidden: int = 6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hidden_units = hidden
        self.hidden = L.Dense(hidden, activation="tanh")
        self.out = L.Dense(1, activation="sigmoid")

    def build(self, input_shape: tuple[int, ...]) -> None:
        self.out.ensure_built(self.hidden.compute_output_shape(input_shape))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self.out.forward(self.hidden.forward(x, training), training)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return self.hidden.backward(self.out.backward(grad))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "hidden": self.hidden_units}


def _two_tower() -> SavingTestTwoTower:
    tn.utils.set_random_seed(5)
    model = SavingTestTwoTower(hidden=5)
    model.compile(optimizer=O.Adam(learning_rate=0.02), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_a_custom_model_subclass_resumes_bitwise(tmp_path: Path) -> None:
    straight = _two_tower()
    history = fit(straight, 4)
    first = _two_tower()
    before = fit(first, 2)
    save_model(first, tmp_path / "model.npz")
    resumed = load_model(tmp_path / "model.npz")
    assert type(resumed) is SavingTestTwoTower and resumed.hidden_units == 5
    after = fit(resumed, 2)
    assert_same_training_state(straight, resumed)
    assert history == {key: before[key] + after[key] for key in history}


# ---------------------------------------------------------------------------- weights only
def _architecture(units: int = 8, input_shape: tuple[int, ...] | None = None) -> tn.Sequential:
    return tn.Sequential([L.Dense(units, activation="relu", input_shape=input_shape), L.Dense(1, activation="sigmoid")])


def test_weights_round_trip_into_a_fresh_model_built_from_the_file(tmp_path: Path) -> None:
    model = classifier()
    fit(model, 1)
    save_weights(model, tmp_path / "weights.npz")
    config = json.loads(zipfile.ZipFile(tmp_path / "weights.npz").read("config.json"))
    assert config["kind"] == "weights" and config["model"] is None and config["compile"] is None
    assert not any(name.startswith("optimizer/") for name in zipfile.ZipFile(tmp_path / "weights.npz").namelist())
    fresh = _architecture()
    load_weights(fresh, tmp_path / "weights.npz")
    assert fresh.built and fresh.input_shape == (2,)
    assert_same_weights(model, fresh)


def test_a_model_taking_two_inputs_records_both_shapes_and_its_weights_build_an_unbuilt_twin(tmp_path: Path) -> None:
    """The file's input_shape is then a list of per-sample shapes; load_weights builds a twin for them."""
    model = tn.Sequential([L.Concatenate(), L.Dense(2)])
    x = [np.ones((3, 2), dtype=np.float32), np.zeros((3, 1), dtype=np.float32)]
    y = model(x)
    save_weights(model, tmp_path / "weights.npz")
    config = json.loads(zipfile.ZipFile(tmp_path / "weights.npz").read("config.json"))
    assert config["input_shape"] == [[2], [1]] and config["layers"][1]["input_shape"] == [[2], [1]]
    twin = tn.Sequential([L.Concatenate(), L.Dense(2)])
    load_weights(twin, tmp_path / "weights.npz")
    assert twin.input_shape == [(2,), (1,)]
    np.testing.assert_array_equal(twin(x), y, strict=True)


def test_load_weights_reads_a_full_model_file_too_and_leaves_the_optimizer(tmp_path: Path) -> None:
    model = classifier()
    fit(model, 1)
    save_model(model, tmp_path / "model.npz")
    other = classifier(seed=9)
    load_weights(other, tmp_path / "model.npz")
    assert_same_weights(model, other)
    assert other.optimizer.iterations == 0


def test_load_weights_casts_a_float64_file_to_the_models_dtype(tmp_path: Path) -> None:
    model = classifier(dtype="float64")
    save_weights(model, tmp_path / "weights.npz")
    fresh = _architecture(input_shape=(2,))
    load_weights(fresh, tmp_path / "weights.npz")
    for got, want in zip(fresh.get_weights(), model.get_weights(), strict=True):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want.astype(np.float32))


def test_load_weights_checks_every_weight_before_setting_any(tmp_path: Path) -> None:
    save_weights(classifier(), tmp_path / "weights.npz")
    built = tn.Sequential([L.Dense(8, activation="relu", input_shape=(2,)), L.Dense(2, activation="sigmoid")])
    before = built.get_weights()
    with pytest.raises(ModelFileError, match=r"'kernel' of layer 3 with shape \(8, 1\).*shape \(8, 2\)"):
        load_weights(built, tmp_path / "weights.npz")
    for got, want in zip(built.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, want, strict=True)
    unbuilt = tn.Sequential([L.Dense(8, activation="relu"), L.Dense(2, activation="sigmoid")])
    with pytest.raises(ModelFileError, match="shape"):
        load_weights(unbuilt, tmp_path / "weights.npz")
    assert not unbuilt.built and unbuilt.parameters() == []
    deeper = tn.Sequential([L.Dense(8, input_shape=(2,)), L.Dense(8), L.Dense(1)])
    with pytest.raises(ModelFileError, match="holds 4 weights but .* has 6 parameters"):
        load_weights(deeper, tmp_path / "weights.npz")


def test_load_model_refuses_a_weights_file_and_points_to_load_weights(tmp_path: Path) -> None:
    save_weights(classifier(), tmp_path / "weights.npz")
    with pytest.raises(ModelFileError, match=r"weights file .*load_weights"):
        load_model(tmp_path / "weights.npz")
