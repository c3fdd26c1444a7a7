"""Overlap losses for segmentation masks: Dice, Tversky.

``y_true`` is a mask of 0s and 1s (or soft values), ``y_pred`` a probability
per position. The overlap is summed over ``axis``: over the whole batch with
``axis=None`` (Keras's default, one number for the batch), or per sample with
``axis`` naming the non-batch axes, e.g. ``(1, 2, 3)`` for ``(N, H, W, C)``
masks. With per-sample overlaps the loss is their mean over the batch (and
over any axes not summed), weighted by ``sample_weight`` as for every loss;
with ``axis=None`` a ``sample_weight`` scales the one loss by its mean, as
Keras's broadcasting does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..errors import InvalidValueError
from ..loss import Array, Loss
from ..registry import register

__all__ = ["Dice", "Tversky"]

EPSILON = 1e-7


class _Overlap(Loss):
    def __init__(self, axis: int | tuple[int, ...] | list[int] | None = None, name: str | None = None) -> None:
        super().__init__(name)
        if axis is not None and not isinstance(axis, int):
            if not (isinstance(axis, (tuple, list)) and axis and all(isinstance(a, int) for a in axis)):
                raise InvalidValueError(
                    f"{type(self).__name__}: axis must be None, an int or a tuple of ints, received {axis!r}."
                )
            axis = tuple(axis)
        self.axis: int | tuple[int, ...] | None = axis

    def axes(self, ndim: int) -> tuple[int, ...] | None:
        """The summed axes, made non-negative; ``None`` for all of them (the batch too)."""
        if self.axis is None:
            return None
        axes = tuple(a % ndim if -ndim <= a < ndim else a for a in np.atleast_1d(self.axis).tolist())
        if any(a <= 0 or a >= ndim for a in axes):
            raise InvalidValueError(
                f"{self._label()}: axis must name non-batch axes of the rank-{ndim} y_pred, received {self.axis!r}."
            )
        return axes

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        super().check_targets(y_true, y_pred)
        self.axes(y_pred.ndim)

    def weights(self, y_pred: Array, sample_weight: Any, axes: tuple[int, ...] | None) -> Array:
        """``w``: ``mean(w_i)`` for one batch-wide loss, else ``w_i / (number of per-sample loss entries)``."""
        n = y_pred.shape[0]
        w = np.ones(n, y_pred.dtype) if sample_weight is None else np.asarray(sample_weight, y_pred.dtype)
        if axes is None:
            return w.mean(keepdims=True).reshape((1,) * y_pred.ndim)
        entries = n * int(np.prod([d for i, d in enumerate(y_pred.shape) if i > 0 and i not in axes]))
        return (w / y_pred.dtype.type(max(entries, 1))).reshape((n,) + (1,) * (y_pred.ndim - 1))

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, p, _ = self.prepare(y_true, y_pred, sample_weight)
        axes = self.axes(p.ndim)
        w = self.weights(p, sample_weight, axes)
        return self.overlap(y, p, w, axes)

    def overlap(self, y: Array, p: Array, w: Array, axes: tuple[int, ...] | None) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        axis = list(self.axis) if isinstance(self.axis, tuple) else self.axis
        return {**super().get_config(), "axis": axis}


@register
class Dice(_Overlap):
    """Dice loss: one minus the Dice coefficient of the masks. Id ``"dice"``.

    Math (y = y_true, p = y_pred; sums over ``axis``, keeping the other axes; eps = 1e-7;
    w = sample weights as the module says)::

        forward    I = sum(y * p)                  D = sum(y) + sum(p) + eps
                   L = sum((1 - 2 * I / D) * w)
        backward   dy_pred = -2 * (y * D - I) / (D * D) * w

    Examples
    --------
    >>> import numpy as np
    >>> y_true = np.array([[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]])
    >>> y_pred = np.array([[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]])
    >>> round(Dice()(y_true, y_pred), 6), round(Dice(axis=(1, 2, 3))(y_true, y_pred), 6)
    (0.616438, 0.628788)
    """

    def overlap(self, y: Array, p: Array, w: Array, axes: tuple[int, ...] | None) -> float:
        i = (y * p).sum(axis=axes, keepdims=True)
        d = y.sum(axis=axes, keepdims=True) + p.sum(axis=axes, keepdims=True) + EPSILON
        self.remember(y=y, i=i, d=d, w=w)
        return self.reduce(1.0 - 2.0 * i / d, w)

    def backward(self) -> Array:
        y, i, d, w = self.recall("y", "i", "d", "w")
        return -2.0 * (y * d - i) / (d * d) * w


@register
class Tversky(_Overlap):
    """Tversky loss: Dice with false positives weighted by ``alpha``, false negatives by ``beta``. Id ``"tversky"``.

    Math (y = y_true, p = y_pred; sums over ``axis``; eps = 1e-7; w as the module says)::

        forward    I = sum(y * p)      fp = sum((1 - y) * p)      fn = sum(y * (1 - p))
                   D = I + alpha * fp + beta * fn + eps            L = sum((1 - I / D) * w)
        backward   dD = y + alpha * (1 - y) - beta * y
                   dy_pred = -(y * D - I * dD) / (D * D) * w

    ``alpha = beta = 0.5`` gives the Dice loss. ``alpha`` weighs the false
    positives as Keras documents; Keras 3.15's code applied it to the false
    negatives (fixed upstream after 3.15), so with ``alpha != beta`` Keras 3.15
    gives what ``Tversky(alpha=beta, beta=alpha)`` gives here.

    Parameters
    ----------
    alpha, beta : float
        The weights of false positives and false negatives, >= 0; 0.5 each by default.

    Examples
    --------
    >>> import numpy as np
    >>> round(Tversky(alpha=0.7, beta=0.3)(np.array([[1.0, 0.0]]), np.array([[0.5, 0.9]])), 6)
    0.609375
    """

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        axis: int | tuple[int, ...] | list[int] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(axis, name)
        self.alpha = number(alpha, "Tversky", "alpha", 0.0)
        self.beta = number(beta, "Tversky", "beta", 0.0)

    def overlap(self, y: Array, p: Array, w: Array, axes: tuple[int, ...] | None) -> float:
        i = (y * p).sum(axis=axes, keepdims=True)
        fp = ((1.0 - y) * p).sum(axis=axes, keepdims=True)
        fn = (y * (1.0 - p)).sum(axis=axes, keepdims=True)
        d = i + self.alpha * fp + self.beta * fn + EPSILON
        self.remember(y=y, i=i, d=d, w=w)
        return self.reduce(1.0 - i / d, w)

    def backward(self) -> Array:
        y, i, d, w = self.recall("y", "i", "d", "w")
        dd = y + self.alpha * (1.0 - y) - self.beta * y
        return -(y * d - i * dd) / (d * d) * w

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}
