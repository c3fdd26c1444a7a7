"""``Adadelta``: steps whose size is a running root mean square of past steps over that of past gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Adadelta"]


@register
class Adadelta(Optimizer):
    """Adadelta: each entry's step is ``g`` times ``rms(past steps) / rms(past gradients)``, then times ``lr``.

    Math (Zeiler, 2012, as Keras 3 writes it; slots accumulated_grad, accumulated_delta_var start at zeros)::

        accumulated_grad = rho * accumulated_grad + (1 - rho) * g * g
        delta = -sqrt(accumulated_delta_var + epsilon) / sqrt(accumulated_grad + epsilon) * g
        accumulated_delta_var = rho * accumulated_delta_var + (1 - rho) * delta * delta
        w += lr * delta

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001 (the paper has no learning rate: 1.0, PyTorch's default).
    rho : float
        Decay rate of both running means, in ``[0, 1)``; Keras's default 0.95.
    epsilon : float
        ``> 0``; Keras's default 1e-7. It also sets the size of the first steps:
        ``sqrt(epsilon)`` over the gradient's root mean square.
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
    >>> p.grad = [2.0]
    >>> opt = Adadelta(learning_rate=1.0, rho=0.75, epsilon=0.01)
    >>> opt.step([p])                       # accumulated_grad = 0.25 * 4 = 1: delta = -0.1 / sqrt(1.01) * 2
    >>> p.value.round(6), opt.slots[p]["accumulated_grad"]
    (array([0.800993]), array([1.]))
    """

    elementwise = True  # one update_step for a whole model in flat buffers (see Optimizer)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.95,
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
        self.rho = number(rho, where, "rho", 0.0, 1.0, high_open=True)
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
        return ("accumulated_grad", "accumulated_delta_var")

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        rho, epsilon = self.rho, self.epsilon
        accumulated_grad, accumulated_delta_var = slots["accumulated_grad"], slots["accumulated_delta_var"]
        accumulated_grad *= rho
        accumulated_grad += (1 - rho) * g * g
        delta = -np.sqrt(accumulated_delta_var + epsilon) / np.sqrt(accumulated_grad + epsilon) * g
        accumulated_delta_var *= rho
        accumulated_delta_var += (1 - rho) * delta * delta
        w += lr * delta

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
