"""Where a training step's time goes: tinynet's pieces swapped in one at a time, from a bare loop up to ``fit``.

    python benchmarks/step_ladder.py               # the seed's net, batch 32 (A-keras's step)
    python benchmarks/step_ladder.py --batch 900   # full batch (A's step)

Each rung runs the same step on the same batches, and adds one part of
tinynet to the rung below:

  objects        a bare loop written as objects: a Dense with its ReLU, a
                 sigmoid fused with the cross-entropy whose value is computed
                 every step, a flat SGD update. No validation, no framework.
  + layers       tinynet's Dense layers, each one's forward and backward
  + Sequential   the container's forward and backward
  + loss         compute_loss and the compiled loss's backward (the fused sigmoid)
  + optimizer    optimizer.step on the flat buffers
  + logs         the loss tracker and the logs of the step: train_step's body
  train_step     the method itself
  fit            fit itself (ten epochs a call), per step

The rungs alternate, several rounds, one process: the figures are medians in
microseconds per step, and each rung's difference from the one below is what
that part costs. The objects rung does the arithmetic tinynet does; what lies
above it is the framework.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import tinynet as tn
from tinynet.models.loops import training

SIZES = [2, 25, 50, 50, 25, 1]


class BareDense:
    """``z = x @ kernel + bias``, a ReLU on it unless it is the head; kernel and bias are views of tinynet's."""

    def __init__(self, layer: tn.layers.Dense, relu: bool) -> None:
        self.kernel, self.bias = layer.kernel.value, layer.bias.value
        self.dkernel, self.dbias = layer.kernel.grad, layer.bias.grad
        self.relu = relu
        self.ones: dict[int, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        z = x @ self.kernel
        z += self.bias
        if self.relu:
            self.mask = (z > 0).astype(z.dtype)
            z *= self.mask
        return z

    def backward(self, dz: np.ndarray, need_dx: bool) -> np.ndarray | None:
        if self.relu:
            dz = dz * self.mask
        np.matmul(self.x.T, dz, out=self.dkernel)
        ones = self.ones.get(len(dz))
        if ones is None:
            ones = self.ones[len(dz)] = np.ones(len(dz), dz.dtype)
        np.matmul(ones, dz, out=self.dbias)
        return dz @ self.kernel.T if need_dx else None


class BareLoss:
    """Sigmoid and binary cross-entropy from the logits: the value (stable) and ``dz = (p - y) / n``."""

    def forward(self, z: np.ndarray, y: np.ndarray) -> float:
        e = np.exp(-np.abs(z))
        self.p, self.y = np.maximum(e, z >= 0) / (1.0 + e), y
        return float((np.maximum(z, 0) + np.log1p(e) - y * z).sum()) / len(z)

    def backward(self) -> np.ndarray:
        dz = self.p - self.y
        dz *= np.float32(1.0 / len(dz))
        return dz


def make_model(batch: int, x: np.ndarray, y: np.ndarray, head: str | None) -> tn.Sequential:
    """The seed's net; ``head=None`` ends linear (for the rungs that bring their own loss)."""
    tn.utils.set_random_seed(0)
    layers = [
        tn.layers.Dense(u, activation="relu", input_shape=(2,) if i == 0 else None) for i, u in enumerate(SIZES[1:-1])
    ]
    model = tn.Sequential([*layers, tn.layers.Dense(1, activation=head)])
    loss = "binary_crossentropy" if head else tn.losses.BinaryCrossentropy(from_logits=True)
    model.compile(optimizer=tn.optimizers.SGD(0.01), loss=loss)
    model.fit(x[:batch], y[:batch], batch_size=batch, verbose=0)  # builds it and makes the flat buffers
    return model


def rungs(batch: int) -> tuple[list[str], list[Callable[[], None]], Callable[[], None], list[tn.Sequential]]:
    """The rungs' names and steps (to run inside ``training`` of both models), ``fit``, and the two models."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((900, 2)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)
    batches = [(x[i : i + batch], y[i : i + batch]) for i in range(0, 900 - batch + 1, batch)]
    linear, fused = make_model(batch, x, y, None), make_model(batch, x, y, "sigmoid")
    bare = [BareDense(layer, i < len(SIZES) - 2) for i, layer in enumerate(linear.layers)]
    bare_loss = BareLoss()
    stack: list[tn.Layer] = linear.layers

    def climb(level: int) -> Callable[[], None]:
        flat = linear.trainable_parameters()  # inside training(): the flat buffers
        values, grads, lr = flat.values, flat.grads, np.float32(0.01)

        def run() -> None:
            for xb, yb in batches:
                if level == 0:
                    h = xb
                    for dense in bare:
                        h = dense.forward(h)
                elif level == 1:
                    h = xb
                    for layer in stack:
                        h = layer.forward(h, True)
                else:
                    h = linear.forward(xb, training=True)
                if level >= 3:
                    loss = linear.compute_loss(xb, yb, h, None)
                    g = linear.compiled_loss.backward()
                else:
                    loss = bare_loss.forward(h, yb)
                    g = bare_loss.backward()
                if level == 0:
                    for i, dense in enumerate(reversed(bare)):
                        g = dense.backward(g, i < len(bare) - 1)
                elif level == 1:
                    for i, layer in enumerate(reversed(stack)):
                        bottom = i == len(stack) - 1
                        if bottom:
                            layer.needs_input_grad = False
                        g = layer.backward(g)
                        if bottom:
                            del layer.needs_input_grad
                else:
                    linear.backward(g)
                if level >= 4:
                    linear.optimizer.step(linear.trainable_parameters())
                else:
                    np.multiply(grads, lr, out=grads)
                    np.subtract(values, grads, out=values)
                if level >= 5:
                    linear.loss_tracker.update_state(loss, sample_weight=len(xb))
                    linear.compute_metrics(xb, yb, h, None)

        return run

    def train_step() -> None:
        for batch_data in batches:
            fused.train_step(batch_data)

    names = ["objects", "+ layers", "+ Sequential", "+ loss", "+ optimizer", "+ logs", "train_step"]
    with training(linear):
        steps = [climb(level) for level in range(6)] + [train_step]

    def fit() -> None:
        n = len(batches) * batch  # ten epochs in one call, as a benchmark's fit runs many: its set-up is shared
        fused.fit(x[:n], y[:n], batch_size=batch, epochs=10, shuffle=False, verbose=0)

    return names, steps, fit, [linear, fused]


def timed(run: Callable[[], None], count: int) -> float:
    """Microseconds per step of ``run`` (which runs ``count`` steps), over ten calls."""
    start = time.perf_counter()
    for _ in range(10):
        run()
    return (time.perf_counter() - start) / (10 * count) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    names, steps, fit, (linear, fused) = rungs(args.batch)
    count = 900 // args.batch
    times: dict[str, list[float]] = {name: [] for name in [*names, "fit"]}
    for _ in range(args.rounds):
        with training(linear), training(fused):  # as fit runs its steps (not nested: fit enters its own)
            for name, step in zip(names, steps, strict=True):
                times[name].append(timed(step, count))
        times["fit"].append(timed(fit, 10 * count))  # ten epochs a call
    print(f"the seed's net {SIZES}, batch {args.batch}, SGD; microseconds per step (median of {args.rounds})")
    below = None
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<14} {median:8.1f}" + ("" if below is None else f"   {median - below:+7.1f}"))
        below = median


if __name__ == "__main__":
    main()
