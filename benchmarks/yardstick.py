"""The yardstick: plain-NumPy training loops with no framework, doing tinynet's math in float32.

tinynet's time divided by the yardstick's is the framework's own overhead. The
loops use the same initialisation (Glorot uniform, zero bias), the same fused
sigmoid / softmax cross-entropy gradient, and the same optimizer updates as
tinynet, written the way a careful person writes them by hand: preallocated
nothing clever, just the matrix products and element-wise steps.
"""

from __future__ import annotations

import math

import numpy as np


class MLP:
    """A ReLU MLP with a sigmoid (one output) or softmax head, as plain arrays."""

    def __init__(self, sizes: list[int], seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.kernels, self.biases = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            self.kernels.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32))
            self.biases.append(np.zeros(fan_out, dtype=np.float32))

    def parameters(self) -> list[np.ndarray]:
        return [array for pair in zip(self.kernels, self.biases, strict=True) for array in pair]

    def logits(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        activations = [x]
        for kernel, bias in zip(self.kernels[:-1], self.biases[:-1], strict=True):
            z = activations[-1] @ kernel
            z += bias
            np.maximum(z, 0.0, out=z)
            activations.append(z)
        z = activations[-1] @ self.kernels[-1]
        z += self.biases[-1]
        return z, activations

    def gradients(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        """Gradients of the mean cross-entropy (fused with the head) w.r.t. every parameter."""
        z, activations = self.logits(x)
        if z.shape[1] == 1:
            dz = 1.0 / (1.0 + np.exp(-z)) - y
        else:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            dz = e / e.sum(axis=1, keepdims=True)
            dz[np.arange(len(y)), y] -= 1.0
        dz *= 1.0 / len(x)
        grads: list[np.ndarray] = []
        for layer in range(len(self.kernels) - 1, -1, -1):
            a = activations[layer]
            grads[:0] = [a.T @ dz, dz.sum(axis=0)]
            if layer:
                dz = dz @ self.kernels[layer].T
                dz *= a > 0
        return grads

    def predict(self, x: np.ndarray) -> np.ndarray:
        z, _ = self.logits(x)
        if z.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-z))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def train_sgd(model: MLP, x: np.ndarray, y: np.ndarray, lr: float, epochs: int, batch_size: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    n = len(x)
    for _ in range(epochs):
        order = rng.permutation(n) if batch_size < n else None
        for start in range(0, n, batch_size):
            index = slice(start, start + batch_size) if order is None else order[start : start + batch_size]
            for w, g in zip(model.parameters(), model.gradients(x[index], y[index]), strict=True):
                w -= lr * g


def epochs_to_accuracy(
    model: MLP,
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    target: float,
    chunk: int,
    max_epochs: int,
    lr: float,
) -> int:
    """Full-batch SGD in chunks of ``chunk`` epochs until the test accuracy reaches ``target``; the epochs run."""
    epochs = 0
    while epochs < max_epochs:
        train_sgd(model, x, y, lr, chunk, len(x))
        epochs += chunk
        if accuracy(model, x_test, y_test) >= target:
            break
    return epochs


def train_adam(model: MLP, x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int, lr: float = 1e-3) -> None:
    b1, b2, eps = 0.9, 0.999, 1e-7
    params = model.parameters()
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    rng = np.random.default_rng(0)
    n, t = len(x), 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            index = order[start : start + batch_size]
            t += 1
            correction1, correction2 = 1.0 - b1**t, 1.0 - b2**t
            for p, g, m_, v_ in zip(params, model.gradients(x[index], y[index]), m, v, strict=True):
                m_ *= b1
                m_ += (1.0 - b1) * g
                v_ *= b2
                v_ += (1.0 - b2) * g * g
                p -= lr * (m_ / correction1) / (np.sqrt(v_ / correction2) + eps)


def accuracy(model: MLP, x: np.ndarray, y: np.ndarray) -> float:
    p = model.predict(x)
    predicted = (p[:, 0] > 0.5).astype(y.dtype) if p.shape[1] == 1 else p.argmax(axis=1)
    return float((predicted == y.reshape(predicted.shape)).mean())
