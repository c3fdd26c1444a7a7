"""EinsumDense's own rules: Keras's kernel, bias and output shapes, Dense as its special case, PyTorch's einsum
gradients, Keras's fans, refusals of equations it cannot run or differentiate, a broken backward caught, configs.

The gradient contracts (central differences, float32, memory, configs) run from ``tests/cases/dense.py``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet import _einsum
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers import einsum_dense
from tinynet.layers.einsum_dense import EinsumDense
from tinynet.registry import get_registered_class

Array = np.ndarray
MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])


def normal(*shape: int, seed: int = 0) -> Array:
    return np.random.default_rng(seed).normal(size=shape)


@pytest.mark.parametrize(
    "equation, output_shape, bias_axes, sample, shapes",
    [  # Keras's documented examples, and the projections of its attention layers
        ("ab,bc->ac", 64, "c", (32,), ((32, 64), (64,), (64,))),
        ("abc,cd->abd", (None, 64), "d", (32, 128), ((128, 64), (64,), (32, 64))),
        ("...x,xy->...y", 64, "y", (32, 128), ((128, 64), (64,), (32, 64))),
        ("abc,cde->abde", (None, 2, 3), "de", (5, 4), ((4, 2, 3), (2, 3), (5, 2, 3))),
        ("bqm,muh->bquh", (None, 4, 2), "uh", (5, 6), ((6, 4, 2), (4, 2), (5, 4, 2))),
        ("bquh,uhm->bqm", (None, 6), "m", (5, 4, 2), ((4, 2, 6), (6,), (5, 6))),
        ("ab...,bc->ac...", (3,), "c", (2, 5, 7), ((2, 3), (3, 1, 1), (3, 5, 7))),
        ("abc,bcd->abd", (None, 4), "bd", (2, 3), ((2, 3, 4), (2, 4), (2, 4))),
    ],
)
def test_keras_shapes_of_kernel_bias_and_output(
    equation: str, output_shape: Any, bias_axes: str, sample, shapes
) -> None:  # noqa: ANN001, E501
    layer = EinsumDense(equation, output_shape, bias_axes=bias_axes)
    y = layer(np.ones((2, *sample)))
    assert (layer.kernel.shape, layer.bias.shape, y.shape[1:]) == shapes  # type: ignore[union-attr]
    assert layer.compute_output_shape(sample) == shapes[2]
    assert [p.name for p in layer.parameters()] == ["kernel", "bias"]


def test_it_is_dense_for_ab_bc_ac() -> None:
    tn.utils.set_random_seed(0)
    layer = EinsumDense("ab,bc->ac", 3, activation="tanh", bias_axes="c", dtype="float64")
    dense = tn.layers.Dense(3, activation="tanh", dtype="float64")
    x, upstream = normal(4, 5), normal(4, 3, seed=1)
    y = layer(x)
    dense(x)
    dense.set_weights(layer.get_weights())
    np.testing.assert_allclose(dense(x), y, rtol=1e-14)
    np.testing.assert_allclose(layer.backward(upstream), dense.backward(upstream), rtol=1e-13)
    for ours, theirs in zip(layer.parameters(), dense.parameters(), strict=True):
        np.testing.assert_allclose(ours.grad, theirs.grad, rtol=1e-13)


@pytest.mark.parametrize(
    "equation, output_shape, bias_axes, sample",
    [
        ("abc,cde->abde", (None, 2, 3), "de", (5, 4)),
        ("abc,cd->ad", (4,), None, (3, 2)),  # b summed out of the input: dx broadcast along it
        ("...x,xy->...y", 3, "y", (2, 3, 4)),
        ("ab...,bc->ac...", (3,), "c", (2, 5, 2)),
        ("abc,bcd->abd", (None, 4), "bd", (2, 3)),
    ],
)
def test_outputs_and_gradients_agree_with_torch_einsum_in_float64(
    equation: str, output_shape: Any, bias_axes: str | None, sample: tuple[int, ...]
) -> None:
    torch = pytest.importorskip("torch")
    layer = EinsumDense(equation, output_shape, bias_axes=bias_axes, bias_initializer="random_normal", dtype="float64")
    x = normal(3, *sample)
    y = layer(x)
    upstream = normal(*y.shape, seed=1)
    dx = layer.backward(upstream)
    xt, kt = torch.tensor(x, requires_grad=True), torch.tensor(layer.kernel.value, requires_grad=True)
    yt = torch.einsum(equation, xt, kt)
    if layer.bias is not None:
        bt = torch.tensor(layer.bias.value, requires_grad=True)
        yt = yt + bt
    yt.backward(torch.tensor(upstream))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(layer.kernel.grad, kt.grad.numpy(), rtol=1e-12, atol=1e-13)
    if layer.bias is not None:
        np.testing.assert_allclose(layer.bias.grad, bt.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_glorot_counts_keras_fans_the_input_axes_and_the_output_axes() -> None:
    layer = EinsumDense("abc,cde->abde", (None, 8, 8), kernel_initializer=tn.initializers.GlorotUniform(seed=0))
    layer(np.ones((1, 2, 64)))
    limit = math.sqrt(6 / (64 + 64))  # fan_in 64 (c), fan_out 8 * 8 (d, e)
    naive = math.sqrt(6 / (64 * 8 + 64 * 8))  # the fans of a convolution kernel (64, 8, 8)
    assert naive < np.abs(layer.kernel.value).max() <= limit


def test_a_built_layer_takes_any_size_where_it_was_built_with_none() -> None:
    x = tn.Input(shape=(None, 4))
    y = EinsumDense("abc,cd->abd", (None, 3), bias_axes="d")(x)
    assert y.shape == (None, None, 3)
    model = tn.Model(x, y)
    assert model.predict(np.ones((2, 5, 4))).shape == (2, 5, 3)
    assert model.predict(np.ones((2, 2, 4))).shape == (2, 2, 3)


# ---------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "equation, output_shape, bias_axes, match",
    [
        ("ab,bb->ab", 3, None, "repeats 'b' in its kernel term .* cannot differentiate"),
        ("aab,bc->ac", 3, None, "repeats 'a' in its input term"),
        ("ab,bcd->ac", 3, None, "kernel letter 'd' .* is in neither the input 'ab' nor the output 'ac'"),
        ("ab,bc->acz", (3, 2), None, "output letter 'z'"),
        ("ab,bc", 3, None, "invalid einsum equation"),
        ("ab,bc,cd->ad", 3, None, "invalid einsum equation"),
        ("...ab,bc->ac...", 3, None, "'...' must stand on the same side"),
        ("ab,...bc->ac", 3, None, "invalid einsum equation"),
        ("ab,bc->ac", 3, "x", "bias_axes 'x' must be letters of the output term 'ac'"),
        ("ab,bc->ac", 0, None, "output_shape must be a positive int"),
    ],
)
def test_equations_it_cannot_run_or_differentiate_are_refused_when_created(
    equation: str, output_shape: Any, bias_axes: str | None, match: str
) -> None:
    with pytest.raises(InvalidValueError, match=match):
        layer = EinsumDense(equation, output_shape, bias_axes=bias_axes, name="ed")
        layer(np.ones((2, 3)))


@pytest.mark.parametrize(
    "equation, output_shape, sample, error, match",
    [
        ("abc,cd->abd", (None, 4), (3,), ShapeError, r"input term 'abc' has 3 axes .* but the input has 2"),
        ("abc,cd->abd", (4,), (2, 3), InvalidValueError, r"output_shape must have 2 size\(s\)"),
        ("abc,cd->abd", (5, 4), (2, 3), ShapeError, "disagree on the size of 'b': the input has 2, output_shape 5"),
        ("ab,bc->ac", (None,), (3,), ShapeError, "the size of kernel axis 'c' is unknown"),
    ],
)
def test_inputs_the_equation_does_not_fit_are_refused_before_anything_is_built(
    equation: str, output_shape: Any, sample: tuple[int, ...], error: type, match: str
) -> None:
    layer = EinsumDense(equation, output_shape, name="ed")
    with pytest.raises(error, match=f"EinsumDense 'ed': .*{match}"):
        layer(np.ones((2, *sample)))
    assert not layer.built and layer.parameters() == []


# ---------------------------------------------------------------------------- a broken backward is caught
@MODES
def test_a_summed_out_axis_whose_gradient_is_not_broadcast_is_caught(
    directions: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def first_entry_only(grad: Array, other: Array, terms: tuple[str, str, str], shape: tuple[int, ...]) -> Array:
        operand, other_term, y = terms
        equation, kept = _einsum._gradient_equation(operand, other_term, y)
        d = np.einsum(equation, grad, other)
        if kept == operand:
            return d
        out = np.zeros(shape)
        out[(slice(None),) * operand.index(next(c for c in operand if c not in kept)) + (0,)] = d
        return out

    monkeypatch.setattr(einsum_dense, "einsum_grad", first_entry_only)
    tn.utils.set_random_seed(0)
    with pytest.raises(AssertionError, match="'input'"):
        tn.testing.check_gradients(EinsumDense("abc,cd->ad", 4), normal(2, 3, 2), directions=directions)


# ---------------------------------------------------------------------------- config
def test_config_round_trips_through_json_with_keras_keys() -> None:
    layer = EinsumDense("...b,bc->...c", 4, activation="relu", bias_axes="c", kernel_regularizer="l2", name="ed")
    config = json.loads(json.dumps(layer.get_config()))
    assert {"equation", "output_shape", "bias_axes", "activation"} <= set(config) and "use_bias" not in config
    clone = get_registered_class("EinsumDense").from_config(config)
    assert type(clone) is EinsumDense and clone.get_config() == layer.get_config()
