"""Keras's activation layers: Activation(name), Softmax with a mask, PReLU, and ReLU/LeakyReLU/ELU with Keras's options.

A model ending in ``tn.layers.Softmax()`` or ``tn.layers.Activation("softmax")`` (or ``"sigmoid"``) is
fused with its cross-entropy by ``compile``, exactly as one ending in ``Dense(..., activation=...)``.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError
from tinynet.layer import Array
from tinynet.layers import ELU, Activation, Dense, LeakyReLU, PReLU, ReLU, Softmax

no_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch not installed")
rng = np.random.default_rng(0)


def test_the_activation_layers_are_the_activations_with_kerass_layer_defaults() -> None:
    assert ReLU is tn.activations.ReLU and LeakyReLU is tn.activations.LeakyReLU and ELU is tn.activations.ELU
    assert LeakyReLU().negative_slope == 0.3 and ELU().alpha == 1.0  # keras.layers.LeakyReLU: 0.3
    assert set(ReLU().get_config()) == set(tn.activations.get("relu").get_config())  # the plain ReLU's: unchanged
    assert set(ReLU(max_value=6.0).get_config()) >= {"max_value", "negative_slope", "threshold"}


def test_relu_options_follow_kerass_formula() -> None:
    x = np.array([[-2.0, 0.0, 0.5, 1.0, 1.5, 3.0]])
    y = ReLU(max_value=2.0, negative_slope=0.1, threshold=1.0).astype("float64")(x)
    np.testing.assert_allclose(y, [[-0.3, -0.1, -0.05, 0.0, 1.5, 2.0]])
    np.testing.assert_array_equal(ReLU(max_value=6.0)(np.array([[-1.0, 3.0, 9.0]])), [[0.0, 3.0, 6.0]])
    layer = ReLU(max_value=2.0, negative_slope=0.1, threshold=1.0)
    layer(x)
    np.testing.assert_allclose(layer.backward(np.ones((1, 6))), [[0.1, 0.1, 0.1, 0.1, 1.0, 0.0]])  # at t: a
    with pytest.raises(InvalidValueError, match="max_value must be a float >= 0"):
        ReLU(max_value=-1.0)
    with pytest.raises(InvalidValueError, match="threshold must be"):
        ReLU(threshold=-0.5)


def test_activation_layer_wraps_an_activation_of_its_own() -> None:
    shared = tn.activations.LeakyReLU(negative_slope=0.2)
    layer = Activation(shared)
    assert layer.activation is not shared and layer.activation.negative_slope == 0.2
    assert isinstance(Activation(None).activation, tn.activations.Linear)
    assert isinstance(Activation(tn.activations.Tanh).activation, tn.activations.Tanh)
    assert Activation("relu").get_config()["activation"]["class_name"] == "ReLU"
    with pytest.raises(tn.errors.UnknownIdentifierError, match="Unknown activation 'rleu'"):
        Activation("rleu")
    with pytest.raises(InvalidTypeError, match="received the layer"):
        Activation(Dense(2))


def test_softmax_layer_mask_zeroes_masked_entries_and_their_gradient() -> None:
    x = rng.normal(size=(2, 3, 4))
    mask = np.array([[True, False, True, True], [True, True, False, False], [False, True, True, True]])
    layer = Softmax().astype("float64")
    y = layer(x, mask=mask)
    np.testing.assert_array_equal(y[:, ~mask], 0.0)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0)
    assert np.all(layer.backward(rng.normal(size=y.shape))[:, ~mask] == 0.0)
    np.testing.assert_array_equal(layer(x, mask=mask.astype(np.float32)), y)  # numbers: kept where > 0.5
    np.testing.assert_array_equal(layer(x), tn.activations.Softmax().astype("float64")(x))


def test_softmax_layer_refuses_a_mask_that_does_not_broadcast() -> None:
    layer = Softmax()
    with pytest.raises(ShapeError, match=r"received mask of shape \(2, 3\).*input of shape \(2, 3, 4\)"):
        layer(np.ones((2, 3, 4)), mask=np.ones((2, 3), dtype=bool))
    model = tn.Sequential([tn.layers.Embedding(5, 4, mask_zero=True), Dense(4), Softmax()])
    with pytest.raises(ShapeError, match="padding mask"):  # Keras refuses it too
        model.predict(np.array([[1, 2, 0]]), verbose=0)


# ---------------------------------------------------------------------------- the fused head
ENDINGS = {
    "softmax_layer": (lambda: Softmax(), "categorical_crossentropy", 3),
    "activation_softmax": (lambda: Activation("softmax"), "categorical_crossentropy", 3),
    "activation_sigmoid": (lambda: Activation("sigmoid"), "binary_crossentropy", 1),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_model_ending_in_an_activation_layer_is_fused_exactly_at_logits_of_1e4(ending: str, dtype: str) -> None:
    make, loss, units = ENDINGS[ending]
    model = tn.Sequential([Dense(units, input_shape=(1,)), make()]).astype(dtype)
    model.compile(optimizer=tn.optimizers.SGD(0.01), loss=loss)
    assert model.compiled_loss.fused
    x = np.ones((1, 1), dtype=dtype)
    if units == 1:
        model.set_weights([np.array([[1e4]]), np.zeros(1)])  # z = 1e4, label 0: L = softplus(1e4) = 1e4
        y, expected, dz = np.zeros((1, 1)), 1e4, np.array([1.0])
    else:
        model.set_weights([np.array([[1e4, -1e4, 0.0]]), np.zeros(3)])  # label 1: L = 1e4 - (-1e4)
        y, expected, dz = np.array([[0.0, 1.0, 0.0]]), 2e4, np.array([1.0, -1.0, 0.0])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = model.compiled_loss.forward(y, model.forward(x, training=True))
        model.backward(model.compiled_loss.backward())
        assert value == expected
        np.testing.assert_array_equal(model.layers[0].bias.grad, dz)
        assert model.test_on_batch(x, y) == expected


def test_a_masked_softmax_layer_is_fused_with_its_mask() -> None:
    """The fused loss takes the masked logits the layer recorded; the masked entry gets no gradient."""
    dense, softmax = Dense(3, input_shape=(1,)), Softmax()
    model = tn.Sequential([dense, softmax]).astype("float64")
    model.set_weights([np.array([[1e4, -1e4, 5e3]]), np.zeros(3)])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert model.compiled_loss.fused
    x, y = np.ones((1, 1)), np.array([[0.0, 1.0, 0.0]])
    y_pred = softmax.forward(dense.forward(x, training=True), training=True, mask=np.array([True, True, False]))
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        assert model.compiled_loss.forward(y, y_pred) == 2e4  # the entry of logit 5e3 masked out
        dense.backward(softmax.backward(model.compiled_loss.backward()))
    np.testing.assert_array_equal(dense.bias.grad, [1.0, -1.0, 0.0])


def test_a_linear_activation_layer_at_the_end_is_refused_for_probabilities() -> None:
    model = tn.Sequential([Dense(3, input_shape=(2,)), Activation("linear")])
    with pytest.raises(InvalidValueError, match="last layer is linear"):
        model.compile(loss="categorical_crossentropy")


# ---------------------------------------------------------------------------- PReLU
def test_prelu_has_kerass_alpha_layout_and_starts_as_a_relu() -> None:
    layer = PReLU(shared_axes=[1, 2])
    x = rng.normal(size=(2, 4, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(layer(x), np.maximum(x, 0))
    assert [(p.name, p.shape) for p in layer.parameters()] == [("alpha", (1, 1, 3))]
    assert PReLU(shared_axes=2).shared_axes == [2]
    with pytest.raises(InvalidValueError, match="shared_axes"):
        PReLU(shared_axes=[3])(np.ones((1, 2, 2)))
    with pytest.raises(InvalidValueError, match="shared_axes must be a positive int"):
        PReLU(shared_axes=0)


@no_torch
def test_prelu_matches_pytorch() -> None:
    import torch
    import torch.nn.functional as F

    x, alpha = rng.normal(size=(2, 3, 4)), rng.uniform(0.1, 0.5, size=(1, 4))
    layer = PReLU(shared_axes=[1]).astype("float64")
    layer.ensure_built((3, 4))
    layer.set_weights([alpha])
    y = layer.forward(x)
    u = rng.normal(size=y.shape)
    dx = layer.backward(u)
    xt, at = torch.tensor(x.transpose(0, 2, 1), requires_grad=True), torch.tensor(alpha[0], requires_grad=True)
    yt = F.prelu(xt, at)  # channels-first: one alpha per channel
    (yt * torch.tensor(u.transpose(0, 2, 1))).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy().transpose(0, 2, 1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, xt.grad.numpy().transpose(0, 2, 1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.alpha.grad[0], at.grad.numpy(), rtol=1e-10, atol=1e-14)


@no_torch
def test_relu_options_and_masked_softmax_match_pytorch() -> None:
    import torch
    import torch.nn.functional as F

    x = rng.normal(size=(4, 5)) * 5
    np.testing.assert_array_equal(ReLU(max_value=6.0).astype("float64")(x), F.relu6(torch.tensor(x)).numpy())
    np.testing.assert_array_equal(LeakyReLU().astype("float64")(x), F.leaky_relu(torch.tensor(x), 0.3).numpy())
    x, mask = rng.normal(size=(2, 3, 4)), rng.integers(0, 2, size=(3, 4)).astype(bool)
    mask[:, 0] = True
    layer = Softmax().astype("float64")
    y = layer(x, mask=mask)
    u = rng.normal(size=y.shape)
    dx = layer.backward(u)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.softmax(xt.masked_fill(~torch.tensor(mask), -1e9), dim=-1)
    (yt * torch.tensor(u)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-15)


# ---------------------------------------------------------------------------- the tester is tested
class PReLUWithoutNegMask(PReLU):
    """dalpha from every entry, positive ones too."""

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad)
        (x,) = self.recall("x")
        self.alpha.grad = np.sum(grad * x, axis=self._sum_axes, keepdims=True).reshape(self.alpha.shape)
        return dx


class SoftmaxIgnoringTheMask(Softmax):
    """Passes a gradient to masked entries too."""

    def backward(self, grad: Array) -> Array:
        (y,) = self.recall("y")
        return y * (grad - (grad * y).sum(axis=self.axis, keepdims=True)) + (grad * (y == 0))


class ReLUCeilingPassesGradient(ReLU):
    """Forgets the ceiling in backward: slope 1 above max_value."""

    def backward(self, grad: Array) -> Array:
        (slope,) = self.recall("mask")
        return grad * np.where(slope == 0.0, 1.0, slope)


BROKEN: list[tuple[str, Any, dict[str, Any]]] = [
    ("prelu_no_neg_mask", lambda: PReLU(alpha_initializer=tn.initializers.Constant(0.2)), {}),
    ("softmax_mask_ignored", Softmax, {"mask": np.array([True, False, True, True])}),
    ("relu_ceiling_ignored", lambda: ReLU(max_value=0.5), {}),
]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(("make", "options"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_backward_is_caught(make: Any, options: dict[str, Any], directions: int | None) -> None:
    broken = {PReLU: PReLUWithoutNegMask, Softmax: SoftmaxIgnoringTheMask, ReLU: ReLUCeilingPassesGradient}
    layer = make()
    layer.__class__ = broken[type(layer)]
    x = np.random.default_rng(2).uniform(-2.0, 2.0, size=(3, 4))
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(layer, x, options=options, directions=directions)
