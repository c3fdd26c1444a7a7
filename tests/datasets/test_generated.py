"""``tn.datasets``: the seeded 2-D generators and ``train_test_split`` (randomness from ``seed=`` only).

Shapes, dtypes and labels; the geometry without noise; the same seed gives the same data and
different seeds differ; nothing touches ``np.random``'s global state; scikit-learn's ``random_state``
stream is reproduced bitwise (the seed's exercise runs on the seed's own data); bad arguments are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError

datasets = tn.datasets

GENERATORS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "moons": lambda n, **kw: datasets.make_moons(n, noise=0.1, **kw),
    "circles": lambda n, **kw: datasets.make_circles(n, noise=0.1, factor=0.5, **kw),
    "spirals": lambda n, **kw: datasets.make_spirals(n, n_classes=3, **kw),
}
LABELS = {"moons": {0.0, 1.0}, "circles": {0.0, 1.0}, "spirals": {0.0, 1.0, 2.0}}


def global_state() -> tuple[Any, ...]:
    return np.random.get_state(legacy=True)  # type: ignore[return-value]  # noqa: NPY002 - what is checked


def assert_same_global_state(before: tuple[Any, ...], after: tuple[Any, ...]) -> None:
    assert before[0] == after[0] and before[2:] == after[2:]
    np.testing.assert_array_equal(before[1], after[1])


# ---------------------------------------------------------------------------- shapes, dtypes, labels
@pytest.mark.parametrize("name", list(GENERATORS))
@pytest.mark.parametrize("n", [2, 7, 100])
def test_shapes_dtypes_and_labels(name: str, n: int) -> None:
    x, y = GENERATORS[name](n, seed=0)
    assert x.shape == (n, 2) and y.shape == (n,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert set(y.tolist()) <= LABELS[name]
    assert np.isfinite(x).all()
    if n >= 100:
        assert set(y.tolist()) == LABELS[name]
        counts = np.bincount(y.astype(int))
        assert counts.max() - counts.min() <= 1  # balanced classes


def test_moons_and_circles_lie_on_their_curves_without_noise() -> None:
    x, y = datasets.make_moons(51, seed=0)
    upper, lower = x[y == 0].astype(np.float64), x[y == 1].astype(np.float64)
    assert (len(upper), len(lower)) == (25, 26)
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-6)
    assert (upper[:, 1] >= -1e-6).all() and (lower[:, 1] <= 0.5 + 1e-6).all()

    x, y = datasets.make_circles(40, factor=0.3, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, rtol=1e-6)


def test_spiral_noise_bends_the_angle_only() -> None:
    x, y = datasets.make_spirals(90, n_classes=3, noise=0.5, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.max() <= 1.0 + 1e-6
    for k in range(3):
        np.testing.assert_allclose(np.sort(radius[y == k]), np.linspace(0.0, 1.0, 30), atol=1e-6)


def test_shuffle_false_keeps_the_classes_in_blocks() -> None:
    _, y = datasets.make_moons(10, noise=0.3, shuffle=False, seed=0)
    np.testing.assert_array_equal(y, [0] * 5 + [1] * 5)
    _, y = datasets.make_moons(10, noise=0.3, shuffle=True, seed=0)
    assert not np.array_equal(y, [0] * 5 + [1] * 5)


# ---------------------------------------------------------------------------- seeds
@pytest.mark.parametrize("name", list(GENERATORS))
def test_the_same_seed_gives_the_same_data_and_different_seeds_differ(name: str) -> None:
    make = GENERATORS[name]
    x1, y1 = make(60, seed=3)
    x2, y2 = make(60, seed=3)
    x3, y3 = make(60, seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_without_a_seed_set_random_seed_decides(name: str) -> None:
    make = GENERATORS[name]
    tn.utils.set_random_seed(11)
    first = make(30)
    tn.utils.set_random_seed(11)
    again = make(30)
    other = make(30)
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], other[0])


def test_nothing_touches_numpys_global_random_state() -> None:
    """Seeded or not, and with scikit-learn's random_state too, np.random's global state is not advanced:
    each call owns its generator."""
    before = global_state()
    for make in GENERATORS.values():
        make(50, seed=1)
        make(50)
    datasets.make_moons(50, noise=0.2, random_state=100)
    x, y = datasets.make_moons(50, noise=0.2, seed=2)
    datasets.train_test_split(x, y, seed=0)
    datasets.train_test_split(x, y)
    datasets.train_test_split(x, y, random_state=42)
    assert_same_global_state(before, global_state())


# ---------------------------------------------------------------------------- scikit-learn's stream
@pytest.mark.parametrize(
    ("n", "noise", "random_state", "shuffle"),
    [(1000, 0.2, 100, True), (101, 0.05, 0, True), (30, 0.0, 7, True), (31, 0.3, 5, False)],
)
def test_make_moons_with_random_state_equals_scikit_learn(
    n: int, noise: float, random_state: int, shuffle: bool
) -> None:
    sk_datasets = pytest.importorskip("sklearn.datasets")
    x_sk, y_sk = sk_datasets.make_moons(n_samples=n, noise=noise, random_state=random_state, shuffle=shuffle)
    x, y = datasets.make_moons(n, noise=noise, random_state=random_state, shuffle=shuffle)
    np.testing.assert_array_equal(x, x_sk.astype(np.float32))
    np.testing.assert_array_equal(y, y_sk.astype(np.float32))


def test_the_seeds_split_equals_scikit_learns() -> None:
    """The seed's own data: make_moons(1000, noise=0.2, random_state=100), a 10% test split with random_state=42."""
    model_selection = pytest.importorskip("sklearn.model_selection")
    x, y = datasets.make_moons(1000, noise=0.2, random_state=100)
    ours = datasets.train_test_split(x, y, test_size=0.1, random_state=42)
    theirs = model_selection.train_test_split(x, y, test_size=0.1, random_state=42)
    assert [part.shape for part in ours] == [(900, 2), (100, 2), (900,), (100,)]
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n", [4, 10, 33])
@pytest.mark.parametrize("test_size", [0.1, 0.25, 0.5, 0.75])
def test_train_test_split_with_random_state_equals_scikit_learns(n: int, test_size: float) -> None:
    model_selection = pytest.importorskip("sklearn.model_selection")
    x, y = np.arange(2 * n).reshape(n, 2), np.arange(n)
    ours = datasets.train_test_split(x, y, test_size=test_size, random_state=7)
    theirs = model_selection.train_test_split(x, y, test_size=test_size, random_state=7)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_seed_and_random_state_together_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="not both"):
        datasets.make_moons(10, seed=1, random_state=1)
    with pytest.raises(InvalidValueError, match="not both"):
        datasets.train_test_split(np.ones((10, 2)), np.ones(10), seed=1, random_state=1)


