"""``BackupAndRestore``: a run killed at any point and started again ends bitwise where an uninterrupted run ends.

The main test kills a training process with SIGKILL from inside a batch (no cleanup runs, as in a crash),
starts the same script again, and compares the weights bit for bit with a run never interrupted: with
arrays and with a PyDataset, backing up every epoch or every few batches (so the restart lands mid-epoch),
with Adam's slots, fit's shuffling and Dropout's generator all in play.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import numpy as np
    import tinynet as tn

    backup_dir, kill_after, out, save_freq, source = sys.argv[1:6]
    tn.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 4)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("int64")

    class Batches(tn.utils.PyDataset):
        def __len__(self):
            return 6
        def __getitem__(self, index):
            return x[index * 16 : (index + 1) * 16], y[index * 16 : (index + 1) * 16]

    model = tn.Sequential([
        tn.layers.Dense(16, activation="relu", input_shape=(4,)),
        tn.layers.Dropout(0.3),
        tn.layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = []
    if backup_dir != "-":
        freq = save_freq if save_freq == "epoch" else int(save_freq)
        callbacks.append(tn.callbacks.BackupAndRestore(backup_dir, save_freq=freq))
    seen = [0]
    def crash(batch, logs):
        seen[0] += 1
        if seen[0] == int(kill_after):
            os.kill(os.getpid(), signal.SIGKILL)
    callbacks.append(tn.callbacks.LambdaCallback(on_train_batch_end=crash))
    if source == "arrays":
        model.fit(x, y, epochs=4, batch_size=16, validation_split=0.1, verbose=0, callbacks=callbacks)
    else:
        model.fit(Batches(), epochs=4, validation_data=(x[-10:], y[-10:]), verbose=0, callbacks=callbacks)
    np.savez(out, *model.get_weights())
    """
)


def run(tmp_path: Path, *args: str) -> int:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(script), *args], env=env, cwd=tmp_path, capture_output=True, timeout=120)
    assert done.returncode in (0, -signal.SIGKILL), done.stderr.decode()
    return done.returncode


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize(
    ("source", "save_freq", "kill_after"),
    [("arrays", "epoch", "9"), ("arrays", "4", "11"), ("dataset", "5", "14")],
    ids=["arrays-every-epoch", "arrays-every-4-batches", "pydataset-every-5-batches"],
)
def test_a_run_killed_and_started_again_ends_bitwise_where_an_uninterrupted_run_ends(
    tmp_path: Path, source: str, save_freq: str, kill_after: str
) -> None:
    backup = tmp_path / "backup"
    assert run(tmp_path, "-", "0", "straight.npz", save_freq, source) == 0
    assert run(tmp_path, str(backup), kill_after, "resumed.npz", save_freq, source) == -signal.SIGKILL
    assert (backup / "backup.npz").is_file()
    assert run(tmp_path, str(backup), "0", "resumed.npz", save_freq, source) == 0
    assert not backup.exists()  # deleted once training ended normally
    with np.load(tmp_path / "straight.npz") as straight, np.load(tmp_path / "resumed.npz") as resumed:
        assert straight.files == resumed.files
        for name in straight.files:
            assert np.array_equal(straight[name], resumed[name]), name


# ---------------------------------------------------------------------------- in process
class Crash(tn.callbacks.Callback):
    def __init__(self, epoch: int, batch: int | None = None) -> None:
        super().__init__()
        self.epoch, self.batch, self.now = epoch, batch, -1

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self.now = epoch
        if self.batch is None and epoch == self.epoch:
            raise RuntimeError("crash")

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if self.now == self.epoch and batch == self.batch:
            raise RuntimeError("crash")


def model(seed: int = 0) -> tn.Sequential:
    tn.utils.set_random_seed(seed)
    net = tn.Sequential([tn.layers.Dense(4, activation="tanh", input_shape=(3,)), tn.layers.Dense(1)])
    net.compile(optimizer="adam", loss="mse")
    return net


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3)).astype(np.float32)
    return x, x.sum(axis=1, keepdims=True)


