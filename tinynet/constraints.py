"""Weight constraints: ``MaxNorm``, ``NonNeg``, ``UnitNorm``, ``MinMaxNorm``.

A constraint is attached to a parameter (``Dense(64, kernel_constraint=MaxNorm(2.0))``).
After each optimizer step the optimizer replaces the parameter's value with
``constraint(value)``, as Keras does; a frozen parameter is left alone. The
norms are taken along ``axis`` (for a Dense kernel ``(in, units)``, axis 0
gives one norm per unit: its incoming weights).

Math (norms = sqrt(sum(w * w, axis, keepdims=True)); epsilon = 1e-7, Keras's)::

    MaxNorm(max_value, axis)                  w * clip(norms, 0, max_value) / (epsilon + norms)
    NonNeg()                                  w * (w >= 0)
    UnitNorm(axis)                            w / (epsilon + norms)
    MinMaxNorm(min_value, max_value, rate, axis)
        desired = rate * clip(norms, min_value, max_value) + (1 - rate) * norms
                                              w * desired / (epsilon + norms)

String ids: ``"max_norm"``, ``"non_neg"``, ``"unit_norm"``, ``"min_max_norm"`` (Keras's defaults).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import number
from .errors import InvalidTypeError, InvalidValueError
from .registry import register, resolve
from .utils import describe

__all__ = ["Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "get"]

EPSILON = 1e-7  # Keras's backend epsilon: keeps a zero column finite

Axis = int | list[int]


class Constraint:
    """Base class: ``constraint(w)`` returns the projected weights (same shape and dtype); the identity here.

    Subclass it and write ``__call__`` (and ``get_config`` for its arguments);
    register it with ``@tn.register`` to save models that use it.
    """

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


@register
class MaxNorm(Constraint):
    """Scale down every slice along ``axis`` whose L2 norm exceeds ``max_value`` to that norm.

    Parameters
    ----------
    max_value : float
        ``>= 0``, the largest norm allowed; Keras's default 2.
    axis : int or list of int
        The axis (or axes) the norms are taken along; default 0 (a Dense
        kernel's columns; ``[0, 1, 2]`` for a Conv2D kernel's filters).

    Notes
    -----
    As in Keras, every slice is multiplied by ``norms / (epsilon + norms)``
    even when within bounds, a relative change of about ``1e-7 / norm``.

    Examples
    --------
    >>> import numpy as np
    >>> MaxNorm(2.0)(np.array([[3.0, 0.6], [4.0, 0.8]])).round(6)    # column norms 5 -> 2, and 1
    array([[1.2, 0.6],
           [1.6, 0.8]])
    """

    def __init__(self, max_value: float = 2, axis: Axis = 0) -> None:
        self.max_value = number(max_value, type(self).__name__, "max_value", 0.0)
        self.axis = _axis(axis, type(self).__name__)

    def __call__(self, w: np.ndarray) -> np.ndarray:
        norms = _norms(w, self.axis)
        return w * (np.clip(norms, 0.0, self.max_value) / (EPSILON + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


@register
class NonNeg(Constraint):
    """Set every negative weight to zero.

    Examples
    --------
    >>> import numpy as np
    >>> NonNeg()(np.array([-1.5, 0.0, 2.0]))
    array([-0.,  0.,  2.])
    """

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w * (w >= 0)


@register
class UnitNorm(Constraint):
    """Scale every slice along ``axis`` to L2 norm 1.

    Parameters
    ----------
    axis : int or list of int
        As for :class:`MaxNorm`; default 0.

    Examples
    --------
    >>> import numpy as np
    >>> UnitNorm(axis=1)(np.array([[3.0, 4.0]])).round(6)
    array([[0.6, 0.8]])
    """

    def __init__(self, axis: Axis = 0) -> None:
        self.axis = _axis(axis, type(self).__name__)

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


@register
class MinMaxNorm(Constraint):
    """Move every slice's L2 norm along ``axis`` into ``[min_value, max_value]``, by a fraction ``rate`` of the way.

    Parameters
    ----------
    min_value, max_value : float
        ``0 <= min_value <= max_value``; Keras's defaults 0 and 1.
    rate : float
        In ``[0, 1]``: 1 (the default) projects at once; less moves part of the way each step.
    axis : int or list of int
        As for :class:`MaxNorm`; default 0.

    Examples
    --------
    >>> import numpy as np
    >>> MinMaxNorm(min_value=1.0, max_value=2.0, rate=0.5)(np.array([[3.0], [4.0]])).round(6)   # norm 5 -> 3.5
    array([[2.1],
           [2.8]])
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Axis = 0) -> None:
        where = type(self).__name__
        self.min_value = number(min_value, where, "min_value", 0.0)
        self.max_value = number(max_value, where, "max_value", 0.0)
        if self.min_value > self.max_value:
            raise InvalidValueError(
                f"{where}: min_value must be <= max_value, received min_value={min_value!r}, max_value={max_value!r}."
            )
        self.rate = number(rate, where, "rate", 0.0, 1.0)
        self.axis = _axis(axis, where)

    def __call__(self, w: np.ndarray) -> np.ndarray:
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


def _norms(w: np.ndarray, axis: Axis) -> np.ndarray:
    """``sqrt(sum(w * w, axis, keepdims=True))`` in ``w``'s dtype."""
    return np.sqrt(np.sum(w * w, axis=axis if isinstance(axis, int) else tuple(axis), keepdims=True))


def _axis(axis: Any, where: str) -> Axis:
    """An int, or a non-empty list of distinct ints (a tuple becomes a list, as JSON would make it)."""
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, (bool, np.bool_)):
        return int(axis)
    if isinstance(axis, (list, tuple)) and axis:
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in axis):
            if len(set(axis)) == len(axis):
                return [int(a) for a in axis]
    raise InvalidTypeError(f"{where}: axis must be an int or a list of distinct ints, received {describe(axis)}.")


_ALIASES: dict[str, type] = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def get(identifier: Any) -> Constraint | None:
    """A constraint from a string id, an instance, a class or a config dict; ``None`` for ``None``.

    Examples
    --------
    >>> get("max_norm")
    MaxNorm(max_value=2.0, axis=0)
    >>> get({"class_name": "UnitNorm", "config": {"axis": 1}}).axis
    1
    """
    if identifier is None:
        return None
    return resolve(identifier, "constraint", Constraint, _ALIASES)
