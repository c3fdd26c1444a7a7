"""Float64 references of the update equations Keras 3 documents for Nadam, Adamax, Adadelta, Lion, Lamb, Ftrl and
Adafactor, written functionally and independently of tinynet's in-place code.

Each is ``step(w, g, state, t, lr) -> new w``, ``state`` a dict of slot arrays it replaces, ``t = 1`` at the first step.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Reference = Callable[[np.ndarray, np.ndarray, dict, int, float], np.ndarray]


def ref_nadam(beta_1=0.9, beta_2=0.999, epsilon=1e-7) -> Reference:
    def mu(s: int) -> float:
        return beta_1 * (1 - 0.5 * 0.96**s)

    def step(w, g, s, t, lr):
        product = math.prod(mu(i) for i in range(1, t + 1))
        m = s["m"] = beta_1 * s.get("m", np.zeros_like(w)) + (1 - beta_1) * g
        v = s["v"] = beta_2 * s.get("v", np.zeros_like(w)) + (1 - beta_2) * g * g
        m_hat = mu(t + 1) * m / (1 - product * mu(t + 1)) + (1 - mu(t)) * g / (1 - product)
        return w - lr * m_hat / (np.sqrt(v / (1 - beta_2**t)) + epsilon)

    return step


def ref_adamax(beta_1=0.9, beta_2=0.999, epsilon=1e-7) -> Reference:
    def step(w, g, s, t, lr):
        m = s["m"] = beta_1 * s.get("m", np.zeros_like(w)) + (1 - beta_1) * g
        u = s["u"] = np.maximum(beta_2 * s.get("u", np.zeros_like(w)), np.abs(g))
        return w - lr * m / ((1 - beta_1**t) * (u + epsilon))

    return step


def ref_adadelta(rho=0.95, epsilon=1e-7) -> Reference:
    def step(w, g, s, t, lr):
        grad_sq = s["accumulated_grad"] = rho * s.get("accumulated_grad", np.zeros_like(w)) + (1 - rho) * g**2
        delta_sq = s.get("accumulated_delta_var", np.zeros_like(w))
        delta = -np.sqrt(delta_sq + epsilon) / np.sqrt(grad_sq + epsilon) * g
        s["accumulated_delta_var"] = rho * delta_sq + (1 - rho) * delta**2
        return w + lr * delta

    return step


def ref_lion(beta_1=0.9, beta_2=0.99) -> Reference:
    def step(w, g, s, t, lr):
        m = s.get("m", np.zeros_like(w))
        s["m"] = beta_2 * m + (1 - beta_2) * g
        return w - lr * np.sign(beta_1 * m + (1 - beta_1) * g)

    return step


def ref_lamb(beta_1=0.9, beta_2=0.999, epsilon=1e-7) -> Reference:
    def step(w, g, s, t, lr):
        m = s["m"] = beta_1 * s.get("m", np.zeros_like(w)) + (1 - beta_1) * g
        v = s["v"] = beta_2 * s.get("v", np.zeros_like(w)) + (1 - beta_2) * g * g
        update = (m / (1 - beta_1**t)) / (np.sqrt(v / (1 - beta_2**t)) + epsilon)
        w_norm, u_norm = np.linalg.norm(w), np.linalg.norm(update)
        ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
        return w - ratio * lr * update

    return step


def ref_ftrl(power=-0.5, initial=0.1, l1=0.0, l2=0.0, shrinkage=0.0, beta=0.0) -> Reference:
    """The per-entry update rule of Keras's docstring (``sigma``, ``z``, ``n``) with its shrinkage and beta terms."""

    def step(w, g, s, t, lr):
        n_prev = s.get("accumulator", np.full_like(w, initial))
        n = s["accumulator"] = n_prev + g * g
        sigma = (n ** (-power) - n_prev ** (-power)) / lr
        z = s["linear"] = s.get("linear", np.zeros_like(w)) + (g + 2 * shrinkage * w) - sigma * w
        denominator = n ** (-power) / lr + 2 * (l2 + beta / (2 * lr))
        return np.where(np.abs(z) <= l1, 0.0, (np.sign(z) * l1 - z) / denominator)

    return step


