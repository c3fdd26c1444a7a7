"""What the hardware allows: the matrix products of a workload alone, timed at its own shapes.

No framework on NumPy trains faster than its products run on NumPy's BLAS;
``run.py`` prints each contender's time as a multiple of that ceiling.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def timed(run: Callable[[], object]) -> tuple[float, object]:
    """Seconds ``run()`` took, and what it returned."""
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def matmul_peak(repeats: int = 5) -> float:
    """float32 GFLOP/s of a large matrix product on this machine, now."""
    a = np.random.default_rng(0).standard_normal((2048, 2048), dtype=np.float32)
    a @ a
    best = min(timed(lambda: a @ a)[0] for _ in range(repeats))
    return 2 * 2048**3 / best / 1e9


def mlp_flops(sizes: list[int], n: int) -> float:
    """The FLOPs of one epoch's matrix products: x @ W, a.T @ dz and dz @ W.T, except the data's gradient."""
    weights = [a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return 2 * n * (3 * sum(weights) - weights[0])


def mlp_ceiling(sizes: list[int], n: int, batch_size: int, repeats: int = 3) -> float:
    """Seconds for one epoch's matrix products alone, at the workload's own shapes: no framework can train faster."""
    rng = np.random.default_rng(0)
    kernels = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    inputs = [rng.standard_normal((batch_size, a), dtype=np.float32) for a in sizes[:-1]]
    grads = [rng.standard_normal((batch_size, b), dtype=np.float32) for b in sizes[1:]]

    def epoch() -> None:
        for _ in range(-(-n // batch_size)):
            for layer, (kernel, a, dz) in enumerate(zip(kernels, inputs, grads, strict=True)):
                a @ kernel
                a.T @ dz
                if layer:
                    dz @ kernel.T

    return min(timed(epoch)[0] for _ in range(repeats))


def convnet_ceiling(n: int, batch_size: int = 128, repeats: int = 3) -> float:
    """Seconds for one epoch of the MNIST convnet's matrix products alone, as im2col lays them out.

    Per step: each convolution's ``kernel2.T @ cols`` and kernel gradient ``cols @ dz.T``, the
    second one's ``kernel2 @ dz`` (the first needs no input gradient), and the Dense head's three.
    """
    rng = np.random.default_rng(0)
    pixels1, pixels2 = 26 * 26 * batch_size, 11 * 11 * batch_size
    shapes = [
        ((32, 9), (9, pixels1)), ((9, pixels1), (pixels1, 32)),  # first convolution: forward, kernel gradient
        ((64, 288), (288, pixels2)), ((288, pixels2), (pixels2, 64)), ((288, 64), (64, pixels2)),  # second
        ((batch_size, 1600), (1600, 10)), ((1600, batch_size), (batch_size, 10)), ((batch_size, 10), (10, 1600)),
    ]  # fmt: skip
    pairs = [(rng.standard_normal(a, dtype=np.float32), rng.standard_normal(b, dtype=np.float32)) for a, b in shapes]

    def epoch() -> None:
        for _ in range(-(-n // batch_size)):
            for a, b in pairs:
                a @ b

    return min(timed(epoch)[0] for _ in range(repeats))
