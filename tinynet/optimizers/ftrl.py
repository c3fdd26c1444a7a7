"""``Ftrl``: Follow The Regularized Leader, McMahan et al.'s per-coordinate online learner."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..errors import InvalidValueError
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Ftrl"]


@register
class Ftrl(Optimizer):
    """FTRL-Proximal: ``w`` solves a regularized problem in closed form from the running sums ``linear``, ``n``.

    Math (McMahan et al., 2013, as Keras 3 writes it; p = -learning_rate_power; slot accumulator (``n``)
    starts at initial_accumulator_value, slot linear (``z``) at zeros)::

        l2 = l2_regularization_strength + beta / (2 * lr)
        g_shrunk = g + 2 * l2_shrinkage_regularization_strength * w
        new_accumulator = accumulator + g * g
        linear += g_shrunk - (new_accumulator**p - accumulator**p) / lr * w
        quadratic = new_accumulator**p / lr + 2 * l2
        l1 = l1_regularization_strength
        w = (clip(linear, -l1, l1) - linear) / quadratic          (0 where |linear| <= l1)
        accumulator = new_accumulator

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001; it must be ``> 0`` at every step (it divides).
    learning_rate_power : float
        ``<= 0``: how the per-entry rates fall, ``lr / n**p``; default -0.5, 0 for fixed rates.
    initial_accumulator_value : float
        ``>= 0``, where ``n`` starts; default 0.1.
    l1_regularization_strength, l2_regularization_strength : float
        ``>= 0``; the L1 term makes entries exactly 0. Defaults 0.
    l2_shrinkage_regularization_strength : float
        ``>= 0``, an L2 penalty on the weights added to the gradient; default 0.
    beta : float
        ``>= 0``, the paper's beta (added to ``sqrt(n)``, here through ``l2``); default 0.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    With ``initial_accumulator_value=0`` an entry whose gradients have all
    been 0 has ``quadratic = 0`` (with ``beta = l2 = 0``) and gets 0 / 0 =
    NaN, in Keras too; keep the default 0.1 or a positive ``beta``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([0.0, 0.0]))
    >>> p.grad = [3.0, 0.5]
    >>> Ftrl(learning_rate=1.0, initial_accumulator_value=0.0, l1_regularization_strength=1.0).step([p])
    >>> p.value                             # linear = g; |0.5| <= l1 keeps w at 0; (1 - 3) / sqrt(9)
    array([-0.66666667,  0.        ])
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
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
        self.learning_rate_power = number(learning_rate_power, where, "learning_rate_power", None, 0.0)
        self.initial_accumulator_value = number(initial_accumulator_value, where, "initial_accumulator_value", 0.0)
        self.l1_regularization_strength = number(l1_regularization_strength, where, "l1_regularization_strength", 0.0)
        self.l2_regularization_strength = number(l2_regularization_strength, where, "l2_regularization_strength", 0.0)
        self.l2_shrinkage_regularization_strength = number(
            l2_shrinkage_regularization_strength, where, "l2_shrinkage_regularization_strength", 0.0
        )
        self.beta = number(beta, where, "beta", 0.0)
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
        return ("accumulator", "linear")

    def slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value if name == "accumulator" else 0.0

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        if lr <= 0:
            raise InvalidValueError(
                f"{type(self).__name__}: the learning rate must be > 0 at every step (FTRL divides by it), "
                f"received {lr!r} at step {self.iterations}."
            )
        accumulator, linear, p = slots["accumulator"], slots["linear"], -self.learning_rate_power
        l1, l2 = self.l1_regularization_strength, self.l2_regularization_strength + self.beta / (2.0 * lr)
        g_shrunk = g + (2.0 * self.l2_shrinkage_regularization_strength) * w
        new_accumulator = accumulator + g * g
        new_power = new_accumulator**p
        linear += g_shrunk - (new_power - accumulator**p) * (1 / lr) * w
        quadratic = new_power * (1 / lr) + 2.0 * l2
        w[...] = (np.clip(linear, -l1, l1) - linear) / quadratic
        accumulator[...] = new_accumulator

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        }
