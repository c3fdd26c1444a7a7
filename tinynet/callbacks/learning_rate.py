"""Callbacks that set the optimizer's learning rate: by a schedule, or when progress stalls."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import number
from ..errors import CallOrderError, InvalidTypeError, InvalidValueError
from ._shared import print_message
from .base import Callback, Logs
from .monitor import MonitorCallback

__all__ = ["LearningRateScheduler", "ReduceLROnPlateau"]


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch to ``schedule(epoch, lr)``.

    ``epoch`` counts from 0 and ``lr`` is the current learning rate; a
    ``schedule(epoch)`` of one argument works too. The rate used in an epoch is
    written to its logs as ``"learning_rate"`` (so :class:`History` records it).

    Parameters
    ----------
    schedule : callable
        ``(epoch: int, lr: float) -> float`` or ``(epoch: int) -> float``; it must
        return a finite number ``>= 0``.
    verbose : int, default 0
        1 prints the new rate at each epoch.

    Examples
    --------
    >>> import tinynet as tn
    >>> def halve_after_two(epoch, lr):
    ...     return lr if epoch < 2 else lr / 2
    >>> scheduler = tn.callbacks.LearningRateScheduler(halve_after_two)
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise InvalidTypeError(
                f"LearningRateScheduler: schedule must be a function (epoch, lr) -> lr, received "
                f"{type(schedule).__name__}."
            )
        self._takes_lr = _positional_count(schedule) >= 2
        self.verbose = number(verbose, "LearningRateScheduler", "verbose", 0, integral=True)
        self.schedule = schedule

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = _optimizer(self.model, "LearningRateScheduler")
        lr = float(optimizer.learning_rate)
        new_lr = self.schedule(epoch, lr) if self._takes_lr else self.schedule(epoch)
        if isinstance(new_lr, bool) or not isinstance(new_lr, (int, float, np.integer, np.floating)):
            raise InvalidTypeError(
                f"LearningRateScheduler: schedule({epoch}, {lr}) must return a float, received {new_lr!r} "
                f"({type(new_lr).__name__})."
            )
        if not math.isfinite(new_lr) or new_lr < 0:
            raise InvalidValueError(
                f"LearningRateScheduler: schedule({epoch}, {lr}) must return a finite learning rate >= 0, "
                f"received {new_lr!r}."
            )
        optimizer.learning_rate = float(new_lr)
        if self.verbose > 0:
            print_message(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(new_lr)}.")

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(_optimizer(self.model, "LearningRateScheduler").learning_rate)


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs.

    Keras's semantics: at each epoch end, a value ``v`` improves on ``best``
    when ``v < best - min_delta`` (mode ``"min"``) or ``v > best + min_delta``
    (mode ``"max"``). After ``patience`` epochs without improvement the rate
    becomes ``max(lr * factor, min_lr)`` (unless it is already at ``min_lr``),
    and for the next ``cooldown`` epochs no epoch counts towards patience. The
    rate used in each epoch is written to its logs as ``"learning_rate"``.

    Parameters
    ----------
    monitor : str, default "val_loss"
        A logs key; a missing one raises :class:`~tinynet.errors.InvalidValueError`.
    factor : float, default 0.1
        The multiplier, ``0 < factor < 1``.
    patience : int, default 10
        Epochs without improvement before a reduction.
    verbose : int, default 0
        1 prints a message at each reduction.
    mode : {"auto", "min", "max"}, default "auto"
        ``"auto"`` is ``"max"`` when the name contains ``acc``, ``auc``,
        ``precision`` or ``recall``, else ``"min"``.
    min_delta : float, default 1e-4
        How much better than the best a value must be to count as an improvement.
    cooldown : int, default 0
        Epochs to wait after a reduction before counting patience again.
    min_lr : float, default 0.0
        The rate is never reduced below this.

    Examples
    --------
    >>> import tinynet as tn
    >>> reduce_lr = tn.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-4)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(monitor, mode, min_delta)
        owner = "ReduceLROnPlateau"
        self.factor = number(factor, owner, "factor", 0.0)
        if not 0.0 < self.factor < 1.0:
            raise InvalidValueError(
                f"{owner}: factor must be between 0 and 1 (exclusive) to reduce the rate, received {factor!r}."
            )
        self.patience = number(patience, owner, "patience", 0, integral=True)
        self.verbose = number(verbose, owner, "verbose", 0, integral=True)
        self.cooldown = number(cooldown, owner, "cooldown", 0, integral=True)
        self.min_lr = number(min_lr, owner, "min_lr", 0.0)
        self._reset()

    def get_config(self) -> dict[str, Any]:
        return {
            "monitor": self.monitor, "factor": self.factor, "patience": self.patience, "verbose": self.verbose,
            "mode": self.mode, "min_delta": self.min_delta, "cooldown": self.cooldown, "min_lr": self.min_lr,
        }  # fmt: skip

    def _reset(self) -> None:
        self.best = -math.inf if self.maximizes else math.inf
        self.wait = 0
        self.cooldown_counter = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = _optimizer(self.model, "ReduceLROnPlateau")
        value = self.monitored_value(logs)
        if logs is not None:
            logs["learning_rate"] = float(optimizer.learning_rate)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_improvement(value):
            self.best, self.wait = value, 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        lr = float(optimizer.learning_rate)
        if self.wait >= self.patience and lr > self.min_lr:
            new_lr = max(lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print_message(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
            self.cooldown_counter, self.wait = self.cooldown, 0


def _optimizer(model: Any, owner: str) -> Any:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise CallOrderError(f"{owner}: the model has no optimizer; compile the model before fitting it.")
    if not hasattr(optimizer, "learning_rate"):
        raise InvalidTypeError(f"{owner}: the optimizer {type(optimizer).__name__} has no learning_rate to set.")
    return optimizer


def _positional_count(schedule: Callable[..., Any]) -> int:
    """How many positional arguments ``schedule`` takes (2 when it takes ``*args`` or cannot be inspected)."""
    try:
        parameters = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):
        return 2
    kinds = [p.kind for p in parameters]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return 2
    count = sum(kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) for kind in kinds)
    if count == 0:
        raise InvalidTypeError(
            "LearningRateScheduler: schedule must take (epoch, lr) or (epoch), but it takes no positional argument."
        )
    return count
