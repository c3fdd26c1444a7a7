"""The steps in the open: ``fit`` / ``evaluate`` / ``predict`` call ``train_step`` / ``test_step`` / ``predict_step``.

A subclass overrides a step with public calls only and keeps callbacks, the
progress bar, ``History`` and saving.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError


def moons(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    return tn.datasets.make_moons(n, noise=0.1, seed=0)


def small(cls: type[tn.Sequential] = tn.Sequential) -> tn.Sequential:
    tn.utils.set_random_seed(0)
    return cls([tn.layers.Dense(8, activation="tanh", input_shape=(2,)), tn.layers.Dense(1, activation="sigmoid")])


class Counting(tn.Sequential):
    """The built-in steps, counted, with an extra log key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls = {"train_step": 0, "test_step": 0, "predict_step": 0}

    def train_step(self, data: Any) -> dict:
        self.calls["train_step"] += 1
        logs = super().train_step(data)
        logs["custom"] = float(self.calls["train_step"])
        return logs

    def test_step(self, data: Any) -> dict:
        self.calls["test_step"] += 1
        return super().test_step(data)

    def predict_step(self, x: Any) -> np.ndarray:
        self.calls["predict_step"] += 1
        return super().predict_step(x)


class HandWritten(tn.Sequential):
    """A train_step written with public calls only: what a user writes after Keras's guide."""

    def train_step(self, data: Any) -> dict:
        x, y, sample_weight = tn.utils.unpack_x_y_sample_weight(data)
        y_pred = self.forward(x, training=True)
        loss = self.loss.forward(y, y_pred, sample_weight)
        self.backward(self.loss.backward())
        self.optimizer.step(self.trainable_parameters())
        self.loss_tracker.update_state(loss, sample_weight=len(x))
        for metric in self.compiled_metrics:
            metric.update_state(y, y_pred, sample_weight)
        return {m.name: m.result() for m in self.metrics}


def test_an_overridden_train_step_runs_once_per_batch_and_its_key_reaches_history() -> None:
    x, y = moons(70)
    model = small(Counting)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    seen: list[dict] = []

    class Batches(tn.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            seen.append(dict(logs))

    history = model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[Batches()])
    assert model.calls["train_step"] == 2 * 3  # 70 samples: batches of 32, 32, 6
    assert history.history["custom"] == [3.0, 6.0]  # an epoch's logs are its last step's
    assert set(history.history) == {"loss", "accuracy", "custom"}
    assert [logs["custom"] for logs in seen] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_evaluate_and_predict_call_their_steps_per_batch() -> None:
    x, y = moons(70)
    model = small(Counting)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.evaluate(x, y, batch_size=32, verbose=0)
    model.predict(x, batch_size=32)
    assert model.calls == {"train_step": 0, "test_step": 3, "predict_step": 3}


def test_the_built_in_steps_give_the_figures_a_plain_model_gives() -> None:
    """Counting only wraps the built-in steps: its training is bitwise that of a plain Sequential."""
    x, y = moons(70)
    plain, counting = small(), small(Counting)
    for model in (plain, counting):
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    a = plain.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False).history
    b = counting.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False).history
    assert a["loss"] == b["loss"] and a["accuracy"] == b["accuracy"]
    for wa, wb in zip(plain.get_weights(), counting.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_a_hand_written_step_trains_and_keeps_history_progress_and_saving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    x, y = moons(128)
    model = small(HandWritten)
    model.compile(optimizer=tn.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=30, verbose=2)
    assert "Epoch 30/30" in capsys.readouterr().out
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] >= 0.9
    path = tmp_path / "hand_written.tinynet"
    model.save(path)
    loaded = tn.load_model(path, custom_objects={"HandWritten": HandWritten})
    assert type(loaded) is HandWritten
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_a_step_that_returns_no_dict_is_refused_by_name() -> None:
    class Broken(tn.Sequential):
        def train_step(self, data: Any) -> Any:
            return 0.5

    model = small(Broken)
    model.compile(optimizer="sgd", loss="mse")
    x, y = moons(8)
    with pytest.raises(InvalidTypeError, match=r"train_step\(\) must return a dict"):
        model.fit(x, y, verbose=0)


def test_training_skips_the_data_gradient_and_puts_the_flag_back_even_on_error() -> None:
    seen: list[bool] = []

    class Watching(tn.Sequential):
        def train_step(self, data: Any) -> dict:
            seen.append(self.needs_input_grad)
            if len(seen) == 2:
                raise RuntimeError("stop")
            return super().train_step(data)

    model = small(Watching)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = moons(8)
    model.fit(x, y, verbose=0)
    assert seen == [False] and model.needs_input_grad is True
    with pytest.raises(RuntimeError, match="stop"):
        model.train_on_batch(x, y)
    assert model.needs_input_grad is True
    assert model.backward(np.ones((8, 1), np.float32)).shape == (8, 2)  # dL/dx again outside training


