"""The pictures of ``benchmarks/scaling.py``: cost against batch size, against width, and 1 vs 2 BLAS threads.

Drawn with matplotlib (the project's ``plot`` extra) to PNG files, sized
for the width of the documentation's pages: log-log axes with plain numbers
on them, one colour per contender in every figure, and the floor (the
matrix products alone) as a dashed black line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

LABELS = {
    "tinynet": "tinynet (fit)",
    "loop": "NumPy loop (yardstick.py)",
    "torch": "PyTorch",
    "products": "matrix products alone (the floor)",
}
STYLES: dict[str, dict[str, Any]] = {
    "tinynet": {"color": "C0", "marker": "o"},
    "loop": {"color": "C1", "marker": "s"},
    "torch": {"color": "C2", "marker": "^"},
    "products": {"color": "black", "linestyle": "--", "marker": "."},
}
PLAIN = FuncFormatter(lambda value, _: f"{value:g}")

Points = list[dict]  # each {"x": int, "flops": float, "seconds": {contender: seconds per step}}


def _log_axes(axes: Axes, xs: list[int], xlabel: str, ylabel: str) -> None:
    """Both axes logarithmic, the x ticks at the measured points, plain numbers rather than powers of ten."""
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    axes.set_xticks(xs)
    axes.xaxis.set_major_formatter(PLAIN)
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axes.yaxis.set_major_formatter(PLAIN)
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3, which="major")
    axes.tick_params(axis="x", labelsize=8 if len(xs) > 8 else 10)


def _curves(axes: Axes, points: Points, value: Callable[[dict, str], float]) -> None:
    """One line per contender; ``value(point, name)`` is what it plots."""
    xs = [point["x"] for point in points]
    for name in LABELS:
        if all(name in point["seconds"] for point in points):
            axes.plot(xs, [value(point, name) for point in points], label=LABELS[name], **STYLES[name])


def draw_batch(points: Points, title: str, path: Path) -> None:
    """Left: milliseconds per step against the batch size; right: microseconds per sample."""
    xs = [point["x"] for point in points]
    figure, (per_step, per_sample) = plt.subplots(1, 2, figsize=(11, 4.6))
    _curves(per_step, points, lambda point, name: point["seconds"][name] * 1e3)
    _curves(per_sample, points, lambda point, name: point["seconds"][name] / point["x"] * 1e6)
    _log_axes(per_step, xs, "batch size (samples)", "time per training step (ms)")
    _log_axes(per_sample, xs, "batch size (samples)", "time per sample (µs)")
    per_step.set_title("one step")
    per_sample.set_title("one step ÷ batch size")
    _finish(figure, per_step, title, path)


def draw_width(points: Points, title: str, path: Path) -> None:
    """Left: milliseconds per step against the hidden width; right: the GFLOP/s of the step's matrix products."""
    xs = [point["x"] for point in points]
    figure, (per_step, rate) = plt.subplots(1, 2, figsize=(11, 4.6))
    _curves(per_step, points, lambda point, name: point["seconds"][name] * 1e3)
    _curves(rate, points, lambda point, name: point["flops"] / point["seconds"][name] / 1e9)
    _log_axes(per_step, xs, "hidden width W (units per layer)", "time per training step (ms)")
    _log_axes(rate, xs, "hidden width W (units per layer)", "matrix-product GFLOP/s achieved")
    per_step.set_title("one step")
    rate.set_title("the step's product FLOPs ÷ its time")
    _finish(figure, per_step, title, path)


def draw_threads(cases: dict[str, dict[int, float]], title: str, path: Path) -> None:
    """One panel per case: microseconds per step (or call) with 1 and with 2 BLAS threads, values on the bars."""
    figure, panels = plt.subplots(1, len(cases), figsize=(11, 4.0), squeeze=False)
    for axes, (case, by_threads) in zip(panels[0], cases.items(), strict=True):
        threads = sorted(by_threads)
        micros = [by_threads[count] * 1e6 for count in threads]
        bars = axes.bar([f"{count} thread{'s' * (count > 1)}" for count in threads], micros, color=["C0", "C9"])
        axes.bar_label(bars, labels=[f"{value:.0f} µs" for value in micros], padding=2)
        axes.set_title(case, fontsize=10)
        axes.set_ylabel("µs per step" if "predict" not in case else "µs per call")
        axes.set_ylim(0, max(micros) * 1.2)
        axes.grid(alpha=0.3, axis="y")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _finish(figure: plt.Figure, legend_axes: Axes, title: str, path: Path) -> None:
    legend_axes.legend(fontsize=9)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
