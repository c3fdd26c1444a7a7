"""SpectralNormalization's own rules: a training call's projection against a NumPy reference and PyTorch's
``spectral_norm``, the gradient of a training call (the wrapped layer's, at the normalized kernel: sigma is not
differentiated, as in Keras), inference leaving everything alone, a broken backward caught, fit, save and load,
configs and refusals.

The gradient contracts (inference: the wrapper is its layer) run from ``tests/cases/normalization.py``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError
from tinynet.layers.spectral_normalization import SpectralNormalization
from tinynet.registry import get_registered_class

Array = np.ndarray
MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])


def normal(*shape: int, seed: int = 0) -> Array:
    return np.random.default_rng(seed).normal(size=shape)


def wrapped(layer: tn.Layer, shape: tuple[int, ...], iterations: int = 1) -> SpectralNormalization:
    tn.utils.set_random_seed(0)
    sn = SpectralNormalization(layer, power_iterations=iterations, dtype="float64")
    sn.ensure_built(shape)
    return sn


@pytest.mark.parametrize("iterations", [1, 3])
def test_a_training_call_divides_the_kernel_by_the_power_iterations_sigma(iterations: int) -> None:
    sn = wrapped(tn.layers.Dense(4), (3,), iterations)
    w, u = sn.layer.kernel.value.copy(), sn.vector_u.value.copy()
    for _ in range(iterations):  # the textbook: v = u W^T / |.|, u = v W / |.|, sigma = v W u^T
        v = u @ w.T / np.linalg.norm(u @ w.T)
        u = v @ w / np.linalg.norm(v @ w)
    sigma = float((v @ w @ u.T)[0, 0])
    x = normal(2, 3)
    y = sn(x, training=True)
    np.testing.assert_allclose(sn.layer.kernel.value, w / sigma, rtol=1e-13)
    np.testing.assert_allclose(sn.vector_u.value, u, rtol=1e-13)
    np.testing.assert_allclose(y, x @ (w / sigma) + sn.layer.bias.value, rtol=1e-13)


@pytest.mark.parametrize("kind", ["dense", "conv2d"])
def test_the_projection_agrees_with_torch_spectral_norm(kind: str) -> None:
    torch = pytest.importorskip("torch")
    if kind == "dense":
        sn, x = wrapped(tn.layers.Dense(4), (3,), 2), normal(2, 3)
        module = torch.nn.Linear(3, 4).double()
        weight = sn.layer.kernel.value.T  # torch's (out, in)
    else:
        sn, x = wrapped(tn.layers.Conv2D(4, 2), (3, 3, 2), 2), normal(2, 3, 3, 2)
        module = torch.nn.Conv2d(2, 4, 2).double()
        weight = sn.layer.kernel.value.transpose(3, 2, 0, 1)  # (out, in, kh, kw)
    with torch.no_grad():
        module.weight.copy_(torch.tensor(weight))
    normalized = torch.nn.utils.spectral_norm(module, n_power_iterations=2)
    with torch.no_grad():
        normalized.weight_u.copy_(torch.tensor(sn.vector_u.value[0]))
    normalized.train()
    normalized(torch.tensor(x.transpose(0, 3, 1, 2) if kind == "conv2d" else x))
    sn(x, training=True)
    expected = normalized.weight.detach().numpy()
    expected = expected.T if kind == "dense" else expected.transpose(2, 3, 1, 0)
    np.testing.assert_allclose(sn.layer.kernel.value, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sn.vector_u.value[0], normalized.weight_u.numpy(), rtol=1e-12)


def test_enough_iterations_bring_the_largest_singular_value_to_one_and_inference_changes_nothing() -> None:
    sn = wrapped(tn.layers.Dense(5), (4,), 30)
    before = sn.get_weights()
    sn(normal(2, 4))
    for a, b in zip(before, sn.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # inference: no projection, no update
    sn(normal(2, 4), training=True)
    assert np.linalg.norm(sn.layer.kernel.value, 2) == pytest.approx(1.0, rel=1e-10)


def test_a_training_calls_gradient_is_the_wrapped_layers_at_the_normalized_kernel() -> None:
    sn = wrapped(tn.layers.Dense(3, activation="tanh"), (4,))
    x, upstream = normal(5, 4), normal(5, 3, seed=1)
    sn(x, training=True)
    dx = sn.backward(upstream)
    plain = copy.deepcopy(sn.layer)  # the kernel it now holds is the normalized one
    plain.forward(x, training=True)
    np.testing.assert_array_equal(dx, plain.backward(upstream))
    for ours, theirs in zip(sn.layer.parameters(), plain.parameters(), strict=True):
        np.testing.assert_array_equal(ours.grad, theirs.grad)
    tn.testing.check_gradients(sn, x)  # and that gradient is right: the wrapper in inference, at this kernel


def test_an_all_zero_kernel_is_left_as_it_is() -> None:
    sn = wrapped(tn.layers.Dense(3, kernel_initializer="zeros"), (2,))
    u = sn.vector_u.value.copy()
    y = sn(normal(2, 2), training=True)
    assert np.isfinite(y).all() and not sn.layer.kernel.value.any()
    np.testing.assert_array_equal(sn.vector_u.value, u)


# ---------------------------------------------------------------------------- a broken backward is caught
class ScalesTheKernelGradient(SpectralNormalization):
    """Scales the kernel's gradient by a constant, as a stray factor of 1 / sigma in backward would."""

    def backward(self, grad: Any) -> Any:
        dx = super().backward(grad)
        self.layer.kernel.grad = self.layer.kernel.grad * 1.7
        return dx


