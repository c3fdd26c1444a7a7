"""``OrthogonalRegularizer``: Keras's penalty by a loop-by-loop reference, its gradient by central differences
(a hypothesis property) and a broken gradient caught, configs, ids, refusals, and through ``fit``."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.registry import serialize
from tinynet.regularizers import OrthogonalRegularizer
from tinynet.testing import strategies as tns


def reference(w: np.ndarray, factor: float, mode: str) -> float:
    """Keras's formula, pair by pair: factor * mean over pairs i < j of |cos(w_i, w_j)|."""
    vectors = w if mode == "rows" else w.T
    unit = [v / max(np.linalg.norm(v), 1e-7) for v in vectors]
    pairs = [abs(unit[i] @ unit[j]) for i in range(len(unit)) for j in range(i + 1, len(unit))]
    return factor * float(np.mean(pairs)) if pairs else 0.0


def central_differences(regularizer: Any, w: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    numeric = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[index] = eps
        numeric[index] = (regularizer.penalty(w + step) - regularizer.penalty(w - step)) / (2 * eps)
    return numeric


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_the_penalty_is_kerass_mean_absolute_cosine_over_pairs(mode: str) -> None:
    w = np.random.default_rng(0).normal(size=(4, 3))
    w[1] = 0.0  # a zero row: its cosines are 0, as with Keras's clamped norm
    regularizer = OrthogonalRegularizer(factor=0.3, mode=mode)
    assert isinstance(regularizer.penalty(w), float)
    assert regularizer.penalty(w) == pytest.approx(reference(w, 0.3, mode), rel=1e-13)
    assert regularizer(w) == regularizer.penalty(w)
    assert OrthogonalRegularizer(mode=mode).penalty(np.eye(3)) == 0.0  # orthogonal: nothing to pay


@given(
    shape=st.tuples(st.integers(2, 5), st.integers(1, 4)),
    mode=st.sampled_from(["rows", "columns"]),
    factor=st.floats(0.01, 2.0),
    data=st.data(),
)
def test_the_gradient_matches_central_differences_of_the_penalty(shape: Any, mode: str, factor: float, data) -> None:  # noqa: ANN001
    """Property (float64): away from the kink of |cos| at 0 (entries drawn apart from 0 and one another)."""
    w = data.draw(tns.arrays(shape, 0.2, 3.0)) * data.draw(tns.arrays(shape, -1.0, 1.0, kinks=(0.0,), margin=0.2))
    regularizer = OrthogonalRegularizer(factor=factor, mode=mode)
    vectors = w if mode == "rows" else w.T
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = unit @ unit.T
    if len(unit) > 1 and np.abs(cosines[~np.eye(len(unit), dtype=bool)]).min() < 1e-3:
        return  # on the kink of |cos|: central differences straddle it
    np.testing.assert_allclose(regularizer.gradient(w), central_differences(regularizer, w), rtol=1e-5, atol=1e-8)


def test_a_gradient_without_the_normalizations_projection_is_caught() -> None:
    class WithoutProjection(OrthogonalRegularizer):
        def gradient(self, w: np.ndarray) -> np.ndarray:
            q, r, g, c = self._parts(w)
            return (2.0 * c) * (np.sign(g) @ q) / r  # forgets - q (q . dq)

    w = np.random.default_rng(1).normal(size=(4, 3))
    broken = WithoutProjection(factor=1.0)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(broken.gradient(w), central_differences(broken, w), rtol=1e-5, atol=1e-8)
    right = OrthogonalRegularizer(factor=1.0)
    np.testing.assert_allclose(right.gradient(w), central_differences(right, w), rtol=1e-5, atol=1e-8)


def test_float32_in_gives_float32_out_and_one_vector_has_no_pairs() -> None:
    w = np.random.default_rng(2).normal(size=(3, 4)).astype(np.float32)
    assert OrthogonalRegularizer().gradient(w).dtype == np.float32
    assert OrthogonalRegularizer(mode="columns").gradient(w).shape == w.shape
    assert OrthogonalRegularizer(mode="columns").penalty(np.ones((3, 1))) == 0.0
    assert not OrthogonalRegularizer(mode="columns").gradient(np.ones((3, 1))).any()


def test_defaults_ids_and_config_follow_keras() -> None:
    regularizer = OrthogonalRegularizer()
    assert (regularizer.factor, regularizer.mode) == (0.01, "rows")
    assert type(tn.regularizers.get("orthogonal_regularizer")) is OrthogonalRegularizer
    assert type(tn.regularizers.get("OrthogonalRegularizer")) is OrthogonalRegularizer
    configured = OrthogonalRegularizer(factor=0.5, mode="columns")
    clone = tn.regularizers.get(json.loads(json.dumps(serialize(configured))))
    assert type(clone) is OrthogonalRegularizer and clone.get_config() == {"factor": 0.5, "mode": "columns"}


def test_bad_arguments_and_weights_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="OrthogonalRegularizer: mode must be 'rows' or 'columns'"):
        OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(InvalidValueError, match="OrthogonalRegularizer: factor must be a float >= 0"):
        OrthogonalRegularizer(factor=-1.0)
    with pytest.raises(ShapeError, match=r"must be 2-D \(a Dense kernel\), received shape \(2, 2, 3\)"):
        OrthogonalRegularizer().penalty(np.ones((2, 2, 3)))


def test_fit_adds_the_penalty_and_pushes_the_kernels_columns_apart() -> None:
    tn.utils.set_random_seed(0)
    regularizer = OrthogonalRegularizer(factor=10.0, mode="columns")
    model = tn.Sequential([tn.layers.Dense(3, kernel_regularizer=regularizer, use_bias=False, input_shape=(4,))])
    model.compile(optimizer=tn.optimizers.SGD(0.1), loss="mse")
    x = np.zeros((8, 4))  # no data term: the penalty alone moves the kernel
    before = regularizer.penalty(model.layers[0].kernel.value)
    history = model.fit(x, np.zeros((8, 3)), epochs=20, verbose=0)
    assert history.history["loss"][0] == pytest.approx(before, rel=1e-5)
    assert regularizer.penalty(model.layers[0].kernel.value) < 0.5 * before
