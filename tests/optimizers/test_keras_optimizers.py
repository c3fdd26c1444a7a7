"""Nadam, Adamax, Adadelta, Lion, Lamb, Ftrl, Adafactor and the base class's weight_decay: agreement with PyTorch
where it has the same optimizer (float64, several steps; skipped without torch), and their behaviour.

The update equations themselves are checked against float64 references in ``test_optimizers.py`` (its ``CASES``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinynet as tn
import tinynet.optimizers as optimizers
from tinynet import Parameter
from tinynet.errors import InvalidTypeError, InvalidValueError
from tinynet.optimizers import SGD, Adadelta, Adafactor, Adam, Adamax, AdamW, Ftrl, Lamb, Lion, Nadam, Optimizer
from tinynet.optimizers.schedules import CosineDecay

SHAPES = [(4, 3), (2, 3, 5), (3,)]


def parameters(seed: int = 0) -> list[Parameter]:
    rng = np.random.default_rng(seed)
    return [Parameter(f"p{i}", rng.normal(size=shape)) for i, shape in enumerate(SHAPES)]


def gradients(steps: int, seed: int = 1) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=shape) for shape in SHAPES] for _ in range(steps)]


# --------------------------------------------------------------------------- PyTorch, where it has the optimizer
TORCH_PAIRS: dict[str, tuple[Callable[[], Optimizer], Callable[[Any], Any]]] = {
    # torch's NAdam warms its momentum up as 0.96**(momentum_decay * t); Keras's (and ours) as 0.96**t
    "nadam": (lambda: Nadam(0.01, 0.8, 0.95, 1e-8), lambda p: _torch().optim.NAdam(p, 0.01, (0.8, 0.95), 1e-8, 0, 1.0)),
    # epsilon placements differ (inside torch's maximum, added to Keras's u): 1e-300 is below both
    "adamax": (lambda: Adamax(0.02, 0.8, 0.95, 1e-300), lambda p: _torch().optim.Adamax(p, 0.02, (0.8, 0.95), 1e-300)),
    "adadelta": (lambda: Adadelta(0.5, 0.8, 1e-3), lambda p: _torch().optim.Adadelta(p, 0.5, 0.8, 1e-3)),
    # torch clamps v at eps1**2 where Keras adds epsilon_1 to g * g: negligible at 1e-30
    "adafactor": (lambda: Adafactor(0.05), lambda p: _torch().optim.Adafactor(p, 0.05, eps=(1e-30, 1e-3))),
    "adamw": (
        lambda: AdamW(0.01, 0.1, epsilon=1e-300),
        lambda p: _torch().optim.AdamW(p, 0.01, eps=1e-300, weight_decay=0.1),
    ),
}


def _torch() -> Any:
    return pytest.importorskip("torch")


@pytest.mark.parametrize("name", sorted(TORCH_PAIRS))
def test_agrees_with_pytorch_over_several_steps(name: str) -> None:
    torch = _torch()
    ours, theirs = TORCH_PAIRS[name]
    params = parameters()
    tensors = [torch.tensor(p.value, requires_grad=True) for p in params]
    default_dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch keeps scalar state (NAdam's mu_product) in the default dtype
    try:
        opt, torch_opt = ours(), theirs(tensors)
        for step_grads in gradients(8):
            for p, t, g in zip(params, tensors, step_grads, strict=True):
                p.grad, t.grad = g, torch.tensor(g)
            opt.step(params)
            torch_opt.step()
            for p, t in zip(params, tensors, strict=True):
                np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-12, atol=1e-14)
    finally:
        torch.set_default_dtype(default_dtype)


# --------------------------------------------------------------------------- behaviour
def quadratic_gradient(w: np.ndarray) -> np.ndarray:
    """Gradient of 0.5 * sum(a * (w - c)**2), an ill-conditioned bowl with its minimum at c."""
    return np.array([1.0, 10.0, 0.3]) * (w - np.array([1.0, -2.0, 0.5]))


@pytest.mark.parametrize(
    "factory",
    [
        lambda: Nadam(CosineDecay(0.1, 400)),
        lambda: Adamax(CosineDecay(0.2, 400)),
        lambda: Adadelta(CosineDecay(50.0, 400), rho=0.9, epsilon=1e-3),
        lambda: Lion(CosineDecay(0.05, 400)),
        lambda: Lamb(CosineDecay(0.1, 400)),
        lambda: Ftrl(1.0, initial_accumulator_value=0.0, beta=1.0),
        lambda: Adafactor(CosineDecay(1.0, 400), epsilon_2=0.1),
    ],
    ids=["nadam", "adamax", "adadelta", "lion", "lamb", "ftrl", "adafactor"],
)
def test_minimizes_a_quadratic(factory: Callable[[], Optimizer]) -> None:
    p, opt = Parameter("w", np.full(3, 0.1)), factory()
    for _ in range(400):
        p.grad = quadratic_gradient(p.value)
        opt.step([p])
    np.testing.assert_allclose(p.value, [1.0, -2.0, 0.5], atol=2e-2)


def test_lion_moves_every_entry_by_exactly_the_learning_rate() -> None:
    p, opt = Parameter("w", np.zeros(4)), Lion(learning_rate=0.125)
    for _ in range(3):
        p.grad = [1e-6, -1e6, 3.0, -0.5]
        opt.step([p])
    np.testing.assert_array_equal(p.value, 3 * 0.125 * np.array([-1.0, 1.0, -1.0, 1.0]))


def test_lamb_steps_scale_with_the_weights_norm() -> None:
    """The trust ratio norm(w) / norm(update): scaling w scales the step, and a zero w takes Adam's step."""
    steps = []
    for scale in (1.0, 10.0):
        p = Parameter("w", scale * np.array([3.0, 4.0]))
        p.grad = [0.2, -0.1]
        Lamb(learning_rate=0.01).step([p])
        steps.append(p.value - scale * np.array([3.0, 4.0]))
    np.testing.assert_allclose(steps[1], 10 * steps[0], rtol=1e-12)
    zero, adam = Parameter("w", np.zeros(2)), Parameter("w", np.zeros(2))
    zero.grad = adam.grad = [0.2, -0.1]
    Lamb(learning_rate=0.01).step([zero])
    Adam(learning_rate=0.01).step([adam])
    np.testing.assert_allclose(zero.value, adam.value, rtol=1e-12)


