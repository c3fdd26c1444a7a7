"""1-D and 3-D pools and the global 3-D pools: a loop reference, PyTorch, the tie rule, Keras's names, bad input.

The gradient contracts (central differences, float32, config) run from ``tests/cases/pooling.py``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers.global_pooling3d import GlobalAveragePooling3D, GlobalMaxPooling3D
from tinynet.layers.pooling1d3d import AveragePooling1D, AveragePooling3D, MaxPooling1D, MaxPooling3D

POOLS = {(1, "max"): MaxPooling1D, (1, "avg"): AveragePooling1D, (3, "max"): MaxPooling3D, (3, "avg"): AveragePooling3D}


# ---------------------------------------------------------------------------- a loop reference
def geometry(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """(outputs, padding before) on one axis, as Keras (TensorFlow) computes them."""
    if padding == "valid":
        return (n - k) // s + 1, 0
    out = -(-n // s)
    return out, max((out - 1) * s + k - n, 0) // 2


def reference(x, grad, pool, strides, padding, kind):
    """Window by window: the real cells of each window, the max (its first maximum) or the mean of the real ones."""
    sizes = x.shape[1:-1]
    axes = [geometry(n, k, s, padding) for n, k, s in zip(sizes, pool, strides, strict=True)]
    y = np.zeros((x.shape[0], *(out for out, _ in axes), x.shape[-1]))
    dx = np.zeros_like(x)
    for o in itertools.product(*(range(out) for out, _ in axes)):
        starts = [i * s - before for i, s, (_, before) in zip(o, strides, axes, strict=True)]
        ranges = [range(start, start + k) for start, k in zip(starts, pool, strict=True)]
        cells = [c for c in itertools.product(*ranges) if all(0 <= p < n for p, n in zip(c, sizes, strict=True))]
        for b in range(x.shape[0]):
            for ch in range(x.shape[-1]):
                values = [x[(b, *c, ch)] for c in cells]
                g = grad[(b, *o, ch)]
                if kind == "max":
                    first = int(np.argmax(values))  # the first of equal maxima, row-major
                    y[(b, *o, ch)] = values[first]
                    dx[(b, *cells[first], ch)] += g
                else:
                    y[(b, *o, ch)] = sum(values) / len(values)  # padding is not counted (Keras)
                    for c in cells:
                        dx[(b, *c, ch)] += g / len(values)
    return y, dx


@st.composite
def problems(draw: st.DrawFn, rank: int, ties: bool = False):
    pool = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    strides = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    padding = draw(st.sampled_from(["valid", "same"]))
    top = 6 if rank == 1 else 4
    sizes = tuple(draw(st.integers(k if padding == "valid" else 1, top)) for k in pool)
    shape = (draw(st.integers(1, 2)), *sizes, draw(st.integers(1, 2)))
    elements = st.integers(-2, 1).map(float) if ties else st.floats(-5, 5, allow_subnormal=False)
    return draw(hnp.arrays(np.float64, shape, elements=elements)), pool, strides, padding


def run_layer(layer: tn.Layer, x: np.ndarray, seed: int = 0):
    y = layer(x)
    grad = np.random.default_rng(seed).standard_normal(y.shape)
    return y, grad, layer.backward(grad)


@pytest.mark.parametrize("rank", [1, 3])
@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
def test_pools_match_the_loop_reference(rank: int, kind: str, ties: bool) -> None:
    """Overlapping windows, 'same' padding, and ties everywhere: the gradient goes to the first maximum."""

    @given(problems(rank, ties))
    def prop(problem) -> None:
        x, pool, strides, padding = problem
        y, grad, dx = run_layer(POOLS[rank, kind](pool, strides, padding, dtype="float64"), x)
        y_ref, dx_ref = reference(x, grad, pool, strides, padding, kind)
        np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)

    prop()


# ---------------------------------------------------------------------------- PyTorch
def torch_pool(torch, x, pool, strides, padding, kind):
    """PyTorch's pool on channels-last float64 ``x``, Keras's asymmetric 'same' padding done by hand."""
    f = torch.nn.functional
    rank = len(pool)
    pads = [geometry(n, k, s, padding) for n, k, s in zip(x.shape[1:-1], pool, strides, strict=True)]
    totals = [max((out - 1) * s + k - n, 0) if padding == "same" else 0
              for (out, _), s, k, n in zip(pads, strides, pool, x.shape[1:-1], strict=True)]  # fmt: skip
    flat_pad = [p for (_, before), total in reversed(list(zip(pads, totals, strict=True)))
                for p in (before, total - before)]  # fmt: skip  # F.pad lists the last axis first
    xt = torch.tensor(np.moveaxis(x, -1, 1), requires_grad=True)
    pool_fn = getattr(f, f"{kind}_pool{rank}d")
    if kind == "max":
        y = pool_fn(f.pad(xt, flat_pad, value=-math.inf), pool, strides)
    else:  # the sum of the real elements over the count of them
        ones = torch.ones_like(xt[:, :1])
        y = pool_fn(f.pad(xt, flat_pad), pool, strides) / pool_fn(f.pad(ones, flat_pad), pool, strides)
    return xt, y


@pytest.mark.parametrize("rank", [1, 3])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pools_agree_with_pytorch_in_float64(rank: int, kind: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for _ in range(25):
        pool = tuple(int(k) for k in rng.integers(1, 4, size=rank))
        strides = tuple(int(s) for s in rng.integers(1, 4, size=rank))
        padding = str(rng.choice(["valid", "same"]))
        sizes = tuple(int(rng.integers(k, 7 if rank == 1 else 5)) for k in pool)
        x = rng.standard_normal((2, *sizes, 3))
        y, grad, dx = run_layer(POOLS[rank, kind](pool, strides, padding, dtype="float64"), x)
        xt, yt = torch_pool(torch, x, pool, strides, padding, kind)
        yt.backward(torch.tensor(np.moveaxis(grad, -1, 1)))
        np.testing.assert_allclose(y, np.moveaxis(yt.detach().numpy(), 1, -1), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dx, np.moveaxis(xt.grad.numpy(), 1, -1), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------- ties and padding, pinned
def test_a_tie_goes_to_the_first_step() -> None:
    layer = MaxPooling1D(3)
    layer(np.array([[[1.0], [4.0], [4.0]]]))
    np.testing.assert_array_equal(layer.backward(np.array([[[2.0]]])).ravel(), [0.0, 2.0, 0.0])


def test_a_volume_of_equal_values_sends_its_gradient_to_the_first_corner() -> None:
    layer = MaxPooling3D()
    layer(np.full((1, 2, 2, 2, 1), 3.0))
    dx = layer.backward(np.array([5.0]).reshape(1, 1, 1, 1, 1))
    expected = np.zeros((1, 2, 2, 2, 1))
    expected[0, 0, 0, 0, 0] = 5.0
    np.testing.assert_array_equal(dx, expected)


def test_same_padding_never_wins_a_max_and_is_not_averaged() -> None:
    x = -np.arange(1.0, 6.0).reshape(1, 5, 1)
    np.testing.assert_array_equal(MaxPooling1D(padding="same")(x).ravel(), [-1.0, -3.0, -5.0])
    np.testing.assert_array_equal(AveragePooling3D(padding="same")(np.ones((1, 3, 3, 3, 1))), np.ones((1, 2, 2, 2, 1)))


# ---------------------------------------------------------------------------- the tester is tested
class LateMaxPooling1D(MaxPooling1D):
    """Sends each gradient one step after the maximum it belongs to."""

    def backward(self, grad):
        dx = super().backward(grad)
        return np.roll(dx, 1, axis=1)


class ScaledAveragePooling3D(AveragePooling3D):
    """A gradient 10 % too small."""

    def backward(self, grad):
        return super().backward(grad * 0.9)


class ScaledGlobalMaxPooling3D(GlobalMaxPooling3D):
    """A gradient 1 % too large."""

    def backward(self, grad):
        return super().backward(grad) * 1.01


BROKEN = [
    ("max_1d_late", lambda: LateMaxPooling1D(2), (2, 6, 2)),
    ("avg_3d_scaled", lambda: ScaledAveragePooling3D(2, 1, "same"), (2, 3, 2, 3, 1)),
    ("global_max_3d_scaled", ScaledGlobalMaxPooling3D, (2, 2, 3, 2, 2)),
]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(("make", "shape"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_backward_is_caught(make, shape, directions) -> None:
    x = np.random.default_rng(0).permutation(math.prod(shape)).reshape(shape) * 0.1  # distinct: no ties
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), x, directions=directions)


# ---------------------------------------------------------------------------- global 3-D
def test_global_3d_pools_reduce_depth_height_and_width() -> None:
    x = np.random.default_rng(0).standard_normal((3, 2, 4, 3, 2))
    np.testing.assert_allclose(GlobalAveragePooling3D(dtype="float64")(x), x.mean(axis=(1, 2, 3)), rtol=1e-12)
    np.testing.assert_array_equal(GlobalMaxPooling3D(dtype="float64")(x), x.max(axis=(1, 2, 3)))
    assert GlobalMaxPooling3D(keepdims=True)(x).shape == (3, 1, 1, 1, 2)
    assert GlobalAveragePooling3D(keepdims=True).compute_output_shape((None, 4, 3, 2)) == (1, 1, 1, 2)


def test_global_max_3d_ties_go_to_the_first_maximum() -> None:
    layer = GlobalMaxPooling3D()
    layer(np.full((1, 2, 2, 2, 1), 7.0))
    dx = layer.backward(np.array([[4.0]]))
    assert dx[0, 0, 0, 0, 0] == 4.0 and np.count_nonzero(dx) == 1


# ---------------------------------------------------------------------------- Keras's names and arguments
def test_keras_spellings_are_the_same_classes() -> None:
    layers = tn.layers
    assert layers.MaxPool1D is layers.MaxPooling1D and layers.AvgPool1D is layers.AveragePooling1D
    assert layers.MaxPool3D is layers.MaxPooling3D and layers.AvgPool3D is layers.AveragePooling3D
    assert layers.MaxPooling2D is layers.MaxPool2D and layers.AveragePooling2D is layers.AvgPool2D
    assert layers.GlobalAveragePooling2D is layers.GlobalAvgPool2D
    assert layers.GlobalMaxPooling2D is layers.GlobalMaxPool2D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D


def test_defaults_follow_keras_and_config_round_trips() -> None:
    assert MaxPooling1D().pool_size == MaxPooling1D().strides == (2,)
    layer = AveragePooling3D(padding="SAME", strides=(1, 2, 1), name="pool")
    assert layer.pool_size == (2, 2, 2) and layer.padding == "same"
    config = layer.get_config()
    assert config["pool_size"] == [2, 2, 2] and config["strides"] == [1, 2, 1]
    assert AveragePooling3D.from_config(config).get_config() == config


@pytest.mark.parametrize(
    "make",
    [MaxPooling1D, AveragePooling3D, GlobalMaxPooling3D, tn.layers.MaxPooling2D, tn.layers.GlobalAveragePooling2D,
     tn.layers.GlobalAveragePooling1D],
)  # fmt: skip
def test_channels_first_is_refused_and_channels_last_accepted(make) -> None:
    with pytest.raises(InvalidValueError, match=r"channels_first.*channels-last"):
        make(data_format="channels_first")
    with pytest.raises(InvalidValueError, match="data_format"):
        make(data_format="NHWC")
    make(data_format="channels_last")


def test_unknown_steps_build_and_any_length_runs() -> None:
    inputs = tn.Input(shape=(None, 3))
    model = tn.Model(inputs, AveragePooling1D(3, 2, "same")(MaxPooling1D(2, 1)(inputs)))
    assert model.compute_output_shape((None, 3)) == (None, 3)
    for steps in (2, 7):
        assert model(np.zeros((1, steps, 3))).shape == (1, -(-(steps - 1) // 2), 3)


@pytest.mark.parametrize(
    "make, shape, match",
    [
        (lambda: MaxPooling1D(name="p"), (4, 8), r"'p'.*\(batch, steps, features\).*\(8,\)"),
        (lambda: MaxPooling3D(name="p"), (4, 8, 8, 8), r"'p'.*\(batch, depth, height, width, channels\)"),
        (lambda: MaxPooling1D(5, name="p"), (1, 4, 2), r"'p'.*pool_size \(5,\).*padding='same'"),
        (lambda: GlobalMaxPooling3D(name="p"), (1, 2, 2, 2), r"'p'.*\(2, 2, 2\)"),
    ],
)
def test_a_wrong_input_is_refused_naming_the_shapes(make, shape, match) -> None:
    layer = make()
    with pytest.raises(ShapeError, match=match):
        layer(np.zeros(shape))
    assert not layer.built


@pytest.mark.parametrize(
    "kwargs",
    [{"pool_size": 0}, {"pool_size": (2, 2)}, {"pool_size": 1.5}, {"strides": (1, 0, 1)}, {"padding": "full"}],
)
def test_bad_arguments_are_refused(kwargs) -> None:
    with pytest.raises(InvalidValueError, match="MaxPooling3D"):
        MaxPooling3D(**kwargs)
