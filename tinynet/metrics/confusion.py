"""Confusion-matrix metrics at thresholds: the four counts, Precision and Recall.

Every metric here takes probabilities and binary labels in ``[0, 1]`` of
``y_pred``'s shape, pools every element of every sample (as Keras does for
several outputs) and weighs each element by its sample's weight. A soft label
``y`` counts as ``y`` of a positive and ``1 - y`` of a negative. A prediction
is positive at threshold ``t`` when it is strictly above ``t``.

The counts at all ``T`` thresholds come from one pass, in O(n log T): each
score's bucket is the number of thresholds below it (``searchsorted``), the
weights are summed per bucket (``bincount``), and a cumulative sum gives, for
each threshold, the weight above it (positives) and at or below it (negatives).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import number
from ..errors import InvalidValueError, ShapeError
from ..registry import register
from .accuracy import nan_rows
from .base import Array, Metric

__all__ = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision", "Recall"]


def parse_thresholds(owner: str, thresholds: Any, default: float) -> tuple[Any, Array]:
    """``(the thresholds as the config stores them, as a float64 array)``: one float or a list, each in [0, 1]."""
    if thresholds is None:
        return None, np.array([default])
    if isinstance(thresholds, (list, tuple)):
        if not thresholds:
            raise InvalidValueError(f"{owner}: thresholds must not be an empty list.")
        values = [number(t, owner, "each of thresholds", 0.0, 1.0) for t in thresholds]
        return values, np.array(values)
    value = number(thresholds, owner, "thresholds", 0.0, 1.0, hint=" Pass a float, or a list of floats.")
    return value, np.array([value])


def check_class_id(owner: str, class_id: Any) -> int | None:
    return None if class_id is None else number(class_id, owner, "class_id", 0, integral=True)


class ThresholdCounts(Metric):
    """Weighted true/false positive/negative counts at each of a set of thresholds (float64 vectors).

    Subclasses set ``self.grid`` (the thresholds, any order) before calling
    ``super().__init__``, and may set ``top_k`` and ``class_id``:

    - ``top_k``: only the ``k`` highest scores of each row (the last axis)
      may be positive; the others count as negative at every threshold.
    - ``class_id``: only that column of the last axis is scored.
    """

    top_k: int | None = None
    class_id: int | None = None
    thresholds: Any = None  # as given: None, a float, or a list (then results are vectors)
    grid: Array

    def reset_state(self) -> None:
        size = len(self.grid)
        self.true_positives, self.false_positives = np.zeros(size), np.zeros(size)
        self.true_negatives, self.false_negatives = np.zeros(size), np.zeros(size)
        self._nan = False

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        y_true = super().check_targets(y_true, y_pred)
        self.check_binary_targets(y_true)
        if (self.top_k is not None or self.class_id is not None) and y_pred.ndim < 2:
            raise ShapeError(
                f"{self._label()}: top_k and class_id need y_pred of shape (N, classes); received {y_pred.shape}."
            )
        if self.class_id is not None and self.class_id >= y_pred.shape[-1]:
            raise InvalidValueError(
                f"{self._label()}: class_id={self.class_id} is out of range for {y_pred.shape[-1]} classes."
            )
        return y_true

    def accumulate(self, y_true: Array, y_pred: Array, sample_weight: Array | None) -> None:
        scores = y_pred.astype(np.float64)
        y = y_true.astype(np.float64)
        if self.top_k is not None:  # the rest of each row can never be positive
            keep = np.argsort(-scores, axis=-1, kind="stable")[..., : self.top_k]
            kept = np.full_like(scores, -np.inf)
            np.put_along_axis(kept, keep, np.take_along_axis(scores, keep, axis=-1), axis=-1)
            scores = kept
        if self.class_id is not None:
            scores, y = scores[..., self.class_id], y[..., self.class_id]
        n = scores.shape[0]
        scores, y = scores.reshape(n, -1), y.reshape(n, -1)
        w = np.ones((n, 1)) if sample_weight is None else sample_weight[:, None]
        order = np.argsort(self.grid, kind="stable")
        sorted_grid = self.grid[order]
        bucket = np.searchsorted(sorted_grid, scores.ravel(), side="left")  # how many thresholds are below
        size = len(sorted_grid)
        positives = np.bincount(bucket, (w * y).ravel(), size + 1)
        negatives = np.bincount(bucket, (w * (1.0 - y)).ravel(), size + 1)
        above_p, above_n = np.cumsum(positives[::-1])[::-1][1:], np.cumsum(negatives[::-1])[::-1][1:]
        below_p, below_n = np.cumsum(positives)[:-1], np.cumsum(negatives)[:-1]
        unsort = np.empty_like(order)
        unsort[order] = np.arange(size)
        self.true_positives += above_p[unsort]
        self.false_positives += above_n[unsort]
        self.false_negatives += below_p[unsort]
        self.true_negatives += below_n[unsort]
        self._nan = self._nan or nan_rows(y_pred) is not None

    @staticmethod
    def ratio(part: Array, whole: Array) -> Array:
        """``part / whole``, 0 where ``whole`` is 0 (Keras's ``divide_no_nan``)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(whole != 0, part / np.where(whole != 0, whole, 1.0), 0.0)

    def finish(self, values: Array) -> Any:
        """A Python float for one threshold, else the vector (in the order given); NaN once a NaN score was seen."""
        values = np.full_like(values, math.nan) if self._nan else values
        return values if isinstance(self.thresholds, list) else float(values[0])


class _Count(ThresholdCounts):
    def __init__(self, thresholds: Any = None, name: str | None = None) -> None:
        self.thresholds, self.grid = parse_thresholds(type(self).__name__, thresholds, 0.5)
        super().__init__(name)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.thresholds}


