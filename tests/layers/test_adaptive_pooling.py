"""Adaptive pools: PyTorch's bins, a loop reference, PyTorch itself, the tie rule, a broken backward, bad input.

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
from tinynet.layers.adaptive_pooling import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
    bins,
)

POOLS = {
    (1, "avg"): AdaptiveAveragePooling1D, (2, "avg"): AdaptiveAveragePooling2D, (3, "avg"): AdaptiveAveragePooling3D,
    (1, "max"): AdaptiveMaxPooling1D, (2, "max"): AdaptiveMaxPooling2D, (3, "max"): AdaptiveMaxPooling3D,
}  # fmt: skip


@pytest.mark.parametrize(
    "size, out, start, end",
    [
        (6, 3, [0, 2, 4], [2, 4, 6]),  # a multiple: disjoint bins of equal size
        (5, 3, [0, 1, 3], [2, 4, 5]),  # overlapping bins
        (7, 1, [0], [7]),  # the global pool
        (2, 3, [0, 0, 1], [1, 2, 2]),  # more outputs than inputs
    ],
)
def test_bins_are_pytorchs(size, out, start, end) -> None:
    got_start, got_end = bins(size, out)
    assert got_start.tolist() == start and got_end.tolist() == end


def reference(x, grad, output_size, kind):
    """Bin by bin, with start = floor(i * L / out) and end = ceil((i + 1) * L / out)."""
    sizes = x.shape[1:-1]
    edges = [[(i * n // m, -(-(i + 1) * n // m)) for i in range(m)] for n, m in zip(sizes, output_size, strict=True)]
    y = np.zeros((x.shape[0], *output_size, x.shape[-1]))
    dx = np.zeros_like(x)
    for o in itertools.product(*(range(m) for m in output_size)):
        cells = list(itertools.product(*(range(*edges[a][i]) for a, i in enumerate(o))))
        for b in range(x.shape[0]):
            for ch in range(x.shape[-1]):
                values = [x[(b, *c, ch)] for c in cells]
                g = grad[(b, *o, ch)]
                if kind == "max":
                    first = int(np.argmax(values))  # the first maximum, row-major
                    y[(b, *o, ch)] = values[first]
                    dx[(b, *cells[first], ch)] += g
                else:
                    y[(b, *o, ch)] = sum(values) / len(values)
                    for c in cells:
                        dx[(b, *c, ch)] += g / len(values)
    return y, dx


@st.composite
def problems(draw: st.DrawFn, rank: int, ties: bool):
    sizes = tuple(draw(st.integers(1, 6 if rank < 3 else 4)) for _ in range(rank))
    output_size = tuple(draw(st.integers(1, 5)) for _ in range(rank))
    shape = (draw(st.integers(1, 2)), *sizes, draw(st.integers(1, 2)))
    elements = st.integers(-2, 1).map(float) if ties else st.floats(-5, 5, allow_subnormal=False)
    return draw(hnp.arrays(np.float64, shape, elements=elements)), output_size


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
def test_adaptive_pools_match_the_loop_reference(rank: int, kind: str, ties: bool) -> None:
    """With ties everywhere too: the gradient of a bin goes to its first maximum in row-major order."""

    @given(problems(rank, ties))
    def prop(problem) -> None:
        x, output_size = problem
        layer = POOLS[rank, kind](output_size, dtype="float64")
        y = layer(x)
        grad = np.random.default_rng(0).standard_normal(y.shape)
        dx = layer.backward(grad)
        y_ref, dx_ref = reference(x, grad, output_size, kind)
        np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)

    prop()


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("kind", ["avg", "max"])
def test_adaptive_pools_agree_with_pytorch_in_float64(rank: int, kind: str) -> None:
    torch = pytest.importorskip("torch")
    f = getattr(torch.nn.functional, f"adaptive_{kind}_pool{rank}d")
    rng = np.random.default_rng(1)
    for _ in range(20):
        sizes = tuple(int(n) for n in rng.integers(1, 8, size=rank))
        output_size = tuple(int(m) for m in rng.integers(1, 9, size=rank))
        x = rng.standard_normal((2, *sizes, 3))
        layer = POOLS[rank, kind](output_size, dtype="float64")
        y = layer(x)
        grad = rng.standard_normal(y.shape)
        dx = layer.backward(grad)
        xt = torch.tensor(np.moveaxis(x, -1, 1), requires_grad=True)
        yt = f(xt, output_size)
        yt.backward(torch.tensor(np.moveaxis(grad, -1, 1)))
        np.testing.assert_allclose(y, np.moveaxis(yt.detach().numpy(), 1, -1), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dx, np.moveaxis(xt.grad.numpy(), 1, -1), rtol=1e-12, atol=1e-12)


def test_a_tie_goes_to_the_first_maximum_in_row_major_order() -> None:
    x = np.array([[0.0, 5.0], [5.0, 5.0]]).reshape(1, 2, 2, 1)
    layer = AdaptiveMaxPooling2D(1)
    layer(x)
    np.testing.assert_array_equal(layer.backward(np.ones((1, 1, 1, 1)))[0, :, :, 0], [[0.0, 1.0], [0.0, 0.0]])


def test_overlapping_bins_add_their_gradients() -> None:
    layer = AdaptiveMaxPooling1D(3)  # 5 steps: bins [0, 2), [1, 4), [3, 5)
    layer(np.array([[[0.0], [9.0], [1.0], [2.0], [3.0]]]))
    np.testing.assert_array_equal(layer.backward(np.array([[[1.0], [2.0], [4.0]]])).ravel(), [0, 3, 0, 0, 4])


# ---------------------------------------------------------------------------- the tester is tested
class UnscaledAdaptiveAveragePooling2D(AdaptiveAveragePooling2D):
    """Backward sums the bin instead of averaging: it forgets the 1 / count."""

    def backward(self, grad):
        (matrices,) = self.recall("matrices")
        dx = grad
        for axis in (2, 1):
            dx = np.moveaxis((matrices[axis - 1] > 0).T.astype(grad.dtype) @ np.moveaxis(dx, axis, -2), -2, axis)
        return dx


class FirstElementAdaptiveMaxPooling2D(AdaptiveMaxPooling2D):
    """Sends each bin's gradient to the bin's first element, wherever its maximum is."""

    def backward(self, grad):
        (steps,) = self.recall("steps")
        starts = []
        for axis, winner, shape in steps:
            start, _ = bins(shape[axis], winner.shape[axis])
            index = [1] * winner.ndim
            index[axis] = -1
            starts.append((axis, np.broadcast_to(start.reshape(index), winner.shape), shape))
        self.remember(steps=starts)
        return super().backward(grad)


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize("make", [lambda: UnscaledAdaptiveAveragePooling2D((2, 3)),
                                  lambda: FirstElementAdaptiveMaxPooling2D((2, 2))], ids=["avg", "max"])  # fmt: skip
def test_a_broken_backward_is_caught(make, directions) -> None:
    shape = (2, 5, 4, 2)
    x = np.random.default_rng(0).permutation(math.prod(shape)).reshape(shape) * 0.1  # distinct: no ties
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), x, directions=directions)


# ---------------------------------------------------------------------------- shapes and arguments
def test_any_size_pools_to_output_size_and_unknown_sizes_build() -> None:
    inputs = tn.Input(shape=(None, None, 3))
    model = tn.Model(inputs, AdaptiveAveragePooling2D((2, 3))(inputs))
    assert model.compute_output_shape((None, None, 3)) == (2, 3, 3)
    for size in ((1, 1), (4, 9), (7, 2)):
        assert model(np.zeros((2, *size, 3))).shape == (2, 2, 3, 3)


def test_output_size_takes_keras_forms_and_round_trips() -> None:
    assert AdaptiveMaxPooling3D(4).output_size == (4, 4, 4)
    layer = AdaptiveAveragePooling2D([3, 2])
    assert layer.get_config()["output_size"] == [3, 2]
    assert AdaptiveAveragePooling2D.from_config(layer.get_config()).output_size == (3, 2)


@pytest.mark.parametrize("kwargs", [{"output_size": 0}, {"output_size": (2, 2)}, {"output_size": "2"}])
def test_bad_output_size_is_refused(kwargs) -> None:
    with pytest.raises(InvalidValueError, match="AdaptiveMaxPooling1D.*output_size"):
        AdaptiveMaxPooling1D(**kwargs)


def test_channels_first_and_a_wrong_rank_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="channels_first"):
        AdaptiveAveragePooling3D(2, data_format="channels_first")
    layer = AdaptiveMaxPooling2D(2, name="ada")
    with pytest.raises(ShapeError, match=r"'ada'.*\(batch, height, width, channels\).*\(4, 4\)"):
        layer(np.zeros((1, 4, 4)))
    assert not layer.built
