"""Where the loops' batches come from: arrays cut in memory, a ``PyDataset`` read by index, or a Python iterator.

Each source hands out one epoch at a time as ``(step, batch)`` pairs, ``batch``
being what a step receives (``(x, y)``, ``(x, y, sample_weight)`` or ``x``).

- :class:`ArrayBatches`: arrays checked once, up front (``fit``'s historical
  path, bitwise unchanged): each epoch draws a permutation of the samples.
- :class:`DatasetBatches`: a :class:`~tinynet.utils.PyDataset`; each epoch
  draws a permutation of the batch indices (``shuffle``) and reads the batches
  one by one, each checked as it comes.
- :class:`IteratorBatches`: a generator or any iterator of batches, read
  ``steps`` at a time (or to its end) and never rewound, as Keras does.

Streamed batches are checked by the ``check`` function the source is given
(the same checks ``fit`` makes on arrays, on one batch); the first batch is
read and checked when the source is made, before any state changes, which
also builds an unbuilt model.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .._validation import integer
from ..errors import InvalidTypeError, InvalidValueError, TinynetError
from ..layer import Array
from ..utils import PyDataset, unpack_x_y_sample_weight
from .data import batch_bounds, count, data_for_steps, take, x_for_predict

__all__ = [
    "ArrayBatches", "DatasetBatches", "IteratorBatches", "is_stream", "stream_source", "split_batch", "batch_of",
    "train_check", "predict_check", "refuse_with_stream",
]  # fmt: skip

Arrays = tuple[Array, Array | None, Array | None]
Check = Callable[[Any], Any]


def is_stream(x: Any) -> bool:
    """Whether ``x`` is read batch by batch: a ``PyDataset`` or an iterator (a generator object)."""
    return isinstance(x, PyDataset) or isinstance(x, Iterator)


def split_batch(batch: Any, where: str) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` of one streamed batch: a tuple (or list) of 1 to 3 parts, or ``x`` alone."""
    if isinstance(batch, (tuple, list)) and not 1 <= len(batch) <= 3:
        raise InvalidValueError(
            f"{where}: a batch must be (x,), (x, y) or (x, y, sample_weight), or x alone; received a "
            f"{type(batch).__name__} of {len(batch)} parts."
        )
    return unpack_x_y_sample_weight(batch)


def batch_of(data: Arrays, index: Any) -> Any:
    """What a step receives: ``(x, y)``, ``(x, y, sample_weight)``, or ``x`` alone when there is no ``y``."""
    x, y, weights = data
    if y is None:
        return take(x, index)
    return (take(x, index), take(y, index)) if weights is None else (take(x, index), take(y, index), weights[index])


class ArrayBatches:
    """Batches of ``batch_size`` samples cut from arrays already checked; the last may be smaller."""

    interrupted = False

    def __init__(self, data: Arrays, batch_size: int, shuffle: bool = False) -> None:
        self.data, self.shuffle = data, shuffle
        self.bounds = batch_bounds(count(data[0]), batch_size)
        self.steps: int | None = len(self.bounds)

    def epoch(self, rng: np.random.Generator | None, start: int = 0) -> Iterator[tuple[int, Any]]:
        """One pass from batch ``start`` on; with ``shuffle``, in the order of a permutation ``rng`` draws first."""
        x = self.data[0]
        order = rng.permutation(count(x)) if self.shuffle and rng is not None else None
        for step in range(start, len(self.bounds)):
            begin, end = self.bounds[step]
            yield step, batch_of(self.data, slice(begin, end) if order is None else order[begin:end])

    def on_epoch_end(self) -> None:
        """Nothing to do for arrays."""


class DatasetBatches:
    """The batches of a ``PyDataset``, ``steps_per_epoch`` of them an epoch (by default all), each checked.

    An epoch takes the next batches of the current pass over the data set; a
    new pass (a new order, with ``shuffle``) starts when one is used up. With
    ``steps_per_epoch`` unset, every epoch is one whole pass. A pass used up
    before ``steps_per_epoch`` batches ends that epoch early, with a warning, as in Keras.
    """

    interrupted = False

    def __init__(
        self, dataset: PyDataset, check: Check, where: str, shuffle: bool = False, steps_per_epoch: Any = None
    ) -> None:
        try:
            length = len(dataset)
        except NotImplementedError as error:
            raise InvalidTypeError(f"{where}: {error}") from None
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
            raise InvalidValueError(
                f"{where}: len() of the PyDataset must be a number of batches >= 1, got {length!r}."
            )
        self.dataset, self.check, self.where, self.shuffle = dataset, check, where, shuffle
        self.length = int(length)
        self.per_epoch = None if steps_per_epoch is None else integer(steps_per_epoch, where, "steps", minimum=1)
        self.steps: int | None = self.per_epoch or self.length
        self._order: Array | None = None
        self._position = self.length
        check(dataset[0])  # the first batch, checked (and the model built) before anything changes

    def epoch(self, rng: np.random.Generator | None, start: int = 0) -> Iterator[tuple[int, Any]]:
        """This epoch's batches from step ``start`` on, read and checked one at a time."""
        self.dataset.on_epoch_begin()
        if self._order is None or self.per_epoch is None or self._position >= self.length:
            shuffled = self.shuffle and rng is not None
            self._order = rng.permutation(self.length) if shuffled else np.arange(self.length)  # type: ignore[union-attr]
            self._position = 0
        self._position += start
        assert self.steps is not None
        for step in range(start, self.steps):
            if self._position >= self.length:
                warnings.warn(
                    f"{self.where}: the PyDataset's {self.length} batches ran out after {step} of the epoch's "
                    f"{self.steps} steps; the epoch ends here and the next starts a new pass. Make steps_per_epoch "
                    f"divide {self.length}.",
                    stacklevel=2,
                )
                return
            index = int(self._order[self._position])
            self._position += 1
            yield step, self.check(self.dataset[index])

    def on_epoch_end(self) -> None:
        self.dataset.on_epoch_end()


