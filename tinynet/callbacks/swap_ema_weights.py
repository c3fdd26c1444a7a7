"""``SwapEMAWeights``: evaluate (and predict) with the optimizer's moving averages of the weights."""

from __future__ import annotations

from typing import Any

from .._validation import boolean
from ..errors import InvalidValueError
from .base import Callback, Logs

__all__ = ["SwapEMAWeights"]


class SwapEMAWeights(Callback):
    """Swaps the weights with their moving averages (``use_ema=True``) before an evaluation, and back after it.

    What it does (w = a trainable parameter's value, average = its slot ``"average"`` in the optimizer)::

        on_test_begin, on_predict_begin    w, average = average, w      (unless the averages are in already)
        on_test_end, on_predict_end        w, average = average, w      (back)
        swap_on_epoch=True:
            on_epoch_end                   w, average = average, w      (callbacks after this one see the averages)
            on_epoch_begin                 w, average = average, w      (back, before training goes on)
            the last epoch's end           average = w                  (so fit's finalize_variable_values keeps them)

    The swap is in place and exact: swapping twice gives back the same bits.
    ``fit``'s validation (``val_loss``, ``val_<metric>``) is then computed
    with the averaged weights ("Polyak averaging").

    Parameters
    ----------
    swap_on_epoch : bool
        Also swap at the end of each epoch and back at the start of the next, so that
        callbacks placed after this one (``ModelCheckpoint``) see the averages; default False.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.utils.set_random_seed(0)
    >>> model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
    >>> model.compile(optimizer=tn.optimizers.SGD(0.1, use_ema=True), loss="mse")
    >>> x, y = np.ones((8, 2)), np.zeros((8, 1))
    >>> history = model.fit(x, y, epochs=2, validation_split=0.25, callbacks=[tn.callbacks.SwapEMAWeights()], verbose=0)
    >>> sorted(history.history)                   # val_loss was computed with the moving averages
    ['loss', 'val_loss']
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = boolean(swap_on_epoch, "SwapEMAWeights", "swap_on_epoch")
        self._ema_weights_in_model = False

    def get_config(self) -> dict[str, Any]:
        return {"swap_on_epoch": self.swap_on_epoch}

    def _pairs(self) -> list[tuple[Any, Any]]:
        """``(parameter, its average)`` for every parameter the optimizer keeps an average of."""
        optimizer: Any = getattr(self.model, "optimizer", None)
        if not getattr(optimizer, "use_ema", False):
            raise InvalidValueError(
                "SwapEMAWeights: the model's optimizer must keep moving averages of the weights; create it with "
                f"use_ema=True. Received {type(optimizer).__name__} with use_ema="
                f"{getattr(optimizer, 'use_ema', None)!r}."
            )
        return [(p, slots["average"]) for p, slots in optimizer.slots.items() if "average" in slots]

    def _swap(self) -> None:
        for p, average in self._pairs():
            weights = p.value.copy()
            p.value[...] = average
            average[...] = weights
        self._ema_weights_in_model = not self._ema_weights_in_model

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap()
            if epoch == self.params.get("epochs", 0) - 1:  # fit copies the averages in at its end: keep them
                for p, average in self._pairs():
                    average[...] = p.value

    def on_test_begin(self, logs: Logs | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap()

    def on_test_end(self, logs: Logs | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap()

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        self.on_test_begin(logs)

    def on_predict_end(self, logs: Logs | None = None) -> None:
        self.on_test_end(logs)
