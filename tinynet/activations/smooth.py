"""Smooth activations: Sigmoid, Tanh, Softplus, SiLU, GELU."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _numerics, _special
from ..activation import Activation
from ..layer import Array
from ..registry import register

__all__ = ["Sigmoid", "Tanh", "Softplus", "SiLU", "GELU"]


@register
class Sigmoid(Activation):
    """Logistic sigmoid, squashing any real into (0, 1).

    Math (grad = dL/dy)::

        forward    y = 1 / (1 + exp(-x))       (stable form: _numerics.sigmoid)
        backward   dx = grad * y * (1 - y)

    Notes
    -----
    As the last layer before ``binary_crossentropy``, ``compile`` fuses it
    into the loss so that logits of any size stay exact: it records its calls
    for the loss (:meth:`~tinynet.Activation.logits_of`).

    Examples
    --------
    >>> import numpy as np
    >>> Sigmoid()(np.array([[0.0, 1e4, -1e4]]))
    array([[0.5, 1. , 0. ]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        y = _numerics.sigmoid(x)
        self.remember(y=y)
        self.record_call(x, y)
        return y

    def backward(self, grad: Array) -> Array:
        if self.handed_down(grad):  # a fused loss computed dL/dx from the logits
            return grad
        (y,) = self.recall("y")
        return grad * y * (1.0 - y)


@register
class Tanh(Activation):
    """Hyperbolic tangent, squashing any real into (-1, 1).

    Math (grad = dL/dy)::

        forward    y = tanh(x)
        backward   dx = grad * (1 - y * y)

    Examples
    --------
    >>> import numpy as np
    >>> Tanh()(np.array([[0.0]]))
    array([[0.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        y = np.tanh(x)
        self.remember(y=y)
        return y

    def backward(self, grad: Array) -> Array:
        (y,) = self.recall("y")
        return grad * (1.0 - y * y)


@register
class Softplus(Activation):
    """A smooth ReLU: ``log(1 + exp(x))``.

    Math (grad = dL/dy)::

        forward    y = max(x, 0) + log1p(exp(-|x|))     (stable form: _numerics.softplus)
        backward   dx = grad * sigmoid(x)

    Examples
    --------
    >>> import numpy as np
    >>> Softplus()(np.array([[0.0, 1e4]]))
    array([[6.931472e-01, 1.000000e+04]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(x=x)
        return _numerics.softplus(x)

    def backward(self, grad: Array) -> Array:
        (x,) = self.recall("x")
        return grad * _numerics.sigmoid(x)


@register
class SiLU(Activation):
    """Sigmoid-weighted linear unit (also called swish): ``x * sigmoid(x)``.

    Math (grad = dL/dy)::

        forward    s = sigmoid(x)         y = x * s
        backward   dx = grad * s * (1 + x * (1 - s))

    Examples
    --------
    >>> import numpy as np
    >>> SiLU()(np.array([[0.0, 1e4]]))
    array([[    0., 10000.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        s = _numerics.sigmoid(x)
        self.remember(x=x, s=s)
        return x * s

    def backward(self, grad: Array) -> Array:
        x, s = self.recall("x", "s")
        return grad * s * (1.0 + x * (1.0 - s))


@register
class GELU(Activation):
    """Gaussian error linear unit: ``x`` weighted by the standard normal CDF of ``x``.

    Math (grad = dL/dy; Phi and phi the standard normal CDF and density)::

        exact (default)
          forward    Phi = erfc(-x / sqrt(2)) / 2            y = x * Phi
          backward   phi = exp(-x * x / 2) / sqrt(2 pi)      dx = grad * (Phi + x * phi)
        approximate=True (the tanh form)
          forward    u = c * (x + k x^3),  t = tanh(u)       y = x * (1 + t) / 2
          backward   dx = grad * ((1 + t) / 2 + x * (1 - t * t) * c * (1 + 3 k x^2) / 2)
          with c = sqrt(2 / pi), k = 0.044715

    ``erfc`` rather than ``1 + erf`` keeps ``Phi`` accurate far into the negative tail.
    A float32 input takes a float32 ``erfc`` (relative error below 1.2e-7,
    about one float32 ulp); float64 takes the double-precision one.

    Examples
    --------
    >>> import numpy as np
    >>> GELU()(np.array([[0.0, 1.0]]))
    array([[0.      , 0.841345]], dtype=float32)
    """

    _C = math.sqrt(2.0 / math.pi)
    _K = 0.044715

    def __init__(self, approximate: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.approximate = bool(approximate)

    def forward(self, x: Array, training: bool = False) -> Array:
        if self.approximate:
            t = np.tanh(self._C * (x + self._K * x * x * x))
            self.remember(x=x, t=t)
            return 0.5 * x * (1.0 + t)
        u = -x * (1.0 / math.sqrt(2.0))
        phi_cdf = 0.5 * (_special.erfc_float32(u) if u.dtype == np.float32 else _special.erfc(u))
        self.remember(x=x, phi_cdf=phi_cdf)
        return x * phi_cdf

    def backward(self, grad: Array) -> Array:
        if self.approximate:
            x, t = self.recall("x", "t")
            du = self._C * (1.0 + 3.0 * self._K * x * x)
            return grad * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du)
        x, phi_cdf = self.recall("x", "phi_cdf")
        phi_pdf = np.exp(-0.5 * x * x) * (1.0 / math.sqrt(2.0 * math.pi))
        return grad * (phi_cdf + x * phi_pdf)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "approximate": self.approximate}
