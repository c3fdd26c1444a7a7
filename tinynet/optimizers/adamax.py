"""``Adamax``: Adam with the infinity norm of past gradients in place of their root mean square."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Adamax"]


@register
class Adamax(Optimizer):
    """Adamax: steps scaled by a running mean ``m`` of the gradient over a decaying maximum ``u`` of ``|g|``.

    Math (section 7.1 of Kingma & Ba, as Keras 3 writes it; t = iterations + 1; slots m, u start at zeros)::

        m = beta_1 * m + (1 - beta_1) * g
        u = maximum(beta_2 * u, abs(g))
        w -= lr * m / ((1 - beta_1**t) * (u + epsilon))

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001; a float ``>= 0`` or a schedule.
    beta_1, beta_2 : float
        Decay rates of ``m`` and ``u``, in ``[0, 1)``; defaults 0.9 and 0.999.
    epsilon : float
        ``> 0``, added to ``u``; Keras's default 1e-7.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    PyTorch's ``Adamax`` adds ``eps`` inside the maximum (``max(beta_2 * u,
    |g| + eps)``) and divides by ``u`` alone; the two agree except while
    ``|g|`` is as small as ``epsilon``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([1.0, 1.0]))
    >>> p.grad = [0.5, -3.0]
    >>> Adamax(learning_rate=0.01).step([p])
    >>> p.value.round(6)                    # u = |g| and m / (1 - beta_1) = g: a step of lr * sign(g)
    array([0.99, 1.01])
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

    def slot_names(self) -> tuple[str, ...]:
        return ("m", "u")

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        beta_1, t = self.beta_1, self.iterations + 1
        m, u = slots["m"], slots["u"]
        m *= beta_1
        m += (1 - beta_1) * g
        u *= self.beta_2
        np.maximum(u, np.abs(g), out=u)
        w -= (lr / (1 - beta_1**t)) * m / (u + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
