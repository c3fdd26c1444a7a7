"""Similarity losses: CosineSimilarity, and Circle for metric learning (Sun et al., 2020)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _numerics
from .._validation import boolean, number
from ..errors import InvalidValueError, ShapeError
from ..loss import Array, Loss
from ..registry import register

__all__ = ["CosineSimilarity", "Circle"]

EPSILON = 1e-7


@register
class CosineSimilarity(Loss):
    """Negative cosine similarity of ``y_true`` and ``y_pred`` along ``axis``. Id ``"cosine_similarity"``.

    Math (sums along ``axis``; n(x) = max(||x||, eps), eps = 1e-7, as Keras's ``normalize``;
    scale = w_i / (N * M), M the entries left per sample)::

        forward    t = y_true / n(y_true)          p = y_pred / n(y_pred)        c = sum(t * p)
                   L = -sum(c * scale)
        backward   dy_pred = -(t - p * c * [||y_pred|| > eps]) / n(y_pred) * scale

    From -1 (same direction) to 1 (opposite); a zero vector scores 0.

    Parameters
    ----------
    axis : int
        The feature axis the similarity is taken along (not the batch axis); -1 by default.

    Examples
    --------
    >>> import numpy as np
    >>> round(CosineSimilarity()(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 1.0]])), 6)
    -0.5
    """

    def __init__(self, axis: int = -1, name: str | None = None) -> None:
        super().__init__(name)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise InvalidValueError(f"CosineSimilarity: axis must be an int, received {axis!r}.")
        self.axis = int(axis)

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        super().check_targets(y_true, y_pred)
        if not (-y_pred.ndim <= self.axis < y_pred.ndim) or self.axis % y_pred.ndim == 0:
            raise InvalidValueError(
                f"{self._label()}: axis must name a non-batch axis of the rank-{y_pred.ndim} y_pred, received "
                f"{self.axis}."
            )

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        axis = self.axis
        scale = scale * y_pred.dtype.type(y_pred.shape[axis])  # the mean runs over the axes left, not this one
        norm_p = np.sqrt((y_pred * y_pred).sum(axis=axis, keepdims=True))
        n_p = np.maximum(norm_p, EPSILON)
        t = y / np.maximum(np.sqrt((y * y).sum(axis=axis, keepdims=True)), EPSILON)
        p = y_pred / n_p
        c = (t * p).sum(axis=axis, keepdims=True)
        self.remember(t=t, p=p, c=c, n_p=n_p, inside=norm_p > EPSILON, scale=scale)
        return -self.reduce(c, scale)

    def backward(self) -> Array:
        t, p, c, n_p, inside, scale = self.recall("t", "p", "c", "n_p", "inside", "scale")
        return -(t - p * c * inside) / n_p * scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


@register
class Circle(Loss):
    """Circle loss between integer labels and (L2-normalized) embeddings. Id ``"circle"``.

    ``y_true`` holds one integer label per sample, shape ``(N,)``; ``y_pred``
    the embeddings, ``(N, D)``. Every pair of the batch is scored: pairs of
    one label are positives (a sample with itself too unless
    ``remove_diagonal``), pairs of two labels negatives.

    Math (Y = y_pred, g = gamma, m = margin; P, Q the positive and negative masks;
    lse = logsumexp over a row's masked entries, -inf for none)::

        forward    S = Y @ Y.T                     d = max(1 - S, 0)
                   a = -g * max(m + d, 0) * (m - d)        b = g * max(1 + m - d, 0) * (1 - m - d)
                   l_i = softplus(lse_P(a)_i + lse_Q(b)_i)
                   L = sum(w_i * l_i) / k          k = the number of samples with l_i > 0 (L = 0 if none)
        backward   dl = sigmoid(lse_P(a) + lse_Q(b)) * w / k * [l > 0]
                   da = -g * ([m + d > 0] * (m - d) - max(m + d, 0))          (da/dd)
                   db = -g * ([1 + m - d > 0] * (1 - m - d) + max(1 + m - d, 0))   (db/dd)
                   dS = -dl * (softmax_P(a) * da + softmax_Q(b) * db) * [1 - S > 0]
                   dy_pred = (dS + dS.T) @ Y

    Keras masks out samples whose loss is 0 (a label with no other sample, a
    batch of one label), so ``L`` is the mean over the others, weighted by
    ``sample_weight``; the batch is one problem, not ``N`` independent ones.
    Keras's weights ``max(m + d, 0)`` and ``max(1 + m - d, 0)`` are not held
    constant, and neither are they here.

    Parameters
    ----------
    gamma : float
        The scale of the similarity scores; 80 by default.
    margin : float
        The relaxation margin; 0.4 by default.
    remove_diagonal : bool
        Leave each sample's similarity to itself out of its positives; True by default.

    Examples
    --------
    >>> import numpy as np
    >>> y_pred = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-0.6, 0.8]])
    >>> round(Circle()(np.array([0, 0, 1, 1]), y_pred), 4)
    3.2009
    """

    y_true_kind = "sample_label"

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 name: str | None = None) -> None:  # fmt: skip
        super().__init__(name)
        self.gamma = number(gamma, "Circle", "gamma", 0.0)
        self.margin = number(margin, "Circle", "margin")
        self.remove_diagonal = boolean(remove_diagonal, "Circle", "remove_diagonal")

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        if y_pred.ndim != 2 or y_true.shape not in ((len(y_pred),), (len(y_pred), 1)):
            raise ShapeError(
                f"{self._label()}: y_pred must be embeddings (N, D) and y_true one integer label per sample, "
                f"shape (N,); received y_true {y_true.shape} and y_pred {y_pred.shape}."
            )
        if y_true.size and y_true.dtype.kind == "f" and not (y_true == np.round(y_true)).all():
            raise InvalidValueError(f"{self._label()}: y_true must hold integer labels; received fractions.")

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y_pred = np.asarray(y_pred)
        y_pred = y_pred if y_pred.dtype.kind == "f" else y_pred.astype(np.float32)
        labels = np.asarray(y_true).reshape(len(y_pred))
        n, g, m = len(y_pred), self.gamma, self.margin
        pos = labels[:, None] == labels[None, :]
        neg = ~pos
        if self.remove_diagonal:
            pos &= ~np.eye(n, dtype=bool)
        s = y_pred @ y_pred.T
        d = np.maximum(1.0 - s, 0.0)
        a = -g * np.maximum(m + d, 0.0) * (m - d)
        b = g * np.maximum(1.0 + m - d, 0.0) * (1.0 - m - d)
        lse_a, soft_a = _masked_logsumexp(a, pos)
        lse_b, soft_b = _masked_logsumexp(b, neg)
        z = lse_a + lse_b
        losses = _numerics.softplus(z)
        valid = losses > 0
        k = int(valid.sum())
        w = np.ones(n, y_pred.dtype) if sample_weight is None else np.asarray(sample_weight, y_pred.dtype)
        dl = np.where(valid, _numerics.sigmoid(np.where(valid, z, 0.0)), 0.0) * w / max(k, 1)
        self.remember(y_pred=y_pred, s=s, d=d, soft_a=soft_a, soft_b=soft_b, dl=dl.astype(y_pred.dtype))
        return float((np.where(valid, losses, 0.0) * w).sum() / max(k, 1))

    def backward(self) -> Array:
        y_pred, s, d, soft_a, soft_b, dl = self.recall("y_pred", "s", "d", "soft_a", "soft_b", "dl")
        g, m = self.gamma, self.margin
        da = -g * ((m + d > 0) * (m - d) - np.maximum(m + d, 0.0))
        db = -g * ((1.0 + m - d > 0) * (1.0 - m - d) + np.maximum(1.0 + m - d, 0.0))
        ds = -dl[:, None] * (soft_a * da + soft_b * db) * (1.0 - s > 0)
        return (ds + ds.T) @ y_pred

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}  # fmt: skip


def _masked_logsumexp(x: Array, mask: Array) -> tuple[Array, Array]:
    """Per row: logsumexp of the masked entries (-inf for a row with none) and their softmax (0 elsewhere)."""
    has = mask.any(axis=1)
    top = np.where(mask, x, -np.inf).max(axis=1, initial=-np.inf)
    shift = np.where(has, top, 0.0)
    e = np.exp(np.where(mask, x - shift[:, None], -np.inf))
    total = e.sum(axis=1)
    safe = np.where(has, total, 1.0)
    lse = np.where(has, shift + np.log(safe), -np.inf)
    return lse, e / safe[:, None]
