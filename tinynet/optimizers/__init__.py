"""Optimizers: objects whose ``step(parameters)`` updates each trainable ``Parameter`` in place from its ``grad``.

Keras's classes, argument names, defaults and string ids: ``"sgd"``
(:class:`SGD`), ``"adam"`` (:class:`Adam`), ``"adamw"`` (:class:`AdamW`),
``"rmsprop"`` (:class:`RMSprop`), ``"adagrad"`` (:class:`Adagrad`),
``"nadam"`` (:class:`Nadam`), ``"adamax"`` (:class:`Adamax`),
``"adadelta"`` (:class:`Adadelta`), ``"lion"`` (:class:`Lion`), ``"lamb"``
(:class:`Lamb`), ``"ftrl"`` (:class:`Ftrl`), ``"adafactor"``
(:class:`Adafactor`), ``"muon"`` (:class:`Muon`), ``"schedulefreeadamw"``
(:class:`ScheduleFreeAdamW`). Every optimizer takes ``weight_decay``, ``clipnorm``,
``clipvalue`` or ``global_clipnorm``, Keras's ``use_ema`` (a moving average of
the weights) and ``gradient_accumulation_steps``, and a float learning rate or a
schedule from :mod:`tinynet.optimizers.schedules`; it applies each parameter's
``constraint`` after the update.
"""

from __future__ import annotations

from typing import Any

from ..registry import resolve
from . import schedules
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .ftrl import Ftrl
from .lamb import Lamb
from .lion import Lion
from .muon import Muon
from .nadam import Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedule_free_adamw import ScheduleFreeAdamW
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Nadam", "Adamax", "Adadelta", "Lion", "Lamb",
    "Ftrl", "Adafactor", "Muon", "ScheduleFreeAdamW", "schedules", "get",
]  # fmt: skip

_ALIASES: dict[str, type] = {
    "sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad, "nadam": Nadam,
    "adamax": Adamax, "adadelta": Adadelta, "lion": Lion, "lamb": Lamb, "ftrl": Ftrl, "adafactor": Adafactor,
    "muon": Muon, "schedulefreeadamw": ScheduleFreeAdamW,
}  # fmt: skip


def get(identifier: Any) -> Optimizer:
    """An optimizer from a string id (Keras's defaults), a class, an instance, or a config dict.

    Examples
    --------
    >>> get("adam")
    <Adam 'adam' iterations=0>
    >>> get({"class_name": "SGD", "config": {"learning_rate": 0.1, "momentum": 0.9}}).momentum
    0.9
    >>> get("adma")
    Traceback (most recent call last):
    ...
    tinynet.errors.UnknownIdentifierError: Unknown optimizer 'adma'. Known optimizer ids: adadelta, adafactor, ...
    """
    return resolve(identifier, "optimizer", Optimizer, _ALIASES)
