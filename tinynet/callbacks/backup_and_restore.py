"""``BackupAndRestore``: back up the training state as training goes; a rerun after a crash resumes from it exactly."""

from __future__ import annotations

import json
import os
import zipfile
from typing import Any

import numpy as np

from .._validation import boolean
from ..errors import InvalidTypeError, InvalidValueError
from .base import Callback, Logs

__all__ = ["BackupAndRestore"]

_FORMAT = "tinynet-backup"
_ERRORS = (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile)  # what a broken backup file raises


class BackupAndRestore(Callback):
    """Saves the training state to ``backup_dir``; ``fit`` started again with it resumes where the last backup was.

    A backup holds everything training carries from one step to the next:
    the weights, the optimizer's slots and step count, ``fit``'s shuffling
    generator, every layer's random generator (Dropout's), and where training
    was — the epoch, and with an integer ``save_freq`` the batch within it and
    the shuffling generator's state at that epoch's start, from which the
    epoch's order is drawn again. So a run killed at any point (even by
    ``SIGKILL``) and started again with the same script ends with bitwise
    the same weights as a run never interrupted. Each backup is one file,
    written to a temporary name and moved into place, so a crash while
    writing leaves the previous backup whole.

    On ``on_train_begin``, a backup found in ``backup_dir`` is put into the
    model (which must be the same model, compiled the same way), and ``fit``
    goes on from the recorded epoch and batch. When ``fit`` ends normally
    (all epochs run, or training stopped by a callback) the backup is deleted
    (``delete_checkpoint=True``); after an exception it stays, for the next run.

    Parameters
    ----------
    backup_dir : str or path
        The folder for the backup files; created when needed. Use one folder
        per training run, for this callback alone.
    save_freq : "epoch" or int, default "epoch"
        Back up at each epoch end, or after every ``save_freq`` training batches
        (counted across epochs).
    delete_checkpoint : bool, default True
        Delete the backup files (and the folder, if it is left empty) when
        training ends normally.
    double_checkpoint : bool, default False
        Keep the previous backup as well; if the latest cannot be read, the
        previous one is restored.

    Notes
    -----
    Exact for arrays and for a :class:`~tinynet.utils.PyDataset` read whole
    each epoch, whose batches are a function of their index: the
    order of an epoch is drawn again, and the batches before the backup point
    are skipped without being read. An iterator (a generator) cannot be
    rewound: a rerun reads it from wherever the new one starts. The logs of
    the epoch resumed mid-way average only the batches run after the restart.

    Examples
    --------
    >>> import tempfile, numpy as np, tinynet as tn
    >>> folder = tempfile.TemporaryDirectory()
    >>> backup = tn.callbacks.BackupAndRestore(folder.name)
    >>> class Crash(tn.callbacks.Callback):
    ...     def on_epoch_begin(self, epoch, logs=None):
    ...         if epoch == 2:
    ...             raise RuntimeError("crash")
    >>> model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.ones((8, 2)), np.zeros((8, 1))
    >>> try:
    ...     model.fit(x, y, epochs=5, verbose=0, callbacks=[backup, Crash()])
    ... except RuntimeError:
    ...     pass
    >>> history = model.fit(x, y, epochs=5, verbose=0, callbacks=[backup])  # goes on from epoch 2
    >>> len(history.history["loss"])
    3
    >>> folder.cleanup()
    """

    def __init__(
        self,
        backup_dir: str | os.PathLike[str],
        save_freq: str | int = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        owner = "BackupAndRestore"
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise InvalidTypeError(f"{owner}: backup_dir must be a folder name (str or path), received {backup_dir!r}.")
        if save_freq != "epoch" and not (
            isinstance(save_freq, int) and not isinstance(save_freq, bool) and save_freq >= 1
        ):
            raise InvalidValueError(f"{owner}: save_freq must be 'epoch' or an int >= 1, received {save_freq!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = boolean(double_checkpoint, owner, "double_checkpoint")
        self.delete_checkpoint = boolean(delete_checkpoint, owner, "delete_checkpoint")
        self.path = os.path.join(self.backup_dir, "backup.npz")
        self.previous_path = os.path.join(self.backup_dir, "backup.previous.npz")
        self._epoch, self._batches, self._finished = 0, 0, False
        self._epoch_rng: Any = None

    def get_config(self) -> dict[str, Any]:
        return {
            "backup_dir": self.backup_dir, "save_freq": self.save_freq,
            "double_checkpoint": self.double_checkpoint, "delete_checkpoint": self.delete_checkpoint,
        }  # fmt: skip

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._batches, self._finished = 0, False
        found = self._restore()
        if found is not None:
            self.model._resume_from = found  # fit's loop reads it right after on_train_begin
            self._finished = found["epoch"] >= self.params.get("epochs", 0)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch = epoch
        if self.save_freq != "epoch":
            self._epoch_rng = self.model.get_training_state()["shuffle_rng"]

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % int(self.save_freq) == 0:
            self._save(self._epoch, batch + 1, self._epoch_rng)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch + 1, 0, None)
        self._finished = epoch + 1 >= self.params.get("epochs", 0)

    def on_train_end(self, logs: Logs | None = None) -> None:
        if not (self._finished or self.model.stop_training) or not self.delete_checkpoint:
            return  # an exception ended training: the backup is what the next run resumes from
        for path in (self.path, self.previous_path):
            if os.path.exists(path):
                os.remove(path)
        if os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)

    # ------------------------------------------------------------------ the backup file
    def _save(self, epoch: int, step: int, epoch_rng: Any) -> None:
        model = self.model
        state = model.get_training_state()
        optimizer = state["optimizer"]
        layers = list(model.walk())
        generators = [
            [index, name, generator.bit_generator.state]
            for index, layer in enumerate(layers)
            for name, generator in sorted(layer.random_generators().items())
        ]
        meta = {
            "format": _FORMAT, "epoch": epoch, "step": step, "shuffle_rng": state["shuffle_rng"],
            "epoch_rng": epoch_rng, "optimizer": list(optimizer), "generators": generators,
            "weights": len(model.parameters()),
        }  # fmt: skip
        members = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
        members.update({f"optimizer_{i}": np.asarray(v) for i, v in enumerate(optimizer.values())})
        members["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self.path):
            os.replace(self.path, self.previous_path)
        temporary = f"{self.path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as file:
            np.savez(file, **members)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)  # atomic: the backup is the old one or the new one, whole

    def _restore(self) -> dict[str, Any] | None:
        """Put the latest readable backup into the model; where to resume, or ``None`` when there is none."""
        candidates = [p for p in (self.path, self.previous_path) if os.path.exists(p)]
        if not self.double_checkpoint:
            candidates = candidates[:1]
        first_error: Exception | None = None
        for path in candidates:
            try:
                meta, weights, optimizer = _read(path)
            except _ERRORS as error:
                first_error = first_error or error
                continue
            self._put_back(path, meta, weights, optimizer)
            return {
                "epoch": int(meta["epoch"]), "step": int(meta["step"]),
                "shuffle_rng": meta["epoch_rng"] if meta["epoch_rng"] is not None else meta["shuffle_rng"],
            }  # fmt: skip
        if first_error is not None:
            raise InvalidValueError(
                f"BackupAndRestore: the backup in {self.backup_dir!r} could not be read ({first_error}). Delete the "
                "folder to start afresh."
            ) from first_error
        return None

    def _put_back(self, path: str, meta: dict[str, Any], weights: list[Any], optimizer: dict[str, Any]) -> None:
        model = self.model
        layers = list(model.walk())
        generators = []
        for index, name, state in meta["generators"]:
            generator = layers[index].random_generators().get(name) if index < len(layers) else None
            if generator is None or generator.bit_generator.state["bit_generator"] != state["bit_generator"]:
                raise InvalidValueError(
                    f"BackupAndRestore: {path!r} records a random generator {name!r} of layer {index}, which "
                    f"{model._label()} does not have: the backup belongs to another model."
                )
            generators.append((generator, state))
        try:
            model.set_weights(weights)  # each checks everything before it changes anything
            model.set_training_state({"optimizer": optimizer, "shuffle_rng": meta["shuffle_rng"]})
        except (ValueError, TypeError) as error:
            raise InvalidValueError(
                f"BackupAndRestore: {path!r} does not fit {model._label()} ({error}): the backup belongs to "
                "another model or another compile."
            ) from error
        for generator, state in generators:
            generator.bit_generator.state = state


def _read(path: str) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
    """The metadata, weights and optimizer state of a backup file, read without pickle."""
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
            raise ValueError(f"{path!r} is not a tinynet backup file")
        weights = [archive[f"weight_{i}"] for i in range(int(meta["weights"]))]
        optimizer = {key: archive[f"optimizer_{i}"] for i, key in enumerate(meta["optimizer"])}
    return meta, weights, optimizer
