"""``Muon``: momentum orthogonalised by Newton-Schulz iterations for matrices, AdamW for every other parameter."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import boolean, number
from ..errors import InvalidTypeError, InvalidValueError
from ..parameter import Parameter
from ..registry import register
from ..utils import describe
from .optimizer import Array, LearningRate, Optimizer

__all__ = ["Muon"]


@register
class Muon(Optimizer):
    """Muon: the step of a matrix is its momentum made (nearly) orthogonal; other parameters take AdamW's step.

    Math (Keras 3's rules and equations; t = iterations + 1; slots momentum (m) and velocity (v) start at zeros)::

        AdamW's step for p if  p.ndim != 2,  or exclude_embeddings and "embedding" in p.path.lower(),
                               or re.search(k, p.path) for a k in exclude_layers;   Muon's step otherwise

        Muon      m = momentum * m + g
                  u = g + momentum * m                      (u = m without nesterov)
                  O = newton_schulz(u)
                  w -= lr * O * sqrt(max(rows, cols)) * rms_rate       (w -= lr * O if rms_rate is None)
        newton_schulz(u), on u.T when rows > cols (and O transposed back):
                  X = u / (norm(u) + 1e-7)                   norm: Frobenius, so every singular value <= 1
                  ns_steps times:  A = X @ X.T;  X = muon_a * X + (muon_b * A + muon_c * A @ A) @ X

        AdamW     lr_a = lr * adam_lr_ratio
                  m = adam_beta_1 * m + (1 - adam_beta_1) * g
                  v = adam_beta_2 * v + (1 - adam_beta_2) * g * g
                  w -= lr_a * sqrt(1 - adam_beta_2**t) / (1 - adam_beta_1**t) * m / (sqrt(v) + epsilon)

        weight decay (before the step, with the unscaled lr):
                  w -= lr * weight_decay * w  (Muon's)      w -= lr * adam_weight_decay * w  (AdamW's)

    The iteration pushes every singular value of ``u`` towards 1 (to about
    0.7-1.2: the coefficients favour speed over exact convergence), so the
    step has the directions of the momentum with all their sizes equalised.

    Parameters
    ----------
    learning_rate : float or callable
        Keras's default 0.001; a float ``>= 0`` or a schedule.
    adam_beta_1, adam_beta_2 : float
        In ``[0, 1)``: AdamW's decay rates of ``m`` and ``v``; defaults 0.9 and 0.999.
    adam_weight_decay : float, optional
        ``>= 0``: the decoupled weight decay of the AdamW parameters; default 0.004 (``None`` for none).
    epsilon : float
        ``> 0``, added to AdamW's ``sqrt(v)`` (Keras's placement); default 1e-7.
    weight_decay : float, optional
        ``>= 0``: the decoupled weight decay of the Muon parameters; default 0.004 (``None`` for none).
    exclude_layers : list of str, optional
        Regular expressions: a parameter whose ``path`` (``"<layer name>/<parameter name>"``)
        contains a match takes AdamW's step. Name the output layer here, as Keras advises.
    exclude_embeddings : bool
        Give AdamW's step to parameters whose path contains ``"embedding"``; default True.
    muon_a, muon_b, muon_c : float
        The coefficients of the quintic iteration; defaults 3.4445, -4.7750, 2.0315.
    adam_lr_ratio : float
        ``>= 0``: AdamW's learning rate over Muon's; default 1.
    momentum : float
        In ``[0, 1)``: Muon's momentum; default 0.95.
    ns_steps : int
        ``>= 0``: the number of Newton-Schulz iterations; default 5.
    nesterov : bool
        Step along ``g + momentum * m`` rather than ``m``; default True.
    rms_rate : float, optional
        ``>= 0``: scale Muon's step by ``sqrt(max(rows, cols)) * rms_rate`` (Liu et al., 2025), so that
        it has about the size of AdamW's and shares its learning rate; default 0.2, ``None`` for no scaling.
    clipnorm, clipvalue, global_clipnorm, name
        See :class:`~tinynet.optimizers.Optimizer`.
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps
        Keras's moving average of the weights and gradient accumulation; see
        :class:`~tinynet.optimizers.Optimizer`.

    Notes
    -----
    A parameter of AdamW's step keeps both slots; one of Muon's keeps
    ``velocity`` as an unused scalar (Keras creates none). Keras's ``path``
    holds the names of enclosing models too (``"sequential/dense/kernel"``);
    tinynet's only the layer's, so patterns match the same layer names.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet import Parameter
    >>> kernel, bias = Parameter("kernel", np.zeros((3, 2))), Parameter("bias", np.zeros(2))
    >>> kernel.grad, bias.grad = np.array([[3.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), [0.5, -2.0]
    >>> opt = Muon(learning_rate=0.1, weight_decay=None, rms_rate=None)
    >>> opt.step([kernel, bias])
    >>> np.round(np.diag(-kernel.value) / 0.1, 2)   # the gradient's singular values 3 and 1 both near 1
    array([0.75, 1.13])
    >>> bias.value                           # AdamW's first step: lr against the sign of g
    array([-0.1,  0.1])
    """

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        adam_beta_1: float = 0.9,
        adam_beta_2: float = 0.999,
        adam_weight_decay: float | None = 0.004,
        epsilon: float = 1e-7,
        weight_decay: float | None = 0.004,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        exclude_layers: Sequence[str] | None = None,
        exclude_embeddings: bool = True,
        muon_a: float = 3.4445,
        muon_b: float = -4.7750,
        muon_c: float = 2.0315,
        adam_lr_ratio: float = 1.0,
        momentum: float = 0.95,
        ns_steps: int = 5,
        nesterov: bool = True,
        rms_rate: float | None = 0.2,
    ) -> None:
        where = type(self).__name__
        self.adam_beta_1 = number(adam_beta_1, where, "adam_beta_1", 0.0, 1.0, high_open=True)
        self.adam_beta_2 = number(adam_beta_2, where, "adam_beta_2", 0.0, 1.0, high_open=True)
        self.adam_weight_decay = (
            None if adam_weight_decay is None else number(adam_weight_decay, where, "adam_weight_decay", 0.0)
        )
        self.epsilon = number(epsilon, where, "epsilon", 0.0, low_open=True)
        self.exclude_layers = _patterns(exclude_layers, where)
        self.exclude_embeddings = boolean(exclude_embeddings, where, "exclude_embeddings")
        self.muon_a, self.muon_b = number(muon_a, where, "muon_a"), number(muon_b, where, "muon_b")
        self.muon_c = number(muon_c, where, "muon_c")
        self.adam_lr_ratio = number(adam_lr_ratio, where, "adam_lr_ratio", 0.0)
        self.momentum = number(momentum, where, "momentum", 0.0, 1.0, high_open=True)
        self.ns_steps = number(ns_steps, where, "ns_steps", 0, integral=True)
        self.nesterov = boolean(nesterov, where, "nesterov")
        self.rms_rate = None if rms_rate is None else number(rms_rate, where, "rms_rate", 0.0)
        super().__init__(
            learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
            use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps,
        )  # fmt: skip

    def uses_adamw(self, p: Parameter) -> bool:
        """Whether ``p`` takes AdamW's step (Keras's rule; see the Math above)."""
        if len(p.shape) != 2 or (self.exclude_embeddings and "embedding" in p.path.lower()):
            return True
        return any(re.search(pattern, p.path) for pattern in self.exclude_layers)

    def slot_names(self) -> tuple[str, ...]:
        return ("momentum", "velocity")

    def parameter_slot_shape(self, name: str, p: Parameter) -> tuple[int, ...]:
        return p.shape if name == "momentum" or self.uses_adamw(p) else ()

    def weight_decay_of(self, p: Parameter) -> float | None:
        return self.adam_weight_decay if self.uses_adamw(p) else self.weight_decay

    def update_step(self, w: Array, g: Array, slots: dict[str, Array], lr: float) -> None:
        m, v = slots["momentum"], slots["velocity"]
        if v.shape == w.shape:  # a velocity of its own: AdamW's parameter
            self._adamw_step(w, g, m, v, lr * self.adam_lr_ratio)
            return
        m *= self.momentum
        m += g
        u = g + self.momentum * m if self.nesterov else m
        step = self.newton_schulz(u)
        scale = lr if self.rms_rate is None else lr * math.sqrt(max(w.shape)) * self.rms_rate
        w -= scale * step

    def newton_schulz(self, u: Array) -> Array:
        """The quintic Newton-Schulz iteration of the Math above: ``u`` with its singular values pushed towards 1."""
        tall = u.shape[0] > u.shape[1]
        x = u.T if tall else u
        x = x / (np.linalg.norm(x) + 1e-7)
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        for _ in range(self.ns_steps):
            gram = x @ x.T
            x = a * x + (b * gram + c * (gram @ gram)) @ x
        return x.T if tall else x

    def _adamw_step(self, w: Array, g: Array, m: Array, v: Array, lr: float) -> None:
        t = self.iterations + 1
        m *= self.adam_beta_1
        m += (1 - self.adam_beta_1) * g
        v *= self.adam_beta_2
        v += (1 - self.adam_beta_2) * (g * g)
        alpha = lr * math.sqrt(1 - self.adam_beta_2**t) / (1 - self.adam_beta_1**t)
        w -= alpha * m / (np.sqrt(v) + self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "adam_beta_1": self.adam_beta_1,
            "adam_beta_2": self.adam_beta_2,
            "adam_weight_decay": self.adam_weight_decay,
            "epsilon": self.epsilon,
            "exclude_layers": list(self.exclude_layers),
            "exclude_embeddings": self.exclude_embeddings,
            "muon_a": self.muon_a,
            "muon_b": self.muon_b,
            "muon_c": self.muon_c,
            "adam_lr_ratio": self.adam_lr_ratio,
            "momentum": self.momentum,
            "ns_steps": self.ns_steps,
            "nesterov": self.nesterov,
            "rms_rate": self.rms_rate,
        }


def _patterns(value: Any, where: str) -> list[str]:
    """``exclude_layers``: a list of regular expressions (checked by compiling them), or ``None`` for none."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(k, str) for k in value):
        raise InvalidTypeError(
            f"{where}: exclude_layers must be a list of strings (regular expressions), received {describe(value)}."
        )
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as error:
            raise InvalidValueError(
                f"{where}: exclude_layers holds {pattern!r}, which is not a regular expression ({error})."
            ) from None
    return list(value)
