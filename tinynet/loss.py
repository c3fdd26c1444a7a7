"""``Loss``: a scalar objective with its own ``forward`` and ``backward``."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ._memory import Memory
from ._validation import as_array, check_finite, per_sample_weights
from .errors import ShapeError

__all__ = ["Loss"]

Array = np.ndarray


class Loss(Memory):
    """Base class of the losses in :mod:`tinynet.losses`.

    Contract
    --------
    - ``forward(y_true, y_pred, sample_weight=None)`` (Keras's argument order)
      returns a Python float: ``sum_i w_i * l_i / N``, the per-sample loss
      ``l_i`` weighted by ``sample_weight`` (ones when omitted) and divided by
      the batch size ``N`` — Keras's ``"sum_over_batch_size"``. A per-sample
      loss is the mean over the sample's elements (for the categorical
      cross-entropies: the sum over classes, then the mean over any other axes).
    - ``backward()`` returns dLoss/dy_pred, an array shaped and typed like ``y_pred``.
    - ``loss(y_true, y_pred)`` checks its arguments first (shapes, NaN and
      Inf, label ranges) and raises a clear error; ``forward`` trusts them.

    ``y_true`` is cast to the dtype of ``y_pred``. A ``y_true`` of shape
    ``(N,)`` against a ``y_pred`` of shape ``(N, 1)`` is accepted, as in Keras.

    Subclasses write ``forward`` as ``prepare`` + their math + ``remember``,
    and ``backward`` as the derivative of that math times the remembered
    ``scale`` (``w_i / (N * M)``, ``M`` the elements averaged per sample).
    """

    #: The categorical cross-entropies sum over the last axis instead of averaging it.
    sums_last_axis: bool = False
    #: What ``y_true`` holds: ``"dense"`` (``y_pred``'s shape), ``"class_index"`` (an integer class per
    #: row of ``y_pred``, as SparseCategoricalCrossentropy takes) or ``"sample_label"`` (one integer label
    #: per sample, as Circle takes). ``fit`` checks ``y`` by it.
    y_true_kind: str = "dense"
    #: ``(shape, dtype, scale)``: the read-only ``scale`` of an unweighted batch of the last shape seen.
    _uniform: tuple[tuple[int, ...], np.dtype, Array] | None = None

    def __init__(self, name: str | None = None) -> None:
        self.name = name if name is not None else re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", type(self).__name__).lower()
        self._memory: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    # ------------------------------------------------------------------ checked entry point
    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        """Check the arguments, then ``forward``. Raises before any state changes."""
        y_true, y_pred, sample_weight = self.validate(y_true, y_pred, sample_weight)
        return self.forward(y_true, y_pred, sample_weight)

    def validate(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> tuple[Array, Array, Array | None]:
        """The three arguments as arrays, or a clear error naming what is wrong."""
        where = self._label()
        y_pred = as_array(y_pred, where, "y_pred")
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(np.float32)
        check_finite(y_pred, where, "y_pred")
        y_true = as_array(y_true, where, "y_true")
        check_finite(y_true, where, "y_true")
        self.check_targets(y_true, y_pred)
        if sample_weight is not None:
            sample_weight = per_sample_weights(sample_weight, y_pred.shape[0], where)
        return y_true, y_pred, sample_weight

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        """Raise unless ``y_true`` has ``y_pred``'s shape (or drops its trailing 1)."""
        if y_true.shape != y_pred.shape and not (y_pred.shape[-1:] == (1,) and y_true.shape == y_pred.shape[:-1]):
            raise ShapeError(
                f"{self._label()}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
                "they must match."
            )

    # ------------------------------------------------------------------ the math
    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(y_true, y_pred, sample_weight).")

    def backward(self) -> Array:
        raise NotImplementedError(f"{type(self).__name__} must implement backward().")

    def prepare(self, y_true: Any, y_pred: Any, sample_weight: Any) -> tuple[Array, Array, Array]:
        """``y_true`` cast and shaped like ``y_pred``, and the per-element ``scale`` = ``w_i / (N * M)``.

        ``scale`` has ``y_pred``'s rank (ones on the non-batch axes), so
        ``(elementwise_loss * scale).sum()`` is the reduced loss and
        ``d(elementwise_loss) * scale`` its gradient.
        """
        y_pred = np.asarray(y_pred)
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(np.float32)
        y_true = np.asarray(y_true, dtype=y_pred.dtype)
        if y_true.shape != y_pred.shape:
            y_true = y_true.reshape(y_pred.shape)
        if sample_weight is None:  # every step of an unweighted fit: the last shape's scale, kept
            kept = self._uniform
            if kept is None or kept[0] != y_pred.shape or kept[1] != y_pred.dtype:
                scale = np.full((len(y_pred),) + (1,) * (y_pred.ndim - 1), 1.0 / self._denominator(y_pred.shape),
                                dtype=y_pred.dtype)  # fmt: skip
                scale.flags.writeable = False  # shared by every step of that shape
                kept = self._uniform = (y_pred.shape, y_pred.dtype, scale)
            return y_true, y_pred, kept[2]
        # one weight per sample (n,), or per step (n, steps): a model's masked output (see models.compiled_loss)
        n = y_pred.shape[0]
        weights = np.asarray(sample_weight, dtype=y_pred.dtype)
        weights = weights.reshape(weights.shape + (1,) * (y_pred.ndim - weights.ndim)) if weights.ndim > 1 else (
            weights.reshape((n,) + (1,) * (y_pred.ndim - 1)))  # fmt: skip
        return y_true, y_pred, weights / y_pred.dtype.type(self._denominator(y_pred.shape))

    def _denominator(self, shape: tuple[int, ...]) -> float:
        """``N * M``: the batch size times the elements averaged per sample (at least 1)."""
        averaged = shape[1:-1] if self.sums_last_axis else shape[1:]
        return float(max(shape[0], 1) * math.prod(averaged))

    @staticmethod
    def reduce(elementwise: Array, scale: Array) -> float:
        """``sum(elementwise * scale)`` as a Python float."""
        return float((elementwise * scale).sum())

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)
