"""Probabilistic metrics: the per-sample means of the cross-entropies, the KL divergence and the Poisson loss.

Each is Keras's metric of the same name: the mean over the samples (weighted)
of the loss of each sample, computed here with the stable forms of
:mod:`tinynet._numerics`. On probabilities, ``y_pred`` is clipped to
``[eps, 1 - eps]`` (``eps = 1e-7``) as in Keras, so one confident mistake
gives a large, finite value.

They share their class names with Keras's losses, so they are not in the
global registry, whose keys are class names and belong to the losses;
``tinynet.metrics.get`` resolves their names and configs itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _numerics
from .._validation import boolean, number
from ..errors import ShapeError
from .base import Array, MeanMetric

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Poisson"]

EPSILON = 1e-7  # Keras's backend epsilon


class BinaryCrossentropy(MeanMetric):
    """Mean binary cross-entropy per sample. Ids ``"binary_crossentropy"``, ``"bce"``.

    Math (y = y_true * (1 - s) + s / 2 with s = label_smoothing; mean over each sample's elements)::

        from_logits=True, z = y_pred:      l = softplus(z) - y * z
        from_logits=False, p = clip(y_pred, eps, 1 - eps):
                                           l = -(y * log(p) + (1 - y) * log(1 - p))
        value_i = mean(l over sample i)        result = sum(w_i * value_i) / sum(w_i)

    Parameters
    ----------
    name : str
        ``"binary_crossentropy"`` by default.
    from_logits : bool
        ``y_pred`` holds logits rather than probabilities; False by default
        (``fit`` gives metrics probabilities).
    label_smoothing : float
        ``s`` in [0, 1]; 0 by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = BinaryCrossentropy()
    >>> m.update_state(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
    >>> m.result()  # log(2)
    0.693...
    """

    def __init__(self, name: str = "binary_crossentropy", from_logits: bool = False, label_smoothing: float = 0.0):
        self.from_logits = boolean(from_logits, type(self).__name__, "from_logits")
        self.label_smoothing = number(label_smoothing, type(self).__name__, "label_smoothing", 0.0, 1.0)
        super().__init__(name)

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        y_true = super().check_targets(y_true, y_pred)
        self.check_binary_targets(y_true)
        return y_true

    def values(self, y_true: Array, y_pred: Array) -> Array:
        s = self.label_smoothing
        y = y_true.astype(np.float64) * (1.0 - s) + 0.5 * s
        if self.from_logits:
            z = y_pred.astype(np.float64)
            return self.per_sample_mean(_numerics.softplus(z) - y * z)
        p = np.clip(y_pred.astype(np.float64), EPSILON, 1.0 - EPSILON)
        return self.per_sample_mean(-(y * np.log(p) + (1.0 - y) * np.log1p(-p)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


def _log_probabilities(y_pred: Array, from_logits: bool) -> Array:
    """``log(p)`` along the class axis: ``log_softmax`` of logits, or the log of renormalized, clipped probabilities."""
    z = y_pred.astype(np.float64)
    if from_logits:
        return _numerics.log_softmax(z, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):  # an all-zero row renormalizes to NaN, as in Keras
        q = z / z.sum(axis=-1, keepdims=True)
    return np.log(np.clip(q, EPSILON, 1.0 - EPSILON))


class CategoricalCrossentropy(MeanMetric):
    """Mean categorical cross-entropy per sample, one-hot targets. Id ``"categorical_crossentropy"``.

    Math (C classes on the last axis; y = y_true * (1 - s) + s / C with s = label_smoothing)::

        log_p = log_softmax(y_pred)                          (from_logits=True)
        log_p = log(clip(y_pred / sum(y_pred), eps, 1 - eps))   (probabilities, renormalized as in Keras)
        l = -sum(y * log_p)                                  (one value per row)
        value_i = mean(l over sample i's rows)       result = sum(w_i * value_i) / sum(w_i)

    Parameters
    ----------
    name : str
        ``"categorical_crossentropy"`` by default.
    from_logits : bool
        ``y_pred`` holds logits; False by default.
    label_smoothing : float
        ``s`` in [0, 1]; 0 by default.
    axis : int
        The class axis; only -1 (the last), as tinynet's losses.

    Examples
    --------
    >>> import numpy as np
    >>> m = CategoricalCrossentropy()
    >>> m.update_state(np.eye(3)[[0, 2]], np.array([[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]))
    >>> m.result()  # -log(0.5)
    0.693...
    """

    targets = "one_hot"

    def __init__(
        self, name: str = "categorical_crossentropy", from_logits: bool = False, label_smoothing: float = 0.0,
        axis: int = -1,
    ) -> None:  # fmt: skip
        self.from_logits = boolean(from_logits, type(self).__name__, "from_logits")
        self.label_smoothing = number(label_smoothing, type(self).__name__, "label_smoothing", 0.0, 1.0)
        self.axis = _last_axis(type(self).__name__, axis)
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        s = self.label_smoothing
        y = y_true.astype(np.float64) * (1.0 - s) + s / y_pred.shape[-1]
        return self.per_sample_mean(-(y * _log_probabilities(y_pred, self.from_logits)).sum(axis=-1))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }  # fmt: skip


class SparseCategoricalCrossentropy(MeanMetric):
    """Mean categorical cross-entropy per sample, integer labels. Id ``"sparse_categorical_crossentropy"``.

    Math (log_p as in :class:`CategoricalCrossentropy`)::

        l = -log_p[label]                    (one value per row)
        value_i = mean(l over sample i's rows)       result = sum(w_i * value_i) / sum(w_i)

    Parameters
    ----------
    name : str
        ``"sparse_categorical_crossentropy"`` by default.
    from_logits : bool
        ``y_pred`` holds logits; False by default.
    axis : int
        The class axis; only -1 (the last).

    Examples
    --------
    >>> import numpy as np
    >>> m = SparseCategoricalCrossentropy()
    >>> m.update_state(np.array([0, 2]), np.array([[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]))
    >>> m.result()
    0.693...
    """

    targets = "sparse"

    def __init__(self, name: str = "sparse_categorical_crossentropy", from_logits: bool = False, axis: int = -1):
        self.from_logits = boolean(from_logits, type(self).__name__, "from_logits")
        self.axis = _last_axis(type(self).__name__, axis)
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        log_p = _log_probabilities(y_pred, self.from_logits)
        return self.per_sample_mean(-np.take_along_axis(log_p, y_true[..., None], axis=-1)[..., 0])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits, "axis": self.axis}


def _last_axis(owner: str, axis: Any) -> int:
    axis = number(axis, owner, "axis", integral=True)
    if axis != -1:
        raise ShapeError(f"{owner}: only axis=-1 (the class axis last) is supported; received axis={axis}.")
    return int(axis)


class KLDivergence(MeanMetric):
    """Mean Kullback-Leibler divergence of ``y_pred`` from ``y_true`` per sample. Id ``"kl_divergence"``.

    Math (both clipped to [eps, 1] as in Keras; sums along the last axis)::

        t = clip(y_true, eps, 1)      p = clip(y_pred, eps, 1)
        l = sum(t * log(t / p))                    (one value per row)
        value_i = mean(l over sample i's rows)       result = sum(w_i * value_i) / sum(w_i)

    Examples
    --------
    >>> import numpy as np
    >>> m = KLDivergence()
    >>> m.update_state(np.array([[0.5, 0.5]]), np.array([[0.25, 0.75]]))
    >>> m.result()  # 0.5 * log(2) + 0.5 * log(2 / 3)
    0.143...
    """

    def __init__(self, name: str = "kl_divergence") -> None:
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        t = np.clip(y_true.astype(np.float64), EPSILON, 1.0)
        p = np.clip(y_pred.astype(np.float64), EPSILON, 1.0)
        return self.per_sample_mean((t * np.log(t / p)).sum(axis=-1, keepdims=True))


class Poisson(MeanMetric):
    """Mean Poisson loss per sample. Id ``"poisson"``.

    Math (eps = 1e-7 as in Keras; M elements per sample)::

        l = y_pred - y_true * log(y_pred + eps)
        value_i = sum(l over sample i) / M          result = sum(w_i * value_i) / sum(w_i)

    Examples
    --------
    >>> import numpy as np
    >>> m = Poisson()
    >>> m.update_state(np.array([[1.0, 0.0]]), np.array([[1.0, 2.0]]))
    >>> m.result()  # (1 - log(1 + 1e-7) + 2) / 2
    1.4999...
    """

    def __init__(self, name: str = "poisson") -> None:
        super().__init__(name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        p = y_pred.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):  # a negative rate is NaN, as in Keras
            return self.per_sample_mean(p - y_true * np.log(p + EPSILON))
