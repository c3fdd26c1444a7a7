"""``LambdaCallback``: a callback made of plain functions, one per hook (Keras's class)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InvalidTypeError, InvalidValueError
from .base import Callback

__all__ = ["LambdaCallback"]

_HOOKS = frozenset(name for name in vars(Callback) if name.startswith("on_") and callable(getattr(Callback, name)))


class LambdaCallback(Callback):
    """Calls the functions given for some hooks; the other hooks do nothing.

    Each function takes the hook's arguments: ``on_epoch_begin(epoch, logs)``,
    ``on_epoch_end(epoch, logs)``, ``on_train_begin(logs)``,
    ``on_train_end(logs)``, ``on_train_batch_begin(batch, logs)``,
    ``on_train_batch_end(batch, logs)``; any other hook of
    :class:`Callback` (``on_test_end=``, ``on_predict_batch_end=``, ...) is
    taken by keyword too.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end, on_train_begin, on_train_end : callable, optional
        The functions above.
    on_train_batch_begin, on_train_batch_end : callable, optional
        The functions above.
    **kwargs : callable
        Functions for the other hooks, by hook name. An unknown name is refused.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> seen = []
    >>> log = tn.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> _ = model.fit(np.ones((4, 2)), np.zeros((4, 1)), epochs=3, verbose=0, callbacks=[log])
    >>> seen
    [0, 1, 2]
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Callable[..., Any],
    ) -> None:
        super().__init__()
        unknown = sorted(set(kwargs) - _HOOKS)
        if unknown:
            raise InvalidValueError(f"LambdaCallback: unknown hook(s) {unknown}; the hooks are {sorted(_HOOKS)}.")
        given = {
            "on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
            "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end, **kwargs,
        }  # fmt: skip
        for name, function in given.items():
            if function is not None and not callable(function):
                raise InvalidTypeError(f"LambdaCallback: {name} must be a function, received {function!r}.")
        for name, function in given.items():
            if function is not None:
                setattr(self, name, function)  # an instance attribute, in place of the class's empty hook
