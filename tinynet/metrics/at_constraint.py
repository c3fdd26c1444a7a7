"""The "X at Y" metrics: the best value of one rate over the thresholds where another reaches a given value.

``PrecisionAtRecall``, ``RecallAtPrecision``, ``SensitivityAtSpecificity`` and
``SpecificityAtSensitivity`` count on Keras's grid of evenly spaced thresholds,
with the counts, labels and weights of :class:`~tinynet.metrics.confusion.ThresholdCounts`
(see ``confusion.py``), then take the best of one rate where the other qualifies.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import number
from ..registry import register
from .base import Array
from .confusion import ThresholdCounts, check_class_id

__all__ = ["PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity"]


def even_thresholds(num_thresholds: int) -> Array:
    """Keras's grid: ``[0, 1/(T-1), 2/(T-1), ..., 1]`` (``[0.5]`` for one threshold)."""
    if num_thresholds == 1:
        return np.array([0.5])
    return np.concatenate([[0.0], np.arange(1, num_thresholds - 1) / (num_thresholds - 1), [1.0]])


class _AtConstraint(ThresholdCounts):
    """The best value of one rate over the thresholds where another rate reaches ``value`` (0.0 if none does)."""

    constraint: str  # the argument's name: "recall", "precision", "specificity", "sensitivity"

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None):
        owner = type(self).__name__
        setattr(self, self.constraint, number(value, owner, self.constraint, 0.0, 1.0))
        self.num_thresholds = number(num_thresholds, owner, "num_thresholds", 1, integral=True)
        self.class_id = check_class_id(owner, class_id)
        self.grid = even_thresholds(self.num_thresholds)
        super().__init__(name)

    def rates(self) -> dict[str, Array]:
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = self.ratio(tp, tp + fn)
        return {
            "recall": recall, "sensitivity": recall, "precision": self.ratio(tp, tp + fp),
            "specificity": self.ratio(tn, tn + fp),
        }  # fmt: skip

    def best(self, wanted: str) -> float:
        if self._nan:
            return math.nan
        rates = self.rates()
        feasible = rates[self.constraint] >= getattr(self, self.constraint)
        return float(np.where(feasible, rates[wanted], 0.0).max(initial=0.0))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), self.constraint: getattr(self, self.constraint),
            "num_thresholds": self.num_thresholds, "class_id": self.class_id,
        }  # fmt: skip


_AT_DOC = """The best {wanted} over the thresholds whose {constraint} is at least ``{constraint}``. Id ``"{id}"``.

    Math (T evenly spaced thresholds t in [0, 1]; counts as in :class:`Precision` and :class:`Recall`)::

        recall = sensitivity = tp / (tp + fn)     precision = tp / (tp + fp)     specificity = tn / (tn + fp)
        {id} = max({wanted}(t) over t with {constraint}(t) >= {constraint})      (0.0 if no t qualifies)

    Parameters
    ----------
    {constraint} : float
        In [0, 1].
    num_thresholds : int
        ``T``, 200 by default: thresholds ``[0, 1/(T-1), ..., 1]`` as in Keras (``[0.5]`` for 1).
    class_id : int, optional
        Score only this class (column of the last axis).
    name : str, optional
        ``"{id}"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = {cls}({constraint}={value})
    >>> m.update_state(np.array([0, 0, 0, 1, 1]), np.array([[0.0], [0.3], [0.8], [0.3], [0.9]]))
    >>> m.result()
    {example}
    """


@register
class PrecisionAtRecall(_AtConstraint):
    __doc__ = _AT_DOC.format(
        wanted="precision", constraint="recall", id="precision_at_recall", cls="PrecisionAtRecall", value=0.5,
        example="1.0",
    )  # fmt: skip
    constraint = "recall"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None):
        super().__init__(recall, num_thresholds, class_id, name)

    def result(self) -> float:
        return self.best("precision")


@register
class RecallAtPrecision(_AtConstraint):
    __doc__ = _AT_DOC.format(
        wanted="recall", constraint="precision", id="recall_at_precision", cls="RecallAtPrecision", value=0.8,
        example="0.5",
    )  # fmt: skip
    constraint = "precision"

    def __init__(
        self, precision: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None
    ) -> None:
        super().__init__(precision, num_thresholds, class_id, name)

    def result(self) -> float:
        return self.best("recall")


@register
class SensitivityAtSpecificity(_AtConstraint):
    __doc__ = _AT_DOC.format(
        wanted="sensitivity", constraint="specificity", id="sensitivity_at_specificity",
        cls="SensitivityAtSpecificity", value=0.6, example="0.5",
    )  # fmt: skip
    constraint = "specificity"

    def __init__(
        self, specificity: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None
    ) -> None:
        super().__init__(specificity, num_thresholds, class_id, name)

    def result(self) -> float:
        return self.best("sensitivity")


@register
class SpecificityAtSensitivity(_AtConstraint):
    __doc__ = _AT_DOC.format(
        wanted="specificity", constraint="sensitivity", id="specificity_at_sensitivity",
        cls="SpecificityAtSensitivity", value=1.0, example="0.333...",
    )  # fmt: skip
    constraint = "sensitivity"

    def __init__(
        self, sensitivity: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None
    ) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name)

    def result(self) -> float:
        return self.best("specificity")