def test_ftrl_l1_makes_entries_exactly_zero() -> None:
    p, opt = Parameter("w", np.zeros(4)), Ftrl(learning_rate=0.5, l1_regularization_strength=2.0)
    for _ in range(5):
        p.grad = [0.1, -0.2, 3.0, -4.0]  # the summed small gradients stay within l1; the large ones do not
        opt.step([p])
    assert p.value[0] == 0.0 and p.value[1] == 0.0
    assert p.value[2] < 0 < p.value[3]


def test_ftrl_refuses_a_zero_learning_rate_before_any_change() -> None:
    p, opt = Parameter("w", np.ones(2)), Ftrl(learning_rate=lambda step: 0.0)
    p.grad = [1.0, 1.0]
    with pytest.raises(InvalidValueError, match="Ftrl: the learning rate must be > 0 at every step"):
        opt.step([p])
    np.testing.assert_array_equal(p.value, [1.0, 1.0])
    assert opt.iterations == 0


def test_adafactor_factors_the_last_two_axes_and_leaves_vectors_whole() -> None:
    params, opt = parameters(), Adafactor()
    for step_grads in gradients(2):
        for p, g in zip(params, step_grads, strict=True):
            p.grad = g
        opt.step(params)
    shapes = [{name: a.shape for name, a in opt.slots[p].items()} for p in params]
    assert shapes == [
        {"r": (4,), "c": (3,), "v": (4, 3)},
        {"r": (2, 3), "c": (2, 5), "v": (2, 3, 5)},
        {"r": (), "c": (), "v": (3,)},
    ]
    r, c = opt.slots[params[1]]["r"], opt.slots[params[1]]["c"]
    np.testing.assert_allclose(r.mean(axis=-1), c.mean(axis=-1), rtol=1e-12)  # both are means of the same g2


