"""``LambdaCallback``: plain functions as hooks, called with the hooks' arguments; unknown hooks refused."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError


def fit(callback: tn.callbacks.Callback, epochs: int = 2) -> None:
    model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((6, 2)), np.zeros((6, 1)), batch_size=3, epochs=epochs, verbose=0, callbacks=[callback])
    model.evaluate(np.ones((6, 2)), np.zeros((6, 1)), verbose=0, callbacks=[callback])


def test_each_function_is_called_at_its_hook_with_the_hooks_arguments() -> None:
    calls: list[tuple[Any, ...]] = []
    callback = tn.callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin",)),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, sorted(logs))),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append(("train_end",)),
        on_test_end=lambda logs: calls.append(("test_end", sorted(logs))),
    )
    fit(callback, epochs=1)
    assert calls == [
        ("train_begin",), ("epoch_begin", 0),
        ("batch_begin", 0), ("batch_end", 0, ["loss"]), ("batch_begin", 1), ("batch_end", 1, ["loss"]),
        ("epoch_end", 0, ["loss"]), ("train_end",), ("test_end", ["loss"]),
    ]  # fmt: skip


def test_hooks_not_given_do_nothing_and_batch_hooks_are_only_called_when_given() -> None:
    seen: list[int] = []
    callback = tn.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    assert not tn.callbacks.CallbackList([callback]).uses_train_batch_hooks()
    assert tn.callbacks.CallbackList(
        [tn.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: None)]
    ).uses_train_batch_hooks()
    fit(callback, epochs=3)
    assert seen == [0, 1, 2]


def test_a_function_can_stop_training() -> None:
    model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    stop = tn.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", epoch == 1))
    history = model.fit(np.ones((4, 2)), np.zeros((4, 1)), epochs=10, verbose=0, callbacks=[stop])
    assert len(history.history["loss"]) == 2


def test_unknown_hooks_and_non_functions_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="unknown hook"):
        tn.callbacks.LambdaCallback(on_batch_finish=print)
    with pytest.raises(InvalidTypeError, match="on_epoch_end must be a function"):
        tn.callbacks.LambdaCallback(on_epoch_end=3)  # type: ignore[arg-type]
