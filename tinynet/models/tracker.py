"""``Tracker``: per-sample running averages of the loss and the metrics over one pass of ``fit`` or ``evaluate``."""

from __future__ import annotations

from typing import Any

from ..layer import Array

__all__ = ["Tracker", "shaped"]


class Tracker:
    """Per-sample running averages of the loss and the metrics over one pass."""

    def __init__(self, metric_objects: list[Any]) -> None:
        self.metrics = metric_objects
        for metric in self.metrics:
            metric.reset_state()
        self.loss_total = 0.0
        self.count = 0

    def update(self, loss_value: float, y: Array, y_pred: Array | None, sample_weight: Array | None) -> None:
        """Add one batch; ``y_pred`` may be ``None`` when there are no metrics to see it."""
        self.loss_total += loss_value * len(y)
        self.count += len(y)
        for metric in self.metrics:
            metric.update_state(y, y_pred, sample_weight)

    def results(self) -> dict[str, float]:
        logs = {"loss": self.loss_total / self.count if self.count else 0.0}
        for metric in self.metrics:
            logs[metric.name] = metric.result()
        return logs


def shaped(results: dict[str, float], return_dict: bool) -> float | list[float] | dict[str, float]:
    if return_dict:
        return results
    values = list(results.values())
    return values[0] if len(values) == 1 else values
