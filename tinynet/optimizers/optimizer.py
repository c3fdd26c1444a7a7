"""``Optimizer``: the base class that turns each parameter's ``grad`` into an in-place update of its ``value``.

An optimizer sees nothing but a list of :class:`~tinynet.Parameter` objects.
Its per-parameter state (momentum, moment estimates, accumulators) lives in
``optimizer.slots``, a dict keyed by the ``Parameter`` object itself, created
lazily as arrays of the parameter's dtype on the first step. A subclass
names its slots in ``slot_names()`` and writes the math of one parameter in
``update_step(w, g, slots, lr)``. Around that update the base class clips the
gradients, applies Keras's decoupled ``weight_decay``, and afterwards the
parameter's ``constraint``. It also keeps Keras's two per-parameter
arrays of its own: a moving average of the weights (``use_ema``) and a sum of
gradients between updates (``gradient_accumulation_steps``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .._flat import FlatParameters
from .._validation import boolean, number
from ..errors import InvalidTypeError, InvalidValueError
from ..parameter import Parameter
from ..registry import serialize
from ..utils import describe
from . import schedules
from ._clipping import clipped
from ._slot_state import ACCUMULATOR, AVERAGE, SlotState
from .schedules import LearningRate, LearningRateSchedule, checked_learning_rate

__all__ = ["Optimizer", "LearningRate", "Array"]

Array = np.ndarray


class Optimizer(SlotState):
    """Base class of the optimizers: clipping, learning rate, slots, state and config; subclasses add the math.

    Math (per trainable parameter p; w = p.value, g = the gradient used, lr = learning_rate; n =
    gradient_accumulation_steps, s = the number of earlier calls of step, t = iterations = s // n, or s without n)::

        accumulation      acc += p.grad, and nothing else changes but the average, if (s + 1) % n != 0
                          otherwise the update below with g = (p.grad + acc) / n, then acc = 0
        clipvalue         g = clip(p.grad, -clipvalue, clipvalue)
        clipnorm          g = p.grad * (clipnorm / norm(p.grad))             if norm(p.grad) > clipnorm
        global_clipnorm   g = p.grad * (global_clipnorm / global_norm)       if global_norm > global_clipnorm
                          global_norm = sqrt(sum over trainable q of norm(q.grad)**2)
        none of them      g = p.grad
        weight_decay      w -= lr * weight_decay * w                         (before the update, as Keras)
        then              update_step(w, g, slots[p], lr)      (w changes in place; p.grad never does)
        use_ema           average = m * average + (1 - m) * w, m = ema_momentum (0 while t == 0)
                          w = average                          if ema_overwrite_frequency and (t + 1) % it == 0
        p.constraint      w = p.constraint(w)                                (after the update, as Keras)
                          s += 1

    Parameters
    ----------
    learning_rate : float or callable
        A float ``>= 0``, or a schedule: a :class:`~tinynet.optimizers.schedules.LearningRateSchedule`
        or any callable ``f(step) -> float``, evaluated at ``s``, the number of earlier calls of
        :meth:`step` (0 at the first; it is ``iterations`` unless gradients are accumulated).
    weight_decay : float, optional
        ``>= 0``: shrink every trainable parameter by ``lr * weight_decay * w`` before each update
        (decoupled weight decay, Keras's ``weight_decay``); ``None`` (the default) for none.
    clipnorm : float, optional
        Clip each gradient to this L2 norm.
    clipvalue : float, optional
        Clip each gradient entry to ``[-clipvalue, clipvalue]``.
    global_clipnorm : float, optional
        Clip the gradients jointly to this L2 norm. At most one of the three clip options may be set.
    name : str, optional
        Defaults to the lower-cased class name (``"adam"``).
    use_ema : bool
        Keep an exponential moving average of every trainable parameter (the
        slot ``"average"``): :meth:`finalize_variable_values` (``fit`` calls it
        at its end) and ``ema_overwrite_frequency`` copy it into the weights,
        :class:`~tinynet.callbacks.SwapEMAWeights` swaps it in for evaluation.
    ema_momentum : float
        In ``[0, 1]``; the weight of the old average; default 0.99.
    ema_overwrite_frequency : int, optional
        ``>= 1``: every this many updates, the weights become their average.
    gradient_accumulation_steps : int, optional
        ``>= 2``: sum the gradients of this many calls of :meth:`step` (the
        slot ``"gradient_accumulator"``) and update once, from their mean.
        ``iterations`` counts updates; a schedule sees the calls.

    Subclassing
    -----------
    Write ``slot_names()`` (the names of the per-parameter arrays, created as
    zeros, or ``slot_initial_value(name)``, of the parameter's shape or
    ``slot_shape(name, shape)``) and ``update_step(w, g, slots, lr)``,
    which changes ``w`` and the slot arrays in place (``w -= ...``), never
    modifies ``g``, and keeps the dtype of ``w`` (multiply by Python floats).
    ``self.iterations`` is the number of earlier updates. ``self.work_array(w)``
    lends a scratch array like ``w`` (its contents undefined), so an update can
    run in place instead of allocating a temporary per operation.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> from tinynet.optimizers import SGD
    >>> p = Parameter("w", np.array([1.0, 1.0]))
    >>> p.grad = [3.0, 4.0]                     # norm 5
    >>> opt = SGD(learning_rate=0.1, clipnorm=1.0)
    >>> opt.step([p])
    >>> p.value, p.grad, opt.iterations         # stepped by 0.1 * [0.6, 0.8]; p.grad untouched
    (array([0.94, 0.92]), array([3., 4.]), 1)
    """

    #: A subclass whose ``update_step`` works element by element (no sum over a parameter, no use of its
    #: shape; every slot the parameter's shape) sets this: a model's parameters in flat buffers
    #: (:mod:`tinynet._flat`) are then updated by one ``update_step`` on all of them, with the same result.
    elementwise: bool = False

    def __init__(
        self,
        learning_rate: LearningRate,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        gradient_accumulation_steps: int | None = None,
    ) -> None:
        where = type(self).__name__
        learning_rate = checked_learning_rate(where, learning_rate)
        if weight_decay is not None:
            weight_decay = number(weight_decay, where, "weight_decay", 0.0)
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        given = {key: value for key, value in clips.items() if value is not None}
        if len(given) > 1:
            raise InvalidValueError(
                f"{where}: set at most one of clipnorm, clipvalue and global_clipnorm, received "
                f"{', '.join(f'{key}={value!r}' for key, value in given.items())}."
            )
        given = {key: number(value, where, key, 0.0, low_open=True) for key, value in given.items()}
        if name is not None and not isinstance(name, str):
            raise InvalidTypeError(f"{where}: name must be a string, received {describe(name)}.")
        self.use_ema = boolean(use_ema, where, "use_ema")
        self.ema_momentum: float = number(ema_momentum, where, "ema_momentum", 0.0, 1.0)
        self.ema_overwrite_frequency: int | None = (
            None
            if ema_overwrite_frequency is None
            else number(ema_overwrite_frequency, where, "ema_overwrite_frequency", 1, integral=True)
        )
        self.gradient_accumulation_steps: int | None = (
            None
            if gradient_accumulation_steps is None
            else number(gradient_accumulation_steps, where, "gradient_accumulation_steps", 2, integral=True)
        )
        self.name = name or where.lower()
        self.weight_decay: float | None = weight_decay
        self.clipnorm: float | None = given.get("clipnorm")
        self.clipvalue: float | None = given.get("clipvalue")
        self.global_clipnorm: float | None = given.get("global_clipnorm")
        self._learning_rate: LearningRate = learning_rate
        self._steps = 0  # calls of step(); Keras's _iterations
        self.slots: dict[Parameter, dict[str, Array]] = {}
        self._work: dict[tuple[tuple[int, ...], np.dtype], Array] = {}
        self._flat_state = None  # see SlotState._flat_slots

    # ------------------------------------------------------------ what subclasses write
    def slot_names(self) -> tuple[str, ...]:
        """The names of this optimizer's per-parameter arrays (none for the base class)."""
        return ()

    def slot_initial_value(self, name: str) -> float:
        """The value a new slot array is filled with; zero unless a subclass says otherwise."""
        return 0.0

    def slot_shape(self, name: str, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of slot ``name`` of a parameter of ``shape``: ``shape`` itself unless a subclass says otherwise.

        A slot's shape is the parameter's with some axes removed (Adafactor's
        row and column statistics); a model file refuses any other.
        """
        return shape

    def new_slot(self, name: str, p: Parameter) -> Array:
        """A new slot ``name`` of parameter ``p``: ``slot_initial_value(name)`` everywhere, of ``p``'s dtype.

        Override it for a slot that starts as something else (ScheduleFreeAdamW's, as a copy of the weights).
        """
        return np.full(self.parameter_slot_shape(name, p), self.slot_initial_value(name), p.dtype)

    def parameter_slot_shape(self, name: str, p: Parameter) -> tuple[int, ...]:
        """The shape of slot ``name`` of ``p``: ``slot_shape(name, p.shape)`` unless a subclass says otherwise.

        For an optimizer whose slots depend on more than the shape (Muon's, on the parameter's path).
        """
        return self.slot_shape(name, p.shape)

    def weight_decay_of(self, p: Parameter) -> float | None:
        """The decoupled weight decay of parameter ``p``: ``weight_decay`` unless a subclass says otherwise."""
        return self.weight_decay

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        """Update one parameter's value ``w`` and its ``slots`` in place from its gradient ``g``."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(w, g, slots, lr).")

    # ------------------------------------------------------------ learning rate
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step: the float, or the schedule evaluated at ``iterations``."""
        lr = self._learning_rate
        if not callable(lr):
            return lr
        value = lr(self._steps)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise InvalidTypeError(
                f"{type(self).__name__}: the learning-rate schedule {lr!r} returned {describe(value)} at step "
                f"{self._steps}; a schedule must return a float."
            ) from None

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        where = type(self).__name__
        if callable(self._learning_rate) and not callable(value):
            raise InvalidTypeError(
                f"{where}: the learning rate comes from the schedule {self._learning_rate!r}, so it cannot be "
                f"set to {value!r}. Create the optimizer with a float learning_rate to change it from a callback "
                "(LearningRateScheduler, ReduceLROnPlateau), or assign a new schedule."
            )
        self._learning_rate = checked_learning_rate(where, value)

    # ------------------------------------------------------------ the step
    @property
    def iterations(self) -> int:
        """The number of updates so far: calls of :meth:`step`, divided by ``gradient_accumulation_steps`` if set."""
        n = self.gradient_accumulation_steps
        return self._steps // n if n else self._steps

    def step(self, parameters: Iterable[Parameter]) -> None:
        """Update every trainable parameter in ``parameters`` in place from its ``grad`` (see the Math above).

        A parameter that carries a regularizer is updated from ``grad`` plus the
        regularizer's gradient (the derivative of the penalty that
        ``Model.compute_loss`` adds to the loss), as PyTorch's ``weight_decay``
        does; ``grad`` itself is left as ``backward`` set it. A parameter that
        carries a constraint gets ``value = constraint(value)`` after its update
        (in place: the array stays the same object); a frozen one is left alone.
        """
        if isinstance(parameters, FlatParameters) and self._flat_ready(parameters):
            self._flat_step(parameters)
            return
        params = self._checked_parameters(parameters, "step")
        n = self.gradient_accumulation_steps
        updating = not n or (self._steps + 1) % n == 0
        lr = self._checked_learning_rate() if updating else 0.0
        trainable = [p for p in params if p.trainable]
        gradients = [p.grad if p.regularizer is None else p.grad + p.regularizer.gradient(p.value) for p in trainable]
        slots = [self._slots_of(p) for p in trainable]
        if not updating:
            for g, slot in zip(gradients, slots, strict=True):
                slot[ACCUMULATOR] += g
        else:
            if n:
                gradients = [(g + slot[ACCUMULATOR]) / n for g, slot in zip(gradients, slots, strict=True)]
                for slot in slots:
                    slot[ACCUMULATOR][...] = 0.0
            gradients = clipped(gradients, self.clipvalue, self.clipnorm, self.global_clipnorm)
            for p, g, slot in zip(trainable, gradients, slots, strict=True):
                w, decay = p.value, self.weight_decay_of(p)
                if decay:
                    w -= (lr * decay) * w
                self.update_step(w, g, slot, lr)
        if self.use_ema:
            self._update_averages(trainable, slots)
        for p in trainable:
            if p.constraint is not None:
                p.value[...] = p.constraint(p.value)
        self._steps += 1

    # ------------------------------------------------------------ the step on flat buffers (see tinynet._flat)
    def _flat_ready(self, flat: FlatParameters) -> bool:
        """Whether one ``update_step`` on the flat buffers does exactly what a step per parameter would."""
        return (
            self.elementwise
            and not self.use_ema
            and not self.gradient_accumulation_steps
            and self.clipvalue is None
            and self.clipnorm is None
            and self.global_clipnorm is None
            and type(self).weight_decay_of is Optimizer.weight_decay_of
            and flat.intact()
            and flat.plain()
        )

    def _flat_step(self, flat: FlatParameters) -> None:
        """``step`` for parameters in flat buffers: the weight decay and ``update_step`` once, on all of them."""
        lr = self._checked_learning_rate()
        slots = self._flat_slots(flat)
        w = flat.values
        if self.weight_decay:
            w -= (lr * self.weight_decay) * w
        self.update_step(w, flat.grads, slots, lr)
        self._steps += 1

    def _checked_learning_rate(self) -> float:
        lr = self.learning_rate
        if not (math.isfinite(lr) and lr >= 0):
            raise InvalidValueError(
                f"{type(self).__name__}: the learning-rate schedule {self._learning_rate!r} returned {lr!r} at "
                f"step {self._steps}; a learning rate must be a finite float >= 0."
            )
        return lr

    def _update_averages(self, trainable: list[Parameter], slots: list[dict[str, Array]]) -> None:
        """Keras's EMA: the average follows the weights (it is the weights after the first update)."""
        momentum = self.ema_momentum if self.iterations != 0 else 0.0
        frequency = self.ema_overwrite_frequency
        overwrite = frequency is not None and (self.iterations + 1) % frequency == 0
        for p, slot in zip(trainable, slots, strict=True):
            average = slot[AVERAGE]
            average *= momentum
            average += (1.0 - momentum) * p.value
            if overwrite:
                p.value[...] = average

    def finalize_variable_values(self, parameters: Iterable[Parameter]) -> None:
        """With ``use_ema``, set every parameter that has an average to it (``fit`` calls this at its end, as Keras).

        Without ``use_ema`` it does nothing; a parameter never stepped keeps its value.
        """
        params = self._checked_parameters(parameters, "finalize_variable_values")
        if not self.use_ema:
            return
        for p in params:
            average = self.slots.get(p, {}).get(AVERAGE)
            if average is not None:
                p.value[...] = average

    def work_array(self, w: Array) -> Array:
        """A scratch array of ``w``'s shape and dtype, reused from step to step; its contents are undefined."""
        key = (w.shape, w.dtype)
        work = self._work.get(key)
        if work is None:
            work = self._work[key] = np.empty_like(w)
        return work

    def _checked_parameters(self, parameters: Iterable[Parameter], method: str) -> list[Parameter]:
        where = f"{type(self).__name__}.{method}"
        if isinstance(parameters, Parameter) or not isinstance(parameters, Iterable):
            raise InvalidTypeError(f"{where}: expected a list of Parameters, received {describe(parameters)}.")
        params = list(parameters)
        if len({id(p) for p in params}) == len(params) and all(type(p) is Parameter for p in params):
            return params  # the common case, checked in one pass
        seen: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise InvalidTypeError(f"{where}: parameters[{i}] must be a Parameter, received {describe(p)}.")
            if id(p) in seen:
                raise InvalidValueError(
                    f"{where}: parameters[{i}] ({p.name!r}) appears twice in the list; pass each parameter once."
                )
            seen.add(id(p))
        return params

    # ------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """JSON-ready settings; a schedule is stored as ``{"class_name", "config"}``."""
        lr: Any = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = serialize(lr)
        elif callable(lr):
            raise InvalidTypeError(
                f"{type(self).__name__}: cannot serialize the learning rate {lr!r}: a plain callable has no config. "
                "Use a float or a LearningRateSchedule subclass (registered with @tn.register) to save the optimizer."
            )
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.get(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} iterations={self.iterations}>"