_COUNT_DOC = """The weighted number of {what}. Id ``"{id}"``.

    Math (y = y_true, hit = [y_pred > t], sums over every element of every sample)::

        {id} = sum(w * {formula})

    Parameters
    ----------
    thresholds : float or list of float, optional
        In [0, 1]; 0.5 by default. A list gives a vector, one count per threshold.
    name : str, optional
        ``"{id}"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = {cls}(thresholds=[0.3, 0.7])
    >>> m.update_state(np.array([1, 0, 1, 0]), np.array([[0.9], [0.5], [0.2], [0.1]]))
    >>> m.result()
    {example}
    """


@register
class TruePositives(_Count):
    __doc__ = _COUNT_DOC.format(
        what="positives predicted positive", id="true_positives", formula="y * hit", cls="TruePositives",
        example="array([1., 1.])",
    )  # fmt: skip

    def result(self) -> Any:
        return self.finish(self.true_positives.copy())


@register
class FalsePositives(_Count):
    __doc__ = _COUNT_DOC.format(
        what="negatives predicted positive", id="false_positives", formula="(1 - y) * hit", cls="FalsePositives",
        example="array([1., 0.])",
    )  # fmt: skip

    def result(self) -> Any:
        return self.finish(self.false_positives.copy())


@register
class TrueNegatives(_Count):
    __doc__ = _COUNT_DOC.format(
        what="negatives predicted negative", id="true_negatives", formula="(1 - y) * (1 - hit)", cls="TrueNegatives",
        example="array([1., 2.])",
    )  # fmt: skip

    def result(self) -> Any:
        return self.finish(self.true_negatives.copy())


@register
class FalseNegatives(_Count):
    __doc__ = _COUNT_DOC.format(
        what="positives predicted negative", id="false_negatives", formula="y * (1 - hit)", cls="FalseNegatives",
        example="array([1., 1.])",
    )  # fmt: skip

    def result(self) -> Any:
        return self.finish(self.false_negatives.copy())


class _PrecisionRecall(ThresholdCounts):
    def __init__(
        self, thresholds: Any = None, top_k: int | None = None, class_id: int | None = None, name: str | None = None
    ) -> None:
        owner = type(self).__name__
        self.top_k = None if top_k is None else number(top_k, owner, "top_k", 1, integral=True)
        self.class_id = check_class_id(owner, class_id)
        self.thresholds, self.grid = parse_thresholds(owner, thresholds, 0.5 if top_k is None else -math.inf)
        super().__init__(name)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.thresholds, "top_k": self.top_k, "class_id": self.class_id}


@register
class Precision(_PrecisionRecall):
    """The fraction of predicted positives that are positive. Id ``"precision"``.

    Math (y = y_true, hit = [y_pred > t], sums over every element of every sample)::

        true_positives  = sum(w * y * hit)
        false_positives = sum(w * (1 - y) * hit)
        precision = true_positives / (true_positives + false_positives)    (0.0 when that is 0)

    Parameters
    ----------
    thresholds : float or list of float, optional
        In [0, 1]; 0.5 by default (with ``top_k``: every top-k score is
        positive). A list gives a vector, one precision per threshold.
    top_k : int, optional
        Only the ``k`` highest scores of each row (last axis) can be positive.
    class_id : int, optional
        Score only this class (column of the last axis).
    name : str, optional
        ``"precision"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = Precision()
    >>> m.update_state(np.array([1, 0, 1, 0]), np.array([[0.9], [0.8], [0.3], [0.1]]))
    >>> m.result()  # one of the two predicted positives is right
    0.5
    >>> m = Precision(top_k=1)
    >>> m.update_state(np.array([[0, 1, 1], [1, 0, 0]]), np.array([[0.2, 0.5, 0.3], [0.1, 0.6, 0.3]]))
    >>> m.result()  # the top class is right in the first row only
    0.5
    """

    def result(self) -> Any:
        tp = self.true_positives
        return self.finish(self.ratio(tp, tp + self.false_positives))


@register
class Recall(_PrecisionRecall):
    """The fraction of positives predicted positive. Id ``"recall"``.

    Math (y = y_true, hit = [y_pred > t], sums over every element of every sample)::

        true_positives  = sum(w * y * hit)
        false_negatives = sum(w * y * (1 - hit))
        recall = true_positives / (true_positives + false_negatives)       (0.0 when that is 0)

    Parameters
    ----------
    thresholds, top_k, class_id, name
        As for :class:`Precision`; ``"recall"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = Recall()
    >>> m.update_state(np.array([1, 1, 1, 0]), np.array([[0.9], [0.8], [0.3], [0.7]]))
    >>> m.result()  # two of the three positives are found
    0.666...
    """

    def result(self) -> Any:
        tp = self.true_positives
        return self.finish(self.ratio(tp, tp + self.false_negatives))
