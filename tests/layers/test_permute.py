"""Permute: NumPy's transpose, the inverse in backward, a broken backward, bad input.

The gradient contracts (central differences, float32, config) run from ``tests/cases/reshaping.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError
from tinynet.layers.permute import Permute


@pytest.mark.parametrize("dims", [(1,), (2, 1), (3, 1, 2), (2, 3, 1), (4, 2, 1, 3)])
def test_permute_transposes_and_backward_transposes_back(dims) -> None:
    rng = np.random.default_rng(len(dims))
    x = rng.standard_normal((2, *range(2, 2 + len(dims))))
    layer = Permute(dims, dtype="float64")
    y = layer(x)
    np.testing.assert_array_equal(y, np.transpose(x, (0, *dims)))
    assert layer.compute_output_shape(x.shape[1:]) == y.shape[1:]
    grad = rng.standard_normal(y.shape)
    dx = layer.backward(grad)
    np.testing.assert_array_equal(np.transpose(dx, (0, *dims)), grad)


def test_unknown_sizes_move_with_their_axis() -> None:
    inputs = tn.Input(shape=(None, 4))
    model = tn.Model(inputs, Permute((2, 1))(inputs))
    assert model.compute_output_shape((None, 4)) == (4, None)
    assert model(np.zeros((1, 6, 4))).shape == (1, 4, 6)


class ForwardAgainPermute(Permute):
    """Backward applies the permutation again instead of its inverse (right only when it is its own inverse)."""

    def backward(self, grad):
        return grad.transpose(0, *self.dims)


def test_a_broken_backward_is_caught() -> None:
    x = np.random.default_rng(0).standard_normal((2, 2, 2, 2))
    tn.testing.check_gradients(ForwardAgainPermute((2, 1, 3)), x)  # a swap is its own inverse: right
    for directions in (None, 3):
        with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
            tn.testing.check_gradients(ForwardAgainPermute((3, 1, 2)), x, directions=directions)


@pytest.mark.parametrize("dims, error", [((0, 1), InvalidValueError), ((1, 1), InvalidValueError),
                                         ((1, 3), InvalidValueError), (2, InvalidTypeError),
                                         ((1.0, 2.0), InvalidValueError), ("12", InvalidTypeError)])  # fmt: skip
def test_bad_dims_are_refused(dims, error) -> None:
    with pytest.raises(error, match="Permute.*dims"):
        Permute(dims)


def test_a_wrong_rank_is_refused() -> None:
    layer = Permute((2, 1), name="perm")
    with pytest.raises(ShapeError, match=r"'perm'.*\(2, 1\).*\(2, 3, 4\)"):
        layer(np.zeros((1, 2, 3, 4)))
    assert not layer.built
    assert Permute((2, 1)).get_config()["dims"] == [2, 1]
