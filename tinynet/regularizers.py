"""Weight penalties: ``L1``, ``L2``, ``L1L2``.

A regularizer is attached to a parameter (``Dense(kernel_regularizer="l2")``).
Once per training step the model adds ``penalty(w)`` to the reported loss and
``gradient(w)`` to the parameter's ``.grad``, after ``backward`` and before the
optimizer's step. The scales follow Keras: no factor 1/2 on L2.

Math::

    L1L2(l1, l2)  penalty = l1 * sum(|w|) + l2 * sum(w * w)    gradient = l1 * sign(w) + 2 * l2 * w
    L1(l1)        is L1L2(l1, 0);   L2(l2) is L1L2(0, l2)

String ids: ``"l1"`` and ``"l2"`` (factor 0.01, Keras's default), ``"l1_l2"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import real
from .errors import InvalidValueError, ShapeError
from .registry import register, resolve

__all__ = ["Regularizer", "L1", "L2", "L1L2", "get"]


class Regularizer:
    """Base class: ``penalty(w)`` is a float added to the loss, ``gradient(w)`` its derivative."""

    def penalty(self, w: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, w: np.ndarray) -> float:
        return self.penalty(w)

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)


@register
class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w * w)``; the subgradient of ``|w|`` at 0 is 0.

    Examples
    --------
    >>> import numpy as np
    >>> L1L2(l1=0.1, l2=0.5).penalty(np.array([1.0, -2.0]))
    2.8
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor(l1, "l1", type(self).__name__)
        self.l2 = _factor(l2, "l2", type(self).__name__)

    def penalty(self, w: np.ndarray) -> float:
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.abs(w).sum())
        if self.l2:
            total += self.l2 * float((w * w).sum())
        return total

    def gradient(self, w: np.ndarray) -> np.ndarray:
        grad = np.zeros_like(w)
        if self.l1:
            grad += self.l1 * np.sign(w)
        if self.l2:
            grad += (2.0 * self.l2) * w
        return grad

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


@register
class L1(L1L2):
    """``l1 * sum(|w|)``: pushes weights to exactly zero.

    Examples
    --------
    >>> import numpy as np
    >>> L1(0.01).gradient(np.array([3.0, 0.0, -1.0]))
    array([ 0.01,  0.  , -0.01])
    """

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


@register
class L2(L1L2):
    """``l2 * sum(w * w)``: weight decay through the loss.

    Examples
    --------
    >>> import numpy as np
    >>> L2(0.01).penalty(np.array([3.0, -4.0]))
    0.25
    """

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


def _factor(value: Any, name: str, owner: str) -> float:
    return real(value, owner, name, minimum=0.0)


_ALIASES: dict[str, type] = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier: Any) -> Regularizer | None:
    """A regularizer from a string id, an instance, a class or a config dict; ``None`` for ``None``."""
    if identifier is None:
        return None
    return resolve(identifier, "regularizer", Regularizer, _ALIASES)


# ---------------------------------------------------------------------------- attn14
@register
class OrthogonalRegularizer(Regularizer):
    """Keras's penalty on the cosine similarities between the rows (or the columns) of a 2-D weight.

    Math (``mode="rows"``; ``"columns"`` is the same on ``w.T``; n rows; eps = 1e-7)::

        penalty    r_i = max(|w_i|, eps)      q = w / r          (each row to unit length)
                   g = q @ q.T                s = sign(g), 0 on the diagonal
                   penalty = factor * 0.5 * sum(|g| * (1 - I)) / (n * (n - 1) / 2)
        gradient   c = factor * 0.5 / (n * (n - 1) / 2)
                   dq = 2 * c * s @ q                            (g is symmetric)
                   dw_i = (dq_i - q_i * (q_i . dq_i)) / r_i      (dw_i = dq_i / eps where |w_i| < eps)

    Parameters
    ----------
    factor : float
        The penalty's scale, ``>= 0``; 0.01 by default, as in Keras.
    mode : {"rows", "columns"}
        Which vectors to push apart: the rows of a ``Dense`` kernel ``(in, units)`` are the features'
        weights, its columns the units'.

    Examples
    --------
    >>> import numpy as np
    >>> OrthogonalRegularizer(factor=1.0).penalty(np.array([[1.0, 0.0], [1.0, 1.0]]))   # cos 45° = 0.7071...
    0.7071067...

    Notes
    -----
    The weight must be 2-D; another rank is refused when the penalty is computed, as in Keras. A weight with
    one row (one column) has no pairs: its penalty is 0 (Keras divides 0 by 0). ``|g|`` has a kink at 0,
    where the gradient takes the subgradient 0.
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _factor(factor, "factor", type(self).__name__)
        if mode not in ("rows", "columns"):
            raise InvalidValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', received {mode!r}.")
        self.mode = mode

    def _vectors(self, w: np.ndarray) -> np.ndarray:
        if w.ndim != 2:
            raise ShapeError(
                f"OrthogonalRegularizer: the weight must be 2-D (a Dense kernel), received shape {w.shape}."
            )
        return w if self.mode == "rows" else w.T

    def _parts(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """``(q, r, g with a zero diagonal, c)`` for the rows of ``w`` (its columns in columns mode)."""
        r = np.maximum(np.sqrt((w * w).sum(axis=1, keepdims=True)), w.dtype.type(_EPSILON))
        q = w / r
        g = q @ q.T
        np.fill_diagonal(g, 0.0)
        n = len(w)
        c = 0.0 if n < 2 else self.factor * 0.5 / (n * (n - 1) / 2.0)
        return q, r, g, c

    def penalty(self, w: np.ndarray) -> float:
        q, r, g, c = self._parts(self._vectors(w))
        return c * float(np.abs(g).sum())

    def gradient(self, w: np.ndarray) -> np.ndarray:
        v = self._vectors(w)
        q, r, g, c = self._parts(v)
        dq = (2.0 * c) * (np.sign(g) @ q)
        dv = np.where(r > _EPSILON, dq - q * (q * dq).sum(axis=1, keepdims=True), dq) / r
        dv = dv.astype(w.dtype, copy=False)
        return dv if self.mode == "rows" else dv.T

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "mode": self.mode}


_EPSILON = 1e-7
orthogonal_regularizer = OrthogonalRegularizer
_ALIASES.update({"orthogonal_regularizer": OrthogonalRegularizer, "orthogonalregularizer": OrthogonalRegularizer})
__all__ += ["OrthogonalRegularizer"]
