"""``Lion``: the sign of an interpolated momentum, the same step size for every entry."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Lion"]


@register
class Lion(Optimizer):
    """Lion (evolved sign momentum): every entry moves by exactly ``lr``, in the direction of a momentum's sign.

    Math (Chen et al., 2023, as Keras 3 writes it; slot m starts at zeros)::

        w -= lr * sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001. Lion's steps are larger than Adam's (each is
        ``lr`` per entry): the paper uses a rate 3-10 times smaller than AdamW's,
        and a ``weight_decay`` 3-10 times larger.
    beta_1 : float
        In ``(0, 1]``: how much of ``m`` (against ``g``) sets the sign of the step; default 0.9.
    beta_2 : float
        Decay rate of ``m``, in ``[0, 1]``; default 0.99.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([1.0, 1.0, 1.0]))
    >>> p.grad = [0.5, -3.0, 0.0]
    >>> opt = Lion(learning_rate=0.01)
    >>> opt.step([p])
    >>> p.value, opt.slots[p]["m"]          # sign(0.1 * g); m = 0.01 * g
    (array([0.99, 1.01, 1.  ]), array([ 0.005, -0.03 ,  0.   ]))
    """

    elementwise = True  # one update_step for a whole model in flat buffers (see Optimizer)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
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
        self.beta_1 = number(beta_1, where, "beta_1", 0.0, 1.0, low_open=True)  # at 0, Lion is signSGD
        self.beta_2 = number(beta_2, where, "beta_2", 0.0, 1.0)
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
        return ("m",)

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        beta_1, beta_2, m = self.beta_1, self.beta_2, slots["m"]
        direction = np.sign(beta_1 * m + (1 - beta_1) * g)
        w -= lr * direction
        m *= beta_2
        m += (1 - beta_2) * g

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
