"""Regression metrics: the per-sample means of MSE, MAE, MAPE, MSLE, log-cosh and cosine similarity; RMSE.

Those that share their class names with Keras's losses (MeanSquaredError,
MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
CosineSimilarity) are not in the global registry, whose keys are class names
and belong to the losses; ``tinynet.metrics.get`` resolves their names and
configs itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _numerics
from .._validation import number
from ..errors import ShapeError
from ..registry import register
from .base import Array, MeanMetric

__all__ = [
    "MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "LogCoshError", "CosineSimilarity",
]  # fmt: skip

EPSILON = 1e-7  # Keras's backend epsilon, in the same places as Keras's formulas


class MeanSquaredError(MeanMetric):
    """Mean of squared errors, per sample, weighted. Ids ``"mse"``, ``"mean_squared_error"``.

    Math (e = y_pred - y_true in float64; M elements per sample)::

        value_i = sum(e * e over sample i) / M
        mse = sum(w_i * value_i) / sum(w_i)

    Shape: ``y_pred`` ``(N, ...)``; ``y_true`` the same, or ``(N,)`` for ``(N, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> m = MeanSquaredError()
    >>> m.update_state(np.array([[0.0, 1.0], [2.0, 2.0]]), np.array([[1.0, 1.0], [2.0, 4.0]]))
    >>> m.result()  # samples: (1 + 0) / 2 and (0 + 4) / 2
    1.25
    """

    def values(self, y_true: Array, y_pred: Array) -> Array:
        e = y_pred.astype(np.float64) - y_true.astype(np.float64)
        return self.per_sample_mean(e * e)


class MeanAbsoluteError(MeanMetric):
    """Mean of absolute errors, per sample, weighted. Ids ``"mae"``, ``"mean_absolute_error"``.

    Math (e = y_pred - y_true in float64; M elements per sample)::

        value_i = sum(|e| over sample i) / M
        mae = sum(w_i * value_i) / sum(w_i)

    Shape: ``y_pred`` ``(N, ...)``; ``y_true`` the same, or ``(N,)`` for ``(N, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> m = MeanAbsoluteError()
    >>> m.update_state(np.array([1.0, 2.0]), np.array([[1.5], [4.0]]), sample_weight=np.array([3.0, 1.0]))
    >>> m.result()  # (3 * 0.5 + 1 * 2) / 4
    0.875
    """

    def values(self, y_true: Array, y_pred: Array) -> Array:
        e = y_pred.astype(np.float64) - y_true.astype(np.float64)
        return self.per_sample_mean(np.abs(e))


@register
class RootMeanSquaredError(MeanMetric):
    """The square root of the weighted mean squared error. Id ``"root_mean_squared_error"``.

    Math (e = y_pred - y_true in float64; M elements per sample)::

        rmse = sqrt(sum(w_i * sum(e * e over sample i) / M) / sum(w_i))

    Examples
    --------
    >>> import numpy as np
    >>> m = RootMeanSquaredError()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [3.0, 4.0]]))
    >>> m.result()  # sqrt(((1 + 0) / 2 + (9 + 16) / 2) / 2)
    2.549...
    """

    def values(self, y_true: Array, y_pred: Array) -> Array:
        e = y_pred.astype(np.float64) - y_true.astype(np.float64)
        return self.per_sample_mean(e * e)

    def result(self) -> float:
        return math.sqrt(super().result())


class MeanAbsolutePercentageError(MeanMetric):
    """Mean absolute error relative to the target, in percent. Ids ``"mape"``, ``"mean_absolute_percentage_error"``.

    Math (eps = 1e-7, as in Keras; M elements per sample)::

        value_i = 100 * sum(|y_true - y_pred| / max(|y_true|, eps) over sample i) / M
        mape = sum(w_i * value_i) / sum(w_i)

    Examples
    --------
    >>> import numpy as np
    >>> m = MeanAbsolutePercentageError()
    >>> m.update_state(np.array([[2.0, 4.0]]), np.array([[1.0, 5.0]]))
    >>> m.result()  # 100 * (1/2 + 1/4) / 2
    37.5
    """

    def __init__(self, name: str = "mean_absolute_percentage_error") -> None:
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        y = y_true.astype(np.float64)
        return self.per_sample_mean(100.0 * np.abs(y - y_pred) / np.maximum(np.abs(y), EPSILON))


class MeanSquaredLogarithmicError(MeanMetric):
    """Mean squared difference of ``log(1 + y)``. Ids ``"msle"``, ``"mean_squared_logarithmic_error"``.

    Math (eps = 1e-7, as in Keras: values below it count as eps; M elements per sample)::

        d = log1p(max(y_pred, eps)) - log1p(max(y_true, eps))
        value_i = sum(d * d over sample i) / M
        msle = sum(w_i * value_i) / sum(w_i)

    Examples
    --------
    >>> import numpy as np
    >>> m = MeanSquaredLogarithmicError()
    >>> m.update_state(np.array([[np.e - 1.0]]), np.array([[0.0]]))
    >>> m.result()  # (log(1 + 1e-7) - 1) ** 2
    0.99999...
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error") -> None:
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        d = np.log1p(np.maximum(y_pred.astype(np.float64), EPSILON)) - np.log1p(np.maximum(y_true, EPSILON))
        return self.per_sample_mean(d * d)


