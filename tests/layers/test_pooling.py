"""Pooling layers against loop-based references; the tie rule; Keras's 'same' geometry; bad input.

The gradient contracts (central differences, float32, config) run from ``tests/cases/pooling.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers.global_pooling2d import GlobalMaxPool2D
from tinynet.layers.pooling import AvgPool2D, MaxPool2D


# ---------------------------------------------------------------------------- loop references
def keras_geometry(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """(output size, padding before) on one axis, as Keras (TensorFlow) computes them."""
    if padding == "valid":
        return (n - k) // s + 1, 0
    out = -(-n // s)
    return out, max((out - 1) * s + k - n, 0) // 2


def windows(x: np.ndarray, pool: tuple[int, int], strides: tuple[int, int], padding: str):
    """Yield ``(b, oi, oj, c, [(row, col), ...])``: each window's real (unpadded) positions, row-major."""
    n, h, w, c = x.shape
    oh, top = keras_geometry(h, pool[0], strides[0], padding)
    ow, left = keras_geometry(w, pool[1], strides[1], padding)
    for b in range(n):
        for oi in range(oh):
            for oj in range(ow):
                for ch in range(c):
                    cells = [
                        (r, q)
                        for r in range(oi * strides[0] - top, oi * strides[0] - top + pool[0])
                        for q in range(oj * strides[1] - left, oj * strides[1] - left + pool[1])
                        if 0 <= r < h and 0 <= q < w
                    ]
                    yield b, oi, oj, ch, cells


def reference(x, grad, pool, strides, padding, kind):
    """Loop-based forward and backward; max sends each window's gradient to its first maximum."""
    n, h, w, c = x.shape
    oh, _ = keras_geometry(h, pool[0], strides[0], padding)
    ow, _ = keras_geometry(w, pool[1], strides[1], padding)
    y, dx = np.zeros((n, oh, ow, c)), np.zeros_like(x)
    for b, oi, oj, ch, cells in windows(x, pool, strides, padding):
        values = [x[b, r, q, ch] for r, q in cells]
        if kind == "max":
            first = int(np.argmax(values))  # argmax returns the first of equal maxima
            y[b, oi, oj, ch] = values[first]
            r, q = cells[first]
            dx[b, r, q, ch] += grad[b, oi, oj, ch]
        else:
            y[b, oi, oj, ch] = sum(values) / len(values)  # padding is not counted (Keras)
            for r, q in cells:
                dx[b, r, q, ch] += grad[b, oi, oj, ch] / len(values)
    return y, dx


@st.composite
def pooling_problems(draw: st.DrawFn, ties: bool = False):
    pool = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.sampled_from(["valid", "same"]))
    low = pool if padding == "valid" else (1, 1)
    shape = (
        draw(st.integers(1, 2)),
        draw(st.integers(low[0], 6)),
        draw(st.integers(low[1], 6)),
        draw(st.integers(1, 2)),
    )
    if ties:  # a few small integers: ties everywhere, as on MNIST's flat background
        x = draw(hnp.arrays(np.float64, shape, elements=st.integers(-2, 1).map(float)))
    else:
        x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-5, 5, allow_subnormal=False)))
    return x, pool, strides, padding


def run_layer(layer: tn.Layer, x: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = layer(x)
    grad = np.random.default_rng(seed).standard_normal(y.shape)
    return y, grad, layer.backward(grad)


@pytest.mark.parametrize("cls, kind", [(MaxPool2D, "max"), (AvgPool2D, "avg")])
@given(problem=pooling_problems())
def test_pooling_matches_the_loop_reference(cls, kind, problem) -> None:
    x, pool, strides, padding = problem
    y, grad, dx = run_layer(cls(pool, strides=strides, padding=padding, dtype="float64"), x)
    y_ref, dx_ref = reference(x, grad, pool, strides, padding, kind)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)


@given(problem=pooling_problems(ties=True))
def test_max_pool_backward_with_ties_matches_first_maximum_reference(problem) -> None:
    """Inputs with ties everywhere, overlapping windows and padding: the gradient always goes to the first maximum."""
    x, pool, strides, padding = problem
    y, grad, dx = run_layer(MaxPool2D(pool, strides=strides, padding=padding, dtype="float64"), x)
    y_ref, dx_ref = reference(x, grad, pool, strides, padding, "max")
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)
    assert np.count_nonzero(dx) <= y.size  # never more receivers than windows


# ---------------------------------------------------------------------------- ties, pinned
def test_a_window_of_equal_values_sends_its_whole_gradient_to_the_top_left() -> None:
    x = np.full((1, 4, 4, 1), 3.0)
    layer = MaxPool2D()
    layer(x)
    dx = layer.backward(np.array([[[[1.0], [2.0]], [[3.0], [4.0]]]]))
    expected = np.zeros((4, 4))
    expected[0, 0], expected[0, 2], expected[2, 0], expected[2, 2] = 1.0, 2.0, 3.0, 4.0
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)


