"""Probabilistic losses: KLDivergence, Poisson, CategoricalGeneralizedCrossEntropy.

Each computes Keras's formula, including its ``eps = 1e-7`` guards, so the
values agree with Keras's wherever both are computed in the same precision.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..errors import InvalidValueError, ShapeError
from ..loss import Array, Loss
from ..registry import register
from .crossentropy import EPSILON, check_class_labels, one_hot_like

__all__ = ["KLDivergence", "Poisson", "CategoricalGeneralizedCrossEntropy"]


@register
class KLDivergence(Loss):
    """Kullback-Leibler divergence of ``y_pred`` from ``y_true``. Ids ``"kl_divergence"``, ``"kld"``.

    Math (t = clip(y_true, eps, 1), p = clip(y_pred, eps, 1), eps = 1e-7; sums along the last
    axis; scale = w_i / (N * M))::

        forward    L = sum(sum(t * (log(t) - log(p))) * scale)
        backward   dy_pred = -t / p * [eps < y_pred <= 1] * scale

    Both arguments are clipped to ``[eps, 1]`` as in Keras, so a zero in
    ``y_true`` contributes ``eps * log(eps / p)``, not exactly 0 (PyTorch's
    ``KLDivLoss`` gives 0 there); the gradient is zero where the clip is active.

    Examples
    --------
    >>> import numpy as np
    >>> round(KLDivergence()(np.array([[0.5, 0.5]]), np.array([[0.25, 0.75]])), 6)
    0.143841
    """

    sums_last_axis = True

    def __init__(self, name: str | None = "kl_divergence") -> None:
        super().__init__(name)

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        if y_true.shape != y_pred.shape:
            raise ShapeError(
                f"{self._label()}: y_true must be distributions of y_pred's shape {y_pred.shape}; received shape "
                f"{y_true.shape}."
            )

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        t = np.clip(y, EPSILON, 1.0)
        p = np.clip(y_pred, EPSILON, 1.0)
        self.remember(t=t, p=p, inside=p == y_pred, scale=scale)
        return self.reduce((t * (np.log(t) - np.log(p))).sum(axis=-1, keepdims=True), scale)

    def backward(self) -> Array:
        t, p, inside, scale = self.recall("t", "p", "inside", "scale")
        return -t / p * inside * scale


@register
class Poisson(Loss):
    """Poisson negative log-likelihood (up to a constant) of counts ``y_true`` at rates ``y_pred``. Id ``"poisson"``.

    Math (y = y_true, p = y_pred >= 0, eps = 1e-7; scale = w_i / (N * M))::

        forward    L = sum((p - y * log(p + eps)) * scale)
        backward   dy_pred = (1 - y / (p + eps)) * scale

    PyTorch's ``PoissonNLLLoss(log_input=False, eps=1e-7)`` is the same function.

    Examples
    --------
    >>> import numpy as np
    >>> round(Poisson()(np.array([[2.0]]), np.array([[1.0]])), 7)
    0.9999998
    """

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        super().check_targets(y_true, y_pred)
        if y_pred.size and y_pred.min() < 0:
            raise InvalidValueError(
                f"{self._label()}: y_pred must be rates >= 0; received a minimum of {y_pred.min()}. For "
                "unbounded outputs give the last layer activation='softplus' or 'exponential'."
            )

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, p, scale = self.prepare(y_true, y_pred, sample_weight)
        shifted = p + EPSILON
        self.remember(y=y, shifted=shifted, scale=scale)
        return self.reduce(p - y * np.log(shifted), scale)

    def backward(self) -> Array:
        y, shifted, scale = self.recall("y", "shifted", "scale")
        return (1.0 - y / shifted) * scale


@register
class CategoricalGeneralizedCrossEntropy(Loss):
    """Generalized cross-entropy (Zhang & Sabuncu, 2018), robust to noisy labels. Id
    ``"categorical_generalized_cross_entropy"``.

    ``y_true`` holds integer class labels (as for SparseCategoricalCrossentropy),
    ``y_pred`` probabilities.

    Math (y = one_hot(y_true); p = sum(y * y_pred), the probability of the true class;
    scale = w_i / (N * M))::

        forward    L = sum((1 - p ** q) / q * scale)
        backward   dy_pred = -y * max(p, eps) ** (q - 1) * scale

    Near ``q = 0`` it approaches the cross-entropy, at ``q = 1`` the mean absolute
    error. The slope is infinite at ``p = 0``; ``backward`` uses ``p`` clipped at
    ``eps = 1e-7`` in the slope only, so it stays finite.

    Parameters
    ----------
    q : float
        In (0, 1); 0.5 by default.

    Examples
    --------
    >>> import numpy as np
    >>> CategoricalGeneralizedCrossEntropy(q=0.5)(np.array([1]), np.array([[0.75, 0.25]]))
    1.0
    """

    sums_last_axis = True
    y_true_kind = "class_index"

    def __init__(self, q: float = 0.5, name: str | None = None) -> None:
        super().__init__(name)
        self.q = number(q, "CategoricalGeneralizedCrossEntropy", "q", 0.0, 1.0, low_open=True, high_open=True)

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        check_class_labels(self, y_true, y_pred)
        if y_pred.size and (y_pred.min() < 0 or y_pred.max() > 1):
            raise InvalidValueError(
                f"{self._label()}: y_pred must be probabilities in [0, 1]; received values in "
                f"[{y_pred.min()}, {y_pred.max()}]."
            )

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(one_hot_like(y_true, y_pred), y_pred, sample_weight)
        p = (y * y_pred).sum(axis=-1, keepdims=True)
        self.remember(y=y, p=p, scale=scale)
        return self.reduce((1.0 - p**self.q) / self.q, scale)

    def backward(self) -> Array:
        y, p, scale = self.recall("y", "p", "scale")
        return -y * np.maximum(p, EPSILON) ** (self.q - 1.0) * scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "q": self.q}
