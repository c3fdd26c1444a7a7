"""The contenders of ``benchmarks/scaling.py``: one MLP trained by tinynet, the NumPy loop and PyTorch, and its floor.

Every factory builds its model once and returns ``run(steps)``, which trains
``steps`` consecutive steps (shuffled, Adam 1e-3, batch ``batch_size``) on
the first ``steps * batch_size`` samples of the pool it was given, and
returns how many steps it ran. The timer divides a chunk's time by that
count, so whatever a call costs once (``fit`` checking its arguments, the
loop allocating its Adam moments) is spread over the chunk, as it is over an
epoch.

The floor, :func:`products_steps`, runs only the matrix products of the same
steps, at the same shapes, in NumPy float32: no framework and no hand-written
loop can take less time on this machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import yardstick

import tinynet as tn

try:
    import torch
    from torch import nn

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
except ImportError:
    torch = None  # type: ignore[assignment]

Steps = Callable[[int], int]


def step_flops(sizes: list[int], batch_size: int) -> float:
    """FLOPs of one step's matrix products: ``a @ kernel``, ``a.T @ dz`` and ``dz @ kernel.T`` but the data's."""
    weights = [fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)]
    return 2.0 * batch_size * (3 * sum(weights) - weights[0])


def tinynet_steps(sizes: list[int], x: np.ndarray, y: np.ndarray, batch_size: int) -> Steps:
    """tinynet as its users train it: ``fit`` for one epoch of ``steps`` batches.

    ``fit`` rather than one ``train_on_batch`` call per step: each of those
    calls checks its arguments, snapshots the model (to undo a refused call)
    and walks the parameters into flat buffers again, all of which ``fit``
    does once per call. At batch 1 that doubled the time of a step, which
    would measure the entry point, not the step.
    """
    tn.utils.set_random_seed(0)
    hidden = [tn.layers.Dense(units, activation="relu") for units in sizes[1:-1]]
    model = tn.Sequential([tn.Input(shape=(sizes[0],)), *hidden, tn.layers.Dense(sizes[-1], activation="softmax")])
    model.compile(optimizer=tn.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")

    def run(steps: int) -> int:
        samples = steps * batch_size
        model.fit(x[:samples], y[:samples], batch_size=batch_size, epochs=1, verbose=0)
        return steps

    return run


def loop_steps(sizes: list[int], x: np.ndarray, y: np.ndarray, batch_size: int) -> Steps:
    """The plain-NumPy loop of ``yardstick.py``: ``train_adam`` for one epoch of ``steps`` batches.

    ``train_adam`` starts its Adam moments from zero on every call; the
    arithmetic of a step is the same whatever the step count.
    """
    model = yardstick.MLP(sizes, seed=0)

    def run(steps: int) -> int:
        samples = steps * batch_size
        yardstick.train_adam(model, x[:samples], y[:samples], 1, batch_size)
        return steps

    return run


def torch_steps(sizes: list[int], x: np.ndarray, y: np.ndarray, batch_size: int) -> Steps | None:
    """The same MLP in PyTorch (``None`` when it is not installed), trained the idiomatic way.

    ``nn.Linear`` and ``nn.ReLU``, ``CrossEntropyLoss`` on the logits (the
    softmax is fused into the loss, as tinynet fuses it into its gradient),
    ``torch.optim.Adam`` with Keras's epsilon, ``zero_grad(set_to_none=True)``.
    """
    if torch is None:
        return None
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1], strict=True):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(sizes[-2], sizes[-1]))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    generator = torch.Generator().manual_seed(0)

    def run(steps: int) -> int:
        order = torch.randperm(steps * batch_size, generator=generator)
        for start in range(0, steps * batch_size, batch_size):
            index = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(inputs[index]), targets[index]).backward()
            optimizer.step()
        return steps

    return run


def products_steps(sizes: list[int], batch_size: int) -> Steps:
    """The floor: a step's matrix products alone, at its shapes, in NumPy float32.

    Per layer the forward ``a @ kernel`` and the kernel gradient
    ``a.T @ dz``, and for every layer but the first the gradient of its input
    ``dz @ kernel.T`` (nobody needs the gradient of the data). The transposes
    are views, as a framework passes them, and the products write into
    buffers made once, so not even an allocation is counted: no activation,
    loss, bias or optimizer update either.
    """
    rng = np.random.default_rng(0)
    shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
    kernels = [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]
    inputs = [rng.standard_normal((batch_size, fan_in), dtype=np.float32) for fan_in, _ in shapes]
    dzs = [rng.standard_normal((batch_size, fan_out), dtype=np.float32) for _, fan_out in shapes]
    outputs = [np.empty((batch_size, fan_out), dtype=np.float32) for _, fan_out in shapes]
    dkernels = [np.empty(shape, dtype=np.float32) for shape in shapes]
    dinputs = [np.empty((batch_size, fan_in), dtype=np.float32) for fan_in, _ in shapes]
    layers = list(zip(kernels, inputs, dzs, outputs, dkernels, dinputs, strict=True))

    def run(steps: int) -> int:
        for _ in range(steps):
            for index, (kernel, a, dz, z, dkernel, da) in enumerate(layers):
                np.matmul(a, kernel, out=z)
                np.matmul(a.T, dz, out=dkernel)
                if index:
                    np.matmul(dz, kernel.T, out=da)
        return steps

    return run


def contenders(sizes: list[int], x: np.ndarray, y: np.ndarray, batch_size: int) -> dict[str, Steps]:
    """Every contender that is installed, by name, ready to train ``sizes`` at ``batch_size``."""
    runs = {
        "tinynet": tinynet_steps(sizes, x, y, batch_size),
        "loop": loop_steps(sizes, x, y, batch_size),
    }
    torch_run = torch_steps(sizes, x, y, batch_size)
    if torch_run is not None:
        runs["torch"] = torch_run
    runs["products"] = products_steps(sizes, batch_size)
    return runs


def torch_version() -> str:
    return f"torch {torch.__version__}" if torch is not None else "torch not installed (pip install torch==2.13.0)"
