"""``ProgressBar`` (Keras's ``ProgbarLogger``): what ``verbose=1`` and ``verbose=2`` print."""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

from .._validation import number
from ..errors import InvalidValueError
from ._shared import _LiveLine
from .base import Callback, Logs

__all__ = ["ProgressBar", "ProgbarLogger"]


class ProgressBar(Callback):
    """Prints the progress of ``fit`` (and of a standalone ``evaluate`` / ``predict``).

    ``verbose=1`` on a terminal draws a live bar per epoch, redrawn in place
    (``"\\r"``) at most every ``interval`` seconds and on the last batch::

        Epoch 3/10
        12/29 [============>.................] - ETA: 0s - loss: 0.4321 - accuracy: 0.8125

    and ends the epoch with its elapsed time and validation values::

        29/29 [==============================] - 0s 2ms/step - loss: 0.4012 - accuracy: 0.8401 - val_loss: 0.4390

    ``verbose=1`` on a stream that is not a terminal (a pipe, a CI log) prints
    one line per epoch instead: ``Epoch 3/10 - 29/29 - 0s 2ms/step - loss: ...``.
    ``verbose=2`` prints one line per epoch always: ``Epoch 3/10 - 0s - loss: ...``.
    ``verbose=0`` prints nothing. Values are shown with 4 decimals (Keras's
    format: scientific notation below 1e-3), in the order of the logs.

    Parameters
    ----------
    verbose : {0, 1, 2}, default 1
        As above.
    stream : text stream, optional
        Where to print; ``None`` means ``sys.stdout`` at the time of printing.
        A live bar is drawn only when ``stream.isatty()`` is true.
    width : int, default 30
        The bar's width in characters.
    interval : float, default 0.05
        The least time in seconds between two redraws of a live bar.
    every : int, default 1
        Show only the first epoch, every ``every``-th and the last: for long
        runs of short epochs (the seed's 10,000 full-batch epochs use 1000).

    Examples
    --------
    >>> import io, tinynet as tn
    >>> out = io.StringIO()
    >>> bar = tn.callbacks.ProgressBar(verbose=2, stream=out)
    >>> bar.set_params({"epochs": 2, "steps": 3, "verbose": 2})
    >>> bar.on_train_begin()
    >>> bar.on_epoch_begin(0)
    >>> bar.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    >>> print(out.getvalue(), end="")
    Epoch 1/2 - ...s - loss: 0.5000 - accuracy: 0.7500
    """

    def __init__(
        self, verbose: int = 1, stream: TextIO | None = None, width: int = 30, interval: float = 0.05, every: int = 1
    ) -> None:
        super().__init__()
        if isinstance(verbose, bool) or verbose not in (0, 1, 2):
            raise InvalidValueError(f"ProgressBar: verbose must be 0, 1 or 2, received {verbose!r}.")
        self.verbose = int(verbose)
        self.stream = stream
        self.width = number(width, "ProgressBar", "width", 1, integral=True)
        self.interval = number(interval, "ProgressBar", "interval", 0.0)
        self.every = number(every, "ProgressBar", "every", 1, integral=True)
        self._hidden_epoch = False
        self._in_fit = False
        self._title: str | None = None
        self._live = False
        self._start = 0.0
        self._last_draw = -math.inf
        self._seen = 0
        self._logs: Logs = {}
        self._line_width = 0

    def get_config(self) -> dict[str, Any]:
        return {"verbose": self.verbose, "width": self.width, "interval": self.interval, "every": self.every}

    # ------------------------------------------------------------------ fit
    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._in_fit = True

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        epochs = self.params.get("epochs")
        self._hidden_epoch = not (epoch == 0 or (epoch + 1) % self.every == 0 or epoch + 1 == epochs)
        if not self._hidden_epoch:
            self._begin(f"Epoch {epoch + 1}/{epochs if epochs is not None else '?'}")

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if not self._hidden_epoch:
            self._update(batch + 1, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if not self._hidden_epoch:
            self._finish(logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        self._close_line()  # stopped mid-epoch or by an exception: end the open bar line
        self._in_fit = False

    # ------------------------------------------------------------------ evaluate / predict outside fit
    def on_test_begin(self, logs: Logs | None = None) -> None:
        if not self._in_fit:
            self._begin(None)

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if not self._in_fit:
            self._update(batch + 1, logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        if not self._in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        self._begin(None)

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._update(batch + 1, None)

    def on_predict_end(self, logs: Logs | None = None) -> None:
        self._finish({})

    # ------------------------------------------------------------------ one run: an epoch, an evaluation
    def _begin(self, title: str | None) -> None:
        self._title, self._seen, self._logs = title, 0, {}
        self._start, self._last_draw = time.perf_counter(), -math.inf  # the first batch always draws
        self._live = self.verbose == 1 and _isatty(self._out())
        if self._live and title is not None:
            self._write(title + "\n")

    def _update(self, seen: int, logs: Logs | None) -> None:
        self._seen, self._logs = seen, logs or {}
        if not self._live:
            return
        now = time.perf_counter()
        if now - self._last_draw < self.interval and seen != self.params.get("steps"):
            return
        self._last_draw = now
        self._draw(self._bar() + " - ETA: " + _eta(self._eta(now)) + _values(self._logs), end="")

    def _finish(self, logs: Logs | None) -> None:
        if self.verbose == 0:
            return
        elapsed = time.perf_counter() - self._start
        values = _values(self._logs if logs is None else logs)
        timing = f"{elapsed:.0f}s {_per_step(elapsed / max(self._seen, 1))}"
        if self._live:
            self._draw(f"{self._bar()} - {timing}{values}", end="\n")
            return
        parts = [] if self._title is None else [self._title]
        if self.verbose == 1 or self._title is None:
            parts.append(self._counter())
        parts.append(timing if self.verbose == 1 else f"{elapsed:.0f}s")
        self._write(" - ".join(parts) + values + "\n")

    # ------------------------------------------------------------------ drawing
    def _counter(self, aligned: bool = False) -> str:
        steps = self.params.get("steps")
        if steps is None:
            return f"{self._seen}/Unknown"
        return f"{self._seen:>{len(str(steps)) if aligned else 0}}/{steps}"

    def _bar(self) -> str:
        steps = self.params.get("steps")
        if not steps:
            return self._counter()
        filled = min(int(self.width * self._seen / steps), self.width)
        head = ">" if filled > 0 and self._seen < steps else ""
        bar = "=" * (filled - len(head)) + head + "." * (self.width - filled)
        return f"{self._counter(aligned=True)} [{bar}]"

    def _eta(self, now: float) -> float | None:
        steps = self.params.get("steps")
        if not steps or not self._seen:
            return None
        return (now - self._start) / self._seen * max(steps - self._seen, 0)

    def _draw(self, line: str, end: str) -> None:
        padding = " " * max(self._line_width - len(line), 0)  # wipe the tail of a longer previous line
        self._line_width = len(line) if end == "" else 0
        self._write("\r" + line + padding + end)
        _LiveLine.stream = self._out() if end == "" else None

    def _close_line(self) -> None:
        if _LiveLine.stream is self._out() and self._live:
            self._write("\n")
            _LiveLine.stream = None
        self._live = False

    def _write(self, text: str) -> None:
        stream = self._out()
        stream.write(text)
        stream.flush()

    def _out(self) -> TextIO:
        return sys.stdout if self.stream is None else self.stream


ProgbarLogger = ProgressBar  # Keras's name


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


def _values(logs: Logs) -> str:
    return "".join(f" - {key}: {_number(value)}" for key, value in logs.items())


def _number(value: Any) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"
