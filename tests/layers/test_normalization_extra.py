"""GroupNormalization, UnitNormalization, RMSNormalization: what they compute, PyTorch's agreement, errors, aliases."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layer import Array
from tinynet.layers import GroupNormalization, LayerNorm, RMSNormalization, UnitNormalization

no_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch not installed")
rng = np.random.default_rng(0)


def run(layer: tn.Layer, x: Array, weights: list[Array] | None = None) -> tuple[Array, Array, Array, list[Array]]:
    """float64 forward and backward with a random upstream: (y, upstream, dx, parameter gradients)."""
    layer = layer.astype("float64")
    layer.ensure_built(x.shape[1:])
    if weights is not None:
        layer.set_weights(weights)
    y = layer.forward(x)
    upstream = rng.normal(size=y.shape)
    dx = layer.backward(upstream)
    return y, upstream, dx, [p.grad.copy() for p in layer.parameters()]


def test_group_norm_normalizes_each_group_of_each_sample() -> None:
    x = rng.normal(3.0, 2.0, size=(2, 5, 6))
    y = GroupNormalization(groups=3, epsilon=1e-12).astype("float64")(x)
    groups = y.reshape(2, 5, 3, 2)
    np.testing.assert_allclose(groups.mean(axis=(1, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(groups.var(axis=(1, 3)), 1.0, rtol=1e-9)


def test_group_norm_with_one_group_is_layer_norm_of_a_vector() -> None:
    x = rng.normal(size=(4, 6))
    np.testing.assert_allclose(
        GroupNormalization(groups=1).astype("float64")(x), LayerNorm().astype("float64")(x), rtol=1e-12
    )


def test_group_norm_refuses_groups_that_do_not_divide_the_channels() -> None:
    with pytest.raises(InvalidValueError, match="groups=4 must divide the 6 channels"):
        GroupNormalization(groups=4)(np.ones((2, 6)))
    with pytest.raises(InvalidValueError, match="groups=32 must divide the 6 channels"):
        GroupNormalization()(np.ones((2, 6)))
    with pytest.raises(InvalidValueError, match="groups must be"):
        GroupNormalization(groups=0)
    with pytest.raises(ShapeError, match="unknown size"):
        tn.Sequential([tn.Input(shape=(3, None)), GroupNormalization(groups=1)])
    layer = GroupNormalization(groups=2)
    tn.Sequential([tn.Input(shape=(None, 4)), layer])  # steps of any number: parameters only per channel
    assert layer.gamma.shape == (4,) and layer(np.ones((1, 7, 4))).shape == (1, 7, 4)


def test_unit_norm_floor_gives_zeros_and_a_finite_gradient_for_a_zero_vector() -> None:
    layer = UnitNormalization().astype("float64")
    y = layer(np.array([[0.0, 0.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(y[0], 0.0)
    dx = layer.backward(np.ones((2, 2)))
    np.testing.assert_allclose(dx[0], 1e12)  # inv_norm at the floor, a constant: grad / 1e-12
    np.testing.assert_allclose(dx[1], (np.ones(2) - y[1] * y[1].sum()) / 5.0)


def test_rms_norm_has_keras_scale_weight_over_its_axes() -> None:
    layer = RMSNormalization(axis=[1, 2])
    layer(np.ones((2, 3, 4)))
    assert [(p.name, p.shape) for p in layer.parameters()] == [("scale", (3, 4))]
    with pytest.raises(ShapeError, match="not a feature axis"):
        RMSNormalization(axis=0)(np.ones((2, 3)))


def test_keras_names_and_constraints_of_batch_and_layer_norm() -> None:
    assert tn.layers.BatchNormalization is tn.layers.BatchNorm
    assert tn.layers.LayerNormalization is tn.layers.LayerNorm
    layer = tn.layers.BatchNormalization(gamma_constraint="non_neg", beta_constraint=tn.constraints.MaxNorm(0.5))
    layer(np.ones((2, 3)))
    assert isinstance(layer.gamma.constraint, tn.constraints.NonNeg)
    assert layer.get_config()["beta_constraint"]["class_name"] == "MaxNorm"
    clone = tn.layers.LayerNormalization.from_config(
        tn.layers.LayerNormalization(gamma_constraint="non_neg").get_config()
    )
    assert isinstance(clone.gamma_constraint, tn.constraints.NonNeg)


# ---------------------------------------------------------------------------- PyTorch, float64
@no_torch
def test_group_norm_matches_pytorch() -> None:
    import torch
    import torch.nn.functional as F

    x, gamma, beta = rng.normal(size=(2, 3, 4, 6)), rng.normal(size=6), rng.normal(size=6)
    y, u, dx, (dgamma, dbeta) = run(GroupNormalization(groups=3, epsilon=1e-5), x, [gamma, beta])
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)  # channels-first
    g, b = torch.tensor(gamma, requires_grad=True), torch.tensor(beta, requires_grad=True)
    yt = F.group_norm(xt, 3, g, b, eps=1e-5)
    (yt * torch.tensor(u.transpose(0, 3, 1, 2))).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, g.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, b.grad.numpy(), rtol=1e-10, atol=1e-12)


@no_torch
def test_unit_norm_matches_pytorch_normalize() -> None:
    import torch
    import torch.nn.functional as F

    x = rng.normal(size=(3, 4, 5))
    y, u, dx, _ = run(UnitNormalization(axis=1), x)
    xt = torch.tensor(x, requires_grad=True)
    yt = F.normalize(xt, dim=1)
    (yt * torch.tensor(u)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-14)


@no_torch
def test_rms_norm_matches_pytorch() -> None:
    import torch
    import torch.nn.functional as F

    x, scale = rng.normal(size=(3, 4, 5)), rng.normal(size=(4, 5))
    y, u, dx, (dscale,) = run(RMSNormalization(axis=[-2, -1]), x, [scale])
    xt, st = torch.tensor(x, requires_grad=True), torch.tensor(scale, requires_grad=True)
    yt = F.rms_norm(xt, (4, 5), st, eps=1e-6)
    (yt * torch.tensor(u)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dscale, st.grad.numpy(), rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------------------- the tester is tested
class GroupNormWithoutMeanTerm(GroupNormalization):
    """Drops ``- mean(dxhat)``: the backward of a normalization that does not center."""

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad)
        (inv_std,) = self.recall("inv_std")
        dxhat = self._grouped(grad) * self.gamma.value.reshape(self._param_shape)
        back = np.broadcast_to(inv_std * dxhat.mean(axis=self._stats, keepdims=True), dxhat.shape)
        return dx + back.reshape(*back.shape[: self._a], -1, *back.shape[self._a + 2 :])


class UnitNormIgnoringTheNorm(UnitNormalization):
    """Treats the norm as a constant everywhere."""

    def backward(self, grad: Array) -> Array:
        (inv_norm,) = self.recall("inv_norm")
        return grad * inv_norm


class RMSNormTransposedScale(RMSNormalization):
    """Multiplies by the scale's mirror image: right on a symmetric scale only."""

    def backward(self, grad: Array) -> Array:
        self.scale.value = self.scale.value[::-1].copy()
        try:
            return super().backward(grad)
        finally:
            self.scale.value = self.scale.value[::-1].copy()


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda: GroupNormWithoutMeanTerm(groups=2), (3, 2, 4)),
        (UnitNormIgnoringTheNorm, (3, 4)),
        (RMSNormTransposedScale, (3, 4)),
    ],
    ids=["group_norm_no_mean_term", "unit_norm_constant_norm", "rms_norm_mirrored_scale"],
)
def test_a_broken_backward_is_caught(make: Any, shape: tuple[int, ...], directions: int | None) -> None:
    layer = make()
    x = np.random.default_rng(1).uniform(0.5, 3.0, size=shape)
    if isinstance(layer, RMSNormalization):
        layer.ensure_built(shape[1:])
        layer.scale.value[:] = np.arange(1.0, shape[-1] + 1.0)
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(layer, x, directions=directions)
