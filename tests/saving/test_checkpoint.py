"""``ModelCheckpoint``: Keras's arguments and file-name templates, best-only saving, weights-only files,
saving every N batches, resuming bitwise from a checkpoint, and its interplay with ``EarlyStopping``."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import tinynet as tn
from tinynet.callbacks.model_checkpoint import ModelCheckpoint
from tinynet.errors import InvalidTypeError, InvalidValueError
from tinynet.saving import ModelFileError, load_model, load_weights

from .helpers import assert_same_training_state, assert_same_weights, classifier, fit, moons


def kind(path: Path) -> str:
    return json.loads(zipfile.ZipFile(path).read("config.json"))["kind"]


def marked(model: tn.Model, value: float) -> None:
    """Set every weight to ``value``, so a file shows which call wrote it."""
    model.set_weights([np.full_like(w, value) for w in model.get_weights()])


def weight_value(path: Path) -> float:
    return float(load_model(path).get_weights()[0].flat[0])


def test_one_file_per_epoch_numbered_from_1(tmp_path: Path) -> None:
    model = classifier()
    checkpoint = ModelCheckpoint(tmp_path / "ckpt-{epoch:02d}.npz")
    fit(model, 3, callbacks=[checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-01.npz", "ckpt-02.npz", "ckpt-03.npz"]
    assert checkpoint.last_path == str(tmp_path / "ckpt-03.npz")
    assert_same_training_state(model, load_model(tmp_path / "ckpt-03.npz"))


def test_the_template_takes_any_logs_key_with_a_format_spec(tmp_path: Path) -> None:
    model = classifier()
    history = fit(model, 2, callbacks=[ModelCheckpoint(tmp_path / "e{epoch}-{val_loss:.4f}-{accuracy:.2f}.npz")])
    expected = [f"e{e + 1}-{history['val_loss'][e]:.4f}-{history['accuracy'][e]:.2f}.npz" for e in range(2)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)


def test_a_template_key_missing_from_the_logs_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match=r"names \{val_auc\}, which is not in the logs. Available: "):
        fit(classifier(), 1, callbacks=[ModelCheckpoint(tmp_path / "{val_auc}.npz")])
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_created(tmp_path: Path) -> None:
    fit(classifier(), 1, callbacks=[ModelCheckpoint(tmp_path / "runs" / "a" / "model.npz")])
    assert (tmp_path / "runs" / "a" / "model.npz").exists()


def test_save_best_only_writes_strict_improvements_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = classifier()
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", save_best_only=True, verbose=1)
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    for epoch, value in enumerate([0.5, 0.4, 0.4, float("nan"), 0.45, 0.3]):
        marked(model, epoch)
        checkpoint.on_epoch_begin(epoch)
        checkpoint.on_epoch_end(epoch, {"loss": 1.0, "val_loss": value})
        expected = {0: 0, 1: 1, 2: 1, 3: 1, 4: 1, 5: 5}[epoch]
        assert weight_value(tmp_path / "best.npz") == expected
    assert checkpoint.best == 0.3
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Epoch 1: val_loss improved from inf to 0.50000, saving model to {tmp_path / 'best.npz'}"
    assert lines[2] == "Epoch 3: val_loss did not improve from 0.40000"


def test_mode_max_and_auto_for_accuracy_and_an_initial_threshold(tmp_path: Path) -> None:
    model = classifier()
    for mode in ("auto", "max"):
        checkpoint = ModelCheckpoint(
            tmp_path / f"{mode}-{{epoch}}.npz",
            monitor="val_accuracy",
            mode=mode,
            save_best_only=True,
            initial_value_threshold=0.6,
        )
        checkpoint.set_model(model)
        for epoch, value in enumerate([0.5, 0.7, 0.65, 0.9]):
            checkpoint.on_epoch_end(epoch, {"val_accuracy": value})
        assert sorted(p.name for p in tmp_path.glob(f"{mode}-*")) == [f"{mode}-2.npz", f"{mode}-4.npz"]


def test_save_best_only_with_a_missing_monitor_lists_the_keys(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="'val_loss' is not in the epoch's logs .*no validation data"):
        fit(classifier(), 1, validation_split=0.0, callbacks=[ModelCheckpoint(tmp_path / "m.npz", save_best_only=True)])


def test_save_weights_only_writes_a_weights_file(tmp_path: Path) -> None:
    model = classifier()
    fit(model, 2, callbacks=[ModelCheckpoint(tmp_path / "w.npz", save_weights_only=True)])
    assert kind(tmp_path / "w.npz") == "weights"
    with pytest.raises(ModelFileError, match="load_weights"):
        load_model(tmp_path / "w.npz")
    fresh = classifier(seed=3)
    load_weights(fresh, tmp_path / "w.npz")
    assert_same_weights(model, fresh)


def test_save_freq_counts_batches_across_epochs(tmp_path: Path) -> None:
    x, y = moons(40)
    model = classifier()
    model.fit(
        x,
        y,
        epochs=2,
        batch_size=10,
        verbose=0,
        callbacks=[ModelCheckpoint(tmp_path / "e{epoch}-b{batch}.npz", save_freq=3)],
    )
    # 4 batches an epoch: batches 3 and 6 of the run are epoch 1 batch 3 and epoch 2 batch 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1-b3.npz", "e2-b2.npz"]


def test_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="save_freq"):
        ModelCheckpoint(tmp_path / "m.npz", save_freq=0)
    with pytest.raises(InvalidValueError, match="save_freq"):
        ModelCheckpoint(tmp_path / "m.npz", save_freq="batch")
    with pytest.raises(InvalidValueError, match="mode"):
        ModelCheckpoint(tmp_path / "m.npz", mode="best")
    with pytest.raises(InvalidValueError, match="not a valid template"):
        ModelCheckpoint(tmp_path / "m{epoch.npz")
    with pytest.raises(InvalidValueError, match="positional field"):
        ModelCheckpoint(tmp_path / "m{}.npz")
    for name in ("m{epoch:02d}.keras", "best.h5", "w.weights.H5"):  # refused before fit, not after an epoch
        with pytest.raises(InvalidValueError, match=r"ModelCheckpoint: filepath: .* ends in .*Keras.*'\.npz'"):
            ModelCheckpoint(tmp_path / name, save_weights_only=name.startswith("w"))
    with pytest.raises(InvalidTypeError, match="filepath"):
        ModelCheckpoint(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="save_best_only"):
        ModelCheckpoint(tmp_path / "m.npz", save_best_only="yes")  # type: ignore[arg-type]
    config = ModelCheckpoint(tmp_path / "m.npz", monitor="loss", save_freq=5).get_config()
    assert ModelCheckpoint.from_config(config).get_config() == config


def test_training_resumed_from_a_checkpoint_equals_uninterrupted_training(tmp_path: Path) -> None:
    straight = classifier(dropout=True)
    history = fit(straight, 4, callbacks=[ModelCheckpoint(tmp_path / "epoch{epoch}.npz")])
    resumed = load_model(tmp_path / "epoch2.npz")
    after = fit(resumed, 2)
    assert_same_training_state(straight, resumed)
    assert after == {key: values[2:] for key, values in history.items()}


def test_with_early_stopping_the_best_checkpoint_holds_the_restored_weights(tmp_path: Path) -> None:
    """Validation labels flipped: val_loss worsens as training improves, so EarlyStopping stops and restores."""
    x, y = moons()
    model = classifier()
    stopper = tn.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", monitor="val_loss", save_best_only=True)
    history = model.fit(
        x, y, epochs=30, batch_size=16, verbose=0, validation_data=(x, 1 - y), callbacks=[checkpoint, stopper]
    )
    assert len(history.history["loss"]) < 30 and stopper.stopped_epoch > 0
    assert checkpoint.best == min(history.history["val_loss"]) == stopper.best
    assert_same_weights(model, load_model(tmp_path / "best.npz"))
