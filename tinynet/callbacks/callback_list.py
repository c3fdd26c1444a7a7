"""``CallbackList``: the one object a training loop talks to; it calls every callback in turn."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import InvalidTypeError
from ._shared import to_float
from .base import Callback, Logs
from .history import History
from .progress import ProgressBar

__all__ = ["CallbackList"]


class CallbackList(Callback):
    """Calls each hook on every callback, in the order given.

    Every callback of one call receives the same ``logs`` dict — a copy of the
    loop's, with numbers as Python floats — so one callback can add a key
    (``"learning_rate"``) that the later ones see, and none can change the
    loop's own dict.

    Parameters
    ----------
    callbacks : iterable of Callback, optional
        The user's callbacks; the list is copied.
    model : Model, optional
        Given to every callback with ``set_model``.
    params : dict, optional
        ``{"epochs", "steps", "verbose"}``, given to every callback with ``set_params``.
    add_history : bool, default False
        Append a :class:`History` unless the callbacks hold one already.
    add_progress : bool, default False
        With ``verbose`` 1 or 2, append a :class:`ProgressBar` unless the
        callbacks hold one already. Both go after the user's callbacks, so they
        see the keys those add.
    verbose : {0, 1, 2}, default 0
        The verbosity of the added progress bar.

    Examples
    --------
    >>> import tinynet as tn
    >>> callbacks = tn.callbacks.CallbackList([], add_history=True, params={"epochs": 1, "steps": 1, "verbose": 0})
    >>> callbacks.on_train_begin()
    >>> callbacks.on_epoch_end(0, {"loss": 0.5})
    >>> callbacks.history.history
    {'loss': [0.5]}
    """

    def __init__(
        self,
        callbacks: Iterable[Callback] | None = None,
        model: Any = None,
        params: dict[str, Any] | None = None,
        add_history: bool = False,
        add_progress: bool = False,
        verbose: int = 0,
    ) -> None:
        super().__init__()
        if isinstance(callbacks, Callback) or (callbacks is not None and not isinstance(callbacks, Iterable)):
            raise InvalidTypeError(
                f"CallbackList: callbacks must be a list of Callback instances, received {type(callbacks).__name__}; "
                "wrap a single callback in a list."
            )
        self.callbacks: list[Callback] = list(callbacks or [])
        for index, callback in enumerate(self.callbacks):
            if not isinstance(callback, Callback):
                raise InvalidTypeError(
                    f"CallbackList: callbacks[{index}] must be a tinynet.callbacks.Callback, received "
                    f"{type(callback).__name__}."
                )
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        if add_history and self._history is None:
            self._history = History()
            self.callbacks.append(self._history)
        has_progress = any(isinstance(c, ProgressBar) for c in self.callbacks)
        if add_progress and verbose in (1, 2) and not has_progress:
            self.callbacks.append(ProgressBar(verbose=verbose))
        if model is not None:
            self.set_model(model)
        if params is not None:
            self.set_params(params)

    @property
    def history(self) -> History | None:
        """The :class:`History` among the callbacks (added or given), or None."""
        return self._history

    def append(self, callback: Callback) -> None:
        if not isinstance(callback, Callback):
            raise InvalidTypeError(
                f"CallbackList.append takes a tinynet.callbacks.Callback, received {type(callback).__name__}."
            )
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)
        self.callbacks.append(callback)

    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        for callback in self.callbacks:
            callback.set_params(params)

    def uses_train_batch_hooks(self) -> bool:
        """Whether any callback overrides ``on_train_batch_begin`` or ``on_train_batch_end``.

        When none does, ``fit`` makes no per-batch calls and builds no per-batch logs. A hook set on the
        instance (as ``LambdaCallback`` sets them) counts too.
        """
        return any(
            hook in getattr(callback, "__dict__", {}) or getattr(type(callback), hook) is not getattr(Callback, hook)
            for callback in self.callbacks
            for hook in ("on_train_batch_begin", "on_train_batch_end")
        )

    # ------------------------------------------------------------------ dispatch
    def on_train_begin(self, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Calls every callback's ``on_train_end`` even if one raises (it is the cleanup), then re-raises the first."""
        logs = _copy(logs)
        first_error: BaseException | None = None
        for callback in self.callbacks:
            try:
                callback.on_train_end(logs)
            except BaseException as error:
                first_error = first_error or error
        if first_error is not None:
            raise first_error

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs)

    def on_test_begin(self, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_test_end(logs)

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_test_batch_begin(batch, logs)

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_test_batch_end(batch, logs)

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_predict_end(logs)

    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_begin(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        logs = _copy(logs)
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, logs)


def _copy(logs: Logs | None) -> Logs:
    return {key: to_float(value) for key, value in (logs or {}).items()}
