"""``check_gradients(layer, [x1, x2])``: a layer taking several inputs, each input's gradient checked and named.

``Bilinear`` (two inputs and a parameter) shows the contract: one gradient per input, of its shape, each
named in a failure. Each broken merge layer at the end overrides only ``backward`` of a real one with one
mistake people make; every one must raise ``AssertionError`` entry by entry and along random directions,
naming the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


# ---------------------------------------------------------------------------- options, an input without a gradient
class Gate(tn.Layer):
    """y = x * (g > 0.5) * factor: ``g`` is a 0/1 gate with no gradient (backward gives None), ``factor`` an option."""

    def forward(self, inputs: Any, training: bool = False, factor: float = 1.0) -> Array:
        x, g = inputs
        self.remember(scale=(g > 0.5) * factor)
        return x * self.recall("scale")[0]

    def backward(self, grad: Array) -> Any:
        (scale,) = self.recall("scale")
        return [grad * scale, None]


class NoSecondGradient(Bilinear):
    """Claims (None) that the second input has no gradient, which it has."""

    def backward(self, grad: Array) -> Any:
        return [super().backward(grad)[0], None]


class GateIgnoringTheFactor(Gate):
    def backward(self, grad: Array) -> Any:
        (scale,) = self.recall("scale")
        return [grad * (scale != 0), None]


@MODES
def test_options_reach_forward_and_an_input_without_gradient_is_checked_as_zero(directions: int | None) -> None:
    x = _xs((3, 4))[0]
    gate = np.random.default_rng(1).integers(0, 2, size=(3, 4)).astype(np.float64)
    check_gradients(Gate(), [x, gate], options={"factor": -2.5}, directions=directions)
    check_gradients(GateIgnoringTheFactor(), [x, gate], directions=directions)  # right when factor is 1
    with pytest.raises(AssertionError, match="'input 0'"):
        check_gradients(GateIgnoringTheFactor(), [x, gate], options={"factor": -2.5}, directions=directions)
    with pytest.raises(AssertionError, match="'input 1'"):  # None claims a zero gradient
        check_gradients(NoSecondGradient(), _xs((3, 2), (3, 4)), directions=directions)
    with pytest.raises(tn.errors.InvalidValueError, match="options= apply to layers only"):
        check_gradients(tn.losses.MeanSquaredError(), x, x, options={"factor": 2.0})


# ---------------------------------------------------------------------------- broken merge layers
class SwappedConcatenate(L.Concatenate):
    """The two pieces of the gradient handed to the wrong inputs (visible when both have one size)."""

    def backward(self, grad: Array) -> list[Array]:
        first, second = super().backward(grad)
        return [second, first]


class ForgetfulMultiply(L.Multiply):
    """dx_i = grad: the other factors forgotten."""

    def backward(self, grad: Array) -> list[Array]:
        return [grad.copy() for _ in super().backward(grad)]


class SignlessSubtract(L.Subtract):
    """db = +grad: the minus sign of ``a - b`` lost."""

    def backward(self, grad: Array) -> list[Array]:
        da, _ = super().backward(grad)
        return [da, grad.copy()]


class UndividedAverage(L.Average):
    """dx_i = grad: the 1 / k of the mean forgotten."""

    def backward(self, grad: Array) -> list[Array]:
        (count,) = self.recall("count")
        return [g * count for g in super().backward(grad)]


class EveryoneWinsMaximum(L.Maximum):
    """Every input gets the whole gradient, as if each held the maximum."""

    def backward(self, grad: Array) -> list[Array]:
        return [grad.copy() for _ in super().backward(grad)]


class UnprojectedDot(L.Dot):
    """normalize=True with the normalization's Jacobian taken as 1 / |x| (its projection term dropped); vectors."""

    def forward(self, inputs: list[Array], training: bool = False) -> Array:  # type: ignore[override]
        self._vectors = inputs
        return super().forward(inputs, training)

    def backward(self, grad: Array) -> list[Array]:
        super().backward(grad)
        (x, z), norm = self._vectors, lambda v: np.linalg.norm(v, axis=1, keepdims=True)
        return [grad * z / norm(z) / norm(x), grad * x / norm(x) / norm(z)]


class TransposedDot(L.Dot):
    """dz = x.T @ grad computed as grad.T @ x per sample: the product taken in the wrong order."""

    def backward(self, grad: Array) -> list[Array]:
        dx, dz = super().backward(grad)
        return [dx, dz.transpose(0, 2, 1)]


BROKEN: list[tuple[str, Callable[[], tn.Layer], list[Array], str]] = [
    ("concatenate_swapped", SwappedConcatenate, _xs((3, 2), (3, 2)), "input 0"),
    ("multiply_forgets_the_other_factor", ForgetfulMultiply, _xs((3, 4), (3, 4)), "input 0"),
    ("multiply_3_forgets_the_others", ForgetfulMultiply, _xs((2, 3), (2, 3), (2, 3)), "input 0"),
    ("subtract_loses_the_sign", SignlessSubtract, _xs((3, 2), (3, 2)), "input 1"),
    ("average_3_not_divided", UndividedAverage, _xs((2, 3), (2, 3), (2, 3)), "input 0"),
    ("maximum_to_every_input", EveryoneWinsMaximum, _xs((3, 4), (3, 4)), "input 0"),
    ("dot_normalize_unprojected", lambda: UnprojectedDot(axes=1, normalize=True), _xs((3, 4), (3, 4)), "input 0"),
    ("dot_square_matrices_transposed", lambda: TransposedDot(axes=(2, 1)), _xs((2, 3, 3), (2, 3, 3)), "input 1"),
]


@MODES
@pytest.mark.parametrize("make, xs, input_name", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_merge_backward_is_caught_and_the_input_named(
    make: Callable[[], tn.Layer], xs: list[Array], input_name: str, directions: int | None
) -> None:
    with pytest.raises(AssertionError, match=f"check_gradients: the gradient of '{input_name}' is wrong"):
        check_gradients(make(), xs, directions=directions)


CORRECT: list[tuple[str, Callable[[], tn.Layer], list[Array]]] = [
    ("concatenate", L.Concatenate, _xs((3, 2), (3, 2))),
    ("multiply", L.Multiply, _xs((3, 4), (3, 4))),
    ("multiply_3", L.Multiply, _xs((2, 3), (2, 3), (2, 3))),
    ("subtract", L.Subtract, _xs((3, 2), (3, 2))),
    ("average_3", L.Average, _xs((2, 3), (2, 3), (2, 3))),
    ("maximum", L.Maximum, _xs((3, 4), (3, 4))),
    ("dot_normalize", lambda: L.Dot(axes=1, normalize=True), _xs((3, 4), (3, 4))),
    ("dot_square_matrices", lambda: L.Dot(axes=(2, 1)), _xs((2, 3, 3), (2, 3, 3))),
]


@MODES
@pytest.mark.parametrize("make, xs", [c[1:] for c in CORRECT], ids=[c[0] for c in CORRECT])
def test_the_correct_merge_layers_pass(make: Callable[[], tn.Layer], xs: list[Array], directions: int | None) -> None:
    """The unbroken parents pass on the same inputs: the failures above are the bugs, not the checker."""
    check_gradients(make(), xs, directions=directions)