@MODES
def test_a_broken_backward_is_caught(directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    broken = ScalesTheKernelGradient(tn.layers.Dense(3))
    with pytest.raises(AssertionError, match="kernel"):
        tn.testing.check_gradients(broken, normal(4, 2), directions=directions)


# ---------------------------------------------------------------------------- in a model
def test_fit_normalizes_each_step_and_a_model_saves_and_loads_vector_u(tmp_path: Path) -> None:
    tn.utils.set_random_seed(0)
    model = tn.Sequential(
        [SpectralNormalization(tn.layers.Dense(8, activation="relu"), input_shape=(2,)), tn.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    x, y = normal(32, 2), normal(32, 1, seed=1)
    u = model.layers[0].vector_u.value.copy()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert not np.array_equal(model.layers[0].vector_u.value, u)
    model.save(tmp_path / "sn.npz")
    loaded = tn.load_model(tmp_path / "sn.npz")
    np.testing.assert_array_equal(loaded.layers[0].vector_u.value, model.layers[0].vector_u.value)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_a_frozen_wrapper_does_not_normalize() -> None:
    sn = wrapped(tn.layers.Dense(3), (2,))
    sn.trainable = False
    kernel = sn.layer.kernel.value.copy()
    sn(normal(2, 2), training=True)
    np.testing.assert_array_equal(sn.layer.kernel.value, kernel)


# ---------------------------------------------------------------------------- config and refusals
def test_config_round_trips_through_json_with_the_wrapped_layer() -> None:
    sn = SpectralNormalization(tn.layers.Conv2D(3, 2, activation="relu"), power_iterations=4, name="sn")
    config = json.loads(json.dumps(sn.get_config()))
    assert config["power_iterations"] == 4 and config["layer"]["class_name"] == "Conv2D"
    clone = get_registered_class("SpectralNormalization").from_config(config)
    assert type(clone) is SpectralNormalization and clone.get_config() == sn.get_config()


def test_bad_arguments_are_refused_by_name() -> None:
    with pytest.raises(InvalidValueError, match="SpectralNormalization 'sn': power_iterations must be a positive int"):
        SpectralNormalization(tn.layers.Dense(2), power_iterations=0, name="sn")
    with pytest.raises(InvalidTypeError, match="SpectralNormalization 'sn': layer must be a tinynet Layer"):
        SpectralNormalization("dense", name="sn")  # type: ignore[arg-type]
    sn = SpectralNormalization(tn.layers.Dropout(0.5), name="sn")
    with pytest.raises(InvalidValueError, match="has no attribute 'kernel' nor 'embeddings'"):
        sn(np.ones((2, 3)))
    assert not sn.built
