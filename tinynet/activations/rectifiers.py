"""Piecewise-linear and exponential-linear activations: ReLU, LeakyReLU, ELU, Linear."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import real
from ..activation import Activation
from ..layer import Array
from ..registry import register

__all__ = ["ReLU", "LeakyReLU", "ELU", "Linear"]


@register
class ReLU(Activation):
    """Rectified linear unit: keeps positive inputs, zeroes the rest.

    Math (grad = dL/dy)::

        forward    mask = x > 0          y = x * mask
        backward   dx = grad * mask      (the subgradient at x = 0 is 0, as in Keras and PyTorch)

    Shape: any; ``y`` has the shape of ``x``.

    Notes
    -----
    ``mask`` is kept as 0.0 / 1.0 in ``x``'s dtype: multiplying by a float
    array is faster than by a boolean one, which NumPy casts on every call,
    and both products use it. Under inference (``predict``),
    where nothing is remembered, ``y = maximum(x, 0)`` in one pass instead.

    Examples
    --------
    >>> import numpy as np
    >>> ReLU()(np.array([[-1.0, 0.0, 2.0]]))
    array([[0., 0., 2.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        return self.forward_in_place(x.copy(), training)

    def forward_in_place(self, x: Array, training: bool = False) -> Array:
        if not self.remembering:  # inference: no backward will need the mask
            return np.maximum(x, 0, out=x)
        mask = (x > 0).astype(x.dtype)
        self.remember(mask=mask)
        x *= mask  # y = x * mask, written over x
        return x

    def backward(self, grad: Array) -> Array:
        (mask,) = self.recall("mask")
        return grad * mask


@register
class LeakyReLU(Activation):
    """ReLU with a small slope for negative inputs, so they still pass a gradient.

    Math (grad = dL/dy, a = negative_slope)::

        forward    slope = 1 where x > 0, else a      y = x * slope
        backward   dx = grad * slope                  (the slope at x = 0 is a)

    Parameters
    ----------
    negative_slope : float
        ``a`` above; Keras's default 0.3.

    Examples
    --------
    >>> import numpy as np
    >>> LeakyReLU(negative_slope=0.1)(np.array([[-2.0, 3.0]]))
    array([[-0.2,  3. ]], dtype=float32)
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.negative_slope = real(negative_slope, self._label(), "negative_slope", minimum=0.0)

    def forward(self, x: Array, training: bool = False) -> Array:
        a = self.negative_slope
        slope = (x > 0) * (1.0 - a) + a
        slope = slope.astype(x.dtype, copy=False)
        self.remember(slope=slope)
        return x * slope

    def backward(self, grad: Array) -> Array:
        (slope,) = self.recall("slope")
        return grad * slope

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


@register
class ELU(Activation):
    """Exponential linear unit: identity for positive inputs, a smooth saturation to -alpha below.

    Math (grad = dL/dy)::

        forward    y = x                        where x > 0
                   y = alpha * (exp(x) - 1)     elsewhere   (expm1 of min(x, 0): no overflow)
        backward   dx = grad                    where x > 0
                   dx = grad * (y + alpha)      elsewhere   (alpha * exp(x) = y + alpha)

    Parameters
    ----------
    alpha : float
        The negative saturation value; 1.0 by default.

    Examples
    --------
    >>> import numpy as np
    >>> ELU()(np.array([[0.0, 1.0]]))
    array([[0., 1.]], dtype=float32)
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = real(alpha, self._label(), "alpha", minimum=0.0)

    def forward(self, x: Array, training: bool = False) -> Array:
        positive = x > 0
        y = np.where(positive, x, self.alpha * np.expm1(np.minimum(x, 0.0)))
        self.remember(positive=positive, y=y)
        return y

    def backward(self, grad: Array) -> Array:
        positive, y = self.recall("positive", "y")
        return grad * np.where(positive, 1.0, y + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


@register
class Linear(Activation):
    """The identity: ``y = x``, ``dx = grad``. What ``activation=None`` means.

    Examples
    --------
    >>> import numpy as np
    >>> Linear()(np.array([[-1.5]]))
    array([[-1.5]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(called=True)
        return x

    def backward(self, grad: Array) -> Array:
        self.recall("called")
        return grad
