"""``EarlyStopping``: stop when the monitored quantity stops improving; optionally keep the best weights."""

from __future__ import annotations

from typing import Any

from .._validation import number
from ._shared import print_message
from .base import Logs
from .monitor import MonitorCallback

__all__ = ["EarlyStopping"]


class EarlyStopping(MonitorCallback):
    """Stops training once ``monitor`` has not improved for ``patience`` epochs (Keras's semantics).

    At each epoch end from ``start_from_epoch`` on, the value ``v`` of
    ``logs[monitor]`` is an improvement when ``v < best - min_delta`` (mode
    ``"min"``) or ``v > best + min_delta`` (mode ``"max"``); the first value
    always is, and NaN never is. ``wait`` counts the epochs since the last
    improvement; when it reaches ``patience`` (after epoch 0) training stops
    (``model.stop_training = True``) and ``stopped_epoch`` records the epoch.
    With a ``baseline``, an improvement resets ``wait`` only if it also beats
    the baseline, so training stops after ``patience`` epochs that never beat
    it, even while they improve (tf.keras 2's rule; Keras 3 never stops on an
    improving epoch).

    Parameters
    ----------
    monitor : str, default "val_loss"
        A logs key. A key missing at the first epoch end raises
        :class:`~tinynet.errors.InvalidValueError` listing the keys there are.
    min_delta : float, default 0.0
        How much better than the best a value must be to count as an improvement.
    patience : int, default 0
        Epochs without improvement before stopping.
    verbose : int, default 0
        1 prints a message when stopping and when restoring weights.
    mode : {"auto", "min", "max"}, default "auto"
        ``"auto"`` is ``"max"`` when the name contains ``acc``, ``auc``,
        ``precision`` or ``recall``, else ``"min"``.
    baseline : float, optional
        A value the monitored quantity must beat (see above).
    restore_best_weights : bool, default False
        Keep a copy of the weights of the best epoch and put it back in the
        model when training ends.
    start_from_epoch : int, default 0
        Epochs to ignore at the start (warm-up) before watching for improvement.

    Attributes
    ----------
    best : float or None
        The best value seen.
    best_epoch : int
        The epoch of ``best``.
    wait : int
        Epochs since the last improvement.
    stopped_epoch : int
        The epoch at which training was stopped; 0 when it was not.

    Notes
    -----
    Unlike Keras, which restores the best weights only when it stops training
    early, ``restore_best_weights=True`` restores them in ``on_train_end``,
    which the training loop runs on every exit path: so a ``fit`` that runs all
    its epochs, is stopped by another callback, or is interrupted by an
    exception (the exception still propagates) also ends with the best
    epoch's weights.

    Examples
    --------
    >>> import tinynet as tn
    >>> class Model:
    ...     stop_training = False
    >>> stopper = tn.callbacks.EarlyStopping(monitor="loss", patience=1)
    >>> stopper.set_model(Model())
    >>> stopper.on_train_begin()
    >>> for epoch, loss in enumerate([0.5, 0.4, 0.45]):
    ...     stopper.on_epoch_end(epoch, {"loss": loss})
    >>> stopper.model.stop_training, stopper.stopped_epoch, stopper.best
    (True, 2, 0.4)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta)
        owner = "EarlyStopping"
        self.patience = number(patience, owner, "patience", 0, integral=True)
        self.verbose = number(verbose, owner, "verbose", 0, integral=True)
        self.baseline = None if baseline is None else number(baseline, owner, "baseline")
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = number(start_from_epoch, owner, "start_from_epoch", 0, integral=True)
        self._reset()

    def get_config(self) -> dict[str, Any]:
        return {
            "monitor": self.monitor, "min_delta": self.min_delta, "patience": self.patience,
            "verbose": self.verbose, "mode": self.mode, "baseline": self.baseline,
            "restore_best_weights": self.restore_best_weights, "start_from_epoch": self.start_from_epoch,
        }  # fmt: skip

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights: list[Any] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        value = self.monitored_value(logs)
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch  # nothing better seen yet
        self.wait += 1
        if self.is_improvement(value):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.is_improvement(value, self.baseline):
                self.wait = 0
                return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_message(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_message(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
