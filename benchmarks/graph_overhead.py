"""What the graph costs: a graph model's training step against the Sequential with the same layers.

Both models are built with the same seed (so the same weights), trained with
the same optimizer on the same data in the same order (no shuffling, so the
two stay bitwise equal: the script checks it), alternating, several times; the script
prints the median time per step of each and the ratio graph / Sequential.
Like every script here it never passes or fails: only ratios from one run
mean anything.

    python benchmarks/graph_overhead.py              # the seed's net at batch 32 (A-keras) and B's MLP
    python benchmarks/graph_overhead.py --repeats 7
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import tinynet as tn


def seed_net_layers() -> list[tn.Layer]:
    sizes = [25, 50, 50, 25]
    return [tn.layers.Dense(units, activation="relu") for units in sizes] + [tn.layers.Dense(1, activation="sigmoid")]


def mlp_layers() -> list[tn.Layer]:
    return [
        tn.layers.Dense(256, activation="relu"),
        tn.layers.Dense(128, activation="relu"),
        tn.layers.Dense(10, activation="softmax"),
    ]


def sequential(make: Callable[[], list[tn.Layer]], features: int) -> tn.Model:
    tn.utils.set_random_seed(0)
    return tn.Sequential([tn.Input(shape=(features,)), *make()])


def graph(make: Callable[[], list[tn.Layer]], features: int) -> tn.Model:
    tn.utils.set_random_seed(0)
    inputs = tn.Input(shape=(features,))
    x = inputs
    for layer in make():
        x = layer(x)
    return tn.Model(inputs, x)


def time_per_step(model: tn.Model, x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int) -> float:
    steps = epochs * -(-len(x) // batch_size)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    return (time.perf_counter() - start) / steps


def compare(name: str, make: Callable[[], list[tn.Layer]], workload: dict, repeats: int) -> None:
    x, y, loss, optimizer = workload["x"], workload["y"], workload["loss"], workload["optimizer"]
    models = {"sequential": sequential(make, x.shape[1]), "graph": graph(make, x.shape[1])}
    for model in models.values():
        model.compile(optimizer=optimizer(), loss=loss)
        model.fit(
            x[: workload["batch_size"] * 5],
            y[: workload["batch_size"] * 5],
            batch_size=workload["batch_size"],
            shuffle=False,
            verbose=0,
        )
    times: dict[str, list[float]] = {key: [] for key in models}
    for _ in range(repeats):
        for key, model in models.items():
            times[key].append(time_per_step(model, x, y, workload["batch_size"], workload["epochs"]))
    same = all(
        np.array_equal(a, b)
        for a, b in zip(models["sequential"].get_weights(), models["graph"].get_weights(), strict=True)
    )
    seq, gra = statistics.median(times["sequential"]), statistics.median(times["graph"])
    print(
        f"{name:<30} sequential {seq * 1e6:8.1f} us/step   graph {gra * 1e6:8.1f} us/step   "
        f"graph / sequential {gra / seq:.3f}   (weights {'bitwise equal' if same else 'DIFFER'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    moons_x, moons_y = tn.datasets.make_moons(900, noise=0.2, seed=0)
    rng = np.random.default_rng(0)
    compare(
        "seed net, batch 32 (A-keras)",
        seed_net_layers,
        {
            "x": moons_x,
            "y": moons_y,
            "loss": "binary_crossentropy",
            "batch_size": 32,
            "epochs": 20,
            "optimizer": lambda: tn.optimizers.SGD(0.01),
        },  # fmt: skip
        args.repeats,
    )
    compare(
        "784-256-128-10, batch 128 (B)",
        mlp_layers,
        {
            "x": rng.random((12_800, 784), dtype=np.float32),
            "y": rng.integers(0, 10, 12_800),
            "loss": "sparse_categorical_crossentropy",
            "batch_size": 128,
            "epochs": 1,
            "optimizer": lambda: tn.optimizers.Adam(1e-3),
        },  # fmt: skip
        args.repeats,
    )


if __name__ == "__main__":
    main()
