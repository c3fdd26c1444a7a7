"""Focal cross-entropies: BinaryFocalCrossentropy, CategoricalFocalCrossentropy (Lin et al., 2017).

Each is its cross-entropy scaled by a focal factor ``u ** gamma`` that
shrinks the loss of samples already classified well (``u`` is how far the
prediction is from its target). On probabilities they compute exactly what
Keras computes (the probabilities clipped to ``[eps, 1 - eps]`` inside the
logarithm, ``eps = 1e-7``). With ``from_logits=True`` they take raw scores
and use the stable ``log_sigmoid`` / ``log_softmax`` of
:mod:`tinynet._numerics` with no clipping, so they are exact and finite at
logits of +-1e4; Keras applies the sigmoid (softmax) and then the clipped
formula, so the two differ only where a probability lies within ``eps`` of 0
or 1. Being cross-entropies, ``compile`` fuses them with a final sigmoid
(softmax) as it does the plain ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _numerics
from .._validation import number
from ..errors import InvalidValueError
from ..loss import Array
from ..registry import register
from .crossentropy import EPSILON, BinaryCrossentropy, CategoricalCrossentropy

__all__ = ["BinaryFocalCrossentropy", "CategoricalFocalCrossentropy"]


def _power_slope(u: Array, gamma: float) -> Array:
    """``gamma * u ** (gamma - 1)`` for ``u`` in [0, 1]; at ``u = 0`` its limit (0 for gamma > 1, 1 for gamma = 1).

    For ``0 < gamma < 1`` the slope at ``u = 0`` is infinite; 0 is used there.
    """
    if gamma == 1.0:
        return np.ones_like(u)
    out = np.zeros_like(u)
    np.power(u, gamma - 1.0, out=out, where=u > 0)
    return gamma * out


@register
class BinaryFocalCrossentropy(BinaryCrossentropy):
    """Binary cross-entropy down-weighting easy samples. Id ``"binary_focal_crossentropy"``.

    Math (y = smooth(y_true) = y_true * (1 - ls) + ls / 2; g = gamma;
    w = y * alpha + (1 - y) * (1 - alpha) with apply_class_balancing, else 1;
    scale = w_i / (N * M))::

        from_logits=True, z = y_pred, s = sigmoid(z), c = sigmoid(-z)
          forward    bce = softplus(z) - y * z       u = y * c + (1 - y) * s      f = u ** g
                     L = sum(w * f * bce * scale)
          backward   r = s * c / u   (1 where u = 0)
                     dy_pred = w * (g * f * r * (1 - 2 * y) * bce + f * (s - y)) * scale
        from_logits=False, p = y_pred, pc = clip(p, eps, 1 - eps)
          forward    bce = -(y * log(pc) + (1 - y) * log(1 - pc))      u = y * (1 - p) + (1 - y) * p
                     f = u ** g                      L = sum(w * f * bce * scale)
          backward   dy_pred = w * (g * u ** (g - 1) * (1 - 2 * y) * bce
                                    + f * (pc - y) / (pc * (1 - pc)) * [eps < p < 1 - eps]) * scale

    ``u = 1 - p_t`` is Keras's focal base: the probability given to the wrong
    answer. ``g * u ** (g - 1)`` is taken as its limit at ``u = 0``
    (0 when ``g < 1``, where the true slope is infinite).

    Parameters
    ----------
    apply_class_balancing : bool
        Weigh positives by ``alpha`` and negatives by ``1 - alpha``; False by default.
    alpha : float
        The positives' weight under class balancing, in [0, 1]; 0.25 by default.
    gamma : float
        The focusing exponent, >= 0 (0 gives the plain cross-entropy); 2.0 by default.
    from_logits, label_smoothing
        As for :class:`~tinynet.losses.BinaryCrossentropy`.

    Examples
    --------
    >>> import numpy as np
    >>> BinaryFocalCrossentropy(gamma=2.0)(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]]))
    0.26783
    """

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        name: str | None = None,
    ) -> None:
        super().__init__(from_logits, label_smoothing, name)
        self.apply_class_balancing = bool(apply_class_balancing)
        self.alpha = number(alpha, "BinaryFocalCrossentropy", "alpha", 0.0, 1.0)
        self.gamma = number(gamma, "BinaryFocalCrossentropy", "gamma", 0.0)

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        y = self.smooth(y, 2)
        w = y * self.alpha + (1.0 - y) * (1.0 - self.alpha) if self.apply_class_balancing else 1.0
        if self.from_logits:
            z = y_pred
            s, c = _numerics.sigmoid(z), _numerics.sigmoid(-z)
            bce = _numerics.softplus(z) - y * z
            u = y * c + (1.0 - y) * s
            f = u**self.gamma
            self.remember(s=s, c=c, u=u, f=f, bce=bce, y=y, w=w, scale=scale)
            return self.reduce(w * f * bce, scale)
        p = y_pred
        pc = np.clip(p, EPSILON, 1.0 - EPSILON)
        bce = -(y * np.log(pc) + (1.0 - y) * np.log1p(-pc))
        u = y * (1.0 - p) + (1.0 - y) * p
        f = u**self.gamma
        self.remember(pc=pc, inside=pc == p, u=u, f=f, bce=bce, y=y, w=w, scale=scale)
        return self.reduce(w * f * bce, scale)

    def backward(self) -> Array:
        g = self.gamma
        if self.from_logits:
            s, c, u, f, bce, y, w, scale = self.recall("s", "c", "u", "f", "bce", "y", "w", "scale")
            r = np.ones_like(u)
            np.divide(s * c, u, out=r, where=u > 0)
            return w * (g * f * r * (1.0 - 2.0 * y) * bce + f * (s - y)) * scale
        pc, inside, u, f, bce, y, w, scale = self.recall("pc", "inside", "u", "f", "bce", "y", "w", "scale")
        dbce = (pc - y) / (pc * (1.0 - pc)) * inside
        return w * (_power_slope(u, g) * (1.0 - 2.0 * y) * bce + f * dbce) * scale

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
            "gamma": self.gamma,
        }  # fmt: skip


@register
class CategoricalFocalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy down-weighting easy samples. Id ``"categorical_focal_crossentropy"``.

    Math (y = smooth(y_true) = y_true * (1 - ls) + ls / C over C classes; a = alpha (one
    per class, or the same for all); g = gamma; sums along the class axis; scale = w_i / (N * M))::

        from_logits=True, z = y_pred, p = softmax(z), l = log_softmax(z),
        o = 1 - p computed as the sum of the other classes' softmax (no cancellation)
          forward    m = o ** g                      L = -sum(sum(a * y * m * l) * scale)
          backward   h = g * m * p * l / o   (-g * m * p where o = 0)
                     c = a * y * (m - h)             dy_pred = (p * sum(c) - c) * scale
        from_logits=False, q = y_pred / s with s = sum(y_pred), p = clip(q, eps, 1 - eps)
          forward    m = (1 - p) ** g                L = -sum(sum(a * y * m * log(p)) * scale)
          backward   dq = -a * y * (m / p - g * (1 - p) ** (g - 1) * log(p)) * [eps < q < 1 - eps]
                     dy_pred = (dq - sum(dq * q)) / s * scale

    Probabilities are renormalized to sum to one along the class axis first, as Keras does.

    Parameters
    ----------
    alpha : float or list of float
        A weight for every class (one number) or one per class; 0.25 by default.
    gamma : float
        The focusing exponent, >= 0 (0 gives ``alpha`` times the plain cross-entropy); 2.0 by default.
    from_logits, label_smoothing
        As for :class:`~tinynet.losses.CategoricalCrossentropy`.
    axis : int
        The class axis; only the last (-1) is supported.

    Examples
    --------
    >>> import numpy as np
    >>> loss = CategoricalFocalCrossentropy()
    >>> round(loss(np.array([[0, 1, 0], [0, 0, 1]]), np.array([[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])), 6)
    0.338087
    """

    def __init__(
        self,
        alpha: float | list[float] = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        name: str | None = None,
    ) -> None:
        super().__init__(from_logits, label_smoothing, name)
        where = "CategoricalFocalCrossentropy"
        if isinstance(alpha, (list, tuple, np.ndarray)):
            self.alpha: float | list[float] = [number(a, where, "alpha[i]", 0.0) for a in alpha]
        else:
            self.alpha = number(alpha, where, "alpha", 0.0)
        self.gamma = number(gamma, where, "gamma", 0.0)
        if axis != -1:
            raise InvalidValueError(f"{where}: only axis=-1 (classes on the last axis) is supported, received {axis}.")
        self.axis = -1

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        super().check_targets(y_true, y_pred)
        if isinstance(self.alpha, list) and len(self.alpha) != y_pred.shape[-1]:
            raise InvalidValueError(
                f"{self._label()}: alpha has {len(self.alpha)} entries but y_pred has {y_pred.shape[-1]} classes."
            )

    def _forward(self, y: Array, y_pred: Array, scale: Array) -> float:
        ay = y * (np.asarray(self.alpha, dtype=y.dtype) if isinstance(self.alpha, list) else self.alpha)
        g = self.gamma
        if self.from_logits:
            z = y_pred
            e = np.exp(z - z.max(axis=-1, keepdims=True))
            total = e.sum(axis=-1, keepdims=True)
            p, o = e / total, _others(e) / total
            l = _numerics.log_softmax(z)  # noqa: E741
            m = o**g
            self.remember(p=p, o=o, l=l, m=m, ay=ay, scale=scale)
            return -self.reduce((ay * m * l).sum(axis=-1, keepdims=True), scale)
        s = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / s
        p = np.clip(q, EPSILON, 1.0 - EPSILON)
        log_p, m = np.log(p), (1.0 - p) ** g
        self.remember(q=q, p=p, inside=p == q, s=s, log_p=log_p, m=m, ay=ay, scale=scale)
        return -self.reduce((ay * m * log_p).sum(axis=-1, keepdims=True), scale)

    def backward(self) -> Array:
        g = self.gamma
        if self.from_logits:
            p, o, l, m, ay, scale = self.recall("p", "o", "l", "m", "ay", "scale")  # noqa: E741
            ratio = -np.ones_like(o)  # l / o -> -1 as o -> 0
            np.divide(l, o, out=ratio, where=o > 0)
            c = ay * (m - g * m * p * ratio)
            return (p * c.sum(axis=-1, keepdims=True) - c) * scale
        q, p, inside, s, log_p, m, ay, scale = self.recall("q", "p", "inside", "s", "log_p", "m", "ay", "scale")
        dq = -ay * (m / p - g * (1.0 - p) ** (g - 1.0) * log_p) * inside
        return (dq - (dq * q).sum(axis=-1, keepdims=True)) / s * scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma, "axis": self.axis}


def _others(e: Array) -> Array:
    """``sum(e) - e`` along the last axis, as the sum of the entries before plus those after (no cancellation)."""
    before, after = np.zeros_like(e), np.zeros_like(e)
    before[..., 1:] = np.cumsum(e[..., :-1], axis=-1)
    after[..., :-1] = np.flip(np.cumsum(np.flip(e[..., 1:], axis=-1), axis=-1), axis=-1)
    return before + after