# ---------------------------------------------------------------------------- train_test_split
@pytest.mark.parametrize("options", [{"seed": 0}, {"random_state": 3}, {"shuffle": False}, {}])
@pytest.mark.parametrize(("n", "test_size", "n_test"), [(10, 0.25, 3), (10, 0.5, 5), (7, 0.1, 1), (100, 0.33, 33)])
def test_train_test_split_partitions_all_samples_and_keeps_rows_aligned(
    n: int, test_size: float, n_test: int, options: dict[str, Any]
) -> None:
    x = np.stack([np.arange(n), -np.arange(n)], axis=1).astype(np.float32)
    y = np.arange(n) * 10
    x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=test_size, **options)
    assert len(x_test) == len(y_test) == n_test and len(x_train) == len(y_train) == n - n_test
    np.testing.assert_array_equal(x_train[:, 0] * 10, y_train)
    np.testing.assert_array_equal(x_test[:, 0] * 10, y_test)
    assert sorted(np.r_[y_train, y_test].tolist()) == y.tolist()
    assert x_train.dtype == x.dtype and y_train.dtype == y.dtype
    if options.get("shuffle") is False:
        np.testing.assert_array_equal(y_test, y[:n_test])


def test_train_test_split_is_seeded() -> None:
    x, y = np.arange(40).reshape(20, 2), np.arange(20)
    a = datasets.train_test_split(x, y, seed=5)
    b = datasets.train_test_split(x, y, seed=5)
    c = datasets.train_test_split(x, y, seed=6)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a[3], c[3])


# ---------------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: datasets.make_moons(1), "n_samples"),
        (lambda: datasets.make_moons(0), "n_samples"),
        (lambda: datasets.make_moons(10.5), "n_samples"),
        (lambda: datasets.make_moons(10, noise=-0.1), "noise"),
        (lambda: datasets.make_moons(10, noise=float("nan")), "noise"),
        (lambda: datasets.make_moons(10, random_state=-1), "random_state"),
        (lambda: datasets.make_circles(1), "n_samples"),
        (lambda: datasets.make_circles(10, noise=-1.0), "noise"),
        (lambda: datasets.make_circles(10, factor=1.0), "factor"),
        (lambda: datasets.make_circles(10, factor=0.0), "factor"),
        (lambda: datasets.make_spirals(1), "n_samples"),
        (lambda: datasets.make_spirals(10, noise=-0.5), "noise"),
        (lambda: datasets.make_spirals(10, n_classes=1), "n_classes"),
        (lambda: datasets.make_spirals(10, n_classes=2.5), "n_classes"),
        (lambda: datasets.train_test_split(np.ones((10, 2)), np.ones(10), test_size=0), "test_size"),
        (lambda: datasets.train_test_split(np.ones((10, 2)), np.ones(10), test_size=1), "test_size"),
        (lambda: datasets.train_test_split(np.ones((10, 2)), np.ones(10), test_size=1.5), "test_size"),
        (lambda: datasets.train_test_split(np.ones((10, 2)), np.ones(10), test_size=-0.2), "test_size"),
        (lambda: datasets.train_test_split(np.ones((10, 2)), np.ones(10), test_size=0.95), "empty"),
    ],
)
def test_bad_arguments_are_refused(call: Callable[[], Any], fragment: str) -> None:
    with pytest.raises(InvalidValueError, match=fragment):
        call()


def test_train_test_split_refuses_mismatched_lengths() -> None:
    with pytest.raises(ShapeError, match="10 samples but y has 9"):
        datasets.train_test_split(np.ones((10, 2)), np.ones(9))
