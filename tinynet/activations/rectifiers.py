"""Piecewise-linear and exponential-linear activations: ReLU, LeakyReLU, ELU, Linear."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._numerics import zeros
from .._validation import real
from .._workspace import in_layout_of
from ..activation import Activation
from ..layer import Array
from ..registry import register

__all__ = ["ReLU", "LeakyReLU", "ELU", "Linear"]


@register
class ReLU(Activation):
    """Rectified linear unit: keeps positive inputs, zeroes the rest (Keras's full ReLU with its options).

    Math (grad = dL/dy)::

        forward    mask = x > 0          y = x * mask
        backward   dx = grad * mask      (the subgradient at x = 0 is 0, as in Keras and PyTorch)

    With Keras's options (t = threshold, a = negative_slope, m = max_value)::

        forward    slope = 1 where t < x < m,   a where x <= t,   0 where x >= m (and x > t)
                   y = slope * (x - t) + t      where t < x < m   (that is, y = x)
                   y = a * (x - t)              where x <= t
                   y = m                        where x >= m (and x > t)
        backward   dx = grad * slope            (the slope at x = t is a; at x = m, 0)

    Parameters
    ----------
    max_value : float, optional
        ``m``: the output's ceiling, ``>= 0``; ``None`` (no ceiling) by default. ``6.0`` gives ReLU6.
    negative_slope : float
        ``a``, ``>= 0``: the slope below the threshold; 0 by default.
    threshold : float
        ``t``, ``>= 0``: inputs at or below it take the negative slope; 0 by default.

    Shape
    -----
    any; ``y`` has the shape of ``x``.

    Notes
    -----
    ``mask`` is kept as 0.0 / 1.0 in ``x``'s dtype: multiplying by a float
    array is faster than by a boolean one, which NumPy casts on every call,
    and both products use it. Under inference (``predict``),
    where nothing is remembered, ``y = maximum(x, 0)`` in one pass instead.
    The defaults take that plain path; the options, the general one.

    Examples
    --------
    >>> import numpy as np
    >>> ReLU()(np.array([[-1.0, 0.0, 2.0]]))
    array([[0., 0., 2.]], dtype=float32)
    >>> ReLU(max_value=1.0, negative_slope=0.5, threshold=0.5)(np.array([[-1.0, 0.75, 2.0]]))
    array([[-0.75,  0.75,  1.  ]], dtype=float32)
    """

    def __init__(
        self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else real(max_value, self._label(), "max_value", minimum=0.0)
        self.negative_slope = real(negative_slope, self._label(), "negative_slope", minimum=0.0)
        self.threshold = real(threshold, self._label(), "threshold", minimum=0.0)
        self._plain = self.max_value is None and self.negative_slope == 0.0 and self.threshold == 0.0

    @property
    def commutes_with_max(self) -> bool:  # type: ignore[override]
        """True for the plain ReLU: where it ties unequal inputs they are <= 0, and its derivative there is 0."""
        return self._plain

    def forward(self, x: Array, training: bool = False) -> Array:
        return self.forward_in_place(x.copy(order="K"), training)  # laid out as x (batch last after a convolution)

    def forward_in_place(self, x: Array, training: bool = False) -> Array:
        if not self._plain:
            return self._forward_options(x)
        if not self.remembering:  # inference: no backward will need the mask
            return np.maximum(x, zeros(x.shape, x.dtype), out=x)
        mask = (x > 0).astype(x.dtype)
        self._memory = {"mask": mask}  # remember(mask=mask), whose check was just made
        x *= mask  # y = x * mask, written over x
        return x

    def _forward_options(self, x: Array) -> Array:
        t, a, m = self.threshold, self.negative_slope, self.max_value
        above = x > t
        slope = np.where(above, 1.0, a).astype(x.dtype)
        y = np.where(above, x, a * (x - t) + 0.0).astype(x.dtype, copy=False)  # + 0.0: no -0.0 where a = 0
        if m is not None:
            ceiling = above & (x >= m)
            slope[ceiling] = 0.0
            y[ceiling] = m
        self.remember(mask=slope)
        return y

    def backward(self, grad: Array) -> Array:
        (mask,) = self.recall("mask")
        if grad.ndim > 2:  # images: the mask is laid out as a convolution's output (see in_layout_of)
            grad = in_layout_of(grad, mask)
        return grad * mask

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if not self._plain:  # the plain ReLU's config stays as it always was
            config.update(max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold)
        return config


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