def test_adafactor_scales_its_step_by_the_weights_rms_and_caps_it() -> None:
    """alpha = max(epsilon_2, rms(w)) * min(lr, 1 / sqrt(t)); rms(u) over clip_threshold scales u down."""
    p = Parameter("w", np.array([[6.0, -8.0]]))  # rms 7.07...
    p.grad = [[1.0, -1.0]]
    Adafactor(learning_rate=0.5, clip_threshold=0.25).step([p])  # u = sign(g), rms(u) = 1: u / 4
    np.testing.assert_allclose(p.value, [[6.0, -8.0]] - math.sqrt(50) * 0.5 * np.array([[1.0, -1.0]]) / 4)


def test_nadam_momentum_product_is_a_function_of_the_step_count() -> None:
    opt = Nadam(beta_1=0.8)
    expected = math.prod(0.8 * (1 - 0.5 * 0.96**s) for s in range(1, 51))
    assert opt.mu_product(50) == expected
    assert opt.mu_product(3) == math.prod(0.8 * (1 - 0.5 * 0.96**s) for s in range(1, 4))
    assert opt.mu_product(50) == expected  # the cache rewound and ran forward again: the same float


# --------------------------------------------------------------------------- weight_decay of every optimizer
@pytest.mark.parametrize("name", sorted(optimizers._ALIASES))
def test_weight_decay_alone_shrinks_geometrically(name: str) -> None:
    """With a zero gradient every optimizer here leaves w alone, so the decay is all that acts."""
    if name == "ftrl":
        pytest.skip("FTRL sets w from its sums, not by a step: its zero-gradient update is not the identity")
    if name == "schedulefreeadamw":
        pytest.skip("the weights are rebuilt from z and x each step: a decay of w alone is partly undone")
    p = Parameter("w", np.array([[4.0, -2.0]]))
    opt = optimizers.get(name)
    opt = type(opt).from_config({**opt.get_config(), "learning_rate": 0.1, "weight_decay": 0.5})
    for _ in range(3):
        opt.step([p])
    np.testing.assert_allclose(p.value, np.array([[4.0, -2.0]]) * (1 - 0.1 * 0.5) ** 3, rtol=1e-14)


def test_weight_decay_is_applied_before_the_update_as_keras_does() -> None:
    p = Parameter("w", np.array([2.0]))
    p.grad = [1.0]
    SGD(learning_rate=0.1, weight_decay=0.5).step([p])
    np.testing.assert_allclose(p.value, [2.0 - 0.1 * 0.5 * 2.0 - 0.1 * 1.0])


def test_adamw_is_adam_with_weight_decay() -> None:
    a, b = Parameter("w", np.array([1.0, -3.0])), Parameter("w", np.array([1.0, -3.0]))
    opt_a, opt_b = AdamW(0.01, weight_decay=0.2), Adam(0.01, weight_decay=0.2)
    for g in ([0.5, 1.0], [-0.1, 2.0]):
        a.grad = b.grad = g
        opt_a.step([a])
        opt_b.step([b])
    np.testing.assert_array_equal(a.value, b.value)
    assert AdamW().get_config()["weight_decay"] == 0.004 and Adam().get_config()["weight_decay"] is None


