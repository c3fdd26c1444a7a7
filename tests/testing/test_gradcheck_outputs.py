"""``check_gradients`` on a layer that returns a list of outputs: ``backward`` gets one gradient per output.

``Split`` returns two outputs of different shapes from one input and a parameter; ``Twins`` two of one shape,
so that a backward reading the wrong output's gradient is visible. Each broken variant must be caught, entry
by entry and along random directions; the correct layers pass on the same inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.testing import check_gradients

MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
Array = np.ndarray
X = np.random.default_rng(0).uniform(-2.0, 2.0, size=(3, 4))


class Split(tn.Layer):
    """[x * scale, sum(x ** 2) per sample]: outputs (batch, n) and (batch, 1)."""

    def build(self, input_shape: Any) -> None:
        self.scale = self.add_parameter("scale", input_shape, initializer=tn.initializers.RandomNormal(seed=1))

    def forward(self, x: Array, training: bool = False) -> list[Array]:
        self.remember(x=x)
        return [x * self.scale.value, (x * x).sum(axis=1, keepdims=True)]

    def backward(self, grad: list[Array]) -> Array:
        (x,) = self.recall("x")
        g_scaled, g_squares = grad
        self.scale.grad = (g_scaled * x).sum(axis=0)
        return g_scaled * self.scale.value + 2.0 * x * g_squares


class SecondOutputIgnored(Split):
    def backward(self, grad: list[Array]) -> Array:
        return super().backward([grad[0], np.zeros_like(grad[1])])


class Twins(tn.Layer):
    """[x, 2 x]: two outputs of one shape."""

    def forward(self, x: Array, training: bool = False) -> list[Array]:
        self.remember(seen=True)
        return [x.copy(), 2.0 * x]

    def backward(self, grad: list[Array]) -> Array:
        self.recall("seen")
        return grad[0] + 2.0 * grad[1]


class TwinsReadTheFirstGradientTwice(Twins):
    def backward(self, grad: list[Array]) -> Array:
        return super().backward([grad[0], grad[0]])


@MODES
@pytest.mark.parametrize("make", [Split, Twins], ids=["split", "twins"])
def test_a_correct_layer_with_several_outputs_passes(make: Any, directions: int | None) -> None:
    check_gradients(make(), X, directions=directions)


@MODES
@pytest.mark.parametrize(
    "make", [SecondOutputIgnored, TwinsReadTheFirstGradientTwice], ids=["second_ignored", "first_read_twice"]
)
def test_a_backward_that_mishandles_an_output_is_caught(make: Any, directions: int | None) -> None:
    with pytest.raises(AssertionError, match="check_gradients: the gradient of 'input' is wrong"):
        check_gradients(make(), X, directions=directions)


def test_backward_is_given_a_list_of_one_gradient_per_output() -> None:
    seen: list[Any] = []

    class Recording(Split):
        def backward(self, grad: list[Array]) -> Array:
            seen.append(grad)
            return super().backward(grad)

    check_gradients(Recording(), X)
    assert seen and all(isinstance(g, list) and [a.shape for a in g] == [(3, 4), (3, 1)] for g in seen)
