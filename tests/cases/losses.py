"""Catalogue cases for the losses: data drawn per loss, errors clear of each kink, with weights or without.

The piecewise losses draw clear of their breakpoints: the hinge losses keep
``y * y_pred`` away from the margin 1, MAPE keeps ``y_true`` away from 0 and
the error away from 0, MSLE keeps ``y_pred`` above its clip at ``eps``,
CategoricalHinge keeps its margin and its runner-up score untied, Circle
keeps every pair's similarity away from 1 and from ``-margin``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import tinynet as tn
from tinynet.testing import strategies as tns

from .base import LossCase

SHAPES = tns.batch_shapes(max_batch=5, max_dims=2)
WEIGHTS_OR_NONE = st.booleans()


@st.composite
def _regression(draw: st.DrawFn, kinks: tuple[float, ...] = ()) -> tuple:
    """``y_pred = y_true + e`` with the error ``e`` clear of the loss's breakpoints."""
    shape = draw(SHAPES)
    y_true = draw(tns.arrays(shape))
    y_pred = y_true + draw(tns.arrays(shape, kinks=kinks, margin=1e-2))
    return y_true, y_pred, draw(_weights(shape[0]))


@st.composite
def _weights(draw: st.DrawFn, batch: int) -> np.ndarray | None:
    if not draw(WEIGHTS_OR_NONE):
        return None
    return draw(tns.arrays((batch,), 0.0, 2.0))


@st.composite
def _binary(draw: st.DrawFn, logits: bool) -> tuple:
    shape = draw(SHAPES)
    y_true = draw(tns.arrays(shape, 0.0, 1.0))
    y_pred = draw(tns.arrays(shape, -6.0, 6.0) if logits else tns.probabilities(shape))
    return y_true, y_pred, draw(_weights(shape[0]))


@st.composite
def _categorical(draw: st.DrawFn, logits: bool, sparse: bool) -> tuple:
    batch, classes = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    labels = draw(tns.labels(batch, classes))
    y_true = labels if sparse else np.eye(classes)[labels]
    y_pred = draw(tns.arrays((batch, classes), -6.0, 6.0) if logits else tns.probabilities((batch, classes)))
    return y_true, y_pred, draw(_weights(batch))


@st.composite
def _soft_categorical(draw: st.DrawFn) -> tuple:
    """Soft targets (rows of any non-negative mass) against logits."""
    batch, classes = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    y_true = draw(tns.arrays((batch, classes), 0.0, 1.0))
    return y_true, draw(tns.arrays((batch, classes), -6.0, 6.0)), None


@st.composite
def _positive(draw: st.DrawFn) -> tuple:
    """Counts against positive rates (Poisson), or the same for MSLE's logs: clear of the clip at eps."""
    shape = draw(SHAPES)
    y_true = np.round(draw(tns.arrays(shape, 0.0, 4.0)))
    return y_true, draw(tns.arrays(shape, 0.05, 4.0)), draw(_weights(shape[0]))


@st.composite
def _distributions(draw: st.DrawFn) -> tuple:
    """Target and predicted values in [0, 1] (KLDivergence), predictions clear of the clip."""
    shape = draw(SHAPES)
    return draw(tns.arrays(shape, 0.0, 1.0)), draw(tns.probabilities(shape)), draw(_weights(shape[0]))


@st.composite
def _percentages(draw: st.DrawFn) -> tuple:
    """Targets of either sign at least 0.5 from 0, errors clear of 0 (MAPE)."""
    shape = draw(SHAPES)
    y_true = draw(tns.arrays(shape, 0.5, 3.0)) * np.where(draw(tns.arrays(shape, 0.0, 1.0)) < 0.5, -1.0, 1.0)
    return y_true, y_true + draw(tns.arrays(shape, kinks=(0.0,), margin=1e-2)), draw(_weights(shape[0]))


@st.composite
def _directions(draw: st.DrawFn, shape: tuple | None = None) -> tuple:
    """Vectors with no entry near 0, so no norm is near CosineSimilarity's eps."""
    shape = shape or draw(SHAPES)
    vectors = tns.arrays(shape, kinks=(0.0,), margin=0.1)
    return draw(vectors), draw(vectors), draw(_weights(shape[0]))


