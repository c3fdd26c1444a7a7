"""Helpers shared by the callbacks: a number check, float conversion of logs values, and messages.

Messages (``Epoch 5: early stopping``) go to ``sys.stdout``. A live progress
bar on a terminal leaves its line open between redraws; :func:`print_message`
closes that line first, so a message never runs into a bar.
"""

from __future__ import annotations

import math
import sys
from typing import Any, TextIO

import numpy as np

from ..errors import InvalidTypeError, InvalidValueError

__all__ = ["check_number", "to_float", "print_message"]


class _LiveLine:
    """The stream on which a progress bar left a line open (no final newline), if any."""

    stream: TextIO | None = None


def print_message(text: str, stream: TextIO | None = None) -> None:
    """Write ``text`` and a newline to ``stream`` (``sys.stdout`` when None), after closing an open bar line."""
    out = sys.stdout if stream is None else stream
    line_open = _LiveLine.stream is out
    if line_open:
        _LiveLine.stream = None
    out.write("\n" + text + "\n" if line_open else text + "\n")
    out.flush()


def check_number(
    owner: str, name: str, value: Any, *, minimum: float | None = 0.0, integer: bool = False
) -> float | int:
    """``value`` if it is a real (or, with ``integer``, an int) number ``>= minimum``; else a clear error."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds):
        expected = "an int" if integer else "a number"
        raise InvalidTypeError(f"{owner}: {name} must be {expected}, received {value!r} ({type(value).__name__}).")
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        bound = f" >= {minimum:g}" if minimum is not None else ""
        raise InvalidValueError(f"{owner}: {name} must be a finite number{bound}, received {value!r}.")
    return int(value) if integer else float(value)


def to_float(value: Any) -> Any:
    """A Python float for a number or a 0-d array; any other value unchanged."""
    if isinstance(value, (float, int, np.number)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "biuf":
        return float(value)
    return value
