"""``RMSprop``: divide each step by a running root-mean-square of the gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import boolean, number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["RMSprop"]


@register
class RMSprop(Optimizer):
    """RMSprop: a step of ``lr * g`` divided by the root of a running mean of ``g * g``.

    Math (as Keras 3 writes it; slots velocity, average_grad, m start at zeros)::

        velocity = rho * velocity + (1 - rho) * g * g
        centered=False   denominator = velocity + epsilon
        centered=True    average_grad = rho * average_grad + (1 - rho) * g
                         denominator = maximum(velocity - average_grad**2, 0) + epsilon
        increment = lr * g / sqrt(denominator)
        momentum > 0     m = momentum * m + increment
                         w -= m
        otherwise        w -= increment

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001; a float ``>= 0`` or a schedule.
    rho : float
        Decay rate of the running means, in ``[0, 1)``; default 0.9.
    momentum : float
        In ``[0, 1)``; default 0 (no ``m`` slot).
    epsilon : float
        ``> 0``; Keras's default 1e-7.
    centered : bool
        Divide by the running variance of ``g`` rather than its second moment.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    ``velocity - average_grad**2`` is a variance and is never negative in
    exact arithmetic; rounding can make it so (for large, steady gradients),
    which would give NaN or a huge step, so it is clipped at 0. Elsewhere the
    update is Keras's.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([1.0, 1.0]))
    >>> p.grad = [2.0, -0.5]
    >>> RMSprop(learning_rate=0.01, rho=0.75).step([p])
    >>> p.value.round(6)                    # velocity = 0.25 * g * g: the first step is lr * sign(g) / 0.5
    array([0.98, 1.02])
    """

    elementwise = True  # one update_step for a whole model in flat buffers (see Optimizer)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
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
        self.rho = number(rho, where, "rho", 0.0, 1.0, high_open=True)
        self.momentum = number(momentum, where, "momentum", 0.0, 1.0, high_open=True)
        self.epsilon = number(epsilon, where, "epsilon", 0.0, low_open=True)
        self.centered = boolean(centered, where, "centered")
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
        return ("velocity",) + (("average_grad",) if self.centered else ()) + (("m",) if self.momentum > 0 else ())

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        rho = self.rho
        velocity = slots["velocity"]
        velocity *= rho
        velocity += (1 - rho) * g * g
        if self.centered:
            average_grad = slots["average_grad"]
            average_grad *= rho
            average_grad += (1 - rho) * g
            denominator = np.maximum(velocity - average_grad**2, 0.0) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = lr * g / np.sqrt(denominator)
        if self.momentum > 0:
            m = slots["m"]
            m *= self.momentum
            m += increment
            w -= m
        else:
            w -= increment

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