@st.composite
def _signed(draw: st.DrawFn) -> tuple:
    """Labels -1/1 or 0/1 against scores clear of +-1, where y * y_pred crosses the margin."""
    shape = draw(SHAPES)
    y_true = np.round(draw(tns.arrays(shape, 0.0, 1.0)))
    if draw(st.booleans()):
        y_true = 2.0 * y_true - 1.0
    return y_true, draw(tns.arrays(shape, kinks=(-1.0, 1.0), margin=1e-2)), draw(_weights(shape[0]))


@st.composite
def _one_hot_scores(draw: st.DrawFn) -> tuple:
    """One-hot rows against scores whose margin and runner-up are untied (CategoricalHinge)."""
    batch, classes = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    y_true = np.eye(classes)[draw(tns.labels(batch, classes))]
    y_pred = draw(tns.arrays((batch, classes), kinks=(0.0,), margin=1e-2))
    others = np.sort((1.0 - y_true) * y_pred, axis=-1)
    margin = others[:, -1] - (y_true * y_pred).sum(axis=-1) + 1.0
    assume(np.all(others[:, -1] - others[:, -2] > 1e-2) and np.all(np.abs(margin) > 1e-2))
    return y_true, y_pred, draw(_weights(batch))


@st.composite
def _sparse_probabilities(draw: st.DrawFn) -> tuple:
    batch, classes = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    y_pred = draw(tns.probabilities((batch, classes)))
    return draw(tns.labels(batch, classes)), y_pred, draw(_weights(batch))


@st.composite
def _masks(draw: st.DrawFn, shape: tuple | None = None) -> tuple:
    shape = shape or draw(SHAPES)
    y_true = np.round(draw(tns.arrays(shape, 0.0, 1.0)))
    return y_true, draw(tns.probabilities(shape)), draw(_weights(shape[0]))


@st.composite
def _embeddings(draw: st.DrawFn, margin: float, norm: float = 1.0) -> tuple:
    """Labels and embeddings of length ``norm``; every pair's similarity clear of ``norm**2`` and ``-margin``."""
    batch, dims = draw(st.integers(2, 6)), draw(st.integers(2, 4))
    y_pred = draw(tns.arrays((batch, dims), kinks=(0.0,), margin=0.1))
    y_pred *= norm / np.linalg.norm(y_pred, axis=1, keepdims=True)
    s = (y_pred @ y_pred.T)[~np.eye(batch, dtype=bool)]
    assume(np.all(norm * norm - s > 1e-2) and np.all(np.abs(s + margin) > 1e-2))
    labels = draw(tns.labels(batch, 3))
    return labels, y_pred, draw(_weights(batch))


def _fixed_embeddings() -> tuple:
    angles = np.array([0.0, 0.6, 1.7, 2.2])
    return np.array([0, 0, 1, 1]), np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _fixed(y_true: np.ndarray, low: float, high: float) -> tuple:
    return y_true, np.random.default_rng(5).uniform(low, high, size=(4, 3))


