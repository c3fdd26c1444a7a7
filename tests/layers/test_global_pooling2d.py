"""The global 2-D pools: the reductions against NumPy's, the tie rule, float32, bad input.

The gradient contracts (central differences, float32, config) run from ``tests/cases/pooling.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers.global_pooling2d import GlobalAvgPool2D, GlobalMaxPool2D


def test_global_pools_reduce_height_and_width() -> None:
    x = np.random.default_rng(0).standard_normal((3, 4, 5, 2))
    np.testing.assert_allclose(GlobalAvgPool2D(dtype="float64")(x), x.mean(axis=(1, 2)), rtol=1e-12)
    np.testing.assert_array_equal(GlobalMaxPool2D(dtype="float64")(x), x.max(axis=(1, 2)))
    assert GlobalAvgPool2D(keepdims=True)(x).shape == (3, 1, 1, 2)
    assert GlobalMaxPool2D(keepdims=True).compute_output_shape((4, 5, 2)) == (1, 1, 2)


def test_global_avg_pool_backward_spreads_the_gradient_evenly() -> None:
    layer = GlobalAvgPool2D()
    layer(np.zeros((1, 2, 2, 2)))
    dx = layer.backward(np.array([[4.0, 8.0]]))
    np.testing.assert_array_equal(dx[0, :, :, 0], np.full((2, 2), 1.0))
    np.testing.assert_array_equal(dx[0, :, :, 1], np.full((2, 2), 2.0))


def test_global_max_pool_ties_go_to_the_first_maximum() -> None:
    x = np.array([[1.0, 7.0], [7.0, 7.0]]).reshape(1, 2, 2, 1)
    layer = GlobalMaxPool2D()
    layer(x)
    dx = layer.backward(np.array([[4.0]]))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0.0, 4.0], [0.0, 0.0]])


@pytest.mark.parametrize("make", [GlobalAvgPool2D, GlobalMaxPool2D])
def test_float32_stays_float32(make) -> None:
    layer = make()
    x = np.random.default_rng(1).standard_normal((2, 4, 4, 3)).astype(np.float32)
    y = layer(x)
    assert y.dtype == np.float32
    assert layer.backward(np.ones(y.shape, dtype=np.float32)).dtype == np.float32


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make", [GlobalAvgPool2D, GlobalMaxPool2D])
def test_input_of_the_wrong_rank_is_refused_naming_the_shapes(make) -> None:
    layer = make(name="pool")
    with pytest.raises(ShapeError, match=r"'pool'.*\(batch, height, width, channels\).*\(8,\)"):
        layer(np.zeros((4, 8)))
    assert not layer.built and layer.input_shape is None


def test_bad_keepdims_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="keepdims"):
        GlobalAvgPool2D(keepdims="yes")
