"""``ScheduleFreeAdamW``: AdamW steps on one sequence, a running average of it, and the weights between the two."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..parameter import Parameter
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["ScheduleFreeAdamW"]


@register
class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW: no learning-rate schedule; an average of the iterates does what its decay would.

    Three sequences per parameter: ``z`` (the slot ``momentum``) takes the
    gradient steps, ``x`` is the uniform average of all ``z`` so far, and the
    weights ``w`` (``y`` in the paper), where the gradient is taken, lie between
    them. Only ``w`` and ``z`` are stored; ``x`` is recovered from them.

    Math (Defazio et al., 2024, as Keras 3 writes it; t = iterations + 1; slot momentum (z) starts as a copy of w,
    velocity (v) at zeros)::

        lr_t = lr * minimum(t / warmup_steps, 1)             (lr_t = lr when warmup_steps = 0)
        v = beta_2 * v + (1 - beta_2) * g * g
        z_old = z
        z -= lr_t * g / (sqrt(v / (1 - beta_2**t)) + epsilon)
        x_old = (w - (1 - beta_1) * z_old) / beta_1         x before this step, from w = (1 - beta_1) * z + beta_1 * x
        x = (1 - 1 / t) * x_old + (1 / t) * z               the mean of z over all steps
        w = (1 - beta_1) * z + beta_1 * x

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.0025; a float ``>= 0`` or a schedule (none is needed: that is the point).
    beta_1 : float
        In ``(0, 1]``: where ``w`` lies between ``z`` (0) and ``x`` (1); default 0.9.
    beta_2 : float
        In ``[0, 1)``: the decay rate of ``v``; default 0.999.
    epsilon : float
        ``> 0``, added to the denominator; default 1e-8.
    warmup_steps : int
        ``>= 0``: the learning rate grows linearly from ``lr / warmup_steps`` to ``lr`` over these steps; default 0.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer` (the decay shrinks ``w`` before the step, as Keras's does).
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    The model's weights are ``w``, always: ``evaluate`` and ``predict`` see
    them, as in Keras, which swaps nothing for evaluation. (The paper's own
    code evaluates at ``x``; ``average_values`` returns it, for a model to take
    with ``set_weights`` if wanted.) ``x`` is recovered by dividing by ``beta_1``,
    so its rounding error grows as ``beta_1`` shrinks.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([1.0, 1.0]))
    >>> p.grad = [0.5, -3.0]
    >>> opt = ScheduleFreeAdamW(learning_rate=0.1)
    >>> opt.step([p])
    >>> opt.slots[p]["momentum"]                 # z: Adam's first step, lr against the sign of g
    array([0.9, 1.1])
    >>> p.value                                  # at t = 1 the average x is z itself, so w = z
    array([0.9, 1.1])
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.0025,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        warmup_steps: int = 0,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
    ) -> None:
        where = type(self).__name__
        self.beta_1 = number(beta_1, where, "beta_1", 0.0, 1.0, low_open=True)  # x_old divides by it
        self.beta_2 = number(beta_2, where, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = number(epsilon, where, "epsilon", 0.0, low_open=True)
        self.warmup_steps = number(warmup_steps, where, "warmup_steps", 0, integral=True)
        super().__init__(
            learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
            use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps,
        )  # fmt: skip

    def slot_names(self) -> tuple[str, ...]:
        return ("momentum", "velocity")

    def new_slot(self, name: str, p: Parameter) -> Array:
        return p.value.copy() if name == "momentum" else super().new_slot(name, p)

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        beta_1, beta_2, t = self.beta_1, self.beta_2, self.iterations + 1
        if self.warmup_steps > 0:
            lr *= min(t / self.warmup_steps, 1.0)
        z, v = slots["momentum"], slots["velocity"]
        z_old = z.copy()
        v *= beta_2
        v += (1 - beta_2) * (g * g)
        z -= (lr * g) / (np.sqrt(v / (1 - beta_2**t)) + self.epsilon)
        x = (w - (1 - beta_1) * z_old) / beta_1
        x *= 1 - 1 / t
        x += (1 / t) * z
        w[...] = (1 - beta_1) * z + beta_1 * x

    def average_values(self, parameters: list[Parameter]) -> list[Array]:
        """The averages ``x = (w - (1 - beta_1) * z) / beta_1`` of ``parameters`` (their weights if never stepped)."""
        values = []
        for p in self._checked_parameters(parameters, "average_values"):
            z = self.slots.get(p, {}).get("momentum")
            values.append(p.value.copy() if z is None else (p.value - (1 - self.beta_1) * z) / self.beta_1)
        return values

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "warmup_steps": self.warmup_steps,
        }
