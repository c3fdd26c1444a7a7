"""The metrics ``compile`` sets up: metric objects, and for a model of several outputs which output each watches.

``compile(metrics=...)`` takes a list for every output (``["accuracy"]``), a list
of lists (one per output), or a dict by output name. ``"accuracy"`` and the
other loss-dependent names resolve against each output's own loss.
"""

from __future__ import annotations

from typing import Any

from .. import metrics as metrics_module
from ..errors import InvalidTypeError, InvalidValueError
from .compiled_loss import CompiledLoss

__all__ = ["compiled_metrics"]


def compiled_metrics(owner: str, metrics: Any, compiled_loss: CompiledLoss) -> tuple[list[Any], list[int] | None]:
    """The metric objects, and for several outputs which output each watches (``None`` for one output).

    ``"accuracy"`` resolves against each output's own loss; with several outputs
    every metric is named ``<output>_<name>``.
    """
    names = compiled_loss.names
    if metrics is None:
        metrics = []
    if len(names) == 1:
        if isinstance(metrics, (str, dict)) or not isinstance(metrics, (list, tuple)):
            raise InvalidTypeError(f"{owner}: metrics must be a list, e.g. ['accuracy'], received {metrics!r}.")
        return [metrics_module.get(m, loss=compiled_loss.loss) for m in metrics], None
    if isinstance(metrics, dict):
        unknown = sorted(set(metrics) - set(names))
        if unknown:
            raise InvalidValueError(f"{owner}: metrics names outputs {unknown}, but the model's outputs are {names}.")
        per_output = [metrics.get(name, []) for name in names]
    elif isinstance(metrics, (list, tuple)) and metrics and all(isinstance(m, (list, tuple)) for m in metrics):
        if len(metrics) != len(names):
            raise InvalidValueError(
                f"{owner}: metrics has {len(metrics)} lists, but the model has {len(names)} outputs {names}."
            )
        per_output = list(metrics)
    elif isinstance(metrics, (list, tuple)):
        per_output = [list(metrics)] * len(names)
    else:
        raise InvalidTypeError(f"{owner}: metrics must be a list, a list of lists or a dict, received {metrics!r}.")
    found, outputs = [], []
    for index, (name, wanted) in enumerate(zip(names, per_output, strict=True)):
        for identifier in [wanted] if not isinstance(wanted, (list, tuple)) else wanted:
            metric = metrics_module.get(identifier, loss=compiled_loss.outputs[index].loss)
            metric.name = f"{name}_{metric.name}"
            found.append(metric)
            outputs.append(index)
    return found, outputs
