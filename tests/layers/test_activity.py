"""ActivityRegularization: its penalty joins the loss compile computes, and its gradient the backward that follows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import CallOrderError, InvalidValueError
from tinynet.layer import Array
from tinynet.layers import ActivityRegularization, Dense


def test_the_penalty_has_keras_scale_divided_by_the_batch() -> None:
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    layer = ActivityRegularization(l1=0.1, l2=0.01).astype("float64")
    assert layer(x) is x
    expected = (0.1 * np.abs(x).sum() + 0.01 * (x * x).sum()) / 2
    assert layer.penalty == pytest.approx(expected, rel=1e-12)
    assert ActivityRegularization().penalty == 0.0


def test_backward_is_the_identity_until_a_loss_takes_the_penalty() -> None:
    x = np.array([[1.0, -2.0]])
    layer = ActivityRegularization(l1=0.5, l2=0.25).astype("float64")
    layer(x)
    grad = np.array([[0.1, 0.2]])
    assert layer.backward(grad) is grad
    assert layer.take_penalty() == pytest.approx(0.5 * 3 + 0.25 * 5)
    np.testing.assert_allclose(layer.backward(grad), grad + 0.5 * np.sign(x) + 0.5 * x)
    layer(x)  # a new forward: its penalty not taken yet
    assert layer.backward(grad) is grad


def test_backward_before_forward_and_bad_factors_are_refused() -> None:
    with pytest.raises(CallOrderError, match="before forward"):
        ActivityRegularization(l1=0.1).backward(np.ones((1, 2)))
    with pytest.raises(InvalidValueError, match="l2 must be a float >= 0"):
        ActivityRegularization(l2=-1.0)


def model_with(regularizer: tn.Layer) -> tn.Sequential:
    tn.utils.set_random_seed(0)  # the second Dense draws from the shared stream: the same start in any test order
    model = tn.Sequential(
        [Dense(3, input_shape=(2,), kernel_initializer=tn.initializers.RandomNormal(seed=1)), regularizer, Dense(1)]
    ).astype("float64")
    model.compile(optimizer="sgd", loss="mse")
    return model


def total_loss(model: tn.Sequential, x: Array, y: Array) -> float:
    return model.compute_loss(x, y, model.forward(x, training=True))


def check_model_gradients(model: tn.Sequential, x: Array, y: Array) -> None:
    """The kernels' gradients from one backward against central differences of the loss compute_loss reports."""
    total_loss(model, x, y)
    model.backward(model.compiled_loss.backward())
    for p in model.trainable_parameters():
        analytic = p.grad.copy()
        numeric = np.zeros_like(p.value)
        for index in np.ndindex(p.value.shape):
            keep = p.value[index]
            p.value[index] = keep + 1e-6
            up = total_loss(model, x, y)
            p.value[index] = keep - 1e-6
            down = total_loss(model, x, y)
            p.value[index] = keep
            numeric[index] = (up - down) / 2e-6
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8, err_msg=p.name)


DATA = np.random.default_rng(0).uniform(-2, 2, size=(5, 2)), np.random.default_rng(1).normal(size=(5, 1))


def test_the_penalty_reaches_the_loss_and_its_gradient_the_layers_below() -> None:
    x, y = DATA
    regularized = model_with(ActivityRegularization(l1=0.05, l2=0.3))
    plain = model_with(tn.layers.Identity())
    plain.set_weights(regularized.get_weights())
    h = regularized.layers[0].forward(x)
    penalty = (0.05 * np.abs(h).sum() + 0.3 * (h * h).sum()) / len(x)
    assert total_loss(regularized, x, y) == pytest.approx(total_loss(plain, x, y) + penalty, rel=1e-12)
    assert regularized.evaluate(x, y, verbose=0) == pytest.approx(plain.evaluate(x, y, verbose=0) + penalty, rel=1e-9)
    check_model_gradients(regularized, x, y)


def test_training_shrinks_the_activity() -> None:
    x, y = DATA
    model = model_with(ActivityRegularization(l2=1.0))
    before = float(np.abs(model.layers[0](x)).mean())
    model.fit(x, y, epochs=30, batch_size=5, verbose=0)
    assert float(np.abs(model.layers[0](x)).mean()) < 0.6 * before  # about half, from this seed


class OffByAPercent(ActivityRegularization):
    def backward(self, grad: Array) -> Array:
        plain = grad.copy()
        return plain + 1.01 * (super().backward(grad) - plain)


class SignOfTheGradient(ActivityRegularization):
    def backward(self, grad: Array) -> Array:
        return 2.0 * grad - super().backward(grad)


@pytest.mark.parametrize("make", [lambda: OffByAPercent(l2=0.3), lambda: SignOfTheGradient(l1=0.2)])
def test_a_broken_penalty_gradient_is_caught(make: Any) -> None:
    x, y = DATA
    with pytest.raises(AssertionError):
        check_model_gradients(model_with(make()), x, y)
