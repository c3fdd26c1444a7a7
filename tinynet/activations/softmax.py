"""Softmax: turns each row of scores into a probability distribution."""

from __future__ import annotations

from typing import Any

from .. import _numerics
from .._validation import integer
from ..activation import Activation
from ..layer import Array
from ..registry import register

__all__ = ["Softmax"]


@register
class Softmax(Activation):
    """Softmax along ``axis``: ``y_i = exp(x_i) / sum_j exp(x_j)``.

    Math (grad = dL/dy; sums along ``axis``)::

        forward    y = exp(x - max(x)) / sum(exp(x - max(x)))
        backward   dx = y * (grad - sum(grad * y))

    The backward is the true vector-Jacobian product, ``J^T grad`` with
    ``J = diag(y) - y y^T``. It does not assume any loss follows: with a
    cross-entropy loss, ``compile`` fuses the pair instead (exact for any logits).

    Parameters
    ----------
    axis : int
        The axis that sums to one; the last by default.

    Examples
    --------
    >>> import numpy as np
    >>> Softmax()(np.array([[-1e4, -1e4, -1e4]])).round(6)
    array([[0.333333, 0.333333, 0.333333]], dtype=float32)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = integer(axis, self._label(), "axis")

    def forward(self, x: Array, training: bool = False) -> Array:
        y = _numerics.softmax(x, axis=self.axis)
        self.remember(y=y)
        self.record_call(x, y)
        return y

    def backward(self, grad: Array) -> Array:
        if self.handed_down(grad):  # a fused loss computed dL/dx from the logits
            return grad
        (y,) = self.recall("y")
        return y * (grad - (grad * y).sum(axis=self.axis, keepdims=True))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
