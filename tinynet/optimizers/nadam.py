"""``Nadam``: Adam with Nesterov momentum, on Dozat's warming-up momentum schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Nadam"]


@register
class Nadam(Optimizer):
    """Nadam: Adam whose step looks one momentum update ahead (Nesterov), with a momentum that warms up.

    Math (Dozat, as Keras 3 writes it; t = iterations + 1; slots m, v start at zeros)::

        mu(s) = beta_1 * (1 - 0.5 * 0.96**s)                  the momentum at step s
        mu_product = mu(1) * mu(2) * ... * mu(t)
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        m_hat = mu(t + 1) * m / (1 - mu_product * mu(t + 1)) + (1 - mu(t)) * g / (1 - mu_product)
        v_hat = v / (1 - beta_2**t)
        w -= lr * m_hat / (sqrt(v_hat) + epsilon)

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001; a float ``>= 0`` or a schedule.
    beta_1, beta_2 : float
        Decay rates of ``m`` and ``v``, in ``[0, 1)``; defaults 0.9 and 0.999.
    epsilon : float
        ``> 0``, added to ``sqrt(v_hat)``; Keras's default 1e-7.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    ``mu_product`` depends on ``iterations`` alone, so it is no slot: it is
    recomputed (and cached) from the step count, and a restored state resumes
    exactly. PyTorch's ``NAdam`` is the same update with
    ``momentum_decay=1.0`` (its default 0.004 warms the momentum up far more
    slowly, ``0.96**(0.004 * t)``).

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([1.0, 1.0]))
    >>> p.grad = [0.5, -3.0]
    >>> Nadam(learning_rate=0.01).step([p])
    >>> p.value.round(4)                    # the first step: 1.063 * lr against sign(g) (Adam's is 1 * lr)
    array([0.9894, 1.0106])
    """

    elementwise = True  # one update_step for a whole model in flat buffers (see Optimizer)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
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
        self.beta_1 = number(beta_1, where, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = number(beta_2, where, "beta_2", 0.0, 1.0, high_open=True)
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
        self._mu_product = (0, 1.0)  # (t, mu(1) * ... * mu(t)): a cache of a function of the step count

    def mu(self, s: int) -> float:
        """The momentum of step ``s`` (counted from 1): ``beta_1 * (1 - 0.5 * 0.96**s)``."""
        return self.beta_1 * (1.0 - 0.5 * 0.96**s)

    def mu_product(self, t: int) -> float:
        """``mu(1) * mu(2) * ... * mu(t)``, multiplied in that order (so always to the same float)."""
        done, product = self._mu_product
        if done > t:
            done, product = 0, 1.0
        for s in range(done + 1, t + 1):
            product *= self.mu(s)
        self._mu_product = (t, product)
        return product

    def slot_names(self) -> tuple[str, ...]:
        return ("m", "v")

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        beta_1, beta_2, t = self.beta_1, self.beta_2, self.iterations + 1
        mu_t, mu_next, mu_product = self.mu(t), self.mu(t + 1), self.mu_product(t)
        m, v = slots["m"], slots["v"]
        m *= beta_1
        m += (1 - beta_1) * g
        v *= beta_2
        v += (1 - beta_2) * g * g
        m_hat = (mu_next / (1 - mu_product * mu_next)) * m + ((1 - mu_t) / (1 - mu_product)) * g
        v_hat = v * (1 / (1 - beta_2**t))
        w -= lr * m_hat / (np.sqrt(v_hat) + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
