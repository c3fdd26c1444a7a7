"""``SGD``: stochastic gradient descent with optional momentum and Nesterov momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import boolean, number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["SGD"]


@register
class SGD(Optimizer):
    """Gradient descent: step against the gradient, optionally carrying a velocity ``v`` (momentum).

    Math (w = p.value, g = its gradient, lr = learning_rate; slot v starts at zeros)::

        momentum == 0    w -= lr * g                                 (no slot)
        otherwise        v = momentum * v - lr * g
                         w += v                                      (nesterov=False)
                         w += momentum * v - lr * g                  (nesterov=True)

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.01; a float ``>= 0`` or a schedule.
    momentum : float
        In ``[0, 1)``; Keras's default 0.
    nesterov : bool
        Use Nesterov momentum.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    For a constant learning rate these are PyTorch's steps too: its buffer
    ``b = momentum * b + g`` is ``v = -lr * b``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([1.0, -2.0]))
    >>> opt = SGD(learning_rate=0.1, momentum=0.5)
    >>> for _ in range(2):
    ...     p.grad = [1.0, 1.0]
    ...     opt.step([p])
    >>> p.value, opt.slots[p]["v"]          # v: -0.1, then 0.5 * -0.1 - 0.1
    (array([ 0.75, -2.25]), array([-0.15, -0.15]))
    """

    elementwise = True  # one update_step for a whole model in flat buffers (see Optimizer)

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
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
        self.momentum = number(momentum, where, "momentum", 0.0, 1.0, high_open=True)
        self.nesterov = boolean(nesterov, where, "nesterov")
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
        return ("v",) if self.momentum > 0 else ()

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        momentum, lr_g = self.momentum, np.multiply(g, lr, out=self.work_array(w))  # lr * g, in place
        if momentum == 0:
            w -= lr_g
            return
        v = slots["v"]
        v *= momentum
        v -= lr_g
        if self.nesterov:
            w -= lr_g
            w += momentum * v
        else:
            w += v

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
