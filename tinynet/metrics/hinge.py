"""Hinge metrics: the per-sample means of the hinge, squared hinge and categorical hinge losses.

They share their class names with Keras's losses, so they are not in the
global registry, whose keys are class names and belong to the losses;
``tinynet.metrics.get`` resolves their names and configs itself.
"""

from __future__ import annotations

import numpy as np

from .base import Array, MeanMetric

__all__ = ["Hinge", "SquaredHinge", "CategoricalHinge"]


def signed_labels(y_true: Array) -> Array:
    """Labels in {-1, 1}: a batch whose labels are all 0 or 1 has its 0s made -1 (Keras's rule); else unchanged."""
    y = y_true.astype(np.float64)
    return 2.0 * y - 1.0 if ((y == 0.0) | (y == 1.0)).all() else y


class Hinge(MeanMetric):
    """Mean hinge loss per sample. Id ``"hinge"``.

    Math (y = y_true in {-1, 1}, or {0, 1} turned into {-1, 1}; M elements per sample)::

        value_i = sum(max(1 - y * y_pred, 0) over sample i) / M
        result = sum(w_i * value_i) / sum(w_i)

    Examples
    --------
    >>> import numpy as np
    >>> m = Hinge()
    >>> m.update_state(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    >>> m.result()  # (max(1 + 0.6, 0) + max(1 - 0.4, 0)) / 2
    1.1
    """

    def __init__(self, name: str = "hinge") -> None:
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        return self.per_sample_mean(np.maximum(1.0 - signed_labels(y_true) * y_pred, 0.0))


class SquaredHinge(MeanMetric):
    """Mean squared hinge loss per sample. Id ``"squared_hinge"``.

    Math (y as in :class:`Hinge`)::

        value_i = sum(max(1 - y * y_pred, 0) ** 2 over sample i) / M
        result = sum(w_i * value_i) / sum(w_i)

    Examples
    --------
    >>> import numpy as np
    >>> m = SquaredHinge()
    >>> m.update_state(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    >>> m.result()  # (1.6 ** 2 + 0.6 ** 2) / 2
    1.46
    """

    def __init__(self, name: str = "squared_hinge") -> None:
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        h = np.maximum(1.0 - signed_labels(y_true) * y_pred, 0.0)
        return self.per_sample_mean(h * h)


class CategoricalHinge(MeanMetric):
    """Mean categorical hinge loss per sample, one-hot targets. Id ``"categorical_hinge"``.

    Math (sums and max along the class axis, last)::

        pos = sum(y_true * y_pred)      neg = max((1 - y_true) * y_pred)
        l = max(neg - pos + 1, 0)                  (one value per row)
        value_i = mean(l over sample i's rows)       result = sum(w_i * value_i) / sum(w_i)

    Examples
    --------
    >>> import numpy as np
    >>> m = CategoricalHinge()
    >>> m.update_state(np.eye(3)[[0, 1]], np.array([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2]]))
    >>> m.result()  # (max(0.2 - 0.7 + 1, 0) + max(0.5 - 0.3 + 1, 0)) / 2
    0.85
    """

    targets = "one_hot"

    def __init__(self, name: str = "categorical_hinge") -> None:
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        y, p = y_true.astype(np.float64), y_pred.astype(np.float64)
        pos = (y * p).sum(axis=-1)
        neg = ((1.0 - y) * p).max(axis=-1)
        return self.per_sample_mean(np.maximum(neg - pos + 1.0, 0.0))
