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
