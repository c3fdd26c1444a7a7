"""Hinge losses, for maximum-margin classifiers: Hinge, SquaredHinge, CategoricalHinge.

``y_pred`` holds raw scores. Hinge and SquaredHinge take labels of -1 and 1;
as in Keras, when every label of a call is 0 or 1 they are read as binary and
mapped to -1 and 1 (``y = 2 * y_true - 1``). CategoricalHinge takes one-hot
rows. The losses are piecewise linear (or quadratic): at a margin of exactly
1 ``backward`` takes the flat side's slope, 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..loss import Array, Loss
from ..registry import register

__all__ = ["Hinge", "SquaredHinge", "CategoricalHinge"]


def signed_labels(y: Array) -> Array:
    """``2 * y - 1`` when every label is 0 or 1, else ``y`` unchanged: Keras's reading of hinge labels."""
    return 2.0 * y - 1.0 if ((y == 0) | (y == 1)).all() else y


@register
class Hinge(Loss):
    """Hinge loss. Id ``"hinge"``.

    Math (y = signed_labels(y_true), e = 1 - y * y_pred; scale = w_i / (N * M))::

        forward    L = sum(max(e, 0) * scale)
        backward   dy_pred = -y * [e > 0] * scale

    Examples
    --------
    >>> import numpy as np
    >>> Hinge()(np.array([[0.0, 1.0]]), np.array([[0.5, 2.0]]))
    0.75
    """

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        y = signed_labels(y)
        e = 1.0 - y * y_pred
        self.remember(y=y, e=e, scale=scale)
        return self.reduce(np.maximum(e, 0.0), scale)

    def backward(self) -> Array:
        y, e, scale = self.recall("y", "e", "scale")
        return -y * (e > 0) * scale


@register
class SquaredHinge(Loss):
    """Squared hinge loss. Id ``"squared_hinge"``.

    Math (y = signed_labels(y_true), e = 1 - y * y_pred; scale = w_i / (N * M))::

        forward    h = max(e, 0)                   L = sum(h * h * scale)
        backward   dy_pred = -2 * y * h * scale

    Examples
    --------
    >>> import numpy as np
    >>> SquaredHinge()(np.array([[0.0, 1.0]]), np.array([[0.5, 2.0]]))
    1.125
    """

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        y = signed_labels(y)
        h = np.maximum(1.0 - y * y_pred, 0.0)
        self.remember(y=y, h=h, scale=scale)
        return self.reduce(h * h, scale)

    def backward(self) -> Array:
        y, h, scale = self.recall("y", "h", "scale")
        return -2.0 * y * h * scale


@register
class CategoricalHinge(Loss):
    """Multi-class hinge loss against one-hot rows. Id ``"categorical_hinge"``.

    Math (y = y_true; along the class axis; scale = w_i / (N * M))::

        forward    pos = sum(y * y_pred)           neg = max((1 - y) * y_pred)
                   e = neg - pos + 1               L = sum(max(e, 0) * scale)
        backward   k = argmax((1 - y) * y_pred)    (the first, on ties)
                   dy_pred = ((1 - y) * one_hot(k) - y) * [e > 0] * scale

    As in Keras the true class takes part in ``neg`` with the value 0, so when
    every other score is negative ``neg`` is 0.

    Examples
    --------
    >>> import numpy as np
    >>> CategoricalHinge()(np.array([[0.0, 1.0, 0.0]]), np.array([[0.5, 1.0, -2.0]]))
    0.5
    """

    sums_last_axis = True

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        if y_true.shape != y_pred.shape:
            raise ShapeError(
                f"{self._label()}: y_true must be one-hot of y_pred's shape {y_pred.shape}; received shape "
                f"{y_true.shape}."
            )

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        others = (1.0 - y) * y_pred
        k = others.argmax(axis=-1)[..., None]
        neg = np.take_along_axis(others, k, axis=-1)
        e = neg - (y * y_pred).sum(axis=-1, keepdims=True) + 1.0
        self.remember(y=y, k=k, e=e, scale=scale)
        return self.reduce(np.maximum(e, 0.0), scale)

    def backward(self) -> Array:
        y, k, e, scale = self.recall("y", "k", "e", "scale")
        dneg = np.zeros_like(y)
        np.put_along_axis(dneg, k, 1.0, axis=-1)
        return ((1.0 - y) * dneg - y) * (e > 0) * scale
