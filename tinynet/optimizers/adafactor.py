"""``Adafactor``: Adam-like steps whose second moment of a matrix is stored as its row and column means."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import boolean, number
from ..registry import register
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Adafactor"]


@register
class Adafactor(Optimizer):
    """Adafactor: a relative step size, and a second moment of the last two axes kept factored.

    Math (Shazeer & Stern, 2018, as Keras 3 writes it; t = iterations + 1; rms(x) = sqrt(mean(x * x));
    slots r (shape[:-1]), c (shape[:-2] + shape[-1:]) and v start at zeros)::

        rho = minimum(lr, 1 / sqrt(t))
        alpha = maximum(epsilon_2, rms(w)) * rho                  a step relative to the size of w
        g2 = g * g + epsilon_1
        beta_2_t = 1 - t**beta_2_decay
        w.ndim >= 2   r = beta_2_t * r + (1 - beta_2_t) * mean(g2, axis=-1)
                      c = beta_2_t * c + (1 - beta_2_t) * mean(g2, axis=-2)
                      v = (r / mean(r, axis=-1))[..., None] * c[..., None, :]
        otherwise     v = beta_2_t * v + (1 - beta_2_t) * g2
        u = g / sqrt(v)
        w -= alpha * u / maximum(1, rms(u) / clip_threshold)

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001; a float ``>= 0`` or a schedule. It caps ``rho``.
    beta_2_decay : float
        ``<= 0``; ``1 - t**beta_2_decay`` is the decay of the second moment at step ``t``; default -0.8.
    epsilon_1 : float
        ``> 0``, added to ``g * g``; default 1e-30.
    epsilon_2 : float
        ``>= 0``, the least ``rms(w)`` that scales the step (so zeros can move); default 1e-3.
    clip_threshold : float
        ``> 0``; a step whose ``rms(u)`` exceeds it is scaled down to it (apart from
        ``clipnorm``, ``clipvalue`` and ``global_clipnorm``); default 1.0.
    relative_step : bool
        Kept for Keras's signature: Keras's update takes ``minimum(lr, 1 / sqrt(t))``
        whatever its value, and so does this one. Default True.
    weight_decay, clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    A parameter of fewer than two axes is not factored; its ``r`` and ``c``
    are unused scalars, as in Keras. Keras keeps ``v`` of the full shape too
    (recomputed from ``r`` and ``c`` at each step for a factored parameter),
    and so does this one, so the slots save no memory over Adam's; the update
    is Keras's.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> p = Parameter("w", np.full((2, 2), 2.0))
    >>> p.grad = np.array([[1.0, -1.0], [2.0, -2.0]])
    >>> opt = Adafactor(learning_rate=0.01)
    >>> opt.step([p])
    >>> [opt.slots[p][name].shape for name in ("r", "c", "v")]
    [(2,), (2,), (2, 2)]
    >>> p.value                # g * g has rank one, so v = g * g exactly: u = sign(g), alpha = rms(w) * lr
    array([[1.98, 2.02],
           [1.98, 2.02]])
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
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
        self.beta_2_decay = number(beta_2_decay, where, "beta_2_decay", None, 0.0)
        self.epsilon_1 = number(epsilon_1, where, "epsilon_1", 0.0, low_open=True)
        self.epsilon_2 = number(epsilon_2, where, "epsilon_2", 0.0)
        self.clip_threshold = number(clip_threshold, where, "clip_threshold", 0.0, low_open=True)
        self.relative_step = boolean(relative_step, where, "relative_step")
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
        return ("r", "c", "v")

    def slot_shape(self, name: str, shape: tuple[int, ...]) -> tuple[int, ...]:
        if name == "v":
            return shape
        if len(shape) < 2:
            return ()  # not factored: an unused scalar, as in Keras
        return shape[:-1] if name == "r" else shape[:-2] + shape[-1:]

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        t = self.iterations + 1
        rho = min(lr, 1 / math.sqrt(t))
        alpha = max(self.epsilon_2, _rms(w)) * rho
        g2 = g * g + self.epsilon_1
        beta_2_t = 1 - t**self.beta_2_decay
        r, c, v = slots["r"], slots["c"], slots["v"]
        if w.ndim >= 2:
            r *= beta_2_t
            r += (1 - beta_2_t) * g2.mean(axis=-1)
            c *= beta_2_t
            c += (1 - beta_2_t) * g2.mean(axis=-2)
            np.multiply((r / r.mean(axis=-1, keepdims=True))[..., None], c[..., None, :], out=v)
        else:
            v *= beta_2_t
            v += (1 - beta_2_t) * g2
        u = g / np.sqrt(v)
        w -= (alpha / max(1.0, _rms(u) / self.clip_threshold)) * u

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_2_decay": self.beta_2_decay,
            "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2,
            "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step,
        }


def _rms(x: Array) -> float:
    """``sqrt(mean(x * x))`` of the whole array, accumulated in float64; 0 for an empty array."""
    return math.sqrt(float(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
