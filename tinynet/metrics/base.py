"""``Metric``: a running, sample-weighted summary of predictions; ``MeanMetric``: Keras's per-sample mean.

A metric is updated batch by batch (``update_state``), read at any time
(``result``) and emptied with ``reset_state``. It never sees logits: the
training loop gives it probabilities (or regression outputs), the form
``predict`` returns.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .._validation import as_array, check_finite, number, per_sample_weights
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..registry import register

__all__ = ["Metric", "MeanMetric"]

Array = np.ndarray


@register
class Metric:
    """Base class of the metrics in :mod:`tinynet.metrics`.

    Contract
    --------
    - ``update_state(y_true, y_pred, sample_weight=None)`` checks its arguments
      (raising before any state changes), then accumulates the batch.
    - ``result()`` returns a Python float summarizing everything seen since the
      last ``reset_state()``; ``0.0`` before the first update, as in Keras.
    - ``get_config()`` is JSON-ready and ``from_config(config)`` rebuilds the
      metric (empty: the state is not part of the config).

    Subclasses set ``targets`` to say which ``y_true`` they take, and write
    ``accumulate``, ``result`` and ``reset_state``:

    - ``"same"``: ``y_true`` of ``y_pred``'s shape, or ``(N,)`` against ``(N, 1)``
      (binary labels, regression targets);
    - ``"one_hot"``: ``y_true`` of exactly ``y_pred``'s shape (one-hot classes);
    - ``"sparse"``: integer labels of shape ``y_pred.shape[:-1]`` (or with a
      trailing 1), each in ``[0, classes)``.

    ``sample_weight`` holds one non-negative weight per sample, shape ``(N,)``
    or ``(N, 1)``. ``y_true`` and ``sample_weight`` must be finite; ``y_pred``
    may hold NaN (a diverged model), which makes ``result()`` NaN until
    ``reset_state`` — the logs show it and ``TerminateOnNaN`` can act on it.

    Parameters
    ----------
    name : str, optional
        The key of the metric in ``fit``'s history; by default the snake-case
        Keras id of the class (``BinaryAccuracy`` -> ``"binary_accuracy"``).
    """

    targets: str = "same"

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", type(self).__name__).lower()
        if not isinstance(name, str) or not name:
            raise InvalidTypeError(f"{type(self).__name__}: name must be a non-empty string, received {name!r}.")
        self.name = name
        self.reset_state()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def _label(self) -> str:
        return f"{type(self).__name__} {self.name!r}"

    # ------------------------------------------------------------------ the contract
    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Check the batch, then add it to the state. Nothing changes when a check fails."""
        y_true, y_pred, sample_weight = self.validate(y_true, y_pred, sample_weight)
        if y_pred.shape[0]:
            self.accumulate(y_true, y_pred, sample_weight)

    def accumulate(self, y_true: Array, y_pred: Array, sample_weight: Array | None) -> None:
        """Add one checked, non-empty batch to the state (``sample_weight`` is ``None`` or shape ``(N,)``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement accumulate() or update_state().")

    def result(self) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def reset_state(self) -> None:
        """Forget every batch seen. The base class holds no state."""

    # ------------------------------------------------------------------ checks
    def validate(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> tuple[Array, Array, Array | None]:
        """The arguments as arrays: ``y_pred`` float, ``y_true`` shaped per ``targets``, weights ``(N,)``."""
        where = self._label()
        y_pred = as_array(y_pred, where, "y_pred")
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(np.float64)
        y_true = as_array(y_true, where, "y_true")
        check_finite(y_true, where, "y_true")
        n = y_pred.shape[0]
        if y_true.shape[0] != n:
            raise ShapeError(
                f"{where}: y_true and y_pred must hold the same number of samples; received y_true of shape "
                f"{y_true.shape} ({y_true.shape[0]} samples) and y_pred of shape {y_pred.shape} ({n} samples)."
            )
        y_true = self.check_targets(y_true, y_pred)
        if sample_weight is not None:
            sample_weight = per_sample_weights(sample_weight, n, where, dtype=np.float64)
        return y_true, y_pred, sample_weight

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        """``y_true`` checked against ``y_pred`` per ``targets`` and reshaped to the form ``accumulate`` takes."""
        where = self._label()
        if self.targets == "same":
            if y_true.shape == y_pred.shape:
                return y_true
            if y_pred.shape[-1:] == (1,) and y_true.shape == y_pred.shape[:-1]:
                return y_true.reshape(y_pred.shape)
            raise ShapeError(
                f"{where}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; they must match "
                "(or y_true may drop y_pred's trailing axis of size 1)."
            )
        if y_pred.ndim < 2:
            raise ShapeError(
                f"{where}: y_pred must have a class axis last, shape (N, classes); received shape {y_pred.shape}."
            )
        if self.targets == "one_hot":
            if y_true.shape != y_pred.shape:
                raise ShapeError(
                    f"{where}: y_true must be one-hot of y_pred's shape {y_pred.shape}; received shape "
                    f"{y_true.shape}. For integer class labels use SparseCategoricalAccuracy."
                )
            return y_true
        classes = y_pred.shape[-1]
        if y_true.shape not in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,)):
            raise ShapeError(
                f"{where}: y_true must hold one integer label per sample, shape {y_pred.shape[:-1]}; received "
                f"shape {y_true.shape} against y_pred of shape {y_pred.shape}. For one-hot targets use "
                "CategoricalAccuracy."
            )
        if y_true.size:
            if y_true.dtype.kind == "f" and not (y_true == np.round(y_true)).all():
                raise InvalidValueError(f"{where}: y_true must hold integer class labels; received fractions.")
            if y_true.min() < 0 or y_true.max() >= classes:
                raise InvalidValueError(
                    f"{where}: labels must lie in [0, {classes}) for {classes} classes; received labels in "
                    f"[{y_true.min()}, {y_true.max()}]."
                )
        return y_true.reshape(y_pred.shape[:-1]).astype(np.intp)

    def check_binary_targets(self, y_true: Array) -> None:
        """Raise unless every ``y_true`` lies in ``[0, 1]`` (hard labels, or soft ones as the loss takes them)."""
        if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
            raise InvalidValueError(
                f"{self._label()}: y_true must be binary labels in [0, 1]; received values in "
                f"[{y_true.min()}, {y_true.max()}]."
            )

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)


def check_threshold(owner: str, what: str, value: Any) -> float:
    """``value`` as a finite Python float, or a clear error naming ``owner``."""
    return number(value, owner, what, hint=" For several thresholds make one metric per threshold.")


class MeanMetric(Metric):
    """A metric that is the weighted mean of one value per sample (Keras's ``MeanMetricWrapper``).

    Math (over every sample i seen since ``reset_state``; w_i = 1 without weights)::

        result = sum(w_i * value_i) / sum(w_i)        (0.0 while sum(w_i) == 0)

    Subclasses write ``values(y_true, y_pred)``, returning ``value_i`` as a
    float64 array of shape ``(N,)``. Both sums are kept in float64, so the
    result does not depend on how the data was cut into batches; they use
    numpy's pairwise sums rather than BLAS dot products, so it does not depend
    on the BLAS thread count either.
    """

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def values(self, y_true: Array, y_pred: Array) -> Array:
        raise NotImplementedError(f"{type(self).__name__} must implement values(y_true, y_pred).")

    def accumulate(self, y_true: Array, y_pred: Array, sample_weight: Array | None) -> None:
        value = self.values(y_true, y_pred)
        if sample_weight is None:
            self.total += float(value.sum())
            self.count += float(value.shape[0])
        else:
            # a sample of weight 0 is absent, even when its value is not a number (a row of zeros as probabilities)
            self.total += float(np.where(sample_weight == 0, 0.0, value * sample_weight).sum())
            self.count += float(sample_weight.sum())

    def result(self) -> float:
        return self.total / self.count if self.count != 0 else 0.0

    @staticmethod
    def per_sample_mean(elementwise: Array) -> Array:
        """The mean over every axis but the batch axis, in float64: one value per sample."""
        return elementwise.reshape(elementwise.shape[0], -1).mean(axis=1, dtype=np.float64)
