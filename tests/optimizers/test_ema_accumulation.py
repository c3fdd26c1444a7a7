"""Keras's base-class options: ``use_ema`` (with ``SwapEMAWeights``) and ``gradient_accumulation_steps``.

Their equations are checked against float64 references in ``test_optimizers.py`` (its ``CASES``); here their
behaviour in ``fit``, ``evaluate`` and ``predict``, and an exact resume from a model file.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet import Parameter
from tinynet.callbacks import Callback, SwapEMAWeights
from tinynet.errors import InvalidTypeError, InvalidValueError
from tinynet.optimizers import SGD, Adam, Optimizer


def _model(optimizer: Optimizer, seed: int = 0) -> tn.Sequential:
    tn.utils.set_random_seed(seed)
    model = tn.Sequential([tn.layers.Dense(6, activation="tanh", input_shape=(2,)), tn.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _data() -> tuple[np.ndarray, np.ndarray]:
    x, y = tn.datasets.make_moons(40, noise=0.2, random_state=0)
    return x, y.reshape(-1, 1).astype(float)


def _averages(model: tn.Sequential) -> list[np.ndarray]:
    return [model.optimizer.slots[p]["average"].copy() for p in model.trainable_parameters()]


def _weights(model: tn.Sequential) -> list[np.ndarray]:
    return [p.value.copy() for p in model.trainable_parameters()]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(u.tobytes() == v.tobytes() for u, v in zip(a, b, strict=True))


# --------------------------------------------------------------------------- use_ema
def test_the_average_follows_the_weights_from_the_first_update() -> None:
    p, opt = Parameter("w", np.zeros(1)), SGD(1.0, use_ema=True, ema_momentum=0.5)
    averages = []
    for _ in range(3):
        p.grad = [-1.0]  # w = 1, 2, 3
        opt.step([p])
        averages.append(float(opt.slots[p]["average"][0]))
    assert averages == [1.0, 1.5, 2.25]  # the first average is the weights; then 0.5 * average + 0.5 * w
    opt.finalize_variable_values([p])
    assert p.value.tolist() == [2.25]


def test_fit_ends_with_the_averaged_weights_as_keras_does() -> None:
    x, y = _data()
    model, twin = _model(Adam(0.01, use_ema=True)), _model(Adam(0.01, use_ema=True))
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert _same(_weights(model), _averages(model))
    for _ in range(2):  # the same steps by hand: no finalize
        for start in range(0, 40, 8):
            twin.train_on_batch(x[start : start + 8], y[start : start + 8])
    assert not _same(_weights(twin), _averages(twin))
    assert _same(_averages(model), _averages(twin))


def test_without_ema_finalize_changes_nothing() -> None:
    p, opt = Parameter("w", np.ones(2)), SGD(0.1)
    p.grad = [1.0, 1.0]
    opt.step([p])
    opt.finalize_variable_values([p])
    np.testing.assert_array_equal(p.value, [0.9, 0.9])


class _Probe(Callback):
    """Records the weights and the averages at the start of every evaluation and at every epoch's end."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[np.ndarray], list[np.ndarray]]] = []

    def on_test_begin(self, logs: Any = None) -> None:
        self.seen.append(("test", _weights(self.model), _averages(self.model)))

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.seen.append(("epoch", _weights(self.model), _averages(self.model)))


def test_swap_ema_weights_validates_with_the_averages_and_swaps_back_exactly() -> None:
    x, y = _data()
    model, probe = _model(SGD(0.05, momentum=0.9, use_ema=True, ema_momentum=0.8)), _Probe()
    history = model.fit(
        x[:32], y[:32], epochs=2, batch_size=8, validation_data=(x[32:], y[32:]), verbose=0,
        callbacks=[SwapEMAWeights(), probe],
    )  # fmt: skip
    (_, test_w, test_avg), (_, epoch_w, epoch_avg) = probe.seen[:2]
    assert _same(test_w, epoch_avg) and _same(test_avg, epoch_w)  # swapped in for validation, then back
    assert not _same(epoch_w, epoch_avg)
    reference = _model(SGD(0.05, momentum=0.9, use_ema=True, ema_momentum=0.8))
    reference.set_weights(test_w)
    assert history.history["val_loss"][0] == reference.evaluate(x[32:], y[32:], verbose=0)


def test_swap_on_epoch_leaves_the_averages_in_for_later_callbacks_and_after_fit() -> None:
    x, y = _data()
    model, probe = _model(Adam(0.01, use_ema=True)), _Probe()
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[SwapEMAWeights(swap_on_epoch=True), probe])
    (_, w0, avg0), (_, w1, avg1), (_, w2, avg2) = probe.seen
    assert not _same(w0, avg0) and not _same(w1, avg1)  # an epoch's end: the averages in the model
    assert _same(w2, avg2)  # the last: the averages in both places, so fit's finalize keeps them
    assert _same(_weights(model), w2)
    plain = _model(Adam(0.01, use_ema=True))
    plain.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert _same(_weights(plain), w2)  # the same training: the swaps took nothing from it