LS = tn.losses
LOSS_CASES: list[LossCase] = [
    LossCase("mse", LS.MeanSquaredError, lambda: _regression()),
    LossCase("mae", LS.MeanAbsoluteError, lambda: _regression(kinks=(0.0,))),
    LossCase("huber", LS.Huber, lambda: _regression(kinks=(-1.0, 1.0))),
    LossCase("huber_0.3", lambda: LS.Huber(delta=0.3), lambda: _regression(kinks=(-0.3, 0.3))),
    LossCase("bce", LS.BinaryCrossentropy, lambda: _binary(logits=False)),
    LossCase("bce_logits", lambda: LS.BinaryCrossentropy(from_logits=True), lambda: _binary(logits=True)),
    LossCase("cce", LS.CategoricalCrossentropy, lambda: _categorical(logits=False, sparse=False)),
    LossCase(
        "cce_logits",
        lambda: LS.CategoricalCrossentropy(from_logits=True),
        lambda: _categorical(logits=True, sparse=False),
    ),
    LossCase("cce_soft_logits", lambda: LS.CategoricalCrossentropy(from_logits=True), _soft_categorical),
    LossCase("scce", LS.SparseCategoricalCrossentropy, lambda: _categorical(logits=False, sparse=True)),
    LossCase(
        "scce_logits",
        lambda: LS.SparseCategoricalCrossentropy(from_logits=True),
        lambda: _categorical(logits=True, sparse=True),
    ),
    LossCase("bce_smoothed", lambda: LS.BinaryCrossentropy(label_smoothing=0.2), lambda: _binary(logits=False)),
    LossCase(
        "bce_logits_smoothed",
        lambda: LS.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        lambda: _binary(logits=True),
    ),
    LossCase(
        "cce_smoothed",
        lambda: LS.CategoricalCrossentropy(label_smoothing=0.2),
        lambda: _categorical(logits=False, sparse=False),
    ),
    LossCase(
        "cce_logits_smoothed",
        lambda: LS.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        lambda: _categorical(logits=True, sparse=False),
    ),
    # ------------------------------------------------------------------ probabilistic
    LossCase(
        "kld", LS.KLDivergence, _distributions, fixed=lambda: _fixed(np.eye(3)[[0, 2, 1, 1]] * 0.8 + 0.05, 0.05, 0.9)
    ),
    LossCase("poisson", LS.Poisson, _positive, fixed=lambda: _fixed(np.array([[0.0, 1, 3]] * 4), 0.1, 3.0)),
    LossCase(
        "cgce",
        lambda: LS.CategoricalGeneralizedCrossEntropy(q=0.3),
        _sparse_probabilities,
        fixed=lambda: _fixed(np.array([0, 2, 1, 1]), 0.05, 0.9),
    ),
    # ------------------------------------------------------------------ regression
    LossCase("log_cosh", LS.LogCosh, lambda: _regression()),
    LossCase("mape", LS.MeanAbsolutePercentageError, _percentages, fixed=lambda: _fixed(np.full((4, 3), 2.0), -3, 3)),
    LossCase("msle", LS.MeanSquaredLogarithmicError, _positive),
    LossCase("cosine", LS.CosineSimilarity, _directions),
    LossCase("cosine_axis1", lambda: LS.CosineSimilarity(axis=1), lambda: _directions((3, 4, 2))),
    # ------------------------------------------------------------------ hinge
    LossCase("hinge", LS.Hinge, _signed),
    LossCase("squared_hinge", LS.SquaredHinge, _signed),
    LossCase("categorical_hinge", LS.CategoricalHinge, _one_hot_scores),
    # ------------------------------------------------------------------ focal
    LossCase("binary_focal", LS.BinaryFocalCrossentropy, lambda: _binary(logits=False)),
    LossCase(
        "binary_focal_logits_balanced",
        lambda: LS.BinaryFocalCrossentropy(
            apply_class_balancing=True, alpha=0.3, from_logits=True, label_smoothing=0.1
        ),
        lambda: _binary(logits=True),
    ),
    LossCase(
        "binary_focal_gamma_0.5",
        lambda: LS.BinaryFocalCrossentropy(gamma=0.5, label_smoothing=0.2),
        lambda: _binary(logits=False),
    ),
    LossCase("categorical_focal", LS.CategoricalFocalCrossentropy, lambda: _categorical(logits=False, sparse=False)),
    LossCase(
        "categorical_focal_logits",
        lambda: LS.CategoricalFocalCrossentropy(from_logits=True, gamma=1.5, label_smoothing=0.1),
        lambda: _categorical(logits=True, sparse=False),
    ),
    LossCase(
        "categorical_focal_soft_logits",
        lambda: LS.CategoricalFocalCrossentropy(from_logits=True, gamma=0.5),
        _soft_categorical,
    ),
    # ------------------------------------------------------------------ segmentation
    LossCase("dice", LS.Dice, _masks, per_sample=False),
    LossCase("dice_per_sample", lambda: LS.Dice(axis=-1), _masks),
    LossCase("tversky", lambda: LS.Tversky(alpha=0.7, beta=0.3), _masks, per_sample=False),
    LossCase("tversky_per_sample", lambda: LS.Tversky(alpha=0.2, beta=0.8, axis=-1), _masks),
    # ------------------------------------------------------------------ similarity
    LossCase("circle", LS.Circle, lambda: _embeddings(0.4), fixed=_fixed_embeddings, per_sample=False),
    LossCase(
        "circle_small_gamma_with_diagonal",
        lambda: LS.Circle(gamma=4.0, margin=0.25, remove_diagonal=False),
        lambda: _embeddings(0.25, norm=0.9),
        fixed=_fixed_embeddings,
        per_sample=False,
    ),
]
