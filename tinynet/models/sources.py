"""The batch sources of ``fit``, ``evaluate`` and ``predict``, made from their arguments, every one checked.

Arrays are checked whole, before any state changes (:mod:`tinynet.models.data`);
a ``PyDataset`` or an iterator has its first batch read and checked then, and
every later batch as it comes (:mod:`tinynet.models.streams`). The caller runs
these within ``unchanged_on_error``, so a refused call leaves an unbuilt model unbuilt.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidValueError
from . import data, streams
from .compiled_loss import CompiledLoss
from .streams import ArrayBatches

__all__ = ["fit_sources", "evaluate_source", "predict_source"]


def fit_sources(
    model: Any,
    compiled_loss: CompiledLoss,
    x: Any,
    y: Any,
    batch_size: int,
    shuffle: bool,
    sample_weight: Any,
    class_weight: Any,
    validation_split: Any,
    validation_data: Any,
    steps_per_epoch: Any,
    validation_steps: Any,
    y_optional: bool,
) -> tuple[Any, Any]:
    """The training source and the validation source (or ``None``) of one ``fit`` call."""
    if streams.is_stream(x):
        streams.refuse_with_stream(model, x, y=y, sample_weight=sample_weight, validation_split=validation_split)
        check = streams.train_check(model, compiled_loss, class_weight, y_optional, "x")
        source = streams.stream_source(x, check, f"{model._label()}: fit", shuffle, steps_per_epoch)
        return source, _validation_source(model, compiled_loss, validation_data, batch_size, validation_steps)
    if steps_per_epoch is not None:
        raise InvalidValueError(
            f"{model._label()}: steps_per_epoch applies to a PyDataset or an iterator as x; with arrays every epoch "
            f"is one pass over them in batches of batch_size. Received steps_per_epoch={steps_per_epoch!r}."
        )
    x, y, weights = data.data_for_steps(model, compiled_loss, x, y, sample_weight, class_weight, y_optional)
    held_out = data.split_validation(model, validation_split, data.count(x))
    validation: Any = None
    if validation_data is not None:
        validation = _validation_source(model, compiled_loss, validation_data, batch_size, validation_steps)
    elif held_out:
        cut = data.count(x) - held_out
        (x, y, weights), held = data.split_at((x, y, weights), cut)
        validation = ArrayBatches(held, batch_size)
    source = ArrayBatches((x, y, weights), batch_size, shuffle)
    for layer in model.walk():  # a batch a layer would refuse mid-training is refused now
        for size in {stop - start for start, stop in source.bounds}:
            layer.check_batch_size(size, training=True)
    return source, validation


def _validation_source(
    model: Any, compiled_loss: CompiledLoss, validation_data: Any, batch_size: int, steps: Any
) -> Any:
    if validation_data is None:
        return None
    if streams.is_stream(validation_data):
        check = streams.train_check(model, compiled_loss, None, False, "validation_data")
        return streams.stream_source(validation_data, check, f"{model._label()}: validation_data", False, steps)
    if steps is not None:
        raise InvalidValueError(
            f"{model._label()}: validation_steps applies to a PyDataset or an iterator as validation_data; arrays "
            f"are evaluated whole. Received validation_steps={steps!r}."
        )
    return ArrayBatches(data.validation_for_fit(model, compiled_loss, validation_data), batch_size)


def evaluate_source(
    model: Any, compiled_loss: CompiledLoss, x: Any, y: Any, batch_size: int, sample_weight: Any, steps: Any,
    y_optional: bool,
) -> Any:  # fmt: skip
    """The source of one ``evaluate`` call."""
    if streams.is_stream(x):
        streams.refuse_with_stream(model, x, y=y, sample_weight=sample_weight)
        check = streams.train_check(model, compiled_loss, None, y_optional, "x")
        return streams.stream_source(x, check, f"{model._label()}: evaluate", False, steps)
    _no_steps(model, steps)
    return ArrayBatches(data.data_for_steps(model, compiled_loss, x, y, sample_weight, None, y_optional), batch_size)


def predict_source(model: Any, x: Any, steps: Any) -> Any:
    """The source of one ``predict`` call: checked arrays, or a stream source."""
    if streams.is_stream(x):
        return streams.stream_source(x, streams.predict_check(model), f"{model._label()}: predict", False, steps)
    _no_steps(model, steps)
    return data.x_for_predict(model, x)


def _no_steps(model: Any, steps: Any) -> None:
    if steps is not None:
        raise InvalidValueError(
            f"{model._label()}: steps applies to a PyDataset or an iterator as x; arrays are read whole. "
            f"Received steps={steps!r}."
        )
