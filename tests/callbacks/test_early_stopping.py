"""EarlyStopping: Keras's stopping rule, the best weights restored on every exit path, clear errors."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tinynet.callbacks import EarlyStopping
from tinynet.callbacks.monitor import resolve_mode
from tinynet.errors import InvalidTypeError, InvalidValueError

from .fakes import Boom, FakeModel, fake_fit, losses

# (kwargs, monitored values, epochs that run, stopped_epoch, best)
CASES: dict[str, tuple[dict[str, Any], list[float], int, int, float]] = {
    "patience 0 stops at the first epoch without improvement": ({}, [1.0, 0.9, 0.95, 0.8], 3, 2, 0.9),
    "patience 2 waits two epochs": ({"patience": 2}, [1.0, 0.9, 0.95, 0.96, 0.5], 4, 3, 0.9),
    "an improvement resets the wait": ({"patience": 2}, [1.0, 0.9, 0.95, 0.85, 0.86, 0.87], 6, 5, 0.85),
    "improving every epoch never stops": ({}, [5.0, 4.0, 3.0, 2.0, 1.0], 5, 0, 1.0),
    "min_delta: small gains do not count": ({"min_delta": 0.05, "patience": 1}, [1.0, 0.97, 0.96, 0.5], 2, 1, 1.0),
    "min_delta: a gain must exceed it": ({"min_delta": 0.25}, [1.0, 0.75, 0.5], 2, 1, 1.0),
    "mode max": ({"mode": "max"}, [1.0, 2.0, 1.5], 3, 2, 2.0),
    "baseline never beaten stops after patience": ({"baseline": 0.5, "patience": 2}, [0.9, 0.8, 0.7, 0.4], 2, 1, 0.8),
    "baseline beaten resets the wait": ({"baseline": 0.85, "patience": 1}, [0.9, 0.8, 0.81, 0.7], 3, 2, 0.8),
    "start_from_epoch ignores the warm-up": ({"start_from_epoch": 2}, [5.0, 6.0, 1.0, 2.0, 0.5], 4, 3, 1.0),
    "NaN is never an improvement": ({"patience": 1}, [1.0, math.nan, 0.5], 2, 1, 1.0),
}


@pytest.mark.parametrize("kwargs, values, runs, stopped, best", CASES.values(), ids=CASES.keys())
def test_stopping_rule(kwargs: dict[str, Any], values: list[float], runs: int, stopped: int, best: float) -> None:
    model, stopper = FakeModel(), EarlyStopping(**kwargs)
    history = fake_fit(model, [stopper], losses(*values))
    assert len(history.epoch) == runs
    assert stopper.stopped_epoch == stopped
    assert model.stop_training is (stopped > 0)
    assert stopper.best == best


def test_auto_mode_maximizes_accuracy_like_names() -> None:
    stopper = EarlyStopping(monitor="val_accuracy")
    history = fake_fit(FakeModel(), [stopper], losses(0.5, 0.6, 0.55, key="val_accuracy"))
    assert history.epoch == [0, 1, 2] and stopper.best == 0.6
    low = EarlyStopping(monitor="val_accuracy", mode="min")
    fake_fit(FakeModel(), [low], losses(0.5, 0.4, 0.45, key="val_accuracy"))
    assert low.stopped_epoch == 2 and low.best == 0.4


@pytest.mark.parametrize(
    "monitor, mode",
    [("val_loss", "min"), ("loss", "min"), ("mae", "min"), ("accuracy", "max"), ("val_binary_accuracy", "max"),
     ("val_auc", "max"), ("precision", "max"), ("val_recall", "max")],
)  # fmt: skip
def test_auto_mode_direction(monitor: str, mode: str) -> None:
    assert resolve_mode(monitor, "auto") == mode
    assert resolve_mode(monitor, "min") == "min" and resolve_mode(monitor, "max") == "max"


# ---------------------------------------------------------------------------- restoring the best weights
def test_restores_the_best_weights_when_all_epochs_run() -> None:
    model = FakeModel()
    history = fake_fit(model, [EarlyStopping(patience=10, restore_best_weights=True)], losses(1.0, 0.5, 0.7, 0.8))
    assert history.epoch == [0, 1, 2, 3]
    assert model.epoch_of_weights() == 1


def test_restores_the_best_weights_when_stopping_early() -> None:
    model, stopper = FakeModel(), EarlyStopping(patience=2, restore_best_weights=True)
    history = fake_fit(model, [stopper], losses(1.0, 0.5, 0.7, 0.8, 0.9))
    assert history.epoch == [0, 1, 2, 3] and stopper.stopped_epoch == 3
    assert model.epoch_of_weights() == 1 and stopper.best_epoch == 1


def test_restores_the_best_weights_when_an_exception_interrupts_training() -> None:
    model = FakeModel()
    with pytest.raises(Boom):
        fake_fit(model, [EarlyStopping(patience=10, restore_best_weights=True)], losses(1.0, 0.5, 0.7, 0.8, 0.2),
                 fail_at=(3, 1))  # fmt: skip
    assert model.epoch_of_weights() == 1


def test_an_exception_before_any_epoch_end_leaves_the_weights_alone() -> None:
    model = FakeModel()
    with pytest.raises(Boom):
        fake_fit(model, [EarlyStopping(restore_best_weights=True)], losses(1.0, 0.5), fail_at=(0, 2))
    assert model.epoch_of_weights() == 0  # what the two batches that ran left


def test_without_restore_the_last_weights_stay() -> None:
    model = FakeModel()
    fake_fit(model, [EarlyStopping(patience=5)], losses(1.0, 0.5, 0.7, 0.8))
    assert model.epoch_of_weights() == 3


def test_the_first_watched_epoch_stands_in_when_none_improves() -> None:
    model, stopper = FakeModel(), EarlyStopping(patience=5, restore_best_weights=True, start_from_epoch=1)
    fake_fit(model, [stopper], losses(0.1, 1.0, 2.0, 3.0))
    assert model.epoch_of_weights() == 1 and stopper.best_epoch == 1


def test_verbose_messages(capsys: pytest.CaptureFixture[str]) -> None:
    fake_fit(FakeModel(), [EarlyStopping(patience=2, restore_best_weights=True, verbose=1)],
             losses(1.0, 0.5, 0.7, 0.8, 0.9))  # fmt: skip
    assert capsys.readouterr().out == (
        "Epoch 4: early stopping\nRestoring model weights from the end of the best epoch: 2.\n"
    )


def test_an_instance_can_be_reused() -> None:
    stopper = EarlyStopping(patience=0)
    fake_fit(FakeModel(), [stopper], losses(1.0, 2.0))
    assert stopper.stopped_epoch == 1
    history = fake_fit(FakeModel(), [stopper], losses(5.0, 4.0, 3.0))
    assert history.epoch == [0, 1, 2] and stopper.stopped_epoch == 0 and stopper.best == 3.0


# ---------------------------------------------------------------------------- errors and config
def test_a_missing_monitor_names_it_and_the_available_keys() -> None:
    with pytest.raises(InvalidValueError) as error:
        fake_fit(FakeModel(), [EarlyStopping(start_from_epoch=3)], [{"loss": 1.0, "accuracy": 0.5}] * 5)
    message = str(error.value)
    assert "EarlyStopping" in message and "'val_loss'" in message
    assert "'loss', 'accuracy'" in message and "no validation data" in message


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"patience": -1}, InvalidValueError, ["patience", ">= 0", "-1"]),
        ({"patience": 1.5}, InvalidTypeError, ["patience", "an int", "1.5"]),
        ({"min_delta": -0.1}, InvalidValueError, ["min_delta", "-0.1"]),
        ({"mode": "maximum"}, InvalidValueError, ["mode", "'auto', 'min' or 'max'", "'maximum'"]),
        ({"monitor": 3}, InvalidTypeError, ["monitor", "3"]),
        ({"start_from_epoch": -2}, InvalidValueError, ["start_from_epoch", "-2"]),
        ({"baseline": math.nan}, InvalidValueError, ["baseline", "nan"]),
    ],
)
def test_invalid_arguments(kwargs: dict[str, Any], error: type[Exception], words: list[str]) -> None:
    with pytest.raises(error) as raised:
        EarlyStopping(**kwargs)
    assert str(raised.value).startswith("EarlyStopping: ")
    for word in words:
        assert word in str(raised.value)


def test_config_round_trip() -> None:
    stopper = EarlyStopping(monitor="val_accuracy", min_delta=0.01, patience=3, mode="max", baseline=0.5,
                            restore_best_weights=True, start_from_epoch=2)  # fmt: skip
    config = stopper.get_config()
    assert EarlyStopping.from_config(config).get_config() == config
    assert config["patience"] == 3 and config["restore_best_weights"] is True
