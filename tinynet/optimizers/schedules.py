"""Learning-rate schedules: objects called with the optimizer's step count that return a learning rate.

Pass one as ``learning_rate=`` to any optimizer: it is evaluated at
``optimizer.iterations`` before every step, so the first step sees step 0,
as in Keras. Any callable ``f(step) -> float`` works the same way, but only a
``LearningRateSchedule`` (registered with :func:`tinynet.register`) can be
saved in a config or model file.

Keras's classes and formulas: :class:`ExponentialDecay` and
:class:`CosineDecay` (without Keras's warm-up arguments).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import boolean, number
from ..errors import InvalidTypeError, InvalidValueError, UnknownIdentifierError
from ..registry import register, resolve
from ..utils import describe

__all__ = ["LearningRateSchedule", "ExponentialDecay", "CosineDecay", "get"]

LearningRate = float | Callable[[int], float]  # a float, a LearningRateSchedule or any f(step) -> float


def checked_learning_rate(where: str, value: Any) -> LearningRate:
    """A float ``>= 0`` or a schedule (any callable of the step that is not a class)."""
    if callable(value) and not isinstance(value, type):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidTypeError(
            f"{where}: learning_rate must be a float >= 0 or a schedule (a LearningRateSchedule or a callable of "
            f"the step), received {describe(value)}."
        )
    return number(value, where, "learning_rate", 0.0)


class LearningRateSchedule:
    """Base class: ``schedule(step)`` returns the learning rate (a Python float) for a step count.

    Subclass it, write ``__call__`` and ``get_config``, and decorate the class
    with :func:`tinynet.register` so model files can name it.

    Examples
    --------
    >>> class Halving(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate: float) -> None:
    ...         self.initial_learning_rate = initial_learning_rate
    ...     def __call__(self, step: int) -> float:
    ...         return self.initial_learning_rate * 0.5**step
    ...     def get_config(self) -> dict:
    ...         return {"initial_learning_rate": self.initial_learning_rate}
    >>> Halving(0.1)(2)
    0.025
    """

    def __call__(self, step: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step) -> float.")

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement get_config() to be saved.")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self) -> str:
        try:
            arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        except NotImplementedError:
            arguments = "..."
        return f"{type(self).__name__}({arguments})"


def _check_step(where: str, step: Any) -> float:
    """The step count as a float; a schedule refuses negative or non-numeric steps."""
    try:
        return number(step, where, "step", 0.0)
    except InvalidValueError:
        raise InvalidValueError(f"{where}: the step must be a finite number >= 0, received {step!r}.") from None


def _check_decay_steps(where: str, decay_steps: Any) -> int | float:
    """A positive number of steps, kept an ``int`` when it is one (so configs stay readable)."""
    steps = number(decay_steps, where, "decay_steps", 0.0, low_open=True)
    return int(decay_steps) if isinstance(decay_steps, int) or float(decay_steps).is_integer() else steps


@register
class ExponentialDecay(LearningRateSchedule):
    """Multiply the learning rate by ``decay_rate`` every ``decay_steps`` steps, smoothly or in stairs.

    Math (step = the optimizer's iterations)::

        p = step / decay_steps                 (staircase: p = floor(step / decay_steps))
        learning_rate = initial_learning_rate * decay_rate**p

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate at step 0, ``>= 0``.
    decay_steps : int
        Steps per factor of ``decay_rate``, ``> 0``.
    decay_rate : float
        The factor, ``> 0`` (``< 1`` decays, ``> 1`` grows).
    staircase : bool
        Decay at whole multiples of ``decay_steps`` only.

    Examples
    --------
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> schedule(0), schedule(10), schedule(5)
    (0.1, 0.05, 0.0707...)
    >>> ExponentialDecay(0.1, 10, 0.5, staircase=True)(15)
    0.05
    """

    def __init__(
        self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False
    ) -> None:
        where = type(self).__name__
        self.initial_learning_rate = number(initial_learning_rate, where, "initial_learning_rate", 0.0)
        self.decay_steps = _check_decay_steps(where, decay_steps)
        self.decay_rate = number(decay_rate, where, "decay_rate", 0.0, low_open=True)
        self.staircase = boolean(staircase, where, "staircase")

    def __call__(self, step: int) -> float:
        p = _check_step(type(self).__name__, step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
        }


@register
class CosineDecay(LearningRateSchedule):
    """Half a cosine from ``initial_learning_rate`` down to ``alpha * initial_learning_rate``, then flat.

    Math (step = the optimizer's iterations)::

        s = min(step, decay_steps)
        cosine = 0.5 * (1 + cos(pi * s / decay_steps))
        learning_rate = initial_learning_rate * ((1 - alpha) * cosine + alpha)

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate at step 0, ``>= 0``.
    decay_steps : int
        Steps to decay over, ``> 0``.
    alpha : float
        The final learning rate as a fraction of the initial one, in ``[0, 1]``.

    Examples
    --------
    >>> schedule = CosineDecay(0.1, decay_steps=100, alpha=0.1)
    >>> schedule(0), schedule(50), schedule(100), schedule(1000)
    (0.1, 0.055..., 0.01..., 0.01...)
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0) -> None:
        where = type(self).__name__
        self.initial_learning_rate = number(initial_learning_rate, where, "initial_learning_rate", 0.0)
        self.decay_steps = _check_decay_steps(where, decay_steps)
        self.alpha = number(alpha, where, "alpha", 0.0, 1.0)

    def __call__(self, step: int) -> float:
        s = min(_check_step(type(self).__name__, step), self.decay_steps)
        cosine = 0.5 * (1 + math.cos(math.pi * s / self.decay_steps))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
        }


def get(identifier: Any) -> LearningRateSchedule:
    """A schedule from an instance or a ``{"class_name", "config"}`` dict (schedules have no string ids).

    Examples
    --------
    >>> get({"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 10}})
    CosineDecay(initial_learning_rate=0.1, decay_steps=10, alpha=0.0)
    """
    if isinstance(identifier, str):
        raise UnknownIdentifierError(
            f"Learning-rate schedules have no string ids, received {identifier!r}; pass a LearningRateSchedule "
            "instance such as ExponentialDecay(0.01, decay_steps=1000, decay_rate=0.9), or a "
            "{'class_name': ..., 'config': ...} dict."
        )
    if identifier is None or isinstance(identifier, (int, float)):
        raise InvalidTypeError(f"Expected a learning-rate schedule, received {describe(identifier)}.")
    return resolve(identifier, "learning rate schedule", LearningRateSchedule, {})