def test_a_tie_goes_to_the_first_maximum_in_row_major_order() -> None:
    x = np.array([[0.0, 5.0], [5.0, 5.0]]).reshape(1, 2, 2, 1)  # maxima at (0, 1), (1, 0), (1, 1)
    layer = MaxPool2D()
    layer(x)
    dx = layer.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0.0, 1.0], [0.0, 0.0]])


def test_overlapping_windows_add_their_gradients_at_a_shared_maximum() -> None:
    x = np.array([[1.0, 9.0, 2.0]]).reshape(1, 1, 3, 1)  # both 1x2 windows (stride 1) pick the 9
    layer = MaxPool2D((1, 2), strides=1)
    layer(x)
    dx = layer.backward(np.array([2.0, 3.0]).reshape(1, 1, 2, 1))
    np.testing.assert_array_equal(dx.ravel(), [0.0, 5.0, 0.0])


def test_max_pool_same_padding_never_wins_on_negative_inputs() -> None:
    x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # every value negative
    y = MaxPool2D(padding="same")(x)[0, :, :, 0]
    np.testing.assert_array_equal(y, [[-1.0, -3.0], [-7.0, -9.0]])


def test_avg_pool_same_padding_averages_the_real_elements_only() -> None:
    x = np.ones((1, 3, 3, 1))
    np.testing.assert_array_equal(AvgPool2D(padding="same")(x), np.ones((1, 2, 2, 1)))


# ---------------------------------------------------------------------------- geometry
@pytest.mark.parametrize(
    "size, pool, strides, padding, out",
    [
        (4, 2, None, "valid", 2),
        (5, 2, None, "valid", 2),
        (5, 2, None, "same", 3),
        (5, 3, 1, "same", 5),
        (7, 3, 2, "valid", 3),
        (7, 3, 2, "same", 4),
        (1, 3, 2, "same", 1),
        (6, 2, 3, "valid", 2),
    ],
)
def test_output_shapes_follow_keras(size, pool, strides, padding, out) -> None:
    layer = MaxPool2D(pool, strides=strides, padding=padding)
    assert layer.compute_output_shape((size, size + 1, 3))[::2] == (out, 3)
    assert layer(np.zeros((2, size, size + 1, 3))).shape[::3] == (2, 3)


def test_strides_default_to_pool_size_and_config_round_trips() -> None:
    layer = AvgPool2D(3, padding="SAME", name="pool")
    assert layer.pool_size == layer.strides == (3, 3) and layer.padding == "same"
    config = layer.get_config()
    assert config["pool_size"] == [3, 3] and config["strides"] == [3, 3] and config["padding"] == "same"
    assert AvgPool2D.from_config(config).get_config() == config


@pytest.mark.parametrize("make", [MaxPool2D, AvgPool2D])
def test_float32_stays_float32(make) -> None:
    layer = make()
    x = np.random.default_rng(1).standard_normal((2, 4, 4, 3)).astype(np.float32)
    y = layer(x)
    assert y.dtype == np.float32
    assert layer.backward(np.ones(y.shape, dtype=np.float32)).dtype == np.float32


def test_pooling_in_a_sequential_trains_end_to_end() -> None:
    model = tn.Sequential([MaxPool2D(input_shape=(6, 6, 2)), AvgPool2D(padding="same"), GlobalMaxPool2D()])
    assert model.compute_output_shape((6, 6, 2)) == (2,)
    x = np.random.default_rng(2).standard_normal((3, 6, 6, 2))
    assert model.backward(np.ones_like(model(x))).shape == x.shape


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make", [MaxPool2D, AvgPool2D])
def test_input_of_the_wrong_rank_is_refused_naming_the_shapes(make) -> None:
    layer = make(name="pool")
    with pytest.raises(ShapeError, match=r"'pool'.*\(batch, height, width, channels\).*\(8,\)"):
        layer(np.zeros((4, 8)))
    assert not layer.built and layer.input_shape is None


def test_a_pool_larger_than_the_input_is_refused() -> None:
    layer = MaxPool2D(3, name="big")
    with pytest.raises(ShapeError, match=r"'big'.*pool_size \(3, 3\).*\(2, 5\).*padding='same'"):
        layer(np.zeros((1, 2, 5, 1)))
    assert not layer.built
    assert MaxPool2D(3, padding="same")(np.zeros((1, 2, 5, 1))).shape == (1, 1, 2, 1)


def test_a_built_layer_refuses_another_image_size() -> None:
    layer = MaxPool2D()
    layer(np.zeros((1, 4, 4, 1)))
    with pytest.raises(ShapeError, match=r"\(4, 4, 1\)"):
        layer(np.zeros((1, 6, 6, 1)))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pool_size": 0},
        {"pool_size": (2, 2, 2)},
        {"pool_size": (2, 1.5)},
        {"pool_size": True},
        {"strides": -1},
        {"strides": (1, 0)},
        {"padding": "full"},
        {"padding": None},
    ],
)
def test_bad_arguments_are_refused(kwargs) -> None:
    with pytest.raises(InvalidValueError, match="MaxPool2D"):
        MaxPool2D(**kwargs)
