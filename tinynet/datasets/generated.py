"""Small seeded data sets, generated with NumPy alone, and a train/test split.

``make_moons`` is the seed's problem: two interleaving half circles in 2-D,
one class each. Every generator takes ``seed=`` and owns its generator, so the
same seed gives the same data; none touches ``np.random``'s global state.

``make_moons`` and ``train_test_split`` also take scikit-learn's
``random_state=``: it draws from a legacy ``np.random.RandomState`` owned by
the call, in scikit-learn's order, so ``make_moons(1000, noise=0.2,
random_state=100)`` returns exactly scikit-learn's arrays and the seed's
exercise runs on the seed's own data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_array, integer, real
from ..errors import InvalidValueError, ShapeError
from ..utils import make_rng

__all__ = ["make_moons", "make_circles", "make_spirals", "train_test_split"]


def _check_counts(n_samples: Any, noise: Any, where: str) -> None:
    integer(n_samples, where, "n_samples", minimum=2)
    real(noise, where, "noise", minimum=0.0)


def _finish(x: np.ndarray, y: np.ndarray, noise: float, shuffle: bool, rng: np.random.Generator) -> tuple:
    x = x + rng.normal(scale=noise, size=x.shape) if noise else x
    if shuffle:
        order = rng.permutation(len(y))
        x, y = x[order], y[order]
    return x.astype(np.float32), y.astype(np.float32)


def make_moons(
    n_samples: int = 100,
    noise: float = 0.0,
    shuffle: bool = True,
    seed: int | None = None,
    random_state: int | None = None,
) -> tuple:
    """Two interleaving half circles: ``x`` of shape ``(n, 2)``, labels ``y`` of shape ``(n,)`` in {0, 1}.

    The upper moon (label 0) is ``(cos t, sin t)``, the lower (label 1) is
    ``(1 - cos t, 1/2 - sin t)``, for ``t`` evenly spaced in ``[0, pi]``; then
    Gaussian noise of standard deviation ``noise`` is added. ``x`` and ``y``
    are float32.

    Parameters
    ----------
    seed : int, optional
        Seeds tinynet's own generator.
    random_state : int, optional
        Instead of ``seed``: scikit-learn's stream (a legacy ``RandomState``),
        giving exactly ``sklearn.datasets.make_moons``'s values.

    Examples
    --------
    >>> x, y = make_moons(1000, noise=0.2, seed=100)
    >>> x.shape, y.shape, float(y.mean())
    ((1000, 2), (1000,), 0.5)
    """
    _check_counts(n_samples, noise, "make_moons")
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    x = np.concatenate([
        np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1),
        np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1),
    ])  # fmt: skip
    y = np.concatenate([np.zeros(n_upper), np.ones(n_lower)])
    if random_state is not None:
        return _finish_like_scikit_learn(x, y, float(noise), shuffle, _legacy_stream(random_state, seed, "make_moons"))
    return _finish(x, y, float(noise), shuffle, make_rng(seed))


def _legacy_stream(random_state: Any, seed: Any, where: str) -> np.random.RandomState:
    if seed is not None:
        raise InvalidValueError(f"{where}: pass seed= or random_state=, not both.")
    return np.random.RandomState(integer(random_state, where, "random_state", minimum=0))


def _finish_like_scikit_learn(
    x: np.ndarray, y: np.ndarray, noise: float, shuffle: bool, stream: np.random.RandomState
) -> tuple:
    """scikit-learn's order of draws: shuffle the indices, then add the noise."""
    if shuffle:
        order = np.arange(len(y))
        stream.shuffle(order)
        x, y = x[order], y[order]
    if noise:
        x = x + stream.normal(scale=noise, size=x.shape)
    return x.astype(np.float32), y.astype(np.float32)


