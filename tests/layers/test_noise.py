"""The noise layers: identity at inference, the right statistics in training, seeded draws, broken backwards caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layer import Array
from tinynet.layers import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

MAKERS = [
    lambda: GaussianNoise(0.3, seed=0),
    lambda: GaussianDropout(0.3, seed=0),
    lambda: AlphaDropout(0.3, seed=0),
    lambda: SpatialDropout1D(0.3, seed=0),
]


@pytest.mark.parametrize("make", MAKERS, ids=["gaussian_noise", "gaussian_dropout", "alpha_dropout", "spatial1d"])
def test_inference_returns_x_itself_and_draws_nothing(make: Any) -> None:
    layer = make()
    x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)
    state = layer.rng.bit_generator.state
    assert layer(x) is x
    grad = np.ones_like(x)
    assert layer.backward(grad) is grad
    assert layer.rng.bit_generator.state == state


def test_gaussian_noise_adds_noise_of_its_stddev() -> None:
    x = np.full((200, 500), 3.0, dtype=np.float32)
    noise = GaussianNoise(0.4, seed=1)(x, training=True) - x
    assert abs(noise.mean()) < 0.01 and noise.std() == pytest.approx(0.4, rel=0.01)


def test_gaussian_dropout_has_mean_one_and_dropouts_variance() -> None:
    x = np.ones((200, 500), dtype=np.float32)
    mask = GaussianDropout(0.2, seed=2)(x, training=True)
    assert mask.mean() == pytest.approx(1.0, abs=0.01) and mask.var() == pytest.approx(0.2 / 0.8, rel=0.02)


def test_alpha_dropout_keeps_zero_mean_and_unit_variance() -> None:
    x = np.random.default_rng(3).standard_normal((400, 500))
    y = AlphaDropout(0.3, seed=3).astype("float64")(x, training=True)
    assert abs(y.mean()) < 0.01 and y.var() == pytest.approx(1.0, abs=0.02)


def test_alpha_dropout_sends_dropped_inputs_to_one_value() -> None:
    x = np.random.default_rng(4).standard_normal((50, 40))
    layer = AlphaDropout(0.5, seed=4).astype("float64")
    y = layer(x, training=True)
    rate, alpha_p = 0.5, -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    dropped = layer.backward(np.ones_like(x)) == 0.0
    assert 0.4 < dropped.mean() < 0.6
    np.testing.assert_allclose(y[dropped], a * alpha_p - a * alpha_p * rate)
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] - a * alpha_p * rate)


@pytest.mark.parametrize(
    ("make", "shape", "shared"),
    [
        (lambda: SpatialDropout1D(0.5, seed=0), (4, 6, 8), (1,)),
        (lambda: SpatialDropout2D(0.5, seed=0), (4, 3, 5, 8), (1, 2)),
        (lambda: SpatialDropout2D(0.5, data_format="channels_first", seed=0), (4, 8, 3, 5), (2, 3)),
        (lambda: SpatialDropout3D(0.5, seed=0), (4, 2, 3, 2, 8), (1, 2, 3)),
    ],
    ids=["1d", "2d", "2d_channels_first", "3d"],
)
def test_spatial_dropout_drops_whole_channels(make: Any, shape: tuple[int, ...], shared: tuple[int, ...]) -> None:
    y = make()(np.ones(shape, dtype=np.float32), training=True)
    first = y[tuple(slice(0, 1) if i in shared else slice(None) for i in range(len(shape)))]
    np.testing.assert_array_equal(y, np.broadcast_to(first, shape))
    assert set(np.unique(y).tolist()) == {0.0, 2.0}


def test_spatial_dropout_refuses_the_wrong_rank() -> None:
    with pytest.raises(ShapeError, match="SpatialDropout2D .*rank 3"):
        SpatialDropout2D(0.5)(np.ones((2, 3, 4)), training=True)
    with pytest.raises(ShapeError, match="rank 2"):
        tn.Sequential([SpatialDropout1D(0.5, input_shape=(3,))])
    with pytest.raises(InvalidValueError, match="data_format"):
        SpatialDropout2D(0.5, data_format="channels_middle")


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: GaussianNoise(1.5), "stddev must be in"),
        (lambda: GaussianNoise(-0.1), "stddev must be"),
        (lambda: GaussianDropout(1.0), "rate must be in"),
        (lambda: AlphaDropout(1.0), "rate must be in"),
        (lambda: SpatialDropout3D(-0.5), "rate must be"),
    ],
)
def test_bad_arguments_are_refused(make: Any, match: str) -> None:
    with pytest.raises(InvalidValueError, match=match):
        make()


def test_keras_argument_order() -> None:
    assert AlphaDropout(0.1, (None, 1), 3).noise_shape == (None, 1)
    assert SpatialDropout2D(0.1, "channels_first", 3).seed == 3
    assert SpatialDropout1D(0.1, 4).seed == 4


def test_same_seed_same_draws_and_a_saved_model_resumes_its_stream(tmp_path: Path) -> None:
    x = np.ones((3, 4), dtype=np.float32)
    a, b = GaussianNoise(0.5, seed=7), GaussianNoise(0.5, seed=7)
    np.testing.assert_array_equal(a(x, training=True), b(x, training=True))
    model = tn.Sequential([GaussianDropout(0.4, seed=1, input_shape=(4,))])
    model(x, training=True)
    model.save(tmp_path / "m.npz")
    clone = tn.load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(clone(x, training=True), model(x, training=True))


class ForgetfulGaussianDropout(GaussianDropout):
    """Drops the mask in backward: the gradient of a multiplicative noise taken as additive."""

    def backward(self, grad: Array) -> Array:
        self.recall("mask")
        return grad


class UnscaledAlphaDropout(AlphaDropout):
    """Forgets the factor a: the mask's zeros right, its scale wrong."""

    def backward(self, grad: Array) -> Array:
        (scaled_keep,) = self.recall("scaled_keep")
        return grad * (scaled_keep > 0)


class SampleSharedSpatialDropout(SpatialDropout1D):
    """Takes its mask from the first sample for all: the backward of another draw."""

    def backward(self, grad: Array) -> Array:
        (mask,) = self.recall("mask")
        return grad * mask[:1]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: ForgetfulGaussianDropout(0.3, seed=0),
        lambda: UnscaledAlphaDropout(0.3, seed=0),
        lambda: SampleSharedSpatialDropout(0.5, seed=1),
    ],
    ids=["gaussian_dropout_no_mask", "alpha_dropout_unscaled", "spatial_first_sample_mask"],
)
def test_a_broken_backward_is_caught(make: Any, directions: int | None) -> None:
    x = np.random.default_rng(0).uniform(-2, 2, size=(4, 5, 3))
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), x, training=True, directions=directions)
