"""``Lamb``: Adam's step, rescaled per parameter to the size of the parameter (a layer-wise trust ratio)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Lamb"]


@register
class Lamb(Optimizer):
    """Lamb: Adam's direction, with a step of ``lr * norm(w)`` per parameter array (for large batches).

    Math (You et al., 2019, as Keras 3 writes it; t = iterations + 1; slots m, v start at zeros; norm = L2
    norm of the whole array)::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        update = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)
        ratio = norm(w) / norm(update)            (1 when either norm is 0)
        w -= ratio * lr * update

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001; a float ``>= 0`` or a schedule.
    beta_1, beta_2 : float
        Decay rates of ``m`` and ``v``, in ``[0, 1)``; defaults 0.9 and 0.999.
    epsilon : float
        ``> 0``; Keras's default 1e-7.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    As in Keras, ``weight_decay`` is the decoupled decay every optimizer
    applies before its update, not a term of ``update`` inside the trust ratio
    (the paper's form). The norms are accumulated in float64.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([3.0, 4.0]))    # norm 5
    >>> p.grad = [1.0, 0.0]
    >>> Lamb(learning_rate=0.1, epsilon=1e-12).step([p])
    >>> p.value                                     # update = [1, 0]: the step is 0.1 * 5 along it
    array([2.5, 4. ])
    """

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
        return ("m", "v")

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        beta_1, beta_2, t = self.beta_1, self.beta_2, self.iterations + 1
        m, v = slots["m"], slots["v"]
        m *= beta_1
        m += (1 - beta_1) * g
        v *= beta_2
        v += (1 - beta_2) * g * g
        update = (m * (1 / (1 - beta_1**t))) / (np.sqrt(v * (1 / (1 - beta_2**t))) + self.epsilon)
        w_norm, update_norm = _norm(w), _norm(update)
        ratio = w_norm / update_norm if w_norm > 0 and update_norm > 0 else 1.0
        w -= (ratio * lr) * update

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


def _norm(x: Array) -> float:
    """The L2 norm of the whole array, accumulated in float64 (a float32 array's squares cannot overflow)."""
    return math.sqrt(float(np.sum(np.square(x, dtype=np.float64))))
