"""ZeroPadding1D/2D/3D and Cropping1D/2D/3D: Keras's argument forms, NumPy and PyTorch, a broken backward, bad input.

The gradient contracts (central differences, float32, config) run from ``tests/cases/reshaping.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers.cropping import Cropping1D, Cropping2D, Cropping3D
from tinynet.layers.padding import ZeroPadding1D, ZeroPadding2D, ZeroPadding3D


@pytest.mark.parametrize(
    "cls, argument, pairs",
    [
        (ZeroPadding1D, 2, ((2, 2),)),
        (ZeroPadding1D, (0, 3), ((0, 3),)),
        (ZeroPadding2D, 1, ((1, 1), (1, 1))),
        (ZeroPadding2D, (1, 2), ((1, 1), (2, 2))),
        (ZeroPadding2D, ((0, 1), (2, 3)), ((0, 1), (2, 3))),
        (ZeroPadding3D, (1, (0, 2), 3), ((1, 1), (0, 2), (3, 3))),
        (Cropping1D, 1, ((1, 1),)),
        (Cropping2D, (1, 0), ((1, 1), (0, 0))),
        (Cropping3D, 2, ((2, 2), (2, 2), (2, 2))),
    ],
)
def test_keras_argument_forms(cls, argument, pairs) -> None:
    layer = cls(argument)
    assert (layer.padding if cls.__name__.startswith("Zero") else layer.cropping) == pairs
    assert cls.from_config(layer.get_config()).get_config() == layer.get_config()


def test_defaults_follow_keras() -> None:
    assert ZeroPadding1D().padding == ((1, 1),)
    assert ZeroPadding2D().padding == ((1, 1), (1, 1))
    assert ZeroPadding3D().padding == ((1, 1),) * 3
    assert Cropping1D().cropping == ((1, 1),)
    assert Cropping2D().cropping == ((0, 0), (0, 0))
    assert Cropping3D().cropping == ((1, 1),) * 3


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_padding_matches_numpy_and_cropping_undoes_it(rank: int) -> None:
    rng = np.random.default_rng(rank)
    pairs = tuple((int(a), int(b)) for a, b in rng.integers(0, 3, size=(rank, 2)))
    x = rng.standard_normal((2, *rng.integers(1, 4, size=rank), 3))
    pad = [ZeroPadding1D, ZeroPadding2D, ZeroPadding3D][rank - 1](pairs if rank > 1 else pairs[0], dtype="float64")
    crop = [Cropping1D, Cropping2D, Cropping3D][rank - 1](pairs if rank > 1 else pairs[0], dtype="float64")
    y = pad(x)
    np.testing.assert_array_equal(y, np.pad(x, ((0, 0), *pairs, (0, 0))))
    np.testing.assert_array_equal(crop(y), x)
    grad = rng.standard_normal(y.shape)
    np.testing.assert_array_equal(pad.backward(grad), crop(grad))  # each one's backward is the other's forward
    np.testing.assert_array_equal(crop.backward(x), y)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_padding_and_cropping_agree_with_pytorch_in_float64(rank: int) -> None:
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    rng = np.random.default_rng(10 + rank)
    pairs = tuple((int(a), int(b)) for a, b in rng.integers(0, 3, size=(rank, 2)))
    flat = [p for pair in reversed(pairs) for p in pair]  # F.pad lists the last axis first
    x = rng.standard_normal((2, *rng.integers(5, 7, size=rank), 3))
    for cls, sign in (([ZeroPadding1D, ZeroPadding2D, ZeroPadding3D][rank - 1], 1),
                      ([Cropping1D, Cropping2D, Cropping3D][rank - 1], -1)):  # fmt: skip
        layer = cls(pairs if rank > 1 else pairs[0], dtype="float64")
        y = layer(x)
        grad = rng.standard_normal(y.shape)
        xt = torch.tensor(np.moveaxis(x, -1, 1), requires_grad=True)
        yt = f.pad(xt, [sign * p for p in flat])  # a negative pad crops
        yt.backward(torch.tensor(np.moveaxis(grad, -1, 1)))
        np.testing.assert_array_equal(y, np.moveaxis(yt.detach().numpy(), 1, -1))
        np.testing.assert_array_equal(layer.backward(grad), np.moveaxis(xt.grad.numpy(), 1, -1))


def test_unknown_sizes_build_and_stay_unknown() -> None:
    inputs = tn.Input(shape=(None, 4, 2))
    outputs = Cropping2D(((1, 0), (1, 1)))(ZeroPadding2D(((2, 0), (0, 0)))(inputs))
    model = tn.Model(inputs, outputs)
    assert model.compute_output_shape((None, 4, 2)) == (None, 2, 2)
    assert model(np.zeros((1, 3, 4, 2))).shape == (1, 4, 2, 2)


# ---------------------------------------------------------------------------- the tester is tested
class OffByOneZeroPadding2D(ZeroPadding2D):
    """Reads the gradient one row too low."""

    def backward(self, grad):
        return super().backward(np.roll(grad, -1, axis=1))


class CopyingCropping1D(Cropping1D):
    """Puts the gradient at the start of the sequence, forgetting the cropped steps before it."""

    def backward(self, grad):
        dx = np.zeros(self.recall("x_shape")[0], dtype=grad.dtype)
        dx[:, : grad.shape[1]] = grad
        return dx


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(
    "make, shape", [(lambda: OffByOneZeroPadding2D(1), (2, 3, 3, 2)), (lambda: CopyingCropping1D((2, 1)), (2, 6, 2))]
)
def test_a_broken_backward_is_caught(make, shape, directions) -> None:
    x = np.random.default_rng(0).standard_normal(shape)
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), x, directions=directions)


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "make, argument",
    [
        (ZeroPadding1D, -1),
        (ZeroPadding1D, (1, 2, 3)),
        (ZeroPadding2D, (1, 2, 3)),
        (ZeroPadding2D, ((1, 2), (1, 2, 3))),
        (ZeroPadding3D, (1, 1)),
        (Cropping2D, 1.5),
        (Cropping3D, ((1, 1), (1, 1), (1, -1))),
    ],
)
def test_bad_arguments_are_refused(make, argument) -> None:
    with pytest.raises(InvalidValueError, match=make.__name__):
        make(argument)


def test_channels_first_is_refused() -> None:
    for make in (ZeroPadding1D, ZeroPadding3D, Cropping2D, Cropping3D):
        with pytest.raises(InvalidValueError, match="channels_first"):
            make(data_format="channels_first")


def test_cropping_everything_is_refused_naming_the_sizes() -> None:
    layer = Cropping2D(((1, 1), (0, 0)), name="crop")
    with pytest.raises(ShapeError, match=r"'crop'.*\(2, 5\).*crop less"):
        layer(np.zeros((1, 2, 5, 1)))
    assert not layer.built
    variable = Cropping1D((2, 2), name="c1")
    variable.ensure_built((None, 3))
    with pytest.raises(ShapeError, match=r"'c1'.*\(4,\)"):
        variable(np.zeros((1, 4, 3)))


def test_a_wrong_rank_is_refused() -> None:
    with pytest.raises(ShapeError, match=r"\(batch, depth, height, width, channels\)"):
        ZeroPadding3D()(np.zeros((1, 2, 2, 2)))