def test_evaluate_and_predict_with_the_callback_swap_and_restore() -> None:
    x, y = _data()
    model = _model(SGD(0.1, use_ema=True, ema_momentum=0.5))
    for _ in range(3):
        model.train_on_batch(x, y)
    weights, averages = _weights(model), _averages(model)
    twin = _model(SGD(0.1))
    twin.set_weights(averages)
    assert model.evaluate(x, y, verbose=0, callbacks=[SwapEMAWeights()]) == twin.evaluate(x, y, verbose=0)
    np.testing.assert_array_equal(model.predict(x, callbacks=[SwapEMAWeights()]), twin.predict(x))
    assert _same(_weights(model), weights) and _same(_averages(model), averages)


def test_swap_ema_weights_needs_use_ema() -> None:
    x, y = _data()
    model = _model(Adam())
    with pytest.raises(InvalidValueError, match="SwapEMAWeights: .* use_ema=True. Received Adam with use_ema=False"):
        model.evaluate(x, y, verbose=0, callbacks=[SwapEMAWeights()])
    with pytest.raises(InvalidTypeError, match="swap_on_epoch must be True or False"):
        SwapEMAWeights(swap_on_epoch=1)
    assert SwapEMAWeights(True).get_config() == {"swap_on_epoch": True}


def test_ema_overwrite_frequency_copies_the_average_into_the_weights() -> None:
    p, opt = Parameter("w", np.zeros(1)), SGD(1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    values = []
    for _ in range(4):
        p.grad = [-1.0]
        opt.step([p])
        values.append(float(p.value[0]))
    assert values == [1.0, 1.5, 2.5, 2.75]  # steps 2 and 4 end at the average: 0.5 * 1 + 0.5 * 2; 0.5 * 2 + 0.5 * 3.5


# --------------------------------------------------------------------------- gradient_accumulation_steps
@pytest.mark.parametrize(
    "factory",
    [
        lambda n: SGD(0.1, momentum=0.9, gradient_accumulation_steps=n),
        lambda n: Adam(0.01, gradient_accumulation_steps=n),
    ],
    ids=["sgd", "adam"],
)
def test_accumulated_steps_are_one_step_with_the_mean_gradient(factory: Any) -> None:
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(6, 3))
    p, q = Parameter("p", np.ones(3)), Parameter("q", np.ones(3))
    opt, plain = factory(2), type(factory(2))(**{**factory(2).get_config(), "gradient_accumulation_steps": None})
    for i, g in enumerate(grads):
        before = p.value.copy()
        p.grad = g
        opt.step([p])
        if i % 2 == 0:
            np.testing.assert_array_equal(p.value, before)  # only summed
            continue
        q.grad = (g + grads[i - 1]) / 2
        plain.step([q])
        np.testing.assert_array_equal(p.value, q.value)
    assert opt.iterations == plain.iterations == 3


def test_a_schedule_sees_every_call_and_is_read_at_updates_only() -> None:
    seen: list[int] = []

    def schedule(step: int) -> float:
        seen.append(step)
        return 0.1

    p, opt = Parameter("w", np.zeros(1)), SGD(schedule, gradient_accumulation_steps=3)
    for _ in range(6):
        p.grad = [1.0]
        opt.step([p])
    assert seen == [2, 5] and opt.iterations == 2  # Keras's: the schedule at the real step count


def test_fit_with_accumulation_counts_updates() -> None:
    x, y = _data()
    model = _model(Adam(gradient_accumulation_steps=4))
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)  # 10 batches
    assert model.optimizer.iterations == 2
    assert model.optimizer.get_state(model.trainable_parameters())["iterations"] == 10


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: SGD(gradient_accumulation_steps=1), InvalidValueError, "accumulation_steps must be an int >= 2"),
        (lambda: SGD(gradient_accumulation_steps=2.0), InvalidTypeError, "gradient_accumulation_steps must be an int"),
        (lambda: SGD(use_ema=1), InvalidTypeError, "SGD: use_ema must be True or False"),
        (lambda: Adam(ema_momentum=1.5), InvalidValueError, r"Adam: ema_momentum must be a finite float in \[0, 1\]"),
        (lambda: Adam(ema_overwrite_frequency=0), InvalidValueError, "ema_overwrite_frequency must be an int >= 1"),
    ],
)  # fmt: skip
def test_constructor_arguments_are_checked(build: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()


# --------------------------------------------------------------------------- model files
def test_averages_and_a_half_full_accumulator_resume_bitwise_from_a_model_file(tmp_path: Any) -> None:
    x, y = _data()
    config = {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 3,
              "gradient_accumulation_steps": 2}  # fmt: skip
    optimizer = {"class_name": "Adam", "config": config}
    model = _model(tn.optimizers.get(optimizer))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)  # 5 batches: the accumulator holds one gradient
    state = model.optimizer.get_state(model.trainable_parameters())
    assert {key.split("/")[1] for key in state if "/" in key} == {"m", "v", "average", "gradient_accumulator"}
    assert state["0/gradient_accumulator"].any()
    model.save(tmp_path / "model.npz")
    twin = tn.load_model(tmp_path / "model.npz")
    assert twin.optimizer.get_config() == model.optimizer.get_config()
    for m in (model, twin):
        m.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert _same(_weights(model), _weights(twin)) and _same(_averages(model), _averages(twin))
