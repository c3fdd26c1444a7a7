"""Optimizers against hand-written float64 references, plus dtype, in-place, clipping, state and config contracts."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet.optimizers as optimizers
from tinynet import Parameter
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError, UnknownIdentifierError
from tinynet.optimizers import (
    SGD,
    Adadelta,
    Adafactor,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Ftrl,
    Lamb,
    Lion,
    Muon,
    Nadam,
    Optimizer,
    RMSprop,
    ScheduleFreeAdamW,
)
from tinynet.optimizers.schedules import CosineDecay, ExponentialDecay
from tinynet.registry import serialize

from .references import (
    ref_adadelta,
    ref_adafactor,
    ref_adamax,
    ref_base,
    ref_ftrl,
    ref_lamb,
    ref_lion,
    ref_muon,
    ref_nadam,
    ref_schedule_free_adamw,
)

# --------------------------------------------------------------------------- references
# Each reference is the formula of the brief, written functionally in float64:
# step(w, g, state, t, lr) -> new w, with state a dict of slot arrays it replaces (t = 1 at the first step).
Reference = Callable[[np.ndarray, np.ndarray, dict, int, float], np.ndarray]


def ref_sgd(momentum: float = 0.0, nesterov: bool = False) -> Reference:
    def step(w, g, s, t, lr):
        if momentum == 0:
            return w - lr * g
        v = momentum * s.get("v", np.zeros_like(w)) - lr * g
        s["v"] = v
        return w + (momentum * v - lr * g if nesterov else v)

    return step


def ref_adam(beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None) -> Reference:
    def step(w, g, s, t, lr):
        if weight_decay is not None:
            w = w - lr * weight_decay * w
        m = beta_1 * s.get("m", np.zeros_like(w)) + (1 - beta_1) * g
        v = beta_2 * s.get("v", np.zeros_like(w)) + (1 - beta_2) * g * g
        s["m"], s["v"] = m, v
        if amsgrad:
            v = s["v_hat"] = np.maximum(s.get("v_hat", np.zeros_like(w)), v)
        return w - lr * (m / (1 - beta_1**t)) / (np.sqrt(v / (1 - beta_2**t)) + epsilon)

    return step


def ref_rmsprop(rho=0.9, momentum=0.0, epsilon=1e-7, centered=False) -> Reference:
    def step(w, g, s, t, lr):
        velocity = s["velocity"] = rho * s.get("velocity", np.zeros_like(w)) + (1 - rho) * g * g
        if centered:
            average_grad = s["average_grad"] = rho * s.get("average_grad", np.zeros_like(w)) + (1 - rho) * g
            denominator = velocity - average_grad**2 + epsilon
        else:
            denominator = velocity + epsilon
        increment = lr * g / np.sqrt(denominator)
        if momentum > 0:
            s["m"] = momentum * s.get("m", np.zeros_like(w)) + increment
            return w - s["m"]
        return w - increment

    return step


def ref_adagrad(initial_accumulator_value=0.1, epsilon=1e-7) -> Reference:
    def step(w, g, s, t, lr):
        s["accumulator"] = s.get("accumulator", np.full_like(w, initial_accumulator_value)) + g * g
        return w - lr * g / np.sqrt(s["accumulator"] + epsilon)

    return step


# One case per configuration: (id, factory, reference, slot names). Non-default hyperparameters where they matter.
CASES: list[tuple[str, Callable[[], Optimizer], Reference, tuple[str, ...]]] = [
    ("sgd", lambda: SGD(learning_rate=0.1), ref_sgd(), ()),
    ("sgd_momentum", lambda: SGD(0.1, momentum=0.9), ref_sgd(0.9), ("v",)),
    ("sgd_nesterov", lambda: SGD(0.1, momentum=0.8, nesterov=True), ref_sgd(0.8, True), ("v",)),
    ("adam", lambda: Adam(0.01), ref_adam(), ("m", "v")),
    ("adam_custom", lambda: Adam(0.02, beta_1=0.5, beta_2=0.9, epsilon=1e-3), ref_adam(0.5, 0.9, 1e-3), ("m", "v")),
    ("adam_amsgrad", lambda: Adam(0.01, amsgrad=True), ref_adam(amsgrad=True), ("m", "v", "v_hat")),
    ("adamw", lambda: AdamW(0.01, weight_decay=0.1), ref_adam(weight_decay=0.1), ("m", "v")),
    ("rmsprop", lambda: RMSprop(0.01), ref_rmsprop(), ("velocity",)),
    ("rmsprop_momentum", lambda: RMSprop(0.01, rho=0.8, momentum=0.5), ref_rmsprop(0.8, 0.5), ("velocity", "m")),
    (
        "rmsprop_centered",
        lambda: RMSprop(0.01, centered=True),
        ref_rmsprop(centered=True),
        ("velocity", "average_grad"),
    ),
    (
        "rmsprop_centered_momentum",
        lambda: RMSprop(0.01, momentum=0.9, centered=True),
        ref_rmsprop(momentum=0.9, centered=True),
        ("velocity", "average_grad", "m"),
    ),
    ("adagrad", lambda: Adagrad(0.1), ref_adagrad(), ("accumulator",)),
    ("adagrad_custom", lambda: Adagrad(0.1, 0.0, epsilon=1e-3), ref_adagrad(0.0, 1e-3), ("accumulator",)),
    ("nadam", lambda: Nadam(0.01), ref_nadam(), ("m", "v")),
    ("nadam_custom", lambda: Nadam(0.02, beta_1=0.5, beta_2=0.9, epsilon=1e-3), ref_nadam(0.5, 0.9, 1e-3), ("m", "v")),
    ("adamax", lambda: Adamax(0.01), ref_adamax(), ("m", "u")),
    ("adamax_custom", lambda: Adamax(0.02, 0.5, 0.9, 1e-3), ref_adamax(0.5, 0.9, 1e-3), ("m", "u")),
    ("adadelta", lambda: Adadelta(1.0), ref_adadelta(), ("accumulated_grad", "accumulated_delta_var")),
    (
        "adadelta_custom",
        lambda: Adadelta(0.5, rho=0.8, epsilon=1e-3),
        ref_adadelta(0.8, 1e-3),
        ("accumulated_grad", "accumulated_delta_var"),
    ),
    ("lion", lambda: Lion(0.01), ref_lion(), ("m",)),
    ("lion_custom", lambda: Lion(0.01, beta_1=0.5, beta_2=0.7), ref_lion(0.5, 0.7), ("m",)),
    ("lamb", lambda: Lamb(0.01), ref_lamb(), ("m", "v")),
    ("lamb_custom", lambda: Lamb(0.02, beta_1=0.5, beta_2=0.9, epsilon=1e-3), ref_lamb(0.5, 0.9, 1e-3), ("m", "v")),
    ("ftrl", lambda: Ftrl(0.1), ref_ftrl(), ("accumulator", "linear")),
    (
        "ftrl_custom",
        lambda: Ftrl(
            0.5,
            -0.3,
            0.2,
            l1_regularization_strength=0.3,
            l2_regularization_strength=0.1,
            l2_shrinkage_regularization_strength=0.05,
            beta=0.5,
        ),
        ref_ftrl(-0.3, 0.2, l1=0.3, l2=0.1, shrinkage=0.05, beta=0.5),
        ("accumulator", "linear"),
    ),  # fmt: skip
    ("adafactor", lambda: Adafactor(0.1), ref_adafactor(), ("r", "c", "v")),
    (
        "adafactor_custom",
        lambda: Adafactor(0.5, beta_2_decay=-0.5, epsilon_1=1e-6, epsilon_2=0.1, clip_threshold=0.5),
        ref_adafactor(-0.5, 1e-6, 0.1, 0.5),
        ("r", "c", "v"),
    ),
    ("muon", lambda: Muon(0.02), ref_muon(), ("momentum", "velocity")),
    (
        "muon_custom",
        lambda: Muon(
            0.05,
            0.5,
            0.9,
            None,
            1e-3,
            0.1,
            momentum=0.8,
            ns_steps=3,
            nesterov=False,
            rms_rate=None,
            adam_lr_ratio=0.5,
            muon_a=2.0,
            muon_b=-1.5,
            muon_c=0.5,
        ),
        ref_muon(0.5, 0.9, None, 1e-3, 0.1, 0.8, 3, False, None, 0.5, (2.0, -1.5, 0.5)),
        ("momentum", "velocity"),
    ),  # fmt: skip
    (
        "muon_excluded",
        lambda: Muon(0.01, adam_weight_decay=0.2, exclude_layers=["^p0$"]),
        ref_muon(adam_weight_decay=0.2, adamw=lambda w: True),
        ("momentum", "velocity"),
    ),
    ("schedulefreeadamw", lambda: ScheduleFreeAdamW(0.01), ref_schedule_free_adamw(), ("momentum", "velocity")),
    (
        "schedulefreeadamw_custom",
        lambda: ScheduleFreeAdamW(0.05, 0.5, 0.9, 1e-3, warmup_steps=4, weight_decay=0.1),
        ref_schedule_free_adamw(0.5, 0.9, 1e-3, 4, 0.1),
        ("momentum", "velocity"),
    ),
    ("adam_ema", lambda: Adam(0.01, use_ema=True, ema_momentum=0.8), ref_base(ref_adam(), 0.8), ("m", "v", "average")),
    (
        "sgd_ema_overwrite",
        lambda: SGD(0.1, momentum=0.9, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=3),
        ref_base(ref_sgd(0.9), 0.5, 3),
        ("v", "average"),
    ),
    (
        "adam_accumulated",
        lambda: Adam(0.01, gradient_accumulation_steps=3),
        ref_base(ref_adam(), accumulation_steps=3),
        ("m", "v", "gradient_accumulator"),
    ),
    (
        "sgd_ema_accumulated",
        lambda: SGD(0.1, use_ema=True, ema_momentum=0.7, ema_overwrite_frequency=2, gradient_accumulation_steps=2),
        ref_base(ref_sgd(), 0.7, 2, 2),
        ("average", "gradient_accumulator"),
    ),
    (
        "muon_ema_accumulated",
        lambda: Muon(0.02, use_ema=True, gradient_accumulation_steps=2),
        ref_base(ref_muon(), 0.99, None, 2),
        ("momentum", "velocity", "average", "gradient_accumulator"),
    ),
]
IDS = [case[0] for case in CASES]
SHAPES = [(3, 2), (2,)]


def make_parameters(dtype: Any = np.float64, seed: int = 0) -> list[Parameter]:
    rng = np.random.default_rng(seed)
    return [Parameter(f"p{i}", rng.normal(size=shape).astype(dtype)) for i, shape in enumerate(SHAPES)]


def gradient_sequence(steps: int, dtype: Any = np.float64, seed: int = 1) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=shape).astype(dtype) for shape in SHAPES] for _ in range(steps)]


def updates(opt: Optimizer, calls: int) -> int:
    """``iterations`` after ``calls`` steps: the number of updates, fewer when gradients are accumulated."""
    return calls // (opt.gradient_accumulation_steps or 1)


def run(opt: Optimizer, params: list[Parameter], grads: list[list[np.ndarray]]) -> None:
    for step_grads in grads:
        for p, g in zip(params, step_grads, strict=True):
            p.grad = g
        opt.step(params)


def quadratic_gradient(w: np.ndarray) -> np.ndarray:
    """Gradient of 0.5 * sum(a * (w - c)**2), an ill-conditioned bowl with its minimum at c."""
    return np.array([1.0, 10.0, 0.3]) * (w - np.array([1.0, -2.0, 0.5]))


# --------------------------------------------------------------------------- the updates
@pytest.mark.parametrize("case_id, factory, reference, slot_names", CASES, ids=IDS)
def test_update_matches_float64_reference(case_id, factory, reference, slot_names) -> None:
    opt, params = factory(), make_parameters()
    ref_w = [p.value.copy() for p in params]
    ref_state: list[dict] = [{} for _ in params]
    lr = opt.learning_rate
    for t, step_grads in enumerate(gradient_sequence(7), start=1):
        run(opt, params, [step_grads])
        ref_w = [reference(w, g, s, t, lr) for w, g, s in zip(ref_w, step_grads, ref_state, strict=True)]
        for p, w, s in zip(params, ref_w, ref_state, strict=True):
            np.testing.assert_allclose(p.value, w, rtol=1e-12, atol=1e-15)
            assert tuple(opt.slots.get(p, {})) == slot_names
            for name in slot_names:
                if name not in s:  # accumulating before the first update: the slots are there, still zero
                    assert opt.gradient_accumulation_steps and not opt.slots[p][name].any()
                    continue
                np.testing.assert_allclose(opt.slots[p][name], s[name], rtol=1e-12, atol=1e-15)
    assert opt.iterations == updates(opt, 7)


def test_sgd_momentum_closed_form_under_constant_gradient() -> None:
    """v_t = -lr * g * (1 - momentum**t) / (1 - momentum): a geometric series."""
    p = Parameter("w", np.zeros(2))
    opt, g, lr, momentum = SGD(0.1, momentum=0.5), np.array([1.0, -2.0]), 0.1, 0.5
    for _ in range(4):
        p.grad = g
        opt.step([p])
    np.testing.assert_allclose(opt.slots[p]["v"], -lr * g * (1 - momentum**4) / (1 - momentum))
    np.testing.assert_allclose(p.value, -lr * g * sum((1 - momentum**t) / (1 - momentum) for t in range(1, 5)))


@pytest.mark.parametrize("opt", [Adam(0.01), AdamW(0.01, weight_decay=0.0), Adam(0.01, amsgrad=True)], ids=repr)
def test_first_adam_step_moves_each_weight_by_lr_against_the_sign(opt: Optimizer) -> None:
    p = Parameter("w", np.zeros(4))
    p.grad = [0.5, -3.0, 1e3, -1e-2]
    opt.step([p])
    np.testing.assert_allclose(p.value, -0.01 * np.sign(p.grad), rtol=2e-5)


def test_adamw_decay_alone_is_geometric() -> None:
    p = Parameter("w", np.array([4.0, -2.0]))
    opt = AdamW(learning_rate=0.1, weight_decay=0.5)
    for _ in range(3):
        opt.step([p])  # the gradient stays zero: Adam's step is 0
    np.testing.assert_allclose(p.value, np.array([4.0, -2.0]) * (1 - 0.1 * 0.5) ** 3, rtol=1e-14)


def test_adagrad_closed_form_under_constant_gradient() -> None:
    p = Parameter("w", np.zeros(1))
    opt = Adagrad(learning_rate=1.0, initial_accumulator_value=0.0, epsilon=1e-300)
    for _ in range(3):
        p.grad = [2.0]
        opt.step([p])
    np.testing.assert_allclose(p.value, -(2 / 2 + 2 / math.sqrt(8) + 2 / math.sqrt(12)))
    np.testing.assert_allclose(opt.slots[p]["accumulator"], [12.0])


def test_rmsprop_centered_stays_finite_when_rounding_makes_the_variance_negative() -> None:
    """float32 running means of a steady large gradient round to velocity < average_grad**2."""
    p = Parameter("w", np.zeros(64, dtype=np.float32))
    opt = RMSprop(learning_rate=1e-6, centered=True)
    variance = []
    for _ in range(200):
        p.grad = np.linspace(1e3, 2e3, 64)
        opt.step([p])  # an invalid sqrt would raise: warnings are errors in this suite
        variance.append((opt.slots[p]["velocity"] - opt.slots[p]["average_grad"] ** 2).min())
    assert min(variance) < -opt.epsilon  # the case arises ...
    assert np.isfinite(p.value).all()  # ... and is harmless


@pytest.mark.parametrize(
    "factory",
    [
        lambda: SGD(0.05),
        lambda: SGD(0.01, momentum=0.9),
        lambda: SGD(0.01, momentum=0.9, nesterov=True),
        lambda: Adam(CosineDecay(0.1, 400)),
        lambda: AdamW(CosineDecay(0.1, 400), weight_decay=0.0),
        lambda: Adam(CosineDecay(0.1, 400), amsgrad=True),
        lambda: RMSprop(CosineDecay(0.05, 400)),
        lambda: RMSprop(CosineDecay(0.01, 400), momentum=0.9, centered=True),
        lambda: Adagrad(1.0),
    ],
    ids=["sgd", "momentum", "nesterov", "adam", "adamw", "amsgrad", "rmsprop", "rmsprop_centered", "adagrad"],
)
def test_minimizes_a_quadratic(factory: Callable[[], Optimizer]) -> None:
    p, opt = Parameter("w", np.zeros(3)), factory()
    for _ in range(400):
        p.grad = quadratic_gradient(p.value)
        opt.step([p])
    np.testing.assert_allclose(p.value, [1.0, -2.0, 0.5], atol=1e-2)


# --------------------------------------------------------------------------- dtype and in place
@pytest.mark.parametrize("case_id, factory, reference, slot_names", CASES, ids=IDS)
@pytest.mark.parametrize("clip", [{}, {"clipvalue": 0.5}, {"clipnorm": 0.5}, {"global_clipnorm": 0.5}], ids=str)
def test_float32_stays_float32_and_updates_in_place(case_id, factory, reference, slot_names, clip) -> None:
    opt = type(factory()).from_config({**factory().get_config(), **clip})
    opt.learning_rate = ExponentialDecay(opt.learning_rate, 10, 0.9)
    params = make_parameters(np.float32)
    ids = [id(p.value) for p in params]
    run(opt, params, gradient_sequence(3, np.float32))
    slot_ids = {(i, name): id(array) for i, p in enumerate(params) for name, array in opt.slots.get(p, {}).items()}
    run(opt, params, gradient_sequence(40, np.float32, seed=2))
    assert [id(p.value) for p in params] == ids
    assert {(i, name): id(a) for i, p in enumerate(params) for name, a in opt.slots.get(p, {}).items()} == slot_ids
    for p in params:
        assert p.value.dtype == p.grad.dtype == np.float32
        assert all(array.dtype == np.float32 for array in opt.slots.get(p, {}).values())
        assert np.isfinite(p.value).all()


def test_plain_sgd_keeps_no_slots() -> None:
    opt, params = SGD(), make_parameters()
    run(opt, params, gradient_sequence(2))
    assert opt.slots == {} and opt.get_state(params).keys() == {"iterations"}


def test_slots_are_created_lazily_in_the_parameter_dtype() -> None:
    opt, p = Adagrad(initial_accumulator_value=0.25), Parameter("w", np.ones(3, dtype=np.float32))
    assert opt.slots == {}
    opt.step([p])
    assert list(opt.slots) == [p]
    assert opt.slots[p]["accumulator"].dtype == np.float32


def test_astype_casts_every_slot_and_returns_self() -> None:
    params, opt = make_parameters(), Adam(amsgrad=True)
    run(opt, params, gradient_sequence(2))
    assert opt.astype("float32") is opt
    assert {a.dtype for slots in opt.slots.values() for a in slots.values()} == {np.dtype(np.float32)}
    for p in params:
        p.astype(np.float32)
    run(opt, params, gradient_sequence(2, np.float32))
    assert {a.dtype for slots in opt.slots.values() for a in slots.values()} == {np.dtype(np.float32)}
    with pytest.raises(InvalidTypeError, match="floating dtype"):
        opt.astype("int32")


def test_slots_follow_a_parameter_cast_without_the_optimizer() -> None:
    params, opt = make_parameters(), SGD(momentum=0.9)
    run(opt, params, gradient_sequence(1))
    for p in params:
        p.astype(np.float32)
    run(opt, params, gradient_sequence(1, np.float32))
    assert all(opt.slots[p]["v"].dtype == np.float32 for p in params)


# --------------------------------------------------------------------------- clipping
def sgd_step(grads: list[list[float]], **clip: float) -> tuple[list[np.ndarray], list[Parameter]]:
    """One SGD step with lr=1 from zero weights: the weights become minus the gradients used."""
    params = [Parameter(f"p{i}", np.zeros(len(g))) for i, g in enumerate(grads)]
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    originals = [(p.grad, p.grad.copy()) for p in params]
    SGD(learning_rate=1.0, **clip).step(params)
    for p, (array, copy_) in zip(params, originals, strict=True):
        assert p.grad is array  # p.grad is neither rebound ...
        np.testing.assert_array_equal(p.grad, copy_)  # ... nor modified
    return [-p.value for p in params], params


def test_clipvalue_clips_each_entry() -> None:
    used, _ = sgd_step([[-3.0, 0.5, 2.0], [0.25]], clipvalue=1.0)
    np.testing.assert_array_equal(used[0], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(used[1], [0.25])


def test_clipnorm_rescales_each_gradient_over_the_norm() -> None:
    used, _ = sgd_step([[3.0, 4.0], [0.3, 0.4]], clipnorm=1.0)
    np.testing.assert_allclose(used[0], [0.6, 0.8])
    np.testing.assert_array_equal(used[1], [0.3, 0.4])  # norm 0.5 <= 1: untouched


def test_global_clipnorm_rescales_all_gradients_jointly() -> None:
    used, _ = sgd_step([[3.0, 4.0], [0.0, 12.0]], global_clipnorm=6.5)  # joint norm 13
    np.testing.assert_allclose(used[0], [1.5, 2.0])
    np.testing.assert_allclose(used[1], [0.0, 6.0])
    used, _ = sgd_step([[3.0, 4.0], [0.0, 12.0]], global_clipnorm=13.5)
    np.testing.assert_array_equal(used[1], [0.0, 12.0])


def test_clipnorm_of_a_huge_float32_gradient_does_not_overflow() -> None:
    p = Parameter("w", np.zeros(2, dtype=np.float32))
    p.grad = [3e30, 4e30]  # its squared norm overflows float32
    SGD(1.0, clipnorm=1.0).step([p])
    np.testing.assert_allclose(p.value, [-0.6, -0.8], rtol=1e-6)


@given(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=5), elements=st.floats(-1e3, 1e3)),
    st.floats(1e-3, 1e2),
)
def test_clipnorm_output_norm_is_at_most_clipnorm(g: np.ndarray, clipnorm: float) -> None:
    used, _ = sgd_step([g.ravel().tolist()], clipnorm=clipnorm)
    assert np.linalg.norm(used[0]) <= clipnorm * (1 + 1e-12)
    if np.linalg.norm(g) <= clipnorm:
        np.testing.assert_array_equal(used[0], g.ravel())


@given(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=st.floats(-1e3, 1e3)),
    hnp.arrays(np.float64, 1, elements=st.floats(-1e3, 1e3)),
    st.floats(0.0, 10.0),
)
def test_plain_sgd_is_w_minus_lr_g(w: np.ndarray, seed_g: np.ndarray, lr: float) -> None:
    g = np.resize(seed_g, w.shape) * np.linspace(-1, 1, w.size).reshape(w.shape)
    p = Parameter("w", w)
    p.grad = g
    SGD(learning_rate=lr).step([p])
    np.testing.assert_array_equal(p.value, w - lr * g)


def test_at_most_one_clip_option() -> None:
    with pytest.raises(InvalidValueError, match="at most one of clipnorm, clipvalue and global_clipnorm"):
        Adam(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(InvalidValueError, match="clipvalue must be a finite float > 0, received 0"):
        SGD(clipvalue=0)


# --------------------------------------------------------------------------- trainable, iterations, step errors
def test_non_trainable_parameters_are_skipped() -> None:
    frozen, live = Parameter("frozen", np.ones(2)), Parameter("live", np.ones(2))
    frozen.trainable = False
    frozen.grad, live.grad = [100.0, 100.0], [3.0, 4.0]
    opt = Adam(learning_rate=0.1, global_clipnorm=1.0)
    opt.step([frozen, live])
    np.testing.assert_array_equal(frozen.value, [1.0, 1.0])
    assert frozen not in opt.slots
    np.testing.assert_allclose(opt.slots[live]["m"], 0.1 * np.array([0.6, 0.8]))  # frozen.grad not in the norm
    assert opt.iterations == 1


def test_iterations_counts_every_step() -> None:
    opt = SGD()
    assert opt.iterations == 0
    for expected in range(1, 4):
        opt.step([])
        assert opt.iterations == expected


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        (lambda p: p, InvalidTypeError, "expected a list of Parameters, received Parameter"),
        (lambda p: [p, np.ones(2)], InvalidTypeError, r"parameters\[1\] must be a Parameter"),
        (lambda p: [p, p], InvalidValueError, r"parameters\[1\] \('w'\) appears twice"),
        (lambda p: 3, InvalidTypeError, "expected a list of Parameters, received int"),
    ],
)
def test_step_refuses_bad_parameter_lists_and_changes_nothing(arguments, error, message) -> None:
    p, opt = Parameter("w", np.ones(2)), Adam()
    p.grad = [1.0, 1.0]
    with pytest.raises(error, match=message):
        opt.step(arguments(p))
    assert opt.iterations == 0 and opt.slots == {}
    np.testing.assert_array_equal(p.value, [1.0, 1.0])


# --------------------------------------------------------------------------- learning rate
def test_learning_rate_setter_takes_a_float_used_by_the_next_step() -> None:
    p, opt = Parameter("w", np.zeros(1)), SGD(learning_rate=0.1)
    assert opt.learning_rate == 0.1 and isinstance(opt.learning_rate, float)
    opt.learning_rate = 0.5
    p.grad = [1.0]
    opt.step([p])
    np.testing.assert_array_equal(p.value, [-0.5])
    with pytest.raises(InvalidValueError, match="SGD: learning_rate must be a finite float >= 0, received -1"):
        opt.learning_rate = -1
    with pytest.raises(InvalidTypeError, match="learning_rate must be a float >= 0 or a schedule"):
        opt.learning_rate = "0.1"
    assert opt.learning_rate == 0.5


def test_a_schedule_sees_the_step_count_starting_at_zero() -> None:
    seen: list[int] = []

    def schedule(step: int) -> float:
        seen.append(step)
        return 0.1 / (step + 1)

    p, opt = Parameter("w", np.zeros(1)), SGD(learning_rate=schedule)
    for _ in range(3):
        p.grad = [1.0]
        opt.step([p])
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(p.value, [-(0.1 + 0.05 + 0.1 / 3)])
    assert opt.learning_rate == pytest.approx(0.025)


def test_setting_a_float_while_a_schedule_is_in_use_is_refused() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5)
    opt = Adam(learning_rate=schedule)
    with pytest.raises(InvalidTypeError, match="comes from the schedule ExponentialDecay.*cannot be set to 0.01"):
        opt.learning_rate = 0.01
    assert opt._learning_rate is schedule
    replacement = CosineDecay(0.2, 10)
    opt.learning_rate = replacement  # a new schedule is accepted, as in Keras
    assert opt.learning_rate == 0.2
    float_opt = Adam(learning_rate=0.1)
    float_opt.learning_rate = replacement
    assert float_opt.learning_rate == 0.2


@pytest.mark.parametrize("bad", [-0.5, math.nan, math.inf])
def test_a_schedule_returning_a_bad_rate_stops_the_step_before_any_change(bad: float) -> None:
    p, opt = Parameter("w", np.ones(2)), Adam(learning_rate=lambda step: bad)
    p.grad = [1.0, 1.0]
    with pytest.raises(InvalidValueError, match="learning-rate schedule .* returned .* at step 0"):
        opt.step([p])
    assert opt.iterations == 0 and opt.slots == {}
    np.testing.assert_array_equal(p.value, [1.0, 1.0])


def test_a_schedule_returning_a_non_number_is_a_type_error() -> None:
    with pytest.raises(InvalidTypeError, match="a schedule must return a float"):
        _ = SGD(learning_rate=lambda step: "fast").learning_rate


# --------------------------------------------------------------------------- state
@pytest.mark.parametrize("case_id, factory, reference, slot_names", CASES, ids=IDS)
def test_get_state_names_slots_by_position_and_copies_them(case_id, factory, reference, slot_names) -> None:
    opt, params = factory(), make_parameters()
    assert set(opt.get_state(params)) == {"iterations"}
    run(opt, params, gradient_sequence(3))
    state = opt.get_state(params)
    assert set(state) == {"iterations"} | {f"{i}/{name}" for i in range(len(params)) for name in slot_names}
    assert (
        state["iterations"].shape == () and state["iterations"].dtype == np.int64 and state["iterations"] == 3
    )  # calls
    saved = copy.deepcopy(state)
    run(opt, params, gradient_sequence(2))
    for key in state:
        np.testing.assert_array_equal(state[key], saved[key])  # later steps do not reach into a saved state


@pytest.mark.parametrize("case_id, factory, reference, slot_names", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_resuming_from_state_is_bitwise_identical(case_id, factory, reference, slot_names, dtype) -> None:
    grads = gradient_sequence(10, dtype)
    opt = factory()
    opt.learning_rate = CosineDecay(opt.learning_rate, decay_steps=12, alpha=0.1)
    params = make_parameters(dtype)
    run(opt, params, grads[:5])
    saved_values = [p.value.copy() for p in params]
    saved_state = opt.get_state(params)
    saved_config = json.loads(json.dumps(opt.get_config()))
    run(opt, params, grads[5:])

    resumed = type(opt).from_config(saved_config)
    resumed_params = [Parameter(p.name, value) for p, value in zip(params, saved_values, strict=True)]
    resumed.set_state(resumed_params, saved_state)
    run(resumed, resumed_params, grads[5:])

    assert resumed.iterations == opt.iterations == updates(opt, 10)
    for p, q in zip(params, resumed_params, strict=True):
        assert p.value.tobytes() == q.value.tobytes()
        assert opt.slots.get(p, {}).keys() == resumed.slots.get(q, {}).keys()
        for name in opt.slots.get(p, {}):
            assert opt.slots[p][name].tobytes() == resumed.slots[q][name].tobytes()


def _snapshot(opt: Optimizer) -> tuple[int, dict]:
    return opt.iterations, {p: {k: a.copy() for k, a in s.items()} for p, s in opt.slots.items()}


def _bad_states(state: dict) -> list[tuple[dict, type, str]]:
    def changed(**entries: Any) -> dict:
        new = dict(state)
        for key, value in entries.items():
            if value is None:
                new.pop(key.replace("__", "/"))
            else:
                new[key.replace("__", "/")] = value
        return new

    return [
        (changed(iterations=None), InvalidValueError, "no 'iterations' entry"),
        (changed(iterations=np.array(-1)), InvalidValueError, "'iterations' must be one integer >= 0"),
        (changed(iterations=np.array(2.0)), InvalidValueError, "'iterations' must be one integer >= 0"),
        (changed(iterations=np.array([2])), InvalidValueError, "'iterations' must be one integer >= 0"),
        (changed(**{"0__velocity": state["0/m"]}), InvalidValueError, "unexpected entry '0/velocity'"),
        (changed(**{"2__m": state["0/m"]}), InvalidValueError, "unexpected entry '2/m'"),
        (changed(**{"01__m": state["1/m"]}), InvalidValueError, "unexpected entry '01/m'"),
        (changed(**{"1__v": None}), InvalidValueError, r"parameter 1 \('p1'\) has entries for \['m'\] but not .*'v'"),
        (changed(**{"0__m": state["1/m"]}), ShapeError, r"'0/m' must have the shape of parameter 0 \('p0'\)"),
        (changed(**{"1__v": state["1/v"].astype(np.float32)}), InvalidValueError, "dtype of parameter 1"),
    ]


def test_set_state_errors_change_nothing() -> None:
    opt, params = Adam(), make_parameters()
    run(opt, params, gradient_sequence(3))
    good = opt.get_state(params)
    run(opt, params, gradient_sequence(1))
    iterations, slots = _snapshot(opt)
    for state, error, message in _bad_states(good):
        with pytest.raises(error, match=message):
            opt.set_state(params, state)
        assert opt.iterations == iterations
        for p in params:
            for name, array in slots[p].items():
                np.testing.assert_array_equal(opt.slots[p][name], array)
    with pytest.raises(InvalidTypeError, match="state must be a dict of arrays"):
        opt.set_state(params, [1, 2])
    opt.set_state(params, good)
    assert opt.iterations == 3


def test_set_state_copies_its_input_and_drops_slots_it_does_not_name() -> None:
    opt, params = SGD(momentum=0.9), make_parameters()
    run(opt, params, gradient_sequence(2))
    state = {"iterations": 7, "1/v": np.full(SHAPES[1], 0.5)}
    opt.set_state(params, state)
    assert opt.iterations == 7 and params[0] not in opt.slots
    state["1/v"][...] = 9.0
    np.testing.assert_array_equal(opt.slots[params[1]]["v"], [0.5, 0.5])


# --------------------------------------------------------------------------- config and get
@pytest.mark.parametrize("case_id, factory, reference, slot_names", CASES, ids=IDS)
def test_config_round_trips_through_json(case_id, factory, reference, slot_names) -> None:
    opt = factory()
    text = json.dumps(serialize(opt))
    restored = optimizers.get(json.loads(text))
    assert type(restored) is type(opt) and restored is not opt
    assert restored.get_config() == opt.get_config()
    params, restored_params = make_parameters(), make_parameters()
    run(opt, params, gradient_sequence(3))
    run(restored, restored_params, gradient_sequence(3))
    for p, q in zip(params, restored_params, strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_config_keeps_clipping_name_and_a_schedule() -> None:
    opt = AdamW(ExponentialDecay(0.01, 100, 0.9, staircase=True), weight_decay=0.01, clipnorm=2.0, name="w")
    config = json.loads(json.dumps(opt.get_config()))
    assert config["learning_rate"] == {
        "class_name": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.01, "decay_steps": 100, "decay_rate": 0.9, "staircase": True},
    }
    restored = AdamW.from_config(config)
    assert isinstance(restored._learning_rate, ExponentialDecay)
    assert (restored.name, restored.clipnorm, restored.weight_decay) == ("w", 2.0, 0.01)
    assert restored.get_config() == opt.get_config()


def test_a_plain_callable_learning_rate_cannot_be_serialized() -> None:
    with pytest.raises(InvalidTypeError, match="cannot serialize the learning rate .* plain callable"):
        SGD(learning_rate=lambda step: 0.1).get_config()


def test_default_arguments_are_keras_s() -> None:
    assert SGD().get_config() == {
        "name": "sgd", "learning_rate": 0.01, "weight_decay": None, "clipnorm": None, "clipvalue": None,
        "global_clipnorm": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
        "gradient_accumulation_steps": None, "momentum": 0.0, "nesterov": False,
    }  # fmt: skip
    adam = Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon, adam.amsgrad) == (1e-3, 0.9, 0.999, 1e-7, False)
    assert AdamW().weight_decay == 0.004
    rms = RMSprop()
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon, rms.centered) == (1e-3, 0.9, 0.0, 1e-7, False)
    ada = Adagrad()
    assert (ada.learning_rate, ada.initial_accumulator_value, ada.epsilon) == (1e-3, 0.1, 1e-7)


@pytest.mark.parametrize(
    "identifier, cls",
    [("sgd", SGD), ("adam", Adam), ("adamw", AdamW), ("rmsprop", RMSprop), ("adagrad", Adagrad), ("Adam", Adam)],
)
def test_get_string_ids(identifier: str, cls: type) -> None:
    opt = optimizers.get(identifier)
    assert type(opt) is cls
    assert opt.get_config() == cls().get_config()


def test_get_passes_instances_through_and_instantiates_classes() -> None:
    opt = SGD()
    assert optimizers.get(opt) is opt
    assert type(optimizers.get(RMSprop)) is RMSprop


@pytest.mark.parametrize("identifier", ["adma", "sgd_momentum", 3, None])
def test_get_unknown_identifier(identifier: Any) -> None:
    with pytest.raises(UnknownIdentifierError):
        optimizers.get(identifier)


# --------------------------------------------------------------------------- argument validation
@pytest.mark.parametrize(
    "build, error, message",
    [
        (
            lambda: SGD(learning_rate=-0.1),
            InvalidValueError,
            "SGD: learning_rate must be a finite float >= 0, received -0.1",
        ),
        (lambda: Adam(learning_rate=math.nan), InvalidValueError, "Adam: learning_rate must be a finite float >= 0"),
        (lambda: SGD(learning_rate="0.1"), InvalidTypeError, "SGD: learning_rate must be a float >= 0 or a schedule"),
        (lambda: SGD(learning_rate=True), InvalidTypeError, "received bool True"),
        (lambda: SGD(learning_rate=CosineDecay), InvalidTypeError, "learning_rate must be a float >= 0 or a schedule"),
        (
            lambda: SGD(momentum=1.0),
            InvalidValueError,
            r"SGD: momentum must be a finite float in \[0, 1\), received 1.0",
        ),
        (lambda: SGD(momentum=-0.1), InvalidValueError, r"momentum must be a finite float in \[0, 1\)"),
        (lambda: SGD(nesterov=1), InvalidTypeError, "SGD: nesterov must be True or False, received int 1"),
        (lambda: Adam(beta_1=1.0), InvalidValueError, r"Adam: beta_1 must be a finite float in \[0, 1\)"),
        (lambda: Adam(beta_2=-0.5), InvalidValueError, r"Adam: beta_2 must be a finite float in \[0, 1\)"),
        (lambda: Adam(beta_1="0.9"), InvalidTypeError, "Adam: beta_1 must be a float in .* received str '0.9'"),
        (lambda: Adam(epsilon=0.0), InvalidValueError, "Adam: epsilon must be a finite float > 0, received 0.0"),
        (lambda: AdamW(weight_decay=-1e-3), InvalidValueError, "AdamW: weight_decay must be a finite float >= 0"),
        (lambda: AdamW(beta_2=1.5), InvalidValueError, "AdamW: beta_2"),
        (lambda: RMSprop(rho=1.0), InvalidValueError, r"RMSprop: rho must be a finite float in \[0, 1\)"),
        (lambda: RMSprop(momentum=2), InvalidValueError, "RMSprop: momentum"),
        (lambda: RMSprop(epsilon=-1e-7), InvalidValueError, "RMSprop: epsilon must be a finite float > 0"),
        (lambda: RMSprop(centered="yes"), InvalidTypeError, "RMSprop: centered must be True or False"),
        (lambda: Adagrad(initial_accumulator_value=-0.1), InvalidValueError, "Adagrad: initial_accumulator_value"),
        (lambda: Adagrad(epsilon=None), InvalidTypeError, "Adagrad: epsilon must be a float > 0, received NoneType"),
        (lambda: Adam(clipnorm=-1.0), InvalidValueError, "Adam: clipnorm must be a finite float > 0"),
        (lambda: Adam(name=3), InvalidTypeError, "Adam: name must be a string"),
    ],
)
def test_constructor_arguments_are_checked(build: Callable[[], Optimizer], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_numpy_scalars_are_accepted_as_python_floats() -> None:
    opt = SGD(learning_rate=np.float32(0.5), momentum=np.float64(0.25))
    assert type(opt.learning_rate) is float and type(opt.momentum) is float
    json.dumps(opt.get_config())
