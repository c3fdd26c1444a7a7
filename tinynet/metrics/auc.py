"""AUC: the area under the ROC or precision-recall curve, exact by default or on Keras's threshold grid.

It takes scores (probabilities, or logits with ``from_logits=True``) and
binary labels in ``[0, 1]`` of ``y_pred``'s shape, pools every element of
every sample (as Keras does for several outputs with ``multi_label=False``),
and weighs each element by its sample's weight. A soft label ``y`` counts as
``y`` of a positive and ``1 - y`` of a negative.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _numerics
from .._validation import boolean, number
from ..errors import InvalidValueError
from ..registry import register
from .base import Array, Metric
from .confusion import ThresholdCounts

__all__ = ["AUC"]

EPSILON = 1e-7  # Keras's backend epsilon: its grid starts at -eps and ends at 1 + eps


class _Grid(ThresholdCounts):
    """The four counts at a fixed, ascending grid of thresholds (the state of a grid AUC)."""

    def __init__(self, grid: Array) -> None:
        self.grid = grid
        super().__init__("auc_counts")


@register
class AUC(Metric):
    """Area under the ROC (or precision-recall) curve; exact by default. Id ``"auc"``.

    Exact (``num_thresholds=None`` and ``thresholds=None``, the default): the
    ROC area is the weighted Mann–Whitney statistic over every score seen, a
    tie counting 1/2::

        pos_j = w_j * y_j        neg_k = w_k * (1 - y_k)
        auc = sum_jk(pos_j * neg_k * ([s_j > s_k] + [s_j == s_k] / 2)) / (sum(pos) * sum(neg))

    computed in O(n log n): the scores are kept sorted and unique, with the
    positive weight ``P_u`` and negative weight ``N_u`` at each score ``u``, and

        auc = sum_u(N_u * (sum(P_v for v > u) + P_u / 2)) / (sum(P) * sum(N))

    which is the trapezoidal area under the weighted ROC curve (what
    ``sklearn.metrics.roc_auc_score`` computes). The other curves and
    summations use every distinct score seen as a threshold. The cost is the
    memory of one score, and two weights, per distinct score seen.

    On a grid (Keras's way, and Keras's default of 200 thresholds): with
    ``num_thresholds=T`` the thresholds are ``[-eps, 1/(T-1), ..., (T-2)/(T-1),
    1 + eps]`` (``eps = 1e-7``); with ``thresholds=[...]`` they are
    ``[-eps, *sorted(thresholds), 1 + eps]``, and scores are clipped to
    ``[0, 1]`` first, as in Keras. Either way the area is Keras's
    sum over consecutive thresholds (``tp, fp, tn, fn`` counted as in
    :class:`~tinynet.metrics.Precision`, a score positive when above ``t``)::

        ROC: x = fp / (fp + tn), y = tp / (tp + fn)      PR: x = tp / (tp + fn), y = tp / (tp + fp)
        area = sum((x[i] - x[i+1]) * h_i)   h_i = (y[i] + y[i+1]) / 2 ("interpolation"),
                                                  min(y[i], y[i+1]) ("minoring"), max(...) ("majoring")

    except for PR with "interpolation", which interpolates precision between
    thresholds (Davis & Goadrich): with p = tp + fp, dtp = tp[i] - tp[i+1],
    dp = p[i] - p[i+1], slope = dtp / dp, intercept = tp[i+1] - slope * p[i+1],
    ``area = sum(slope * (dtp + intercept * log(p[i] / p[i+1])) / (tp[i+1] + fn[i+1]))``
    (a ratio with a zero denominator is 0; the log is 0 where either p is 0).

    ``result()`` is 0.0 before any positive and negative weight has been seen
    (Keras returns 0 too; scikit-learn raises), and NaN once a NaN score was seen.

    Parameters
    ----------
    num_thresholds : int, optional
        ``T > 1`` for Keras's evenly spaced grid; None (exact) by default.
    curve : {"ROC", "PR"}
        The curve whose area is measured; "ROC" by default.
    summation_method : {"interpolation", "minoring", "majoring"}
        How each interval's height is taken; "interpolation" by default.
    name : str, optional
        ``"auc"`` by default.
    thresholds : list of float, optional
        Thresholds in [0, 1] for the grid; overrides ``num_thresholds``.
    multi_label : bool
        Only False: every output is pooled into one curve.
    from_logits : bool
        ``y_pred`` holds logits (a sigmoid is applied first); False by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = AUC()
    >>> m.update_state(np.array([0, 0, 1, 1]), np.array([[0.1], [0.4], [0.35], [0.8]]))
    >>> m.result()  # 3 of the 4 (positive, negative) pairs are ordered right
    0.75
    >>> m.update_state(np.array([0]), np.array([[0.8]]))  # a negative above 0.35, tied with 0.8
    >>> m.result()  # (3 + 0 + 1/2) / 6: the tie counts 1/2
    0.583...
    >>> m = AUC(num_thresholds=3)  # thresholds -eps, 0.5, 1 + eps: coarser than the scores
    >>> m.update_state(np.array([0, 0, 1, 1]), np.array([[0.1], [0.6], [0.35], [0.8]]))
    >>> m.result()  # ROC points (1, 1), (0.5, 0.5), (0, 0); the exact area is 0.75
    0.5
    """

    CURVES = ("ROC", "PR")
    SUMMATIONS = ("interpolation", "minoring", "majoring")

    def __init__(
        self,
        num_thresholds: int | None = None,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        if not isinstance(curve, str) or curve.upper() not in self.CURVES:
            raise InvalidValueError(f"AUC: curve must be one of {self.CURVES}, received {curve!r}.")
        if not isinstance(summation_method, str) or summation_method.lower() not in self.SUMMATIONS:
            raise InvalidValueError(
                f"AUC: summation_method must be one of {self.SUMMATIONS}, received {summation_method!r}."
            )
        if boolean(multi_label, "AUC", "multi_label") or num_labels is not None or label_weights is not None:
            raise InvalidValueError(
                "AUC: multi_label=True (with num_labels, label_weights) is not supported: every output is pooled "
                "into one curve. Make one AUC per output column, or use class_id-style slicing of y_pred."
            )
        self.curve, self.summation_method = curve.upper(), summation_method.lower()
        self.from_logits = boolean(from_logits, "AUC", "from_logits")
        self.thresholds: list[float] | None = None
        self.num_thresholds: int | None = None
        inner: Array | None = None
        if thresholds is not None:
            if not isinstance(thresholds, (list, tuple)) or not thresholds:
                raise InvalidValueError(f"AUC: thresholds must be a non-empty list of floats, received {thresholds!r}.")
            self.thresholds = sorted(number(t, "AUC", "each of thresholds", 0.0, 1.0) for t in thresholds)
            inner = np.array(self.thresholds)
        elif num_thresholds is not None:
            self.num_thresholds = number(num_thresholds, "AUC", "num_thresholds", 2, integral=True)
            inner = np.arange(1, self.num_thresholds - 1) / (self.num_thresholds - 1)
        self._grid = None if inner is None else _Grid(np.concatenate([[-EPSILON], inner, [1.0 + EPSILON]]))
        super().__init__(name)

    def reset_state(self) -> None:
        self.scores = np.zeros(0)  # sorted, distinct
        self.positives = np.zeros(0)  # positive weight at each score
        self.negatives = np.zeros(0)
        self._pending: list[tuple[Array, Array, Array]] = []
        if self._grid is not None:
            self._grid.reset_state()

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        y_true = super().check_targets(y_true, y_pred)
        self.check_binary_targets(y_true)
        return y_true

    def accumulate(self, y_true: Array, y_pred: Array, sample_weight: Array | None) -> None:
        if self.from_logits:
            y_pred = _numerics.sigmoid(y_pred.astype(np.float64))
        if self._grid is not None:  # scores outside [0, 1] count as 0 or 1, as in Keras
            self._grid.accumulate(y_true, np.clip(y_pred, 0.0, 1.0), sample_weight)
            return
        n = y_pred.shape[0]
        s = y_pred.reshape(n, -1).astype(np.float64)
        y = y_true.reshape(n, -1).astype(np.float64)
        w = np.ones((n, 1)) if sample_weight is None else sample_weight[:, None]
        self._pending.append((s.ravel(), (w * y).ravel(), (w * (1.0 - y)).ravel()))

    def _merge(self) -> None:
        """Fold the batches seen since the last ``result`` into the sorted, distinct scores (O(n + m log m))."""
        if not self._pending:
            return
        s, p, q = (np.concatenate(parts) for parts in zip(*self._pending, strict=True))
        self._pending = []
        s, where = np.unique(s, return_inverse=True)  # NaN sorts last
        p, q = np.bincount(where, p, len(s)), np.bincount(where, q, len(s))
        at = np.searchsorted(self.scores, s)
        old = at < len(self.scores)
        old[old] = self.scores[at[old]] == s[old]
        self.positives[at[old]] += p[old]  # s is distinct, so each index appears once
        self.negatives[at[old]] += q[old]
        new = ~old
        self.scores = np.insert(self.scores, at[new], s[new])
        self.positives = np.insert(self.positives, at[new], p[new])
        self.negatives = np.insert(self.negatives, at[new], q[new])

    def result(self) -> float:
        if self._grid is not None:
            g = self._grid
            return (
                math.nan
                if g._nan
                else self.area(g.true_positives, g.false_positives, g.true_negatives, g.false_negatives)
            )
        self._merge()
        if self.scores.size and math.isnan(self.scores[-1]):
            return math.nan
        if (self.curve, self.summation_method) != ("ROC", "interpolation"):  # every distinct score is a threshold
            p, q = self.positives, self.negatives
            above_p = np.append(np.cumsum(p[::-1])[::-1], 0.0)  # at thresholds -inf, s_0, s_1, ...
            above_q = np.append(np.cumsum(q[::-1])[::-1], 0.0)
            return self.area(above_p, above_q, np.append(0.0, np.cumsum(q)), np.append(0.0, np.cumsum(p)))
        total_p, total_q = float(self.positives.sum()), float(self.negatives.sum())
        if total_p == 0 or total_q == 0:
            return 0.0
        p, q = self.positives / total_p, self.negatives / total_q  # normalized first: tiny weights don't underflow
        above = np.zeros_like(p)  # positive weight at strictly higher scores
        above[:-1] = np.cumsum(p[::-1])[::-1][1:]
        return float((q * (above + 0.5 * p)).sum())

    def area(self, tp: Array, fp: Array, tn: Array, fn: Array) -> float:
        """The area under the curve through the counts at ascending thresholds (the formulas above)."""
        ratio = ThresholdCounts.ratio
        if self.curve == "PR" and self.summation_method == "interpolation":
            p = tp + fp
            dtp, dp = tp[:-1] - tp[1:], p[:-1] - p[1:]
            slope = ratio(dtp, np.maximum(dp, 0.0))
            intercept = tp[1:] - slope * p[1:]
            both = (p[:-1] > 0) & (p[1:] > 0)
            log_ratio = np.log(np.where(both, p[:-1], 1.0) / np.where(both, p[1:], 1.0))
            return float(ratio(slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0.0)).sum())
        recall = ratio(tp, tp + fn)
        x, y = (ratio(fp, fp + tn), recall) if self.curve == "ROC" else (recall, ratio(tp, tp + fp))
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        else:
            heights = (np.minimum if self.summation_method == "minoring" else np.maximum)(y[:-1], y[1:])
        return float(((x[:-1] - x[1:]) * heights).sum())

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
            "summation_method": self.summation_method, "thresholds": self.thresholds, "from_logits": self.from_logits,
        }  # fmt: skip
