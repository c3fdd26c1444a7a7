"""``Mean``: the weighted running mean of the values it is given — how a training step tracks its loss."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_array
from ..errors import InvalidValueError, ShapeError
from ..registry import register
from .base import Metric

__all__ = ["Mean"]


@register
class Mean(Metric):
    """The weighted mean of every value passed to ``update_state`` since ``reset_state`` (Keras's ``Mean``).

    Math (w_i = 1 without weights; a scalar ``sample_weight`` weighs every value of the call)::

        result = sum(w_i * value_i) / sum(w_i)        (0.0 while sum(w_i) == 0)

    ``fit`` keeps the epoch's loss in one (``model.loss_tracker``): each step
    adds its batch loss weighted by the batch size, so the epoch's figure is a
    per-sample average however the batches were cut. A custom ``train_step``
    can keep its own figures the same way.

    Parameters
    ----------
    name : str
        The key the result is reported under; ``"mean"`` by default.

    Examples
    --------
    >>> import tinynet as tn
    >>> tracker = tn.metrics.Mean(name="loss")
    >>> tracker.update_state(0.5, sample_weight=32)
    >>> tracker.update_state(2.0, sample_weight=8)
    >>> tracker.result()
    0.8
    """

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Add ``values`` (a number or an array), weighted by ``sample_weight`` (a number, or one per value)."""
        if isinstance(values, (float, int)) and not isinstance(values, bool) and sample_weight is None:
            self.total += float(values)
            self.count += 1.0
            return
        if isinstance(values, (float, int)) and isinstance(sample_weight, (float, int)) and sample_weight >= 0:
            self.total += float(values) * sample_weight
            self.count += float(sample_weight)
            return
        values = as_array(values, self._label(), "values").astype(np.float64)
        if sample_weight is None:
            weights = np.ones_like(values)
        else:
            weights = as_array(sample_weight, self._label(), "sample_weight").astype(np.float64)
            if weights.ndim and weights.shape != values.shape:
                raise ShapeError(
                    f"{self._label()}: sample_weight must be a number or have the shape of values {values.shape}, "
                    f"received shape {weights.shape}."
                )
            if not np.isfinite(weights).all() or (weights < 0).any():
                raise InvalidValueError(f"{self._label()}: sample_weight must be finite and >= 0.")
            weights = np.broadcast_to(weights, values.shape)
        self.total += float((values * weights).sum())
        self.count += float(weights.sum())

    def result(self) -> float:
        return self.total / self.count if self.count != 0 else 0.0

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0
