"""``check_gradients(layer, [x1, x2])``: a layer taking several inputs, each input's gradient checked and named.

``Bilinear`` (two inputs and a parameter) shows the contract: one gradient per input, of its shape, each
named in a failure. Each broken merge layer at the end overrides only ``backward`` of a real one with one
mistake people make; every one must raise ``AssertionError`` entry by entry and along random directions,
naming the input.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.testing import check_gradients

MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
L = tn.layers
Array = np.ndarray


def _xs(*shapes: tuple[int, ...], seed: int = 0) -> list[Array]:
    """Float64 inputs with entries at least 0.1 from zero, drawn apart (no ties between inputs)."""
    rng = np.random.default_rng(seed)
    xs = [rng.uniform(-2.0, 2.0, size=shape) for shape in shapes]
    return [np.where(np.abs(x) < 0.1, 0.5 + 0.01 * i, x) for i, x in enumerate(xs)]


# ---------------------------------------------------------------------------- a layer of two inputs and a parameter
class Bilinear(tn.Layer):
    """y = (x1 @ kernel) * x2: a layer with two inputs and a parameter."""

    def build(self, input_shape: Any) -> None:
        (n,), (m,) = input_shape
        self.kernel = self.add_parameter("kernel", (n, m), initializer=tn.initializers.RandomNormal(seed=3))

    def forward(self, inputs: Any, training: bool = False) -> Array:
        x1, x2 = inputs
        self.remember(x1=x1, x2=x2, h=x1 @ self.kernel.value)
        return self.recall("h")[0] * x2

    def backward(self, grad: Array) -> Any:
        x1, x2, h = self.recall("x1", "x2", "h")
        dh = grad * x2
        self.kernel.grad = x1.T @ dh
        return [dh @ self.kernel.value.T, grad * h]


class ScaledKernelBilinear(Bilinear):
    def backward(self, grad: Array) -> Any:
        dxs = super().backward(grad)
        self.kernel.grad = self.kernel.grad * 1.01
        return dxs


# ---------------------------------------------------------------------------- the message and the shapes
class PerturbedBilinear(Bilinear):
    """The second input's gradient wrong by +0.5 at (1, 2) and by +0.1 at (0, 0): the worst entry is (1, 2)."""

    def backward(self, grad: Array) -> Any:
        dx1, dx2 = super().backward(grad)
        dx2[1, 2] += 0.5
        dx2[0, 0] += 0.1
        return [dx1, dx2]


def test_the_message_names_the_input_and_its_worst_entry() -> None:
    with pytest.raises(AssertionError) as caught:
        check_gradients(PerturbedBilinear(), _xs((2, 2), (2, 3)))
    message = str(caught.value)
    assert "'input 1'" in message and "index (1, 2)" in message and "2 of 6 checks failed" in message
    values = re.search(r"gives (\S+), central differences give (\S+) \(", message)
    assert values and float(values.group(1)) - float(values.group(2)) == pytest.approx(0.5, abs=1e-6)


class OneGradient(Bilinear):
    def backward(self, grad: Array) -> Any:
        return super().backward(grad)[0]


class ThreeGradients(Bilinear):
    def backward(self, grad: Array) -> Any:
        return [*super().backward(grad), grad.copy()]


class SummedSecondGradient(Bilinear):
    def backward(self, grad: Array) -> Any:
        dx1, dx2 = super().backward(grad)
        return [dx1, dx2.sum(axis=0)]


@MODES
@pytest.mark.parametrize(
    "cls, match",
    [
        (OneGradient, r"returned ndarray for 2 inputs; expected a list of 2 gradients"),
        (ThreeGradients, r"returned a list of 3 for 2 inputs"),
        (SummedSecondGradient, r"returned shape \(3,\) for input 1, expected \(2, 3\)"),
    ],
    ids=["an_array", "three", "wrong_shape"],
)
def test_gradients_of_the_wrong_number_or_shape_are_caught(cls: type, match: str, directions: int | None) -> None:
    with pytest.raises(AssertionError, match=match):
        check_gradients(cls(), _xs((2, 2), (2, 3)), directions=directions)


# ---------------------------------------------------------------------------- parameters, and the caller's objects
@MODES
def test_parameters_are_checked_beside_several_inputs(directions: int | None) -> None:
    xs = _xs((3, 2), (3, 4))
    check_gradients(Bilinear(name="bilinear"), xs, directions=directions)
    with pytest.raises(AssertionError, match="'bilinear.kernel'"):
        check_gradients(ScaledKernelBilinear(name="bilinear"), xs, directions=directions)


def test_the_callers_inputs_and_layer_are_untouched() -> None:
    xs = _xs((3, 2), (3, 4))
    before = [x.copy() for x in xs]
    layer = Bilinear()
    check_gradients(layer, xs)
    assert not layer.built
    for x, b in zip(xs, before, strict=True):
        assert x.tobytes() == b.tobytes()


def test_a_nested_list_of_numbers_is_still_one_input() -> None:
    """Only a list of arrays means several inputs: nested lists of numbers are one batch, as Layer reads them."""
    check_gradients(tn.activations.Tanh(), [[0.5, -1.0], [2.0, 0.3]])
