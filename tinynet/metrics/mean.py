"""``Mean`` and ``Sum`` of the values they are given (how a training step tracks its loss); ``MeanMetricWrapper``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_array
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..registry import register
from .base import Array, MeanMetric, Metric

__all__ = ["Mean", "Sum", "MeanMetricWrapper"]


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


@register
class Sum(Mean):
    """The weighted sum of every value passed to ``update_state`` since ``reset_state`` (Keras's ``Sum``).

    Math (w_i = 1 without weights; a scalar ``sample_weight`` weighs every value of the call)::

        result = sum(w_i * value_i)                   (0.0 before any update)

    Parameters
    ----------
    name : str
        The key the result is reported under; ``"sum"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> total = Sum()
    >>> total.update_state(np.array([1.0, 3.0, 5.0]), sample_weight=np.array([1.0, 0.0, 2.0]))
    >>> total.result()
    11.0
    """

    def result(self) -> float:
        return self.total


class MeanMetricWrapper(MeanMetric):
    """The weighted per-sample mean of a function ``fn(y_true, y_pred, **kwargs)`` (Keras's ``MeanMetricWrapper``).

    Math (v = fn(y_true, y_pred, **kwargs), one value per element; M of them per sample)::

        value_i = sum(v over sample i) / M
        result = sum(w_i * value_i) / sum(w_i)

    ``fn`` gets the checked arrays (``y_true`` of ``y_pred``'s shape, or
    ``(N,)`` against ``(N, 1)``) and returns an array whose first axis is the
    batch: ``(N,)``, or ``(N, ...)`` per element. A plain function given to
    ``compile(metrics=[...])`` is wrapped in one, named after the function.

    A wrapper around a function cannot be saved in a model file (the function
    is code); to save it, subclass ``MeanMetricWrapper`` with an ``__init__``
    that takes ``name`` (and your keyword arguments) and passes ``fn`` itself,
    and register the subclass with ``@tn.register``.

    Parameters
    ----------
    fn : callable
        ``fn(y_true, y_pred, **kwargs)``.
    name : str, optional
        ``fn.__name__`` by default.
    **kwargs
        Keyword arguments passed to ``fn`` at every update (JSON-ready, for ``get_config``).

    Examples
    --------
    >>> import numpy as np
    >>> def max_error(y_true, y_pred):
    ...     return np.abs(y_pred - y_true).max(axis=-1)
    >>> m = MeanMetricWrapper(max_error)
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.5, 3.0], [0.0, 1.0]]))
    >>> m.name, m.result()
    ('max_error', 1.5)
    """

    def __init__(self, fn: Any, name: str | None = None, **kwargs: Any) -> None:
        if not callable(fn) or isinstance(fn, type):
            raise InvalidTypeError(f"MeanMetricWrapper: fn must be a function, received {fn!r:.80}.")
        self.fn = fn
        self.fn_kwargs = kwargs
        super().__init__(getattr(fn, "__name__", None) if name is None else name)

    def values(self, y_true: Array, y_pred: Array) -> Array:
        values = np.asarray(self.fn(y_true, y_pred, **self.fn_kwargs), dtype=np.float64)
        if values.ndim == 0 or values.shape[0] != y_pred.shape[0]:
            raise ShapeError(
                f"{self._label()}: fn must return one value per sample (or per element), shape ({y_pred.shape[0]}, "
                f"...); received shape {values.shape}."
            )
        return self.per_sample_mean(values)

    def get_config(self) -> dict[str, Any]:
        if type(self) is MeanMetricWrapper:
            raise InvalidTypeError(
                f"{self._label()}: a MeanMetricWrapper around a function has no config (the function is code). "
                "Subclass MeanMetricWrapper, pass fn in its __init__ and register it with @tn.register."
            )
        return {**super().get_config(), **self.fn_kwargs}
