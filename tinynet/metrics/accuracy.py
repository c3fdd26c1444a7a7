"""Accuracy metrics: BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, and AutoAccuracy.

Each is a per-sample weighted mean (:class:`~tinynet.metrics.base.MeanMetric`):
a sample's value is the fraction of its predictions that are right (1 or 0
for one output), and ``result = sum(w * value) / sum(w)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_array
from ..registry import register
from .base import Array, MeanMetric, Metric, check_threshold

__all__ = ["BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "AutoAccuracy"]


def nan_rows(y_pred: Array, axis: int | None = None) -> Array | None:
    """Where ``y_pred`` is NaN (any along ``axis``), or ``None`` when it holds no NaN (one sum decides)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(y_pred.sum()):
            return None
    mask = np.isnan(y_pred)
    if axis is not None:
        mask = mask.any(axis=axis)
    return mask if mask.any() else None


def poisoned(correct: Array, mask: Array | None) -> Array:
    """``correct`` as float64, NaN where the prediction was NaN (so the result shows a diverged model)."""
    correct = correct.astype(np.float64)
    if mask is not None:
        correct[mask] = np.nan
    return correct


@register
class BinaryAccuracy(MeanMetric):
    """How often a thresholded probability matches its binary label. Id ``"binary_accuracy"``.

    Math (y = y_true in [0, 1], hit = [y_pred > threshold], one value per element)::

        correct = y * hit + (1 - y) * (1 - hit)       ([hit == y] for 0/1 labels)
        value_i = mean(correct over sample i's elements)
        accuracy = sum(w_i * value_i) / sum(w_i)

    A soft label ``y`` counts as ``y`` of a positive and ``1 - y`` of a
    negative (Keras compares ``hit == y`` and so scores soft labels as wrong).

    Shape: ``y_pred`` ``(N, ...)``; ``y_true`` the same, or ``(N,)`` for ``(N, 1)``.

    Parameters
    ----------
    threshold : float
        A prediction above it counts as positive; 0.5 by default.
    name : str, optional
        ``"binary_accuracy"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = BinaryAccuracy()
    >>> m.update_state(np.array([1, 0, 1, 0]), np.array([[0.9], [0.2], [0.4], [0.6]]))
    >>> m.result()
    0.5
    >>> m.update_state(np.array([1]), np.array([[0.7]]), sample_weight=np.array([2.0]))
    >>> m.result()  # (2 + 2 * 1) / (4 + 2)
    0.666...
    """

    def __init__(self, threshold: float = 0.5, name: str | None = None) -> None:
        self.threshold = check_threshold(type(self).__name__, "threshold", threshold)
        super().__init__(name)

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        y_true = super().check_targets(y_true, y_pred)
        self.check_binary_targets(y_true)
        return y_true

    def values(self, y_true: Array, y_pred: Array) -> Array:
        hit = y_pred > self.threshold
        y = y_true.astype(np.float64, copy=False)
        correct = np.where(hit, y, 1.0 - y)
        return self.per_sample_mean(poisoned(correct, nan_rows(y_pred)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "threshold": self.threshold}


@register
class CategoricalAccuracy(MeanMetric):
    """How often the most probable class is the one-hot target's class. Id ``"categorical_accuracy"``.

    Math (the class axis is last; ties go to the first maximum, as in Keras)::

        correct = [argmax(y_pred) == argmax(y_true)]
        accuracy = sum(w_i * mean(correct over sample i)) / sum(w_i)

    Shape: ``y_pred`` and ``y_true`` ``(N, ..., classes)``; a sample with
    positions (``(N, T, classes)``) scores the fraction of its positions right.

    Examples
    --------
    >>> import numpy as np
    >>> m = CategoricalAccuracy()
    >>> m.update_state(np.eye(3)[[0, 1, 2]], np.array([[0.8, 0.1, 0.1], [0.5, 0.3, 0.2], [0.1, 0.2, 0.7]]))
    >>> m.result()
    0.666...
    """

    targets = "one_hot"

    def values(self, y_true: Array, y_pred: Array) -> Array:
        correct = np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)
        return self.per_sample_mean(poisoned(correct, nan_rows(y_pred, axis=-1)))


@register
class SparseCategoricalAccuracy(MeanMetric):
    """How often the most probable class is the integer label. Id ``"sparse_categorical_accuracy"``.

    Math (the class axis is last; ties go to the first maximum)::

        correct = [argmax(y_pred) == label]
        accuracy = sum(w_i * mean(correct over sample i)) / sum(w_i)

    Shape: ``y_pred`` ``(N, ..., classes)``; ``y_true`` integer labels
    ``(N, ...)`` (or with a trailing 1), each in ``[0, classes)``.

    Examples
    --------
    >>> import numpy as np
    >>> m = SparseCategoricalAccuracy()
    >>> m.update_state(np.array([0, 1, 2]), np.array([[0.8, 0.1, 0.1], [0.5, 0.3, 0.2], [0.1, 0.2, 0.7]]))
    >>> m.result()
    0.666...
    """

    targets = "sparse"

    def values(self, y_true: Array, y_pred: Array) -> Array:
        correct = np.argmax(y_pred, axis=-1) == y_true
        return self.per_sample_mean(poisoned(correct, nan_rows(y_pred, axis=-1)))


@register
class AutoAccuracy(Metric):
    """``"accuracy"`` without a cross-entropy loss: the form is chosen from the shapes of the first batch.

    Keras's rule (``keras.metrics.get_metric``), applied at the first
    ``update_state`` after construction or ``reset_state``:

    - ``y_pred`` of shape ``(N,)`` or ``(..., 1)``: :class:`BinaryAccuracy`;
    - else ``y_true`` of lower rank than ``y_pred``, or ending in 1:
      :class:`SparseCategoricalAccuracy`;
    - else :class:`CategoricalAccuracy`.

    The chosen metric keeps this one's name; later batches must fit it.

    Examples
    --------
    >>> import numpy as np
    >>> m = AutoAccuracy()
    >>> m.update_state(np.array([2, 0]), np.array([[0.1, 0.2, 0.7], [0.3, 0.6, 0.1]]))
    >>> m.metric, m.result()
    (<SparseCategoricalAccuracy 'accuracy'>, 0.5)
    """

    def __init__(self, name: str | None = None) -> None:
        super().__init__("accuracy" if name is None else name)

    def reset_state(self) -> None:
        self.metric: Metric | None = None

    def choose(self, y_true: Any, y_pred: Any) -> Metric:
        """A new, empty accuracy metric of the form the shapes of ``y_true`` and ``y_pred`` call for."""
        y_true = as_array(y_true, self._label(), "y_true")
        y_pred = as_array(y_pred, self._label(), "y_pred")
        if y_pred.ndim == 1 or y_pred.shape[-1] == 1:
            return BinaryAccuracy(name=self.name)
        if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
            return SparseCategoricalAccuracy(name=self.name)
        return CategoricalAccuracy(name=self.name)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        metric = self.metric if self.metric is not None else self.choose(y_true, y_pred)
        metric.update_state(y_true, y_pred, sample_weight)  # raises before any state changes
        self.metric = metric

    def result(self) -> float:
        return self.metric.result() if self.metric is not None else 0.0
