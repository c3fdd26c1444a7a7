"""Catalogue cases for the losses: data drawn per loss, errors clear of each kink, with weights or without."""

from __future__ import annotations

import numpy as np
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
]