def ref_adafactor(beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0) -> Reference:
    def rms(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean(x**2)))

    def step(w, g, s, t, lr):
        alpha = max(epsilon_2, rms(w)) * min(lr, 1 / math.sqrt(t))
        g2 = g**2 + epsilon_1
        b = 1 - t**beta_2_decay
        if w.ndim >= 2:
            r = s["r"] = b * s.get("r", np.zeros(w.shape[:-1])) + (1 - b) * g2.mean(axis=-1)
            c = s["c"] = b * s.get("c", np.zeros(w.shape[:-2] + w.shape[-1:])) + (1 - b) * g2.mean(axis=-2)
            v = s["v"] = np.einsum("...i,...j->...ij", r / r.mean(axis=-1, keepdims=True), c)
        else:
            s["r"], s["c"] = np.zeros(()), np.zeros(())
            v = s["v"] = b * s.get("v", np.zeros_like(w)) + (1 - b) * g2
        u = g / np.sqrt(v)
        return w - alpha * u / max(1.0, rms(u) / clip_threshold)

    return step


def ref_muon(
    adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, momentum=0.95,
    ns_steps=5, nesterov=True, rms_rate=0.2, adam_lr_ratio=1.0, abc=(3.4445, -4.7750, 2.0315), adamw=None,
) -> Reference:  # fmt: skip
    """Keras's Muon; ``adamw(w)`` says which parameters take AdamW's step (by default those not 2-D)."""
    a, b, c = abc
    uses_adamw = adamw or (lambda w: w.ndim != 2)

    def newton_schulz(u: np.ndarray) -> np.ndarray:
        tall = u.shape[0] > u.shape[1]
        x = u.T if tall else u
        x = x / (np.sqrt(np.sum(x**2)) + 1e-7)
        for _ in range(ns_steps):
            gram = x @ x.T
            x = a * x + (b * gram + c * gram @ gram) @ x
        return x.T if tall else x

    def step(w, g, s, t, lr):
        zeros = np.zeros_like(w)
        if uses_adamw(w):
            if adam_weight_decay:
                w = w - lr * adam_weight_decay * w
            m = s["momentum"] = adam_beta_1 * s.get("momentum", zeros) + (1 - adam_beta_1) * g
            v = s["velocity"] = adam_beta_2 * s.get("velocity", zeros) + (1 - adam_beta_2) * g * g
            alpha = lr * adam_lr_ratio * math.sqrt(1 - adam_beta_2**t) / (1 - adam_beta_1**t)
            return w - alpha * m / (np.sqrt(v) + epsilon)
        if weight_decay:
            w = w - lr * weight_decay * w
        m = s["momentum"] = momentum * s.get("momentum", zeros) + g
        s["velocity"] = np.zeros(())
        update = newton_schulz(g + momentum * m if nesterov else m)
        scale = 1.0 if rms_rate is None else math.sqrt(max(w.shape)) * rms_rate
        return w - lr * scale * update

    return step


def ref_schedule_free_adamw(beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0, weight_decay=None) -> Reference:
    def step(w, g, s, t, lr):
        z_old = s.get("momentum", w)  # z starts as the weights, before any decay
        if weight_decay:
            w = w - lr * weight_decay * w
        if warmup_steps:
            lr = lr * min(t / warmup_steps, 1.0)
        v = s["velocity"] = beta_2 * s.get("velocity", np.zeros_like(w)) + (1 - beta_2) * g * g
        z = s["momentum"] = z_old - lr * g / (np.sqrt(v / (1 - beta_2**t)) + epsilon)
        x_old = (w - (1 - beta_1) * z_old) / beta_1
        x = (1 - 1 / t) * x_old + (1 / t) * z
        return (1 - beta_1) * z + beta_1 * x

    return step


def ref_base(inner: Reference, ema_momentum=None, ema_overwrite_frequency=None, accumulation_steps=None) -> Reference:
    """Keras's base-class options around ``inner``: gradient accumulation, then the moving average of the weights.

    ``t`` counts the calls here; ``inner`` sees the number of its update, as Keras's ``iterations + 1``.
    """
    n = accumulation_steps

    def step(w, g, s, t, lr):
        iterations = (t - 1) // n if n else t - 1  # updates before this call
        if n and t % n != 0:
            s["gradient_accumulator"] = s.get("gradient_accumulator", np.zeros_like(w)) + g
        else:
            if n:
                g = (g + s.get("gradient_accumulator", np.zeros_like(w))) / n
                s["gradient_accumulator"] = np.zeros_like(w)
            w = inner(w, g, s, iterations + 1, lr)
        if ema_momentum is not None:
            momentum = ema_momentum if iterations != 0 else 0.0
            s["average"] = momentum * s.get("average", np.zeros_like(w)) + (1 - momentum) * w
            if ema_overwrite_frequency and (iterations + 1) % ema_overwrite_frequency == 0:
                w = s["average"].copy()
        return w

    return step