@register
class LogCoshError(MeanMetric):
    """Mean of ``log(cosh(y_pred - y_true))``. Id ``"log_cosh_error"``; default name ``"logcosh"`` as in Keras.

    Math (e = y_pred - y_true, in the form that cannot overflow)::

        log(cosh(e)) = e + softplus(-2 e) - log(2)
        value_i = mean(log(cosh(e)) over sample i)
        logcosh = sum(w_i * value_i) / sum(w_i)

    Examples
    --------
    >>> import numpy as np
    >>> m = LogCoshError()
    >>> m.update_state(np.array([[0.0, 0.0]]), np.array([[1.0, 1000.0]]))
    >>> m.result()  # (log(cosh(1)) + 1000 - log(2)) / 2
    499.8...
    """

    def __init__(self, name: str = "logcosh") -> None:
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        e = y_pred.astype(np.float64) - y_true.astype(np.float64)
        return self.per_sample_mean(e + _numerics.softplus(-2.0 * e) - math.log(2.0))


class CosineSimilarity(MeanMetric):
    """Mean cosine of the angle between ``y_true`` and ``y_pred`` along ``axis``. Id ``"cosine_similarity"``.

    Math (sums along ``axis``; the 1e-12 floor, as in Keras, makes a zero vector's cosine 0)::

        cos = sum(y_true * y_pred) / (sqrt(max(sum(y_true ** 2), 1e-12)) * sqrt(max(sum(y_pred ** 2), 1e-12)))
        value_i = mean(cos over sample i's other axes)
        result = sum(w_i * value_i) / sum(w_i)

    Parameters
    ----------
    name : str
        ``"cosine_similarity"`` by default.
    axis : int
        The axis of the vectors; the last by default. Not the batch axis.

    Examples
    --------
    >>> import numpy as np
    >>> m = CosineSimilarity()
    >>> m.update_state(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [2.0, 2.0]]))
    >>> m.result()  # (0 + 1) / 2
    0.5
    """

    def __init__(self, name: str = "cosine_similarity", axis: int = -1) -> None:
        self.axis = number(axis, type(self).__name__, "axis", integral=True)
        if self.axis == 0:
            raise ShapeError(f"{type(self).__name__}: axis must not be 0, the batch axis; received axis=0.")
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        if not -y_pred.ndim < self.axis < y_pred.ndim:
            raise ShapeError(f"{self._label()}: axis={self.axis} is out of range for y_pred of shape {y_pred.shape}.")
        y, p = y_true.astype(np.float64), y_pred.astype(np.float64)
        norms = np.sqrt(np.maximum((y * y).sum(axis=self.axis), 1e-12) * np.maximum((p * p).sum(axis=self.axis), 1e-12))
        return self.per_sample_mean(np.atleast_1d((y * p).sum(axis=self.axis) / norms).reshape(len(p), -1))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
