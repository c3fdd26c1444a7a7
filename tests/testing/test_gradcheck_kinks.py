"""No false alarms at kinks: ``check_gradients`` re-draws a point that sits beside one, and still catches every bug.

A ReLU MLP and a conv + max-pool + dense net are checked at 50 seeds, at random points and at points built
to sit on kinks: ReLU pre-activations within ``eps`` of 0 (some exactly 0), and image patches so flat that
whole max-pool windows tie and a filter's pre-activation is exactly 0. Without re-drawing, the built points
fail (the construction works); with it, they pass. The same nets with one layer's backward broken
(a kernel gradient scaled by 1.01, a dropped bias gradient) fail at every one of those points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.testing import check_gradients

L = tn.layers
Array = np.ndarray
SEEDS = range(50)
EPS = 1e-6  # check_gradients' default step


def _init(seed: int) -> tn.initializers.Initializer:
    return tn.initializers.RandomNormal(stddev=1.0, seed=seed)


# ---------------------------------------------------------------------------- deliberately broken layers
class ScaledKernelGrad:
    """Mixed into a layer: its kernel gradient multiplied by 1.01."""

    kernel: tn.Parameter

    def backward(self, grad: Array) -> Any:
        dx = super().backward(grad)  # type: ignore[misc]
        self.kernel.grad = self.kernel.grad * 1.01
        return dx


class DroppedBiasGrad:
    """Mixed into a layer: its bias gradient set to zeros."""

    bias: tn.Parameter

    def backward(self, grad: Array) -> Any:
        dx = super().backward(grad)  # type: ignore[misc]
        self.bias.grad = np.zeros_like(self.bias.grad)
        return dx


class ScaledKernelDense(ScaledKernelGrad, L.Dense):
    pass


class ScaledKernelConv2D(ScaledKernelGrad, L.Conv2D):
    pass


class DroppedBiasDense(DroppedBiasGrad, L.Dense):
    pass


# ---------------------------------------------------------------------------- the nets and their kinks
def mlp(seed: int, hidden: type = L.Dense, out: type = L.Dense) -> tn.Sequential:
    """3 -> 6 (ReLU) -> 3, float64, seeded and built: every call gives the same weights."""
    f64 = {"dtype": "float64"}
    return tn.Sequential(
        [hidden(6, activation="relu", kernel_initializer=_init(seed), bias_initializer=_init(seed + 1), name="hidden",
                input_shape=(3,), **f64),
         out(3, kernel_initializer=_init(seed + 2), bias_initializer=_init(seed + 3), name="out", **f64)],
        name="mlp", **f64,
    )  # fmt: skip


def convnet(seed: int, conv: type = L.Conv2D, out: type = L.Dense) -> tn.Sequential:
    """(6, 6, 1) -> conv 3x3, 2 filters (ReLU) -> max-pool 2 -> flatten -> 3, float64, seeded and built."""
    f64 = {"dtype": "float64"}
    return tn.Sequential(
        [conv(2, 3, activation="relu", kernel_initializer=_init(seed), bias_initializer=_init(seed + 1), name="conv",
              input_shape=(6, 6, 1), **f64),
         L.MaxPool2D(2, name="pool", **f64), L.Flatten(name="flatten", **f64),
         out(3, kernel_initializer=_init(seed + 2), bias_initializer=_init(seed + 3), name="out", **f64)],
        name="convnet", **f64,
    )  # fmt: skip


def mlp_on_kinks(model: tn.Sequential, x: Array, rng: np.random.Generator) -> Array:
    """``x`` moved so that two hidden pre-activations of every sample sit within EPS of 0 (some exactly at 0)."""
    hidden = model.layers[0]
    kernel, bias = hidden.kernel.value, hidden.bias.value
    x = x.copy()
    for row in range(len(x)):
        units = rng.choice(kernel.shape[1], size=2, replace=False)
        w = kernel[:, units]
        target = rng.uniform(-EPS, EPS, size=2) * rng.integers(0, 2, size=2)
        x[row] += w @ np.linalg.solve(w.T @ w, target - (x[row] @ w + bias[units]))
    return x


def convnet_on_kinks(model: tn.Sequential, x: Array, rng: np.random.Generator) -> Array:
    """``x`` with flat patches: one where filter 0's pre-activation is exactly 0, one of random level (pool ties)."""
    conv = model.layers[0]
    kernel, bias = conv.kernel.value, conv.bias.value
    x = x.copy()
    x[0, :4, :4, :] = -bias[0] / kernel[..., 0].sum()  # conv outputs of filter 0 there: all exactly 0, all tied
    x[-1, 2:, 2:, :] = rng.uniform(-1.0, 1.0)  # a flat patch: every window of it ties, in both filters
    return x


NETS: list[tuple[str, Callable[..., tn.Sequential], tuple[int, ...], Callable[..., Array]]] = [
    ("relu_mlp", mlp, (4, 3), mlp_on_kinks),
    ("conv_maxpool_dense", convnet, (2, 6, 6, 1), convnet_on_kinks),
]
nets = pytest.mark.parametrize("make, shape, on_kinks", [n[1:] for n in NETS], ids=[n[0] for n in NETS])
MODES = (None, 3)


