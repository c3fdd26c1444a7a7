"""F-scores: FBetaScore and F1Score, per class or averaged, from weighted counts over every sample seen."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..errors import InvalidValueError, ShapeError
from ..registry import register
from .accuracy import nan_rows
from .base import Array, Metric

__all__ = ["FBetaScore", "F1Score"]


@register
class FBetaScore(Metric):
    """The F-beta score of each class, or an average of them. Id ``"f_beta_score"``; default name ``"fbeta_score"``.

    Math (per class c, the last axis; hit = [y_pred > threshold], or with
    ``threshold=None`` hit = [y_pred == max of its row and |y_pred| > 1e-9];
    sums over every sample, weighted)::

        tp_c = sum(w * y * hit)      fp_c = sum(w * (1 - y) * hit)      fn_c = sum(w * y * (1 - hit))
        f_c = (1 + beta ** 2) * tp_c / ((1 + beta ** 2) * tp_c + beta ** 2 * fn_c + fp_c)     (0 when that is 0)

    which is ``(1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall)``.
    ``average``: None -> the vector ``f``; "macro" -> ``mean(f)``; "weighted" ->
    ``sum(f_c * support_c) / sum(support)`` with ``support_c = sum(w * y_c)``;
    "micro" -> ``f`` of the counts summed over the classes. Keras adds 1e-7 to
    each denominator; here a zero denominator gives 0 and nothing else moves,
    which is ``sklearn.metrics.fbeta_score(..., zero_division=0)``.

    Shape: ``y_pred`` and ``y_true`` ``(N, classes)``: one-hot or multi-label targets.

    Parameters
    ----------
    average : {None, "micro", "macro", "weighted"}
        None (one score per class) by default.
    beta : float
        > 0; how much more recall weighs than precision. 1.0 by default.
    threshold : float, optional
        In (0, 1]; None (the most probable class of each row is predicted) by default.
    name : str
        ``"fbeta_score"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = FBetaScore(beta=2.0, threshold=0.5)
    >>> y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    >>> y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> m.update_state(y_true, y_pred)
    >>> m.result()
    array([0.38461538, 0.90909091, 0.83333333])
    """

    AVERAGES = (None, "micro", "macro", "weighted")

    def __init__(
        self, average: str | None = None, beta: float = 1.0, threshold: float | None = None, name: str = "fbeta_score"
    ) -> None:
        owner = type(self).__name__
        if average not in self.AVERAGES:
            raise InvalidValueError(f"{owner}: average must be one of {self.AVERAGES}, received {average!r}.")
        self.average = average
        self.beta = number(beta, owner, "beta", 0.0, low_open=True)
        self.threshold = None if threshold is None else number(threshold, owner, "threshold", 0.0, 1.0, low_open=True)
        super().__init__(name)

    def reset_state(self) -> None:
        self.counts: Array | None = None  # rows tp, fp, fn, support; one column per class; None until a batch
        self._nan = False

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        where = self._label()
        if y_pred.ndim != 2 or y_true.shape != y_pred.shape:
            raise ShapeError(
                f"{where}: y_true and y_pred must both have shape (N, classes); received y_true {y_true.shape} and "
                f"y_pred {y_pred.shape}."
            )
        if self.counts is not None and self.counts.shape[1] != y_pred.shape[1]:
            raise ShapeError(
                f"{where}: y_pred has {y_pred.shape[1]} classes, earlier batches had {self.counts.shape[1]}."
            )
        self.check_binary_targets(y_true)
        return y_true

    def accumulate(self, y_true: Array, y_pred: Array, sample_weight: Array | None) -> None:
        if self.threshold is None:
            hit = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            hit = y_pred > self.threshold
        y = y_true.astype(np.float64)
        w = np.ones((len(y), 1)) if sample_weight is None else sample_weight[:, None]
        counts = np.stack([
            (w * np.where(hit, y, 0.0)).sum(axis=0), (w * np.where(hit, 1.0 - y, 0.0)).sum(axis=0),
            (w * np.where(hit, 0.0, y)).sum(axis=0), (w * y).sum(axis=0),
        ])  # fmt: skip
        self.counts = counts if self.counts is None else self.counts + counts
        self._nan = self._nan or nan_rows(y_pred) is not None

    def result(self) -> Any:
        if self.counts is None:
            return 0.0
        tp, fp, fn, support = self.counts
        if self.average == "micro":
            tp, fp, fn = tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
        b2 = self.beta * self.beta
        whole = (1.0 + b2) * tp + b2 * fn + fp
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(whole > 0, (1.0 + b2) * tp / np.where(whole > 0, whole, 1.0), 0.0)
        if self._nan:
            f = np.full_like(f, np.nan)
        if self.average is None:
            return f
        if self.average == "weighted":
            total = support.sum()
            return float((f * support).sum() / total) if total > 0 else (np.nan if self._nan else 0.0)
        return float(np.mean(f))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


@register
class F1Score(FBetaScore):
    """The F1 score (beta = 1) of each class, or an average of them. Id ``"f1_score"``.

    Math: :class:`FBetaScore` with ``beta = 1``::

        f_c = 2 * tp_c / (2 * tp_c + fn_c + fp_c)     = 2 * precision * recall / (precision + recall)

    Parameters
    ----------
    average, threshold
        As for :class:`FBetaScore`.
    name : str
        ``"f1_score"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = F1Score(threshold=0.5)
    >>> y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    >>> y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> m.update_state(y_true, y_pred)
    >>> m.result()
    array([0.5       , 0.8       , 0.66666667])
    """

    def __init__(self, average: str | None = None, threshold: float | None = None, name: str = "f1_score") -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
