"""``MonitorCallback``: the base of the callbacks that watch one logs key and keep its best value.

:class:`~tinynet.callbacks.EarlyStopping`, :class:`~tinynet.callbacks.ModelCheckpoint`
and :class:`~tinynet.callbacks.ReduceLROnPlateau` all ask the same question at
an epoch end: is the monitored value better than the best one so far? The
answer (the direction from ``mode``, the margin ``min_delta``, NaN never
counting) is written once, here.
"""

from __future__ import annotations

import math
from typing import Any

from .._validation import number
from ..errors import InvalidTypeError, InvalidValueError
from ._shared import to_float
from .base import Callback, Logs

__all__ = ["MonitorCallback", "resolve_mode"]

# Substrings of a monitor name that mean "higher is better" in mode="auto".
_MAX_HINTS = ("acc", "auc", "precision", "recall")
_BEST: Any = object()  # is_improvement's default reference: the best value so far


def resolve_mode(monitor: str, mode: str) -> str:
    """``"min"`` or ``"max"``: ``mode`` itself, or for ``"auto"`` ``"max"`` when the name looks like a score."""
    if mode != "auto":
        return mode
    return "max" if any(hint in monitor for hint in _MAX_HINTS) else "min"


class MonitorCallback(Callback):
    """A callback that watches ``logs[monitor]`` and judges each value against the best one.

    A value ``v`` is an improvement on a reference ``r`` when ``v < r - min_delta``
    (mode ``"min"``) or ``v > r + min_delta`` (mode ``"max"``). NaN never is
    one; anything is an improvement on ``None`` (nothing seen yet).

    Parameters
    ----------
    monitor : str
        A logs key.
    mode : {"auto", "min", "max"}, default "auto"
        ``"auto"`` is ``"max"`` when the name contains ``acc``, ``auc``,
        ``precision`` or ``recall``, else ``"min"``.
    min_delta : float, default 0.0
        How much better than the reference a value must be, ``>= 0``.

    Attributes
    ----------
    best : float or None
        The best value so far; the subclass decides when it is set and reset.

    Raises
    ------
    InvalidTypeError
        ``monitor`` is not a non-empty str, or ``min_delta`` not a number.
    InvalidValueError
        ``mode`` is not one of the three, or ``min_delta`` is negative or not finite.
    """

    def __init__(self, monitor: str, mode: str = "auto", min_delta: float = 0.0) -> None:
        super().__init__()
        owner = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise InvalidTypeError(f"{owner}: monitor must be a logs key (a non-empty str), received {monitor!r}.")
        if mode not in ("auto", "min", "max"):
            raise InvalidValueError(f"{owner}: mode must be 'auto', 'min' or 'max', received {mode!r}.")
        self.monitor = monitor
        self.mode = str(mode)
        self.min_delta = number(min_delta, owner, "min_delta", 0.0)
        self._sign = 1.0 if resolve_mode(monitor, self.mode) == "max" else -1.0
        self.best: float | None = None

    @property
    def maximizes(self) -> bool:
        """Whether higher values of ``monitor`` are better (``mode`` resolved)."""
        return self._sign > 0

    def is_improvement(self, value: float, reference: float | None = _BEST) -> bool:
        """Whether ``value`` beats ``reference`` (by default :attr:`best`) by more than ``min_delta``."""
        if reference is _BEST:
            reference = self.best
        if math.isnan(value):
            return False
        return reference is None or self._sign * (value - reference) > self.min_delta

    def monitored_value(self, logs: Logs | None) -> float:
        """``logs[monitor]`` as a float; a missing key is an error naming the keys that are there."""
        logs = logs or {}
        if self.monitor not in logs:
            available = ", ".join(repr(key) for key in logs) or "none"
            no_validation = self.monitor.startswith("val_") and not any(key.startswith("val_") for key in logs)
            hint = " (this fit has no validation data)" if no_validation else ""
            raise InvalidValueError(
                f"{type(self).__name__}: the monitored quantity {self.monitor!r} is not in the epoch's logs{hint}. "
                f"Available keys: {available}. Pass monitor= one of them."
            )
        return to_float(logs[self.monitor])