def points(make: Callable[..., tn.Sequential], shape: tuple[int, ...], on_kinks: Callable[..., Array], seed: int):
    """A random point and the same point moved onto kinks, for the net ``make(seed)``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    return x, on_kinks(make(seed), x, rng)


# ---------------------------------------------------------------------------- (a) no false alarms
@nets
def test_relu_and_max_pool_nets_pass_at_random_points_and_on_kinks(
    make: Callable[..., tn.Sequential], shape: tuple[int, ...], on_kinks: Callable[..., Array]
) -> None:
    for seed in SEEDS:
        for x in points(make, shape, on_kinks, seed):
            for directions in MODES:
                check_gradients(make(seed), x, directions=directions, seed=seed)


@nets
def test_the_points_built_on_kinks_do_fail_without_re_drawing(
    make: Callable[..., tn.Sequential], shape: tuple[int, ...], on_kinks: Callable[..., Array]
) -> None:
    """The construction works: at every point built on kinks, central differences there disagree with backward."""
    for seed in SEEDS[:10]:
        _, x = points(make, shape, on_kinks, seed)
        with pytest.raises(AssertionError, match="the objective's slope changed unevenly within the step"):
            check_gradients(make(seed), x, seed=seed, redraws=0)


# ---------------------------------------------------------------------------- (b) every bug still caught
BROKEN = {
    "relu_mlp": [
        (lambda seed: mlp(seed, hidden=ScaledKernelDense), "hidden.kernel"),
        (lambda seed: mlp(seed, out=DroppedBiasDense), "out.bias"),
    ],
    "conv_maxpool_dense": [
        (lambda seed: convnet(seed, conv=ScaledKernelConv2D), "conv.kernel"),
        (lambda seed: convnet(seed, out=DroppedBiasDense), "out.bias"),
    ],
}


@nets
def test_the_same_nets_with_a_broken_backward_fail_at_every_point(
    make: Callable[..., tn.Sequential], shape: tuple[int, ...], on_kinks: Callable[..., Array]
) -> None:
    """A bug is reported as itself, naming its parameter, and never as a kink: no re-draw turns it into a pass."""
    for broken, parameter in BROKEN[next(n[0] for n in NETS if n[1] is make)]:
        for seed in SEEDS[:20]:
            for x in points(make, shape, on_kinks, seed):
                for directions in MODES:
                    with pytest.raises(AssertionError) as caught:
                        check_gradients(broken(seed), x, directions=directions, seed=seed)
                    assert f"'{parameter}'" in str(caught.value)
                    assert "points tried" not in str(caught.value)


# ---------------------------------------------------------------------------- the mechanism
def test_relu_exactly_at_its_kink_passes_and_fails_without_re_drawing() -> None:
    x = np.array([[0.0, 1.0], [-0.5, 0.0]])
    check_gradients(tn.activations.ReLU(), x)
    with pytest.raises(AssertionError, match=r"'input' is wrong at index .*At this point, the objective's slope"):
        check_gradients(tn.activations.ReLU(), x, redraws=0)


def test_a_max_pool_tie_passes() -> None:
    """A 1x2 max-pool window over two equal values: the tie is a kink of max; the point is re-drawn."""
    layer = tn.Sequential([L.Reshape((1, 2, 1)), L.MaxPool2D((1, 2)), L.Flatten()])
    x = np.array([[0.0, -0.0], [0.3, -0.3]])
    check_gradients(layer, x)
    check_gradients(layer, x, directions=2)


class NoisyIdentity(tn.Layer):
    """y = x + noise drawn from a generator nobody can rewind: the objective is rough at every point."""

    accepts_any_shape = True

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(x=x)
        return x + 1e-9 * _UNREACHABLE.standard_normal(x.shape)

    def backward(self, grad: Array) -> Array:
        self.recall("x")
        return grad


_UNREACHABLE = np.random.default_rng(0)


def test_an_objective_rough_everywhere_fails_after_the_bounded_re_draws() -> None:
    with pytest.raises(AssertionError, match=r"At each of the 3 points tried, the objective's slope changed"):
        check_gradients(NoisyIdentity(), np.ones((2, 2)), redraws=2)


def test_re_drawn_points_are_reproducible_with_the_seed() -> None:
    """The same seed re-draws the same points: the same verdict and the same numbers in the message."""
    x = mlp_on_kinks(mlp(3), np.random.default_rng(3).normal(size=(4, 3)), np.random.default_rng(4))
    messages = []
    for _ in range(2):
        with pytest.raises(AssertionError) as caught:
            check_gradients(mlp(3, hidden=ScaledKernelDense), x, seed=11)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "'hidden.kernel'" in messages[0]


@pytest.mark.parametrize("redraws", [-1, 1.5, True, "2"])
def test_bad_redraws_are_refused(redraws: object) -> None:
    with pytest.raises(tn.errors.InvalidValueError, match="redraws"):
        check_gradients(tn.activations.ReLU(), np.ones((1, 2)), redraws=redraws)
