"""The loops around the steps: epochs of batches for ``fit``, batches for ``evaluate`` and ``predict``.

A loop cuts batches, hands each to the model's step (``train_step``,
``test_step``, ``predict_step``) and calls the callbacks' hooks around it. It
does nothing to a batch itself: that is the step's job, and a model may
override the step. Arguments reach a loop already checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .._memory import inference
from ..callbacks import CallbackList
from ..errors import InvalidTypeError
from ..layer import Array
from ..utils import make_rng
from .data import batch_bounds, count, take

__all__ = ["fit_loop", "evaluate_loop", "predict_loop", "callbacks_for", "training"]

Logs = dict[str, Any]
Arrays = tuple[Array, Array | None, Array | None]  # x, y, sample weights: y and weights may be absent


@contextmanager
def training(model: Any) -> Iterator[None]:
    """While training, nothing needs the gradient of the data; the model's parameters are walked afresh."""
    model.needs_input_grad = False
    model._trainable_cache = None
    try:
        yield
    finally:
        vars(model).pop("needs_input_grad", None)  # back to the class's default


def fit_loop(
    model: Any,
    data: Arrays,
    batch_size: int,
    epochs: range,
    shuffle: bool,
    validation: Arrays | None,
    callback_list: CallbackList,
) -> None:
    """Epochs of batches through ``train_step``, with the callbacks' hooks; ``on_train_end`` runs on every exit.

    An epoch's logs are those its last step returned, plus ``val_`` figures from ``evaluate_loop``.
    """
    x, y, weights = data
    rng = model._shuffle_rng if model._shuffle_rng is not None else make_rng()
    bounds = batch_bounds(count(x), batch_size)
    batch_hooks = callback_list.uses_train_batch_hooks()  # else no per-batch calls
    logs: Logs = {}
    model.stop_training = False
    callback_list.on_train_begin()
    try:
        with training(model):
            for epoch in epochs:
                callback_list.on_epoch_begin(epoch)
                model.reset_metrics()
                order = rng.permutation(count(x)) if shuffle else None
                for step, (start, stop) in enumerate(bounds):
                    if batch_hooks:
                        callback_list.on_train_batch_begin(step)
                    index = slice(start, stop) if order is None else order[start:stop]
                    logs = checked_logs(model, model.train_step(batch_of(data, index)), "train_step")
                    if batch_hooks:
                        callback_list.on_train_batch_end(step, logs)
                    if model.stop_training:
                        break
                logs = dict(logs)
                if validation is not None:
                    results = evaluate_loop(model, validation, batch_size, callback_list)
                    logs.update({f"val_{name}": value for name, value in results.items()})
                callback_list.on_epoch_end(epoch, logs)
                if model.stop_training:
                    break
    finally:
        callback_list.on_train_end(logs)


def evaluate_loop(model: Any, data: Arrays, batch_size: int, callback_list: CallbackList | None = None) -> Logs:
    """``test_step`` over the batches of ``data`` under inference, after ``reset_metrics``; the last step's logs."""
    hooks = callback_list if callback_list is not None else CallbackList()
    model.reset_metrics()
    logs: Logs = {}
    hooks.on_test_begin()
    with inference():  # what a training forward remembered stays in place
        for step, (start, stop) in enumerate(batch_bounds(count(data[0]), batch_size)):
            hooks.on_test_batch_begin(step)
            logs = checked_logs(model, model.test_step(batch_of(data, slice(start, stop))), "test_step")
            hooks.on_test_batch_end(step, logs)
    hooks.on_test_end(logs)
    return dict(logs)


def predict_loop(model: Any, x: Array, batch_size: int, callback_list: CallbackList | None = None) -> Array:
    """``predict_step`` over the batches of ``x`` under inference, the outputs concatenated."""
    with inference():  # what a training forward remembered stays in place
        if callback_list is None and count(x) <= batch_size:  # one batch, no hooks: the latency path
            y: Any = model.predict_step(x)
            return _owned(y, x)
        hooks = callback_list if callback_list is not None else CallbackList()
        hooks.on_predict_begin()
        outputs = []
        for step, (start, stop) in enumerate(batch_bounds(count(x), batch_size)):
            hooks.on_predict_batch_begin(step)
            outputs.append(model.predict_step(take(x, slice(start, stop))))
            hooks.on_predict_batch_end(step)
        hooks.on_predict_end()
    return _concatenated(outputs)


def callbacks_for(model: Any, callbacks: Any, verbose: int, steps: int) -> CallbackList | None:
    """The callbacks of ``evaluate`` / ``predict``, with a bar for ``verbose``; ``None`` when there are none."""
    if callbacks is None and verbose == 0:
        return None
    params = {"epochs": 1, "steps": steps, "verbose": verbose}
    return CallbackList(callbacks, model=model, params=params, add_progress=True, verbose=verbose)


def batch_of(data: Arrays, index: Any) -> Any:
    """What a step receives: ``(x, y)``, ``(x, y, sample_weight)``, or ``x`` alone when there is no ``y``."""
    x, y, weights = data
    if y is None:
        return take(x, index)
    return (take(x, index), take(y, index)) if weights is None else (take(x, index), take(y, index), weights[index])


def checked_logs(model: Any, logs: Any, step: str) -> Logs:
    """The logs a step returned, which must be a dict."""
    if not isinstance(logs, dict):
        raise InvalidTypeError(
            f"{model._label()}: {step}() must return a dict of logs such as {{'loss': value}}, "
            f"received {type(logs).__name__}."
        )
    return logs


def _concatenated(outputs: list[Any]) -> Any:
    """The batches' outputs joined: an array, or a list or dict of them for a model of several outputs."""
    first = outputs[0]
    if isinstance(first, dict):
        return {key: np.concatenate([o[key] for o in outputs]) for key in first}
    if isinstance(first, list):
        return [np.concatenate([o[i] for o in outputs]) for i in range(len(first))]
    return np.concatenate(outputs)


def _owned(y: Any, x: Any) -> Any:
    """``y`` with no array a view of the caller's ``x`` (a model of reshapes alone returns one)."""
    if isinstance(y, dict):
        return {key: _owned(value, x) for key, value in y.items()}
    if isinstance(y, list):
        return [_owned(value, x) for value in y]
    inputs = x if isinstance(x, list) else [x]
    return y.copy() if any(np.may_share_memory(y, part) for part in inputs) else y
