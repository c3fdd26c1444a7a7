"""Helpers shared by the callbacks: logs values as floats, and messages.

Messages (``Epoch 5: early stopping``) go to ``sys.stdout``. A live progress
bar on a terminal leaves its line open between redraws; :func:`print_message`
closes that line first, so a message never runs into a bar.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

import numpy as np

__all__ = ["to_float", "print_message"]


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


def to_float(value: Any) -> Any:
    """A Python float for a number or a 0-d array; any other value unchanged."""
    if isinstance(value, (float, int, np.number)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "biuf":
        return float(value)
    return value