class IteratorBatches:
    """Batches drawn from an iterator, ``steps`` an epoch or up to its end; never rewound.

    ``interrupted`` turns true when the iterator ended before ``steps``
    batches, or gave none at all in an epoch: the loop then stops, as Keras
    does when "your input ran out of data".
    """

    def __init__(self, iterator: Iterator[Any], check: Check, where: str, steps: Any = None) -> None:
        self.iterator, self.check, self.where = iterator, check, where
        self.steps: int | None = None if steps is None else integer(steps, where, "steps", minimum=1)
        self.interrupted = False
        try:
            first = next(iterator)
        except StopIteration:
            raise InvalidValueError(f"{where}: the iterator gave no batch at all.") from None
        self._pending = [check(first)]  # the first batch, checked (and the model built) before anything changes

    def epoch(self, rng: np.random.Generator | None, start: int = 0) -> Iterator[tuple[int, Any]]:
        """The next ``steps`` batches (or all that are left); ``start`` only numbers them."""
        step = start
        while self.steps is None or step < self.steps:
            if self._pending:
                batch = self._pending.pop()
            else:
                try:
                    raw = next(self.iterator)
                except StopIteration:
                    self.interrupted = self.steps is not None or step == start
                    return
                batch = self.check(raw)
            yield step, batch
            step += 1

    def on_epoch_end(self) -> None:
        """Nothing to do: an iterator has no epochs."""


def stream_source(x: Any, check: Check, where: str, shuffle: bool = False, steps: Any = None) -> Any:
    """The source for a ``PyDataset`` or an iterator ``x``."""
    if isinstance(x, PyDataset):
        return DatasetBatches(x, check, where, shuffle, steps)
    return IteratorBatches(x, check, where, steps)


# ---------------------------------------------------------------------------- the checks of one streamed batch
def train_check(model: Any, compiled_loss: Any, class_weight: Any, y_optional: bool, what: str) -> Check:
    """The check of one batch for ``train_step`` (or ``test_step``): ``fit``'s checks of arrays, on the batch."""
    where = f"{model._label()}: a batch of {what}"

    def check(batch: Any) -> Any:
        x, y, weights = split_batch(batch, where)
        if y is None and not y_optional:
            raise InvalidValueError(f"{where} must be (x, y) or (x, y, sample_weight); received x alone.")
        try:
            x, y, weights = data_for_steps(model, compiled_loss, x, y, weights, class_weight, y_optional)
            for layer in model.walk():  # a batch a layer would refuse in training (BatchNorm's batch of 1)
                layer.check_batch_size(count(x), training=True)
        except TinynetError as error:  # the same error, saying where the data came from
            raise type(error)(f"{error} (In a batch of {what}.)") from None
        return batch_of((x, y, weights), slice(None))

    return check


def predict_check(model: Any) -> Check:
    """The check of one batch for ``predict_step``: its ``x`` (a ``y`` in the batch is left out)."""
    where = f"{model._label()}: a batch of x"

    def check(batch: Any) -> Any:
        try:
            return x_for_predict(model, split_batch(batch, where)[0])
        except TinynetError as error:
            raise type(error)(f"{error} (In a batch of x.)") from None

    return check


def refuse_with_stream(model: Any, x: Any, **given: Any) -> None:
    """Arguments a ``PyDataset`` or iterator ``x`` holds itself (``y``, ``sample_weight``) must not be passed too."""
    kind = "a PyDataset" if isinstance(x, PyDataset) else "an iterator"
    for name, value in given.items():
        if value is not None and not (isinstance(value, (int, float)) and value == 0):
            raise InvalidValueError(
                f"{model._label()}: {name} cannot be passed with {kind} as x: its batches hold x, y and sample "
                f"weights themselves (validation_split needs arrays; use validation_data). Received {name}={value!r}."
            )