# --------------------------------------------------------------------------- defaults, ids, arguments
def test_default_arguments_are_keras_s() -> None:
    def settings(opt: Optimizer, *names: str) -> tuple:
        return tuple(getattr(opt, name) for name in ("learning_rate", *names))

    assert settings(Nadam(), "beta_1", "beta_2", "epsilon") == (1e-3, 0.9, 0.999, 1e-7)
    assert settings(Adamax(), "beta_1", "beta_2", "epsilon") == (1e-3, 0.9, 0.999, 1e-7)
    assert settings(Adadelta(), "rho", "epsilon") == (1e-3, 0.95, 1e-7)
    assert settings(Lion(), "beta_1", "beta_2") == (1e-3, 0.9, 0.99)
    assert settings(Lamb(), "beta_1", "beta_2", "epsilon") == (1e-3, 0.9, 0.999, 1e-7)
    assert settings(
        Ftrl(), "learning_rate_power", "initial_accumulator_value", "l1_regularization_strength",
        "l2_regularization_strength", "l2_shrinkage_regularization_strength", "beta",
    ) == (1e-3, -0.5, 0.1, 0.0, 0.0, 0.0, 0.0)  # fmt: skip
    assert settings(Adafactor(), "beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step") == (
        1e-3, -0.8, 1e-30, 1e-3, 1.0, True,
    )  # fmt: skip
    assert all(
        optimizers.get(name).weight_decay is None for name in optimizers._ALIASES if name not in ("adamw", "muon")
    )


@pytest.mark.parametrize(
    "identifier, cls",
    [("nadam", Nadam), ("adamax", Adamax), ("adadelta", Adadelta), ("lion", Lion), ("lamb", Lamb), ("ftrl", Ftrl),
     ("adafactor", Adafactor), ("Adafactor", Adafactor)],
)  # fmt: skip
def test_get_string_ids(identifier: str, cls: type) -> None:
    opt = optimizers.get(identifier)
    assert type(opt) is cls and opt.name == cls.__name__.lower()


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: Nadam(beta_1=1.0), InvalidValueError, r"Nadam: beta_1 must be a finite float in \[0, 1\)"),
        (lambda: Adamax(epsilon=0.0), InvalidValueError, "Adamax: epsilon must be a finite float > 0"),
        (lambda: Adadelta(rho=-0.1), InvalidValueError, r"Adadelta: rho must be a finite float in \[0, 1\)"),
        (lambda: Lion(beta_1=0.0), InvalidValueError, r"Lion: beta_1 must be a finite float in \(0, 1\]"),
        (lambda: Lion(beta_2=1.5), InvalidValueError, r"Lion: beta_2 must be a finite float in \[0, 1\]"),
        (lambda: Lamb(beta_2=1.0), InvalidValueError, r"Lamb: beta_2 must be a finite float in \[0, 1\)"),
        (lambda: Ftrl(learning_rate_power=0.5), InvalidValueError, "Ftrl: learning_rate_power must be .* <= 0"),
        (lambda: Ftrl(initial_accumulator_value=-1), InvalidValueError, "Ftrl: initial_accumulator_value"),
        (lambda: Ftrl(l1_regularization_strength=-0.1), InvalidValueError, "Ftrl: l1_regularization_strength"),
        (lambda: Adafactor(beta_2_decay=0.5), InvalidValueError, "Adafactor: beta_2_decay must be a finite float <= 0"),
        (lambda: Adafactor(epsilon_1=0.0), InvalidValueError, "Adafactor: epsilon_1 must be a finite float > 0"),
        (lambda: Adafactor(clip_threshold=0), InvalidValueError, "Adafactor: clip_threshold"),
        (lambda: Adafactor(relative_step=1), InvalidTypeError, "Adafactor: relative_step must be True or False"),
        (lambda: SGD(weight_decay=-0.1), InvalidValueError, "SGD: weight_decay must be a finite float >= 0"),
        (lambda: AdamW(weight_decay=None), InvalidTypeError, "AdamW: weight_decay must be a float"),
    ],
)  # fmt: skip
def test_constructor_arguments_are_checked(build: Callable[[], Optimizer], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_a_keras_program_compiles_with_each_string_id() -> None:
    x, y = tn.datasets.make_moons(64, noise=0.2, random_state=0)
    for name in ("nadam", "adamax", "adadelta", "lion", "lamb", "ftrl", "adafactor"):
        tn.utils.set_random_seed(0)
        model = tn.Sequential([tn.layers.Dense(4, activation="relu", input_shape=(2,)), tn.layers.Dense(1)])
        model.compile(optimizer=name, loss="mse")
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
        assert type(model.optimizer).__name__.lower() == name and model.optimizer.iterations == 4