def test_after_an_exception_the_next_fit_goes_on_from_the_backup_and_keeps_history_keras_style(tmp_path: Path) -> None:
    x, y = data()
    straight = model()
    straight.fit(x, y, epochs=5, batch_size=8, verbose=0)
    net = model()
    backup = tn.callbacks.BackupAndRestore(tmp_path / "b", save_freq=2)
    with pytest.raises(RuntimeError, match="crash"):
        net.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[backup, Crash(epoch=2, batch=2)])
    assert (tmp_path / "b" / "backup.npz").is_file()  # kept: training did not end normally
    history = net.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[backup])
    assert len(history.history["loss"]) == 3  # epochs 2, 3, 4
    assert all(np.array_equal(a, b) for a, b in zip(straight.get_weights(), net.get_weights(), strict=True))
    assert not (tmp_path / "b").exists()


def test_delete_checkpoint_false_keeps_the_backup_and_a_finished_run_restores_to_nothing_left(tmp_path: Path) -> None:
    x, y = data()
    net = model()
    backup = tn.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    net.fit(x, y, epochs=2, verbose=0, callbacks=[backup])
    assert (tmp_path / "backup.npz").is_file()
    weights = net.get_weights()
    history = model(seed=5).fit(x, y, epochs=2, verbose=0, callbacks=[backup])
    assert history.history == {}  # both epochs were done already
    assert all(np.array_equal(a, b) for a, b in zip(weights, backup.model.get_weights(), strict=True))


def test_double_checkpoint_falls_back_to_the_previous_backup_when_the_latest_is_broken(tmp_path: Path) -> None:
    x, y = data()
    net = model()
    backup = tn.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    with pytest.raises(RuntimeError):
        net.fit(x, y, epochs=5, verbose=0, callbacks=[backup, Crash(epoch=3)])
    assert (tmp_path / "backup.previous.npz").is_file()
    (tmp_path / "backup.npz").write_bytes(b"not a zip")
    history = model().fit(x, y, epochs=5, verbose=0, callbacks=[backup])
    assert len(history.history["loss"]) == 3  # from epoch 2, the previous backup's
    single = tn.callbacks.BackupAndRestore(tmp_path / "single")
    with pytest.raises(RuntimeError):
        model().fit(x, y, epochs=5, verbose=0, callbacks=[single, Crash(epoch=2)])
    (tmp_path / "single" / "backup.npz").write_bytes(b"not a zip")
    with pytest.raises(InvalidValueError, match="could not be read"):
        model().fit(x, y, epochs=5, verbose=0, callbacks=[single])


def test_a_backup_of_another_model_is_refused(tmp_path: Path) -> None:
    x, y = data()
    backup = tn.callbacks.BackupAndRestore(tmp_path)
    with pytest.raises(RuntimeError):
        model().fit(x, y, epochs=3, verbose=0, callbacks=[backup, Crash(epoch=1)])
    other = tn.Sequential([tn.layers.Dense(5, input_shape=(3,)), tn.layers.Dense(1)])
    other.compile(optimizer="adam", loss="mse")
    with pytest.raises(InvalidValueError, match="belongs to another model"):
        other.fit(x, y, epochs=3, verbose=0, callbacks=[backup])
    assert (tmp_path / "backup.npz").is_file()


def test_arguments_are_checked_and_the_config_round_trips(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="save_freq"):
        tn.callbacks.BackupAndRestore(tmp_path, save_freq=0)
    with pytest.raises(TypeError, match="backup_dir"):
        tn.callbacks.BackupAndRestore("")
    backup = tn.callbacks.BackupAndRestore(str(tmp_path), save_freq=3, double_checkpoint=True)
    assert tn.callbacks.BackupAndRestore.from_config(backup.get_config()).get_config() == backup.get_config()
