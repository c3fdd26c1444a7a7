"""Dense on inputs of any rank: the last axis is mapped, every leading axis is a row of one matrix product."""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn


def twins(units: int = 3, **kwargs: object) -> tuple[tn.layers.Dense, tn.layers.Dense]:
    layers = []
    for _ in range(2):
        tn.utils.set_random_seed(0)
        layers.append(tn.layers.Dense(units, bias_initializer=tn.initializers.RandomNormal(seed=1), **kwargs))
    return layers[0], layers[1]


@pytest.mark.parametrize("shape", [(2, 5, 4), (3, 2, 2, 4)], ids=["3-D", "4-D"])
@pytest.mark.parametrize("activation", [None, "tanh", "softmax"])
def test_a_sequence_is_its_rows_folded_into_the_batch(shape: tuple[int, ...], activation: str | None) -> None:
    """Forward, backward and the parameter gradients equal those of the 2-D input (batch * steps, features)."""
    seq, flat = twins(activation=activation)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    grad = rng.standard_normal((*shape[:-1], 3)).astype(np.float32)
    y = seq(x)
    assert y.shape == (*shape[:-1], 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y, flat(x.reshape(-1, 4)).reshape(y.shape))
    dx = seq.backward(grad)
    np.testing.assert_array_equal(dx, flat.backward(grad.reshape(-1, 3)).reshape(x.shape))
    for a, b in zip(seq.parameters(), flat.parameters(), strict=True):
        np.testing.assert_array_equal(a.grad, b.grad)


def test_the_kernel_gradient_sums_over_the_batch_and_the_steps() -> None:
    layer, _ = twins(units=2)
    x = np.random.default_rng(1).standard_normal((3, 4, 5))
    layer.astype("float64")
    layer(x)
    grad = np.random.default_rng(2).standard_normal((3, 4, 2))
    layer.backward(grad)
    np.testing.assert_allclose(layer.kernel.grad, np.einsum("bti,btj->ij", x, grad), rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, grad.sum(axis=(0, 1)), rtol=1e-12)


def test_a_non_contiguous_sequence_gives_the_contiguous_result() -> None:
    layer, _ = twins()
    x = np.random.default_rng(3).standard_normal((4, 5, 2)).astype(np.float32).transpose(0, 2, 1)  # (4, 2, 5)
    layer(x.copy())  # build for (2, 5)
    y = layer.forward(x)
    np.testing.assert_array_equal(y, layer.forward(np.ascontiguousarray(x)))
    assert layer.backward(np.ones_like(y)).shape == x.shape


def test_without_input_grad_a_sequence_sets_the_same_parameter_gradients() -> None:
    layer, _ = twins()
    x = np.random.default_rng(4).standard_normal((2, 3, 4)).astype(np.float32)
    grad = np.ones((2, 3, 3), dtype=np.float32)
    layer(x)
    layer.backward(grad)
    expected = [p.grad.copy() for p in layer.parameters()]
    layer.needs_input_grad = False
    assert layer.backward(grad) is None
    for e, p in zip(expected, layer.parameters(), strict=True):
        np.testing.assert_array_equal(e, p.grad)


def test_output_shape_and_config_of_a_dense_built_for_a_sequence() -> None:
    layer = tn.layers.Dense(7, input_shape=(5, 4))
    assert layer.compute_output_shape((5, 4)) == (5, 7)
    model = tn.Sequential([layer, tn.layers.Dense(2)])
    assert model.compute_output_shape((5, 4)) == (5, 2)
    assert model.layers[1].kernel.shape == (7, 2)


class FirstStepDense(tn.layers.Dense):
    """Takes the kernel gradient from the first step of each sequence only, as a 2-D-only backward would."""

    def backward(self, grad: np.ndarray) -> np.ndarray:
        dx = super().backward(grad)
        (x2,) = self.recall("x")
        steps = grad.shape[1]
        self.kernel.grad = x2[::steps].T @ grad[:, 0]
        return dx


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
def test_a_kernel_gradient_that_misses_the_steps_is_caught(directions: int | None) -> None:
    layer = FirstStepDense(2, kernel_initializer=tn.initializers.RandomNormal(seed=1))
    x = np.random.default_rng(5).uniform(-2.0, 2.0, size=(3, 4, 2))
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(layer, x, directions=directions)


def test_two_layers_given_one_activation_instance_each_get_their_own() -> None:
    """An activation remembers its last call; shared by two layers, the first one's backward would read the
    second one's memory. Each layer copies the instance it is given."""
    x = np.random.default_rng(0).normal(size=(2, 4))

    def gradient(shared: bool) -> np.ndarray:
        tn.utils.set_random_seed(0)
        act = tn.activations.GELU(approximate=True)
        first = tn.layers.Dense(4, activation=act if shared else tn.activations.GELU(approximate=True))
        second = tn.layers.Dense(4, activation=act if shared else tn.activations.GELU(approximate=True))
        model = tn.Sequential([first, second]).astype("float64")
        y = model(x)
        return model.backward(np.ones_like(y))

    np.testing.assert_array_equal(gradient(True), gradient(False))
