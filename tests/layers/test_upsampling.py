"""UpSampling1D/2D/3D: nearest against NumPy, bilinear against PyTorch, a broken backward, bad input.

The gradient contracts (central differences, float32, config) run from ``tests/cases/reshaping.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError
from tinynet.layers.upsampling import UpSampling1D, UpSampling2D, UpSampling3D, bilinear_matrix


def test_nearest_repeats_every_entry() -> None:
    x = np.random.default_rng(0).standard_normal((2, 2, 3, 4, 1))
    y = UpSampling3D((1, 2, 3), dtype="float64")(x)
    np.testing.assert_array_equal(y, x.repeat(2, axis=2).repeat(3, axis=3))
    np.testing.assert_array_equal(UpSampling1D(3, dtype="float64")(x[:, 0, 0]), x[:, 0, 0].repeat(3, axis=1))


def test_nearest_backward_sums_each_block() -> None:
    layer = UpSampling2D((2, 2))
    layer(np.zeros((1, 1, 2, 1)))
    grad = np.arange(8.0).reshape(1, 2, 4, 1)
    np.testing.assert_array_equal(layer.backward(grad)[0, :, :, 0], [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7]])


def test_bilinear_rows_interpolate_and_sum_to_one() -> None:
    matrix = bilinear_matrix(3, 4, np.float64)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(matrix @ np.array([0.0, 1.0, 2.0]), np.clip((np.arange(12) + 0.5) / 4 - 0.5, 0, 2))


def test_bilinear_keeps_a_constant_image() -> None:
    y = UpSampling2D(3, interpolation="bilinear")(np.full((1, 2, 3, 2), 5.0))
    np.testing.assert_allclose(y, np.full((1, 6, 9, 2), 5.0), rtol=1e-6)


@pytest.mark.parametrize("rank, mode", [(1, "nearest"), (2, "nearest"), (2, "bilinear"), (3, "nearest")])
def test_upsampling_agrees_with_pytorch_in_float64(rank: int, mode: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(rank)
    for _ in range(10):
        size = tuple(int(s) for s in rng.integers(1, 4, size=rank))
        x = rng.standard_normal((2, *rng.integers(1, 5, size=rank), 3))
        if rank == 1:
            layer = UpSampling1D(size[0], dtype="float64")
        elif rank == 2:
            layer = UpSampling2D(size, interpolation=mode, dtype="float64")
        else:
            layer = UpSampling3D(size, dtype="float64")
        y = layer(x)
        grad = rng.standard_normal(y.shape)
        xt = torch.tensor(np.moveaxis(x, -1, 1), requires_grad=True)
        options = {"align_corners": False} if mode == "bilinear" else {}
        yt = torch.nn.functional.interpolate(xt, size=y.shape[1:-1], mode=mode, **options)
        yt.backward(torch.tensor(np.moveaxis(grad, -1, 1)))
        np.testing.assert_allclose(y, np.moveaxis(yt.detach().numpy(), 1, -1), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(layer.backward(grad), np.moveaxis(xt.grad.numpy(), 1, -1), rtol=1e-12, atol=1e-12)


def test_unknown_sizes_build_and_stay_unknown() -> None:
    inputs = tn.Input(shape=(None, 3))
    model = tn.Model(inputs, UpSampling1D(2)(inputs))
    assert model.compute_output_shape((None, 3)) == (None, 3)
    assert model(np.zeros((1, 5, 3))).shape == (1, 10, 3)
    assert UpSampling2D((2, 3), interpolation="bilinear").compute_output_shape((None, 4, 1)) == (None, 12, 1)


# ---------------------------------------------------------------------------- the tester is tested
class FirstOnlyUpSampling1D(UpSampling1D):
    """Takes each input's gradient from the first of its copies only."""

    def backward(self, grad):
        return grad[:, :: self.size[0]] * self.size[0]


class UntransposedBilinearUpSampling2D(UpSampling2D):
    """Backward applies the interpolation again (scaled back down) instead of its transpose."""

    def backward(self, grad):
        b_h, b_w = self.recall("b_h", "b_w")
        h, w = b_h.shape[1], b_w.shape[1]
        sh, sw = self.size
        return grad.reshape(grad.shape[0], h, sh, w, sw, grad.shape[-1]).sum(axis=(2, 4))


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: FirstOnlyUpSampling1D(3), (2, 4, 2)),
        (lambda: UntransposedBilinearUpSampling2D((2, 3), interpolation="bilinear"), (2, 3, 3, 2)),
    ],
    ids=["nearest_1d", "bilinear_2d"],
)
def test_a_broken_backward_is_caught(make, shape, directions) -> None:
    x = np.random.default_rng(0).standard_normal(shape)
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), x, directions=directions)


# ---------------------------------------------------------------------------- arguments
def test_defaults_and_config_follow_keras() -> None:
    assert UpSampling1D().size == (2,) and UpSampling1D().get_config()["size"] == 2
    assert UpSampling2D().size == (2, 2) and UpSampling2D().interpolation == "nearest"
    assert UpSampling3D().size == (2, 2, 2)
    layer = UpSampling2D((1, 3), interpolation="BILINEAR")
    config = layer.get_config()
    assert config["size"] == [1, 3] and config["interpolation"] == "bilinear"
    assert UpSampling2D.from_config(config).get_config() == config


@pytest.mark.parametrize("interpolation", ["bicubic", "lanczos3", "area", None])
def test_other_interpolations_are_refused(interpolation) -> None:
    with pytest.raises(InvalidValueError, match=r"UpSampling2D.*'nearest' or 'bilinear'"):
        UpSampling2D(interpolation=interpolation)


@pytest.mark.parametrize(
    "make", [lambda: UpSampling1D(0), lambda: UpSampling2D((2, 2, 2)), lambda: UpSampling3D(1.5),
             lambda: UpSampling2D(data_format="channels_first")],
)  # fmt: skip
def test_bad_arguments_are_refused(make) -> None:
    with pytest.raises(InvalidValueError, match="UpSampling"):
        make()
