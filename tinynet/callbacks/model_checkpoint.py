"""``ModelCheckpoint``: save the model (or its weights) as training goes — every epoch, every N batches, or the best."""

from __future__ import annotations

import os
import string
from typing import Any

from .._validation import boolean, check_model_file_name, number
from ..errors import InvalidTypeError, InvalidValueError
from ._shared import print_message, to_float
from .base import Logs
from .monitor import MonitorCallback

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(MonitorCallback):
    """Saves the model to ``filepath`` during training, with Keras's arguments and semantics.

    ``filepath`` is a template filled with ``str.format``: ``{epoch}`` is the
    1-based epoch number (as in Keras), ``{batch}`` the 1-based batch number
    (with an integer ``save_freq``), and any key of the logs may appear, with a
    format spec: ``"ckpt/{epoch:02d}-{val_loss:.3f}.npz"``. A missing parent
    folder is created. Each file is written atomically by ``model.save``
    (``save_weights_only=False``: the whole model, its optimizer state and
    shuffling generator, so training can resume from it exactly) or
    ``model.save_weights`` (see :mod:`tinynet.saving`).

    Parameters
    ----------
    filepath : str or path
        The template above. A name ending in one of Keras's extensions
        (``.keras``, ``.h5``, ``.hdf5``) is refused here: the files are tinynet's own format.
    monitor : str, default "val_loss"
        The logs key that ``save_best_only`` watches. A key missing from the
        logs raises :class:`~tinynet.errors.InvalidValueError` listing the keys
        there are (Keras warns and skips; tinynet's EarlyStopping raises too).
    verbose : int, default 0
        1 prints a line for every save (and every epoch that did not improve).
    save_best_only : bool, default False
        Save only when ``monitor`` is strictly better than the best value so
        far (NaN never is). With a fixed ``filepath`` the file always holds the
        best model; with ``{epoch}`` in it, one file per improvement.
    save_weights_only : bool, default False
        Save with ``save_weights`` (weights only; load them with
        ``model.load_weights``) instead of the whole model.
    mode : {"auto", "min", "max"}, default "auto"
        ``"auto"`` is ``"max"`` when the monitor's name contains ``acc``,
        ``auc``, ``precision`` or ``recall``, else ``"min"``.
    save_freq : "epoch" or int, default "epoch"
        Save at each epoch end, or after every ``save_freq`` training batches
        (counted across epochs; the batch logs hold the epoch's running
        averages, so ``monitor`` must be a training key such as ``"loss"``).
    initial_value_threshold : float, optional
        A value the first saved one must beat (with ``save_best_only``).

    Attributes
    ----------
    best : float or None
        The best monitored value saved so far; kept across ``fit`` calls, as in Keras.
    last_path : str or None
        The file written last.

    Notes
    -----
    With :class:`~tinynet.callbacks.EarlyStopping`: both judge ``monitor`` the
    same way (strict improvement in the same mode; EarlyStopping also has
    ``min_delta``), so with the same ``monitor`` and ``mode``,
    ``ModelCheckpoint(save_best_only=True)`` writes the epoch whose weights
    ``EarlyStopping(restore_best_weights=True)`` puts back at the end of
    training: the file and the model in memory agree. Without
    ``save_best_only`` the last checkpoint holds the *last* epoch's weights,
    not the restored ones. Callbacks run in list order at each epoch end, and
    a stop requested by EarlyStopping takes effect after every callback has
    seen the epoch, so that epoch is still checkpointed.

    Examples
    --------
    >>> import pathlib, tempfile, numpy as np, tinynet as tn
    >>> from tinynet.callbacks.model_checkpoint import ModelCheckpoint
    >>> folder = tempfile.TemporaryDirectory()
    >>> model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> checkpoint = ModelCheckpoint(pathlib.Path(folder.name) / "epoch{epoch:02d}.npz", monitor="loss")
    >>> _ = model.fit(np.ones((8, 2)), np.zeros((8, 1)), epochs=2, verbose=0, callbacks=[checkpoint])
    >>> sorted(p.name for p in pathlib.Path(folder.name).iterdir())
    ['epoch01.npz', 'epoch02.npz']
    >>> folder.cleanup()
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        owner = "ModelCheckpoint"
        if not isinstance(filepath, (str, os.PathLike)):
            raise InvalidTypeError(f"{owner}: filepath must be a str or a path, received {type(filepath).__name__}.")
        self.filepath = os.fspath(filepath)
        try:
            fields = [field for _, field, _, _ in string.Formatter().parse(self.filepath) if field is not None]
        except ValueError as error:
            raise InvalidValueError(
                f"{owner}: filepath {self.filepath!r} is not a valid template ({error}); write literal braces as "
                "'{{' and '}}'."
            ) from None
        if any(field == "" or field.isdigit() for field in fields):
            raise InvalidValueError(
                f"{owner}: filepath {self.filepath!r} has a positional field; name it, e.g. '{{epoch}}'."
            )
        check_model_file_name(self.filepath, f"{owner}: filepath")
        super().__init__(monitor, mode)
        self.verbose = number(verbose, owner, "verbose", 0, integral=True)
        self.save_best_only = boolean(save_best_only, owner, "save_best_only")
        self.save_weights_only = boolean(save_weights_only, owner, "save_weights_only")
        if save_freq != "epoch" and not (
            isinstance(save_freq, int) and not isinstance(save_freq, bool) and save_freq >= 1
        ):
            raise InvalidValueError(f"{owner}: save_freq must be 'epoch' or an int >= 1, received {save_freq!r}.")
        self.save_freq = save_freq
        threshold = initial_value_threshold
        self.initial_value_threshold = (
            None if threshold is None else number(threshold, owner, "initial_value_threshold")
        )
        self.best = self.initial_value_threshold
        self.last_path: str | None = None
        self._epoch = 0
        self._batches = 0

    def get_config(self) -> dict[str, Any]:
        return {
            "filepath": self.filepath, "monitor": self.monitor, "verbose": self.verbose,
            "save_best_only": self.save_best_only, "save_weights_only": self.save_weights_only, "mode": self.mode,
            "save_freq": self.save_freq, "initial_value_threshold": self.initial_value_threshold,
        }  # fmt: skip

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._batches = 0

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % int(self.save_freq) == 0:
            self._checkpoint(self._epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._checkpoint(epoch, None, logs)

    # ------------------------------------------------------------------ saving
    def _checkpoint(self, epoch: int, batch: int | None, logs: Logs | None) -> None:
        logs = logs or {}
        path = self.file_path(epoch, batch, logs)
        if not self.save_best_only:
            self._say(f"Epoch {epoch + 1}: saving model to {path}")
            self._save(path)
            return
        value = self.monitored_value(logs)
        if self.is_improvement(value):
            self._say(
                f"Epoch {epoch + 1}: {self.monitor} improved from {self._best_text()} to {value:.5f}, "
                f"saving model to {path}"
            )
            self._save(path)
            self.best = value
        else:
            self._say(f"Epoch {epoch + 1}: {self.monitor} did not improve from {self._best_text()}")

    def file_path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        """The template filled for 0-based ``epoch`` (and ``batch``) and the logs; shown as 1-based."""
        fields = {key: to_float(value) for key, value in logs.items()}
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise InvalidValueError(
                f"ModelCheckpoint: the filepath {self.filepath!r} names {{{error.args[0]}}}, which is not in the "
                f"logs. Available: {', '.join(sorted(fields))}."
            ) from None
        except (ValueError, IndexError, AttributeError) as error:
            raise InvalidValueError(
                f"ModelCheckpoint: the filepath {self.filepath!r} could not be filled from {fields}: {error}."
            ) from None

    def _best_text(self) -> str:
        if self.best is None:
            return "-inf" if self.maximizes else "inf"
        return f"{self.best:.5f}"

    def _save(self, path: str) -> None:
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        self.last_path = path

    def _say(self, message: str) -> None:
        if self.verbose > 0:
            print_message(message)
