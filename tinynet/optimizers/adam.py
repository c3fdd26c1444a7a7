"""``Adam`` and ``AdamW``: adaptive moment estimation, and Adam with decoupled weight decay."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import boolean, number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Adam", "AdamW"]


@register
class Adam(Optimizer):
    """Adam: steps scaled by running estimates of the gradient's mean ``m`` and uncentered variance ``v``.

    Math (Algorithm 1 of Kingma & Ba, as PyTorch writes it; t = iterations + 1; slots m, v start at zeros)::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        v_hat = maximum(v_hat, v)                     (amsgrad only; v_hat then replaces v below)
        w -= lr * (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001; a float ``>= 0`` or a schedule.
    beta_1, beta_2 : float
        Decay rates of ``m`` and ``v``, in ``[0, 1)``; defaults 0.9 and 0.999.
    epsilon : float
        ``> 0``, added to the denominator; Keras's default 1e-7.
    amsgrad : bool
        Divide by the largest ``v`` so far (Reddi et al., 2018).
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    ``epsilon`` is added after the bias correction of ``v`` (PyTorch's
    placement; Keras adds it to ``sqrt(v)`` before correcting). The two agree
    except while ``sqrt(v)`` is as small as ``epsilon``.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([1.0, 1.0]))
    >>> p.grad = [0.5, -3.0]
    >>> Adam(learning_rate=0.01).step([p])
    >>> p.value                             # the first step moves each weight by ~lr against sign(g)
    array([0.99, 1.01])
    """

    elementwise = True  # one update_step for a whole model in flat buffers (see Optimizer)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
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
        self.amsgrad = boolean(amsgrad, where, "amsgrad")
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
        return ("m", "v", "v_hat") if self.amsgrad else ("m", "v")

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        beta_1, beta_2, t = self.beta_1, self.beta_2, self.iterations + 1
        m, v, work = slots["m"], slots["v"], self.work_array(w)  # in place: no temporary arrays
        m *= beta_1
        m += np.multiply(g, 1 - beta_1, out=work)
        v *= beta_2
        np.multiply(g, g, out=work)
        work *= 1 - beta_2
        v += work
        if self.amsgrad:
            v = np.maximum(slots["v_hat"], v, out=slots["v_hat"])
        # w -= lr * (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon), as
        # w -= (lr / (1 - beta_1**t)) * m / (sqrt(v) / sqrt(1 - beta_2**t) + epsilon):
        np.sqrt(v, out=work)
        work *= 1 / math.sqrt(1 - beta_2**t)
        work += self.epsilon
        np.divide(m, work, out=work)
        work *= lr / (1 - beta_1**t)
        w -= work

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


@register
class AdamW(Adam):
    """Adam with decoupled weight decay: shrink the weights, then take Adam's step.

    Math (Loshchilov & Hutter; lr = learning_rate, the same in both lines)::

        w -= lr * weight_decay * w
        then Adam's update of w from g (see :class:`Adam`)

    This is :class:`Adam` with the ``weight_decay`` every optimizer takes (see
    :class:`~tinynet.optimizers.Optimizer`), on by default, as in Keras.

    Parameters
    ----------
    weight_decay : float
        ``>= 0`` (not ``None``); Keras's default 0.004.
    learning_rate, beta_1, beta_2, epsilon, amsgrad, clipnorm, clipvalue, global_clipnorm, name
        As for :class:`Adam`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        As for :class:`Adam`.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.array([10.0]))
    >>> AdamW(learning_rate=0.1, weight_decay=0.5).step([p])   # zero gradient: only the decay acts
    >>> p.value
    array([9.5])
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
    ) -> None:
        weight_decay = number(weight_decay, type(self).__name__, "weight_decay", 0.0)  # a float, never None
        super().__init__(
            learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, clipnorm, clipvalue, global_clipnorm,
            use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps, name,
        )  # fmt: skip
