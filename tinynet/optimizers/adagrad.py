"""``Adagrad``: per-entry learning rates that shrink with the sum of past squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Adagrad"]


@register
class Adagrad(Optimizer):
    """Adagrad: divide each step by the root of the running sum of squared gradients.

    Math (as Keras writes it; slot accumulator starts at initial_accumulator_value)::

        accumulator += g * g
        w -= lr * g / sqrt(accumulator + epsilon)

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001 (Adagrad often wants more; the paper's is 1.0).
    initial_accumulator_value : float
        ``>= 0``, the starting value of every accumulator entry; default 0.1.
    epsilon : float
        ``> 0``; Keras's default 1e-7.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([1.0]))
    >>> p.grad = [0.3]
    >>> opt = Adagrad(learning_rate=0.1, initial_accumulator_value=0.07, epsilon=1e-12)
    >>> opt.step([p])
    >>> p.value, opt.slots[p]["accumulator"]    # sqrt(0.07 + 0.09) = 0.4: w = 1 - 0.1 * 0.3 / 0.4
    (array([0.925]), array([0.16]))
    """

    elementwise = True  # one update_step for a whole model in flat buffers (see Optimizer)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
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
        self.initial_accumulator_value = number(initial_accumulator_value, where, "initial_accumulator_value", 0.0)
        self.epsilon = number(epsilon, where, "epsilon", 0.0, low_open=True)
        super().__init__(
            learning_rate,
            weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            name,
            use_ema,
            ema_momentum,
            ema_overwrite_frequency,
            gradient_accumulation_steps,
        )

    def slot_names(self) -> tuple[str, ...]:
        return ("accumulator",)

    def slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        accumulator = slots["accumulator"]
        accumulator += g * g
        w -= lr * g / np.sqrt(accumulator + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
