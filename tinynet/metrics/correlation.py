"""Correlation metrics: PearsonCorrelation and ConcordanceCorrelation (per sample), R2Score (over every sample).

Keras's Pearson and concordance metrics correlate each sample's ``y_true``
with its ``y_pred`` along ``axis`` (the features), then average over the
samples; R2Score compares the residuals with the variance of each target
column over everything seen, as scikit-learn's ``r2_score`` does.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._validation import number
from ..errors import InvalidValueError, ShapeError
from ..registry import register
from .base import Array, MeanMetric, Metric

__all__ = ["PearsonCorrelation", "ConcordanceCorrelation", "R2Score"]


class _AlongAxis(MeanMetric):
    """A per-sample value computed from the vectors along ``axis`` (not the batch axis)."""

    def __init__(self, name: str | None = None, axis: int = -1) -> None:
        self.axis = number(axis, type(self).__name__, "axis", integral=True)
        if self.axis == 0:
            raise ShapeError(f"{type(self).__name__}: axis must not be 0, the batch axis; received axis=0.")
        super().__init__(name)

    def centered(self, y_true: Array, y_pred: Array) -> tuple[Array, Array, Array, Array]:
        """``(y_true - its mean, y_pred - its mean, the two means)`` along ``axis``, float64, axis moved last."""
        if not -y_pred.ndim < self.axis < y_pred.ndim:
            raise ShapeError(f"{self._label()}: axis={self.axis} is out of range for y_pred of shape {y_pred.shape}.")
        t = np.moveaxis(y_true.astype(np.float64), self.axis, -1)
        p = np.moveaxis(y_pred.astype(np.float64), self.axis, -1)
        mt, mp = t.mean(axis=-1, keepdims=True), p.mean(axis=-1, keepdims=True)
        return t - mt, p - mp, mt[..., 0], mp[..., 0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


@register
class PearsonCorrelation(_AlongAxis):
    """Mean Pearson correlation between each sample's ``y_true`` and ``y_pred``. Id ``"pearson_correlation"``.

    Math (dt = y_true - mean(y_true), dp = y_pred - mean(y_pred), sums along ``axis``)::

        r = sum(dt * dp) / sqrt(sum(dt ** 2) * sum(dp ** 2))     (0 when either is constant)
        value_i = mean(r over sample i's other axes)       result = sum(w_i * value_i) / sum(w_i)

    Keras divides by zero for a constant vector (NaN); here its correlation is 0.

    Parameters
    ----------
    name : str
        ``"pearson_correlation"`` by default.
    axis : int
        The axis of the vectors; the last by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = PearsonCorrelation()
    >>> m.update_state(np.array([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]]), np.array([[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]]))
    >>> m.result()
    0.99669963...
    """

    def __init__(self, name: str = "pearson_correlation", axis: int = -1) -> None:
        super().__init__(name, axis)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        dt, dp, _, _ = self.centered(y_true, y_pred)
        norms = np.sqrt((dt * dt).sum(axis=-1) * (dp * dp).sum(axis=-1))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(norms > 0, (dt * dp).sum(axis=-1) / norms, 0.0)
        r = np.where(np.isnan(norms), np.nan, r)  # a NaN prediction still shows
        return self.per_sample_mean(r.reshape(len(y_pred), -1))


@register
class ConcordanceCorrelation(_AlongAxis):
    """Mean concordance correlation (Lin's) of each sample's targets and predictions. Id ``"concordance_correlation"``.

    Math (dt, dp as in :class:`PearsonCorrelation`; means and population variances along ``axis``)::

        ccc = 2 * mean(dt * dp) / (var(y_true) + var(y_pred) + (mean(y_true) - mean(y_pred)) ** 2)
        value_i = mean(ccc over sample i's other axes)     result = sum(w_i * value_i) / sum(w_i)

    Keras's documented formula; its code adds 1e-7 to the denominator, which
    moves results by about 1e-7 relative. A zero denominator (both vectors
    constant and equal) gives 0, as Keras's code does.

    Parameters
    ----------
    name : str
        ``"concordance_correlation"`` by default.
    axis : int
        The axis of the vectors; the last by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = ConcordanceCorrelation()
    >>> m.update_state(np.array([[0.0, 1.0, 0.5], [1.0, 1.0, 0.2]]), np.array([[0.1, 0.9, 0.5], [1.0, 0.9, 0.2]]))
    >>> m.result()
    0.98163203...
    """

    def __init__(self, name: str = "concordance_correlation", axis: int = -1) -> None:
        super().__init__(name, axis)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        dt, dp, mt, mp = self.centered(y_true, y_pred)
        norm = (dt * dt).mean(axis=-1) + (dp * dp).mean(axis=-1) + (mt - mp) ** 2
        with np.errstate(invalid="ignore", divide="ignore"):
            ccc = np.where(norm != 0, 2.0 * (dt * dp).mean(axis=-1) / norm, 0.0)
        return self.per_sample_mean(ccc.reshape(len(y_pred), -1))


@register
class R2Score(Metric):
    """The coefficient of determination of each target column, over every sample seen. Id ``"r2_score"``.

    Math (per column j of ``(N, outputs)``; w = sample weights; sums over every sample seen)::

        ss_res_j = sum(w * (y_true_j - y_pred_j) ** 2)
        ss_tot_j = sum(w * (y_true_j - mean_w(y_true_j)) ** 2)
        r2_j = 1 - ss_res_j / ss_tot_j      (for ss_tot_j == 0: 1.0 if ss_res_j == 0 else 0.0, as scikit-learn)
        "uniform_average": mean(r2_j)     "variance_weighted_average": sum(ss_tot_j * r2_j) / sum(ss_tot_j)
        None: the vector r2
        adjusted (num_regressors = p > 0; n = samples of non-zero weight): 1 - (1 - r2) * (n - 1) / (n - p - 1)

    The weighted mean and sum of squares of each column are merged batch by
    batch (Chan's update), not taken from raw sums of squares, so that a
    target with a large mean keeps its precision. With ``p >= n - 1`` the
    adjusted score is undefined: a warning, and the plain score, as in Keras.

    Shape: ``y_pred`` ``(N, outputs)`` or ``(N,)``; ``y_true`` the same, or ``(N,)`` for ``(N, 1)``.

    Parameters
    ----------
    class_aggregation : {"uniform_average", "variance_weighted_average", None}
        How the columns' scores combine (scikit-learn's ``multioutput``).
    num_regressors : int
        ``p`` of the adjusted R2; 0 (the plain R2) by default.
    name : str
        ``"r2_score"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = R2Score()
    >>> m.update_state(np.array([[1.0], [3.0], [5.0]]), np.array([[2.0], [3.0], [4.0]]))
    >>> m.result()  # mean(y_true) = 3: 1 - (1 + 0 + 1) / (4 + 0 + 4)
    0.75
    """

    AGGREGATIONS = ("uniform_average", "variance_weighted_average", None)

    def __init__(
        self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0, name: str = "r2_score"
    ) -> None:
        if class_aggregation not in self.AGGREGATIONS:
            raise InvalidValueError(
                f"R2Score: class_aggregation must be one of {self.AGGREGATIONS}, received {class_aggregation!r}."
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = number(num_regressors, "R2Score", "num_regressors", 0, integral=True)
        super().__init__(name)

    def reset_state(self) -> None:
        self.count: Array | float = 0.0  # weight seen per column
        self.mean: Array | float = 0.0  # weighted mean of y_true per column
        self.sum_of_squares: Array | float = 0.0  # sum(w * (y_true - mean) ** 2) per column
        self.residuals: Array | float = 0.0  # sum(w * (y_true - y_pred) ** 2) per column
        self.num_samples = 0

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        if y_pred.ndim > 2:
            raise ShapeError(f"{self._label()}: y_pred must have shape (N, outputs) or (N,); received {y_pred.shape}.")
        y_true = super().check_targets(y_true, y_pred)
        if isinstance(self.mean, np.ndarray) and self.mean.shape[0] != (y_pred.shape[1] if y_pred.ndim == 2 else 1):
            raise ShapeError(
                f"{self._label()}: y_pred has {y_pred.shape[1]} outputs, but earlier batches had {self.mean.shape[0]}."
            )
        return y_true

    def accumulate(self, y_true: Array, y_pred: Array, sample_weight: Array | None) -> None:
        n = y_pred.shape[0]
        y, p = y_true.reshape(n, -1).astype(np.float64), y_pred.reshape(n, -1).astype(np.float64)
        w = np.ones((n, 1)) if sample_weight is None else sample_weight[:, None]
        count_b = np.broadcast_to(w.sum(axis=0), (y.shape[1],)).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_b = np.where(count_b > 0, (w * y).sum(axis=0) / count_b, 0.0)
        ss_b = (w * (y - mean_b) ** 2).sum(axis=0)
        count = self.count + count_b
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(count > 0, count_b / count, 0.0)  # the batch's share of the weight: no product overflows
        delta = mean_b - self.mean
        self.sum_of_squares = self.sum_of_squares + ss_b + (self.count * share) * delta * delta
        self.mean = self.mean + share * delta
        self.count = count
        self.residuals = self.residuals + (w * (y - p) ** 2).sum(axis=0)
        self.num_samples += int(np.count_nonzero(w[:, 0]))

    def result(self) -> Any:
        if not isinstance(self.residuals, np.ndarray) or not np.any(self.count):
            return 0.0  # nothing seen, or only weights of 0
        ss_res, ss_tot = np.asarray(self.residuals), np.asarray(self.sum_of_squares)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = np.where(ss_tot > 0, 1.0 - ss_res / ss_tot, np.where(ss_res == 0, 1.0, 0.0))
        scores = np.where(np.isnan(ss_res), np.nan, scores)
        if self.class_aggregation is None:
            return self._adjusted(scores)
        if self.class_aggregation == "variance_weighted_average" and ss_tot.sum() > 0:
            score = float((ss_tot / ss_tot.sum() * scores).sum())
        else:  # uniform, or every column constant (scikit-learn averages uniformly then too)
            score = float(scores.mean())
        return float(self._adjusted(score))

    def _adjusted(self, r2: Any) -> Any:
        n, p = self.num_samples, self.num_regressors
        if p == 0:
            return r2
        if p >= n - 1:
            warnings.warn(
                f"{self._label()}: num_regressors={p} needs more than {p + 1} samples of non-zero weight, seen {n}; "
                "returning the plain R2 score.",
                stacklevel=3,
            )
            return r2
        return 1.0 - (1.0 - r2) * (n - 1) / (n - p - 1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "class_aggregation": self.class_aggregation, "num_regressors": self.num_regressors,
        }  # fmt: skip
