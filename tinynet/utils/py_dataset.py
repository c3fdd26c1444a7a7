"""``PyDataset``: data read one batch at a time by Python code, for data larger than memory (Keras's contract)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["PyDataset", "Sequence"]


class PyDataset:
    """Base class of a data set that hands out batches by index: subclass it, write ``__len__`` and ``__getitem__``.

    ``fit``, ``evaluate`` and ``predict`` take a ``PyDataset`` as ``x`` (and
    ``fit`` as ``validation_data``) and read it batch by batch, so only one
    batch need be in memory: the rest may stay on disk (a memory-mapped
    ``.npy``, files read in ``__getitem__``).

    - ``__len__()`` is the number of batches, at least 1.
    - ``__getitem__(index)`` returns batch ``index`` (``0 <= index < len``):
      ``(x, y)``, ``(x, y, sample_weight)``, or ``x`` alone / ``(x,)`` (for
      ``predict``, or a model whose ``train_step`` needs no ``y``). ``x`` is an
      array, or a list of arrays for a model of several inputs. Batches may
      differ in size (the last is often smaller).
    - ``on_epoch_begin()`` and ``on_epoch_end()`` are called at the start and
      end of every epoch (of every pass of ``evaluate`` / ``predict`` too).

    ``fit(shuffle=True)`` (the default) shuffles the order of the *batches*
    each epoch, with ``fit``'s seeded generator (:func:`set_random_seed`),
    and never the samples within a batch; ``shuffle=False`` reads them in
    order. ``evaluate`` and ``predict`` read in order. Each batch is checked
    as it comes (shape, dtype, finite values, labels), before its step.

    Parameters
    ----------
    workers, use_multiprocessing, max_queue_size
        Keras's arguments, accepted so that Keras code runs unchanged, and
        kept as attributes; tinynet reads every batch in the training thread,
        in order, which keeps training exact and reproducible.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> class Batches(tn.utils.PyDataset):
    ...     def __init__(self, x, y, batch_size, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x, self.y, self.batch_size = x, y, batch_size
    ...     def __len__(self):
    ...         return -(-len(self.x) // self.batch_size)  # the last batch may be smaller
    ...     def __getitem__(self, index):
    ...         part = slice(index * self.batch_size, (index + 1) * self.batch_size)
    ...         return self.x[part], self.y[part]
    >>> x, y = np.ones((10, 2), "float32"), np.zeros((10, 1), "float32")
    >>> batches = Batches(x, y, batch_size=4)
    >>> len(batches), [len(b[0]) for b in batches]
    (3, [4, 4, 2])
    >>> model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(batches, epochs=2, verbose=0)
    >>> len(history.history["loss"]), model.predict(batches).shape
    (2, (10, 1))
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__}: a PyDataset must define __len__, its number of batches.")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__}: a PyDataset must define __getitem__(index), returning batch index as "
            "(x, y), (x, y, sample_weight) or x."
        )

    @property
    def num_batches(self) -> int:
        """The number of batches, ``len(self)`` (Keras's name)."""
        return len(self)

    def __iter__(self) -> Iterator[Any]:
        """The batches in order."""
        for index in range(len(self)):
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch; does nothing unless overridden."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch (to reshuffle samples between batches, say); does nothing by default."""


Sequence = PyDataset  # Keras's older name, kept in Keras 3 as an alias
