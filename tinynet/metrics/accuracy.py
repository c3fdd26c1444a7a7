"""Accuracy metrics: Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, AutoAccuracy, top-k.

Each is a per-sample weighted mean (:class:`~tinynet.metrics.base.MeanMetric`):
a sample's value is the fraction of its predictions that are right (1 or 0
for one output), and ``result = sum(w * value) / sum(w)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_array, boolean, number
from ..errors import InvalidValueError, ShapeError
from ..registry import register
from .base import Array, MeanMetric, Metric, check_threshold

__all__ = [
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "AutoAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
]  # fmt: skip


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


@register
class Accuracy(MeanMetric):
    """How often ``y_pred`` equals ``y_true`` exactly (Keras's ``Accuracy``). Id ``"Accuracy"`` (class name only).

    Math (one value per element)::

        correct = [y_pred == y_true]
        accuracy = sum(w_i * mean(correct over sample i)) / sum(w_i)

    For predicted labels (integers, or thresholded outputs); for
    probabilities use :class:`BinaryAccuracy` or :class:`CategoricalAccuracy`.
    The string ``"accuracy"`` in ``compile`` means the accuracy that fits the
    loss (see :func:`tinynet.metrics.get`), as in Keras.

    Shape: ``y_pred`` ``(N, ...)``; ``y_true`` the same, or ``(N,)`` for ``(N, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> m = Accuracy()
    >>> m.update_state(np.array([[1], [2], [3], [4]]), np.array([[0], [2], [3], [4]]))
    >>> m.result()
    0.75
    """

    def values(self, y_true: Array, y_pred: Array) -> Array:
        return self.per_sample_mean(poisoned(y_pred == y_true, nan_rows(y_pred)))


def in_top_k(scores: Array, labels: Array, k: int) -> Array:
    """``[label among the k highest scores]`` per row, ties counted in (rank = 1 + number of strictly higher scores)."""
    at_label = np.take_along_axis(scores, labels[..., None], axis=-1)
    return (scores > at_label).sum(axis=-1) < k


@register
class TopKCategoricalAccuracy(MeanMetric):
    """How often the one-hot target's class is among the ``k`` most probable. Id ``"top_k_categorical_accuracy"``.

    Math (label = argmax(y_true); the class axis is last)::

        rank = 1 + sum([y_pred > y_pred[label]])     (classes tied with the label's score do not push it out)
        correct = [rank <= k]
        accuracy = sum(w_i * mean(correct over sample i)) / sum(w_i)

    Shape: ``y_pred`` and ``y_true`` ``(N, ..., classes)``.

    Parameters
    ----------
    k : int
        How many of the top classes count; 5 by default.
    name : str
        ``"top_k_categorical_accuracy"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = TopKCategoricalAccuracy(k=2)
    >>> m.update_state(np.eye(3)[[2, 0]], np.array([[0.1, 0.5, 0.4], [0.05, 0.8, 0.15]]))
    >>> m.result()  # class 2 is second in the first sample; class 0 is last in the second
    0.5
    """

    targets = "one_hot"

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy") -> None:
        self.k = number(k, type(self).__name__, "k", 1, integral=True)
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        correct = in_top_k(y_pred, np.argmax(y_true, axis=-1), self.k)
        return self.per_sample_mean(poisoned(correct, nan_rows(y_pred, axis=-1)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "k": self.k}


@register
class SparseTopKCategoricalAccuracy(MeanMetric):
    """How often the integer label is among the ``k`` most probable classes. Id ``"sparse_top_k_categorical_accuracy"``.

    Math (the class axis is last)::

        rank = 1 + sum([y_pred > y_pred[label]])      correct = [rank <= k]
        accuracy = sum(w_i * mean(correct over sample i)) / sum(w_i)

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted from the
    most to the least probable, and ``correct = [label in y_pred[..., :k]]``.

    Shape: ``y_pred`` ``(N, ..., classes)`` (or ``(N, ..., ids)``); ``y_true``
    integer labels ``(N, ...)`` (or with a trailing 1).

    Parameters
    ----------
    k : int
        How many of the top classes count; 5 by default.
    name : str
        ``"sparse_top_k_categorical_accuracy"`` by default.
    from_sorted_ids : bool
        ``y_pred`` holds sorted class ids rather than scores; False by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = SparseTopKCategoricalAccuracy(k=2)
    >>> m.update_state(np.array([2, 0]), np.array([[0.1, 0.5, 0.4], [0.05, 0.8, 0.15]]))
    >>> m.result()
    0.5
    """

    targets = "sparse"

    def __init__(
        self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", from_sorted_ids: bool = False
    ) -> None:
        self.k = number(k, type(self).__name__, "k", 1, integral=True)
        self.from_sorted_ids = boolean(from_sorted_ids, type(self).__name__, "from_sorted_ids")
        super().__init__(name)

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        if not self.from_sorted_ids:
            return super().check_targets(y_true, y_pred)
        where = self._label()
        if y_pred.ndim < 2 or y_true.shape not in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,)):
            raise ShapeError(
                f"{where}: with from_sorted_ids, y_pred must hold sorted class ids on its last axis and y_true one "
                f"label per row, shape {y_pred.shape[:-1]}; received y_true {y_true.shape}, y_pred {y_pred.shape}."
            )
        if y_true.dtype.kind == "f" and not (y_true == np.round(y_true)).all():
            raise InvalidValueError(f"{where}: y_true must hold integer class labels; received fractions.")
        return y_true.reshape(y_pred.shape[:-1])

    def values(self, y_true: Array, y_pred: Array) -> Array:
        if self.from_sorted_ids:
            correct = (y_pred[..., : self.k] == y_true[..., None]).any(axis=-1)
        else:
            correct = in_top_k(y_pred, y_true, self.k)
        return self.per_sample_mean(poisoned(correct, nan_rows(y_pred, axis=-1)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "k": self.k, "from_sorted_ids": self.from_sorted_ids}
