"""Regression losses: MeanSquaredError, MeanAbsoluteError, Huber, LogCosh, MeanAbsolutePercentageError,
MeanSquaredLogarithmicError."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _numerics
from .._validation import real
from ..loss import Array, Loss
from ..registry import register

__all__ = [
    "MeanSquaredError", "MeanAbsoluteError", "Huber", "LogCosh", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
]  # fmt: skip

EPSILON = 1e-7
LOG2 = float(np.log(2.0))


@register
class MeanSquaredError(Loss):
    """Mean of squared errors. Id ``"mse"``.

    Math (e = y_pred - y_true; scale = w_i / (N * M), M elements per sample)::

        forward    L = sum(e * e * scale)
        backward   dy_pred = 2 * e * scale

    Examples
    --------
    >>> import numpy as np
    >>> MeanSquaredError()(np.array([[1.0], [2.0]]), np.array([[1.5], [2.0]]))
    0.125
    """

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y_true, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        e = y_pred - y_true
        self.remember(e=e, scale=scale)
        return self.reduce(e * e, scale)

    def backward(self) -> Array:
        e, scale = self.recall("e", "scale")
        return 2.0 * e * scale


@register
class MeanAbsoluteError(Loss):
    """Mean of absolute errors. Id ``"mae"``.

    Math (e = y_pred - y_true)::

        forward    L = sum(|e| * scale)
        backward   dy_pred = sign(e) * scale      (0 at e = 0, the subgradient Keras and PyTorch use)

    Examples
    --------
    >>> import numpy as np
    >>> MeanAbsoluteError()(np.array([[1.0], [2.0]]), np.array([[1.5], [2.0]]))
    0.25
    """

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y_true, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        e = y_pred - y_true
        self.remember(e=e, scale=scale)
        return self.reduce(np.abs(e), scale)

    def backward(self) -> Array:
        e, scale = self.recall("e", "scale")
        return np.sign(e) * scale


@register
class Huber(Loss):
    """Quadratic for small errors, linear for large ones. Id ``"huber"``.

    Math (e = y_pred - y_true, a = |e|, d = delta)::

        forward    q = min(a, d)                  L = sum((q * q / 2 + d * (a - q)) * scale)
        backward   dy_pred = clip(e, -d, d) * scale

    The two pieces meet with equal slope at ``|e| = d``, so the gradient is
    continuous there.

    Parameters
    ----------
    delta : float
        Where the loss turns from quadratic to linear; 1.0 by default.

    Examples
    --------
    >>> import numpy as np
    >>> Huber()(np.array([[0.0], [0.0]]), np.array([[0.5], [3.0]]))
    1.3125
    """

    def __init__(self, delta: float = 1.0, name: str | None = None) -> None:
        super().__init__(name)
        self.delta = real(delta, "Huber", "delta", minimum=0.0, strict=True)

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y_true, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        e = y_pred - y_true
        a = np.abs(e)
        q = np.minimum(a, self.delta)
        self.remember(e=e, scale=scale)
        return self.reduce(0.5 * q * q + self.delta * (a - q), scale)

    def backward(self) -> Array:
        e, scale = self.recall("e", "scale")
        return np.clip(e, -self.delta, self.delta) * scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "delta": self.delta}


@register
class LogCosh(Loss):
    """Logarithm of the hyperbolic cosine of the error: ``e * e / 2`` near 0, ``|e| - log 2`` far. Id ``"log_cosh"``.

    Math (e = y_pred - y_true; scale = w_i / (N * M))::

        forward    L = sum((e + softplus(-2 * e) - log(2)) * scale)       (= log(cosh(e)), finite for any e)
        backward   dy_pred = tanh(e) * scale

    Examples
    --------
    >>> import numpy as np
    >>> round(LogCosh()(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [0.0, 0.0]])), 6)
    0.108445
    """

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y_true, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        e = y_pred - y_true
        self.remember(e=e, scale=scale)
        return self.reduce(e + _numerics.softplus(-2.0 * e) - LOG2, scale)

    def backward(self) -> Array:
        e, scale = self.recall("e", "scale")
        return np.tanh(e) * scale


@register
class MeanAbsolutePercentageError(Loss):
    """Mean absolute error as a percentage of the target. Ids ``"mean_absolute_percentage_error"``, ``"mape"``.

    Math (e = y_pred - y_true, d = max(|y_true|, eps), eps = 1e-7; scale = w_i / (N * M))::

        forward    L = sum(100 * |e| / d * scale)
        backward   dy_pred = 100 * sign(e) / d * scale      (0 at e = 0)

    Examples
    --------
    >>> import numpy as np
    >>> round(MeanAbsolutePercentageError()(np.array([100.0, 200.0, 300.0]), np.array([90.0, 210.0, 310.0])), 4)
    6.1111
    """

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y_true, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        e = y_pred - y_true
        d = np.maximum(np.abs(y_true), EPSILON)
        self.remember(e=e, d=d, scale=scale)
        return self.reduce(100.0 * np.abs(e) / d, scale)

    def backward(self) -> Array:
        e, d, scale = self.recall("e", "d", "scale")
        return 100.0 * np.sign(e) / d * scale


@register
class MeanSquaredLogarithmicError(Loss):
    """Mean squared error of ``log(1 + x)``. Ids ``"mean_squared_logarithmic_error"``, ``"msle"``.

    Math (a = max(y_pred, eps), b = max(y_true, eps), eps = 1e-7; scale = w_i / (N * M))::

        forward    e = log1p(a) - log1p(b)           L = sum(e * e * scale)
        backward   dy_pred = 2 * e / (1 + a) * [y_pred > eps] * scale

    Values at or below 0 count as ``eps``, as in Keras.

    Examples
    --------
    >>> import numpy as np
    >>> round(MeanSquaredLogarithmicError()(np.array([[np.e - 1.0]]), np.array([[0.0]])), 7)
    0.9999998
    """

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y_true, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        a = np.maximum(y_pred, EPSILON)
        e = np.log1p(a) - np.log1p(np.maximum(y_true, EPSILON))
        self.remember(a=a, e=e, inside=y_pred > EPSILON, scale=scale)
        return self.reduce(e * e, scale)

    def backward(self) -> Array:
        a, e, inside, scale = self.recall("a", "e", "inside", "scale")
        return 2.0 * e / (1.0 + a) * inside * scale