def test_y_may_be_left_out_only_for_a_model_that_writes_its_own_step() -> None:
    x, _ = moons(8)
    model = small()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(InvalidValueError, match="pass both x and y"):
        model.fit(x, verbose=0)

    received: list[Any] = []

    class Unsupervised(tn.Sequential):
        def train_step(self, data: Any) -> dict:
            received.append(data)
            return {"loss": 0.0}

    own = small(Unsupervised)
    own.compile(optimizer="sgd", loss="mse")
    own.fit(x, batch_size=4, shuffle=False, verbose=0)
    assert len(received) == 2 and all(isinstance(batch, np.ndarray) for batch in received)  # x alone
    np.testing.assert_array_equal(np.concatenate(received), x.astype(np.float32))
    with pytest.raises(InvalidValueError, match="need y"):
        own.fit(x, sample_weight=np.ones(8), verbose=0)


def test_evaluate_and_predict_take_callbacks_and_show_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    hooks: list[str] = []

    class Hooks(tn.callbacks.Callback):
        def on_test_begin(self, logs: Any = None) -> None:
            hooks.append("test_begin")

        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            hooks.append(f"test_batch_{batch}")

        def on_test_end(self, logs: Any = None) -> None:
            hooks.append("test_end")

        def on_predict_begin(self, logs: Any = None) -> None:
            hooks.append("predict_begin")

        def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
            hooks.append(f"predict_batch_{batch}")

        def on_predict_end(self, logs: Any = None) -> None:
            hooks.append("predict_end")

    x, y = moons(40)
    model = small()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.evaluate(x, y, batch_size=32, verbose=0, callbacks=[Hooks()])
    predictions = model.predict(x, batch_size=32, callbacks=[Hooks()])
    assert hooks == ["test_begin", "test_batch_0", "test_batch_1", "test_end",
                     "predict_begin", "predict_batch_0", "predict_batch_1", "predict_end"]  # fmt: skip
    np.testing.assert_array_equal(predictions, model.predict(x))
    capsys.readouterr()
    model.predict(x, batch_size=32, verbose=1)
    assert "2/2" in capsys.readouterr().out


def test_compute_loss_adds_the_regularizer_penalty_and_the_optimizer_its_gradient() -> None:
    """The loss a step reports includes the penalty; the update uses grad + the penalty's gradient."""
    tn.utils.set_random_seed(1)
    dense = tn.layers.Dense(1, kernel_regularizer=tn.regularizers.L2(0.5), input_shape=(2,))
    model = tn.Sequential([dense]).astype("float64")
    model.compile(optimizer=tn.optimizers.SGD(0.1), loss="mse")
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    kernel = dense.kernel.value.copy()
    y_pred = model.forward(x, training=True)
    plain = tn.losses.MeanSquaredError().forward(y, y_pred)
    assert model.compute_loss(x, y, y_pred) == pytest.approx(plain + 0.5 * (kernel**2).sum(), rel=1e-12)
    model.train_on_batch(x, y)
    data_grad = dense.kernel.grad.copy()
    np.testing.assert_allclose(dense.kernel.value, kernel - 0.1 * (data_grad + 2 * 0.5 * kernel), rtol=1e-12)


def test_metrics_are_the_loss_tracker_then_the_compiled_metrics() -> None:
    model = small()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy", "auc"])
    assert [m.name for m in model.metrics] == ["loss", "accuracy", "auc"]
    x, y = moons(16)
    model.train_on_batch(x, y)
    model.reset_metrics()
    assert all(value == 0.0 for value in model.get_metrics_result().values())


def test_predict_on_arrays_gives_the_same_with_or_without_the_latency_path() -> None:
    """One batch of a built model takes a shorter path (no callbacks, no bar); its answers are the same."""
    model = tn.Sequential([tn.layers.Dense(3, activation="softmax", input_shape=(4,))])
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    one_batch = model.predict(x)
    np.testing.assert_array_equal(one_batch, model.predict(x, batch_size=2))  # several batches: the general path
    np.testing.assert_array_equal(one_batch, model.predict(iter([x])))  # a stream
    with pytest.raises(tn.errors.ShapeError, match=r"per-sample shape \(3,\).*expects \(4,\)"):
        model.predict(x[:, :3])


def test_predict_never_returns_a_view_of_its_input() -> None:
    model = tn.Sequential([tn.layers.Reshape((2, 2), input_shape=(4,))])
    x = np.arange(8.0, dtype=np.float32).reshape(2, 4)
    y = model.predict(x)
    assert not np.shares_memory(y, x)
    np.testing.assert_array_equal(y, x.reshape(2, 2, 2))