def make_circles(
    n_samples: int = 100,
    noise: float = 0.0,
    factor: float = 0.8,
    shuffle: bool = True,
    seed: int | None = None,
) -> tuple:
    """A circle of radius 1 (label 0) around one of radius ``factor`` (label 1), with Gaussian ``noise``.

    Examples
    --------
    >>> x, y = make_circles(10, seed=0)
    >>> x.shape, sorted(set(y.tolist()))
    ((10, 2), [0.0, 1.0])
    """
    _check_counts(n_samples, noise, "make_circles")
    if not 0 < factor < 1:
        raise InvalidValueError(f"make_circles: factor must lie in (0, 1), received {factor!r}.")
    rng = make_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2 * np.pi, n_inner, endpoint=False)
    x = np.concatenate([
        np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1),
        factor * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1),
    ])  # fmt: skip
    y = np.concatenate([np.zeros(n_outer), np.ones(n_inner)])
    return _finish(x, y, float(noise), shuffle, rng)


def make_spirals(
    n_samples: int = 300,
    n_classes: int = 3,
    noise: float = 0.2,
    shuffle: bool = True,
    seed: int | None = None,
) -> tuple:
    """``n_classes`` interleaved spiral arms in 2-D; integer labels in ``[0, n_classes)``.

    Arm ``k`` is ``r * (sin(a), cos(a))`` with ``r`` from 0 to 1 and
    ``a = 4 r + 2 pi k / n_classes``, plus Gaussian noise of ``noise`` on the angle.

    Examples
    --------
    >>> x, y = make_spirals(90, n_classes=3, seed=0)
    >>> x.shape, sorted(set(y.tolist()))
    ((90, 2), [0.0, 1.0, 2.0])
    """
    _check_counts(n_samples, noise, "make_spirals")
    n_classes = integer(n_classes, "make_spirals", "n_classes", minimum=2)
    rng = make_rng(seed)
    labels = np.arange(n_samples) % n_classes
    radius = np.concatenate([np.linspace(0.0, 1.0, int((labels == k).sum())) for k in range(n_classes)])
    labels = np.sort(labels)
    angle = 4.0 * radius + 2 * np.pi * labels / n_classes + rng.normal(scale=noise, size=n_samples)
    x = radius[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1)
    return _finish(x, labels, 0.0, shuffle, rng)


def train_test_split(
    x: Any,
    y: Any,
    test_size: float = 0.25,
    shuffle: bool = True,
    seed: int | None = None,
    random_state: int | None = None,
) -> tuple:
    """Split ``x`` and ``y`` into ``x_train, x_test, y_train, y_test`` (scikit-learn's order).

    ``test_size`` is a fraction in (0, 1); the test part has ``ceil(test_size * n)`` samples.
    ``random_state`` (instead of ``seed``) draws the permutation from scikit-learn's
    stream, giving exactly ``sklearn.model_selection.train_test_split``'s split.

    Examples
    --------
    >>> import numpy as np
    >>> x_train, x_test, y_train, y_test = train_test_split(np.arange(20).reshape(10, 2), np.arange(10),
    ...                                                     test_size=0.3, seed=0)
    >>> len(x_train), len(x_test)
    (7, 3)
    """
    x = as_array(x, "train_test_split", "x")
    y = as_array(y, "train_test_split", "y")
    if len(x) != len(y):
        raise ShapeError(f"train_test_split: x has {len(x)} samples but y has {len(y)}; they must match.")
    test_size = real(test_size, "train_test_split", "test_size", minimum=0.0, strict=True)
    if test_size >= 1:
        raise InvalidValueError(f"train_test_split: test_size must be a fraction in (0, 1), received {test_size!r}.")
    n = len(x)
    n_test = int(np.ceil(test_size * n))
    if not 0 < n_test < n:
        raise InvalidValueError(f"train_test_split: test_size={test_size} leaves an empty part of {n} samples.")
    if not shuffle:
        order = np.arange(n)
    elif random_state is not None:
        order = _legacy_stream(random_state, seed, "train_test_split").permutation(n)
    else:
        order = make_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]
