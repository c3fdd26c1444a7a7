"""The loops around the steps: epochs of batches for ``fit``, batches for ``evaluate`` and ``predict``.

A loop takes batches from a source (:mod:`tinynet.models.streams`: arrays,
a ``PyDataset`` or an iterator), hands each to the model's step (``train_step``,
``test_step``, ``predict_step``) and calls the callbacks' hooks around it. It
does nothing to a batch itself: that is the step's job, and a model may
override the step. Arguments reach a loop already checked.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .._memory import inference
from ..callbacks import CallbackList
from ..errors import InvalidTypeError, InvalidValueError
from ..layer import Array
from ..utils import make_rng
from .data import count
from .streams import ArrayBatches, batch_of

__all__ = ["fit_loop", "evaluate_loop", "predict_loop", "callbacks_for", "training", "batch_of"]

Logs = dict[str, Any]


@contextmanager
def training(model: Any, walk_afresh: bool = True) -> Iterator[None]:
    """While training, nothing needs the gradient of the data; the parameters go into flat buffers.

    ``fit`` walks the model afresh first. ``train_on_batch``, which a custom loop
    calls every step, keeps the walk until ``Layer.parameter_changes`` moves
    (a layer frozen, unfrozen, built or added), as every step of ``fit`` does.
    """
    model.needs_input_grad = False
    if walk_afresh:
        model._trainable_cache = None
    model._stepping = True  # its trainable parameters go into flat buffers (tinynet._flat)
    try:
        yield
    finally:
        vars(model).pop("needs_input_grad", None)  # back to the class's default
        model._stepping = False


def fit_loop(
    model: Any,
    source: Any,
    epochs: range,
    validation: Any,
    callback_list: CallbackList,
) -> None:
    """Epochs of batches from ``source`` through ``train_step``, with the callbacks' hooks; ``on_train_end`` always.

    ``source`` and ``validation`` are sources of :mod:`tinynet.models.streams`.
    An epoch's logs are those its last step returned, plus ``val_`` figures
    from ``evaluate_loop``. A callback may set ``model._resume_from`` in
    ``on_train_begin`` (``BackupAndRestore`` does): ``{"epoch", "step",
    "shuffle_rng"}``, where training then goes on — that epoch, from that
    batch, its order drawn again from the shuffling generator's state at the
    epoch's start. After the last epoch (not after an error) the optimizer's
    ``finalize_variable_values`` runs, as in Keras.
    """
    rng = model._shuffle_rng if model._shuffle_rng is not None else make_rng()
    batch_hooks = callback_list.uses_train_batch_hooks()  # else no per-batch calls
    logs: Logs = {}
    model.stop_training = False
    callback_list.on_train_begin()
    try:
        epochs, first_step = _resumed(model, rng, epochs)
        with training(model):
            for epoch in epochs:
                callback_list.on_epoch_begin(epoch)
                model.reset_metrics()
                ran = 0
                for step, batch in source.epoch(rng, first_step if epoch == epochs.start else 0):
                    if batch_hooks:
                        callback_list.on_train_batch_begin(step)
                    logs = checked_logs(model, model.train_step(batch), "train_step")
                    ran += 1
                    if batch_hooks:
                        callback_list.on_train_batch_end(step, logs)
                    if model.stop_training:
                        break
                source.on_epoch_end()
                if source.interrupted:
                    _ran_out(model)
                    if not ran:
                        break
                logs = dict(logs)
                if validation is not None:
                    results = evaluate_loop(model, validation, callback_list)
                    logs.update({f"val_{name}": value for name, value in results.items()})
                callback_list.on_epoch_end(epoch, logs)
                if model.stop_training:
                    break
        finalize = getattr(model.optimizer, "finalize_variable_values", None)
        if finalize is not None:  # use_ema: the weights become their moving averages, as Keras's fit ends
            finalize(model.trainable_parameters())
    finally:
        callback_list.on_train_end(logs)


def _resumed(model: Any, rng: np.random.Generator, epochs: range) -> tuple[range, int]:
    """The epochs left and the first step, after a callback asked to resume (see :func:`fit_loop`)."""
    resume = vars(model).pop("_resume_from", None)
    if resume is None:
        return epochs, 0
    if resume.get("shuffle_rng") is not None:
        rng.bit_generator.state = resume["shuffle_rng"]
    start = max(epochs.start, int(resume["epoch"]))
    return range(start, epochs.stop), int(resume["step"]) if start == int(resume["epoch"]) else 0


def _ran_out(model: Any) -> None:
    warnings.warn(
        f"{model._label()}: the input ran out of data; training stops here. Make sure the generator can give at "
        "least steps_per_epoch * epochs batches.",
        stacklevel=3,
    )
    model.stop_training = True


def evaluate_loop(model: Any, source: Any, callback_list: CallbackList | None = None) -> Logs:
    """``test_step`` over the batches of ``source`` under inference, after ``reset_metrics``; the last step's logs."""
    hooks = callback_list if callback_list is not None else CallbackList()
    model.reset_metrics()
    logs: Logs = {}
    hooks.on_test_begin()
    with inference():  # what a training forward remembered stays in place
        for step, batch in source.epoch(None):
            hooks.on_test_batch_begin(step)
            logs = checked_logs(model, model.test_step(batch), "test_step")
            hooks.on_test_batch_end(step, logs)
        source.on_epoch_end()
    if source.interrupted:
        raise InvalidValueError(
            f"{model._label()}: the evaluation data ran out before its first batch; pass an iterator that still "
            "holds batches, set steps (validation_steps), or use a PyDataset, which can be read again."
        )
    hooks.on_test_end(logs)
    return dict(logs)


def predict_loop(model: Any, x: Any, batch_size: int, callback_list: CallbackList | None = None) -> Array:
    """``predict_step`` over the batches of ``x`` (arrays, or a stream source) under inference, concatenated."""
    with inference():  # what a training forward remembered stays in place
        stream = hasattr(x, "epoch")
        if not stream and callback_list is None and count(x) <= batch_size:  # one batch, no hooks: the latency path
            y: Any = model.predict_step(x)
            return _owned(y, x)
        source = x if stream else ArrayBatches((x, None, None), batch_size)
        hooks = callback_list if callback_list is not None else CallbackList()
        hooks.on_predict_begin()
        outputs = []
        for step, batch in source.epoch(None):
            hooks.on_predict_batch_begin(step)
            outputs.append(model.predict_step(batch))
            hooks.on_predict_batch_end(step)
        source.on_epoch_end()
        if not outputs:
            raise InvalidValueError(f"{model._label()}: predict received no batch; the input had run out.")
        hooks.on_predict_end()
    return _concatenated(outputs)


def callbacks_for(model: Any, callbacks: Any, verbose: int, steps: int | None) -> CallbackList | None:
    """The callbacks of ``evaluate`` / ``predict``, with a bar for ``verbose``; ``None`` when there are none."""
    if callbacks is None and verbose == 0:
        return None
    params = {"epochs": 1, "steps": steps, "verbose": verbose}
    return CallbackList(callbacks, model=model, params=params, add_progress=True, verbose=verbose)


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
    if isinstance(y, np.ndarray) and y.base is None and y is not x:  # y owns its memory: nothing of x in it
        return y
    inputs = x if isinstance(x, list) else [x]
    return y.copy() if any(np.may_share_memory(y, part) for part in inputs) else y
