"""The yardstick: plain-NumPy training loops with no framework, doing tinynet's math in float32.

tinynet's time divided by the yardstick's is the framework's own overhead, so
the yardstick has to be as fast as a careful person can make plain NumPy, or
that overhead looks smaller than it is. The math is tinynet's: Glorot-uniform
kernels and zero biases, ReLU hidden layers, a sigmoid (one output) or softmax
head whose gradient is fused with the cross-entropy (``dz = (p - y) / n``), and
tinynet's SGD and Adam updates (Adam's ``epsilon`` added after the bias
correction of ``v``, 1e-7 by default).

"Careful" means these habits, each there because at these sizes (a few
thousand weights, batches of 32 to 900; or 235,000 weights, batches of 128)
a training step costs a few dozen NumPy calls, and every call, temporary array
and type promotion shows in the time:

- every parameter lives in one flat float32 buffer and every gradient in
  another; kernels and biases are views of them. An optimizer step is then a
  few in-place ufuncs over the whole buffer, not a few per array;
- each batch length gets its own preallocated arrays (activations, their
  gradients, ReLU masks, a row of ones, a matrix of zeros), and every matrix
  product writes into them with ``out=``: no allocation in the loop;
- ReLU is ``np.maximum(z, zeros, out=z)`` against a zeros array of the same
  shape, and its backward is ``np.multiply(dz, mask, out=dz)``: a Python ``0``
  would go through NumPy's scalar promotion on every call, which costs more
  than the arithmetic of a 32 x 50 array;
- for the same reason, every scalar that meets an array is an ``np.float32``;
- the gradient back through a one-unit head's kernel is an outer product,
  which broadcasting does several times faster than a matrix product with an
  inner dimension of 1;
- the bias gradient is ``ones @ dz`` into the gradient's view (a matrix-vector
  product is several times faster than ``dz.sum(axis=0)`` here), and the
  kernel gradient is ``np.matmul(a.T, dz, out=dkernel)``;
- the head works in place on the logits: the sigmoid and softmax are computed
  already divided by the batch length ``n``; subtracting the targets divided by
  ``n`` (made once per training call for a sigmoid; ``1 / n`` at each row's
  label for a softmax, which needs no one-hot copy of the data's labels)
  leaves ``dz``. No loss value is computed: nothing reads it. Nor is the
  gradient of the data, which the first layer would pass back;
- mini-batches are gathered with ``np.take(..., out=)`` into the preallocated
  input; a full batch uses the data as it is;
- Adam keeps its slots scaled, ``m / (1 - beta_1)`` and ``v / (1 - beta_2)``,
  which folds two multiplications per step into the step's scalar factors; in
  exact arithmetic the update is tinynet's, step for step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

f32 = np.float32


class Workspace:
    """The arrays one step on a batch of ``n`` samples writes into, made once per batch length."""

    def __init__(self, sizes: list[int], n: int) -> None:
        hidden = sizes[1:-1]
        self.n, self.inverse_n = n, f32(1.0 / n)
        self.x = np.empty((n, sizes[0]), f32)
        self.target = np.empty((n, 1), f32) if sizes[-1] == 1 else np.empty(n, np.intp)  # y / n, or the labels
        self.rows = np.arange(n)
        self.z = [np.empty((n, width), f32) for width in sizes[1:]]  # pre-activations, then activations in place
        self.dz = [np.empty((n, width), f32) for width in hidden]  # gradients of the hidden activations
        self.mask = [np.empty((n, width), bool) for width in hidden]
        self.zeros = [np.zeros((n, width), f32) for width in hidden]
        self.ones = np.ones(n, f32)
        self.column = np.empty((n, 1), f32)  # the softmax's row maxima, then its row sums


class MLP:
    """A ReLU MLP with a sigmoid (one output) or softmax head, its parameters and gradients in two flat buffers."""

    def __init__(self, sizes: list[int], seed: int = 0) -> None:
        self.sizes = list(sizes)
        shapes = [shape for a, b in zip(sizes[:-1], sizes[1:], strict=True) for shape in ((a, b), (b,))]
        self.values, views = _flat(shapes)
        self.grads, grad_views = _flat(shapes)
        self.kernels, self.biases = views[0::2], views[1::2]
        self.dkernels, self.dbiases = grad_views[0::2], grad_views[1::2]
        rng = np.random.default_rng(seed)
        for kernel in self.kernels:  # Glorot uniform; the biases stay zero
            limit = math.sqrt(6.0 / sum(kernel.shape))
            kernel[...] = rng.uniform(-limit, limit, size=kernel.shape)
        self.workspaces: dict[int, Workspace] = {}

    def parameters(self) -> list[np.ndarray]:
        return [array for pair in zip(self.kernels, self.biases, strict=True) for array in pair]

    def workspace(self, n: int) -> Workspace:
        if n not in self.workspaces:
            self.workspaces[n] = Workspace(self.sizes, n)
        return self.workspaces[n]

    def logits(self, x: np.ndarray, space: Workspace) -> np.ndarray:
        """The forward pass into ``space``: ReLU activations in ``space.z[:-1]``, the logits in ``space.z[-1]``."""
        a = x
        for kernel, bias, z, zeros in zip(self.kernels[:-1], self.biases[:-1], space.z, space.zeros, strict=False):
            np.matmul(a, kernel, out=z)
            z += bias
            np.maximum(z, zeros, out=z)
            a = z
        z = space.z[-1]
        np.matmul(a, self.kernels[-1], out=z)
        z += self.biases[-1]
        return z

    def backprop(self, x: np.ndarray, target: np.ndarray, space: Workspace) -> None:
        """Gradients of the mean cross-entropy into ``self.grads``; ``target`` is y / n (sigmoid) or the labels."""
        dz = self.logits(x, space)
        if dz.shape[1] == 1:  # dz = sigmoid(z) / n - y / n, in place
            np.negative(dz, out=dz)
            np.exp(dz, out=dz)
            dz += f32(1.0)
            np.divide(space.inverse_n, dz, out=dz)
            dz -= target
        else:  # dz = softmax(z) / n - onehot(y) / n, in place
            np.max(dz, axis=1, keepdims=True, out=space.column)
            dz -= space.column
            np.exp(dz, out=dz)
            np.sum(dz, axis=1, keepdims=True, out=space.column)
            space.column *= f32(space.n)
            dz /= space.column
            dz[space.rows, target] -= space.inverse_n
        for layer in range(len(self.kernels) - 1, -1, -1):
            a = space.z[layer - 1] if layer else x
            np.matmul(a.T, dz, out=self.dkernels[layer])
            np.matmul(space.ones, dz, out=self.dbiases[layer])
            if layer:  # back through the kernel and the ReLU that made a
                da, mask = space.dz[layer - 1], space.mask[layer - 1]
                if dz.shape[1] == 1:  # an outer product: broadcasting beats a matrix product with k = 1
                    np.multiply(dz, self.kernels[layer].T, out=da)
                else:
                    np.matmul(dz, self.kernels[layer].T, out=da)
                np.greater(a, space.zeros[layer - 1], out=mask)
                np.multiply(da, mask, out=da)
                dz = da

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probabilities, in a new array: ``(n, 1)`` for a sigmoid head, ``(n, classes)`` for a softmax one."""
        z = self.logits(np.asarray(x, f32), self.workspace(len(x)))
        if z.shape[1] == 1:
            with np.errstate(over="ignore"):  # exp(-z) = inf for very negative z gives the right 0
                return f32(1.0) / (f32(1.0) + np.exp(-z))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def _flat(shapes: list[tuple[int, ...]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """One zeroed float32 buffer, and a view of it in each of ``shapes``, back to back."""
    buffer = np.zeros(sum(math.prod(shape) for shape in shapes), f32)
    views, start = [], 0
    for shape in shapes:
        views.append(buffer[start : start + math.prod(shape)].reshape(shape))
        start += math.prod(shape)
    return buffer, views


class Batches:
    """The training data and its targets (for a sigmoid head, divided by each batch length), one batch at a time."""

    def __init__(self, model: MLP, x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> None:
        self.model, self.x = model, np.ascontiguousarray(x, f32)
        self.n, self.batch_size = len(x), batch_size
        self.rng = np.random.default_rng(seed)
        lengths = {min(batch_size, self.n), self.n % batch_size or batch_size}  # the batch lengths there are
        if model.sizes[-1] == 1:  # y / n for each batch length n, made once
            column = np.asarray(y, f32).reshape(-1, 1)
            self.targets = {length: column * f32(1.0 / length) for length in lengths}
        else:  # the labels: the softmax head subtracts 1 / n at each row's label
            labels = np.asarray(y).reshape(-1).astype(np.intp)
            self.targets = dict.fromkeys(lengths, labels)

    def epoch(self) -> Iterator[None]:
        """One pass: full batch in order; mini-batches in a new random order each epoch."""
        model = self.model
        if self.batch_size >= self.n:
            model.backprop(self.x, self.targets[self.n], model.workspace(self.n))
            yield
            return
        order = self.rng.permutation(self.n)
        for start in range(0, self.n, self.batch_size):
            index = order[start : start + self.batch_size]
            space = model.workspace(len(index))
            np.take(self.x, index, axis=0, out=space.x)
            np.take(self.targets[len(index)], index, axis=0, out=space.target)
            model.backprop(space.x, space.target, space)
            yield


def train_sgd(model: MLP, x: np.ndarray, y: np.ndarray, lr: float, epochs: int, batch_size: int, seed: int = 0) -> None:
    """Plain SGD, ``w -= lr * g`` on the whole flat buffer; shuffled mini-batches unless ``batch_size >= len(x)``."""
    batches, rate = Batches(model, x, y, batch_size, seed), f32(lr)
    with np.errstate(over="ignore"):  # the in-place sigmoid's exp(-z) may overflow to inf, which gives the right 0
        for _ in range(epochs):
            for _ in batches.epoch():
                np.multiply(model.grads, rate, out=model.grads)
                model.values -= model.grads


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


def train_adam(
    model: MLP, x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int, lr: float = 1e-3, seed: int = 0
) -> None:
    """tinynet's Adam (beta_1 0.9, beta_2 0.999, epsilon 1e-7), ``w -= lr * m_hat / (sqrt(v_hat) + epsilon)``.

    The slots are kept scaled, ``m_ = m / (1 - b1)`` and ``v_ = v / (1 - b2)``, so
    that they update in two and three calls; with ``c = sqrt((1 - b2) / (1 - b2**t))``
    the step ``lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + epsilon)`` is
    ``lr * (1 - b1) / ((1 - b1**t) * c) * m_ / (sqrt(v_) + epsilon / c)``.
    """
    b1, b2, eps = 0.9, 0.999, 1e-7
    g, w = model.grads, model.values
    m_, v_, work = np.zeros_like(w), np.zeros_like(w), np.empty_like(w)
    batches, t = Batches(model, x, y, batch_size, seed), 0
    with np.errstate(over="ignore"):
        for _ in range(epochs):
            for _ in batches.epoch():
                t += 1
                c = math.sqrt((1.0 - b2) / (1.0 - b2**t))
                m_ *= f32(b1)  # m_ = b1 * m_ + g
                m_ += g
                np.square(g, out=g)  # v_ = b2 * v_ + g * g (the gradients are spent now)
                v_ *= f32(b2)
                v_ += g
                np.sqrt(v_, out=work)
                work += f32(eps / c)
                np.divide(m_, work, out=work)
                work *= f32(lr * (1.0 - b1) / ((1.0 - b1**t) * c))
                w -= work


def accuracy(model: MLP, x: np.ndarray, y: np.ndarray) -> float:
    p = model.predict(x)
    predicted = (p[:, 0] > 0.5).astype(y.dtype) if p.shape[1] == 1 else p.argmax(axis=1)
    return float((predicted == y.reshape(predicted.shape)).mean())
