"""tinynet against PyTorch, scikit-learn and a plain-NumPy yardstick, on the workloads of docs/benchmarks.md.

    python benchmarks/run.py                 # every workload, 3 alternating repeats
    python benchmarks/run.py -w A-keras B I  # some of them (A A97 A-keras A-adam B C convnet I)
    python benchmarks/run.py --quick         # shorter runs (1/10 of A's epochs, 6,000 images), for a smoke test

Each workload runs tinynet and its peers back to back, alternating, several
times; the table gives the median time of each and the ratios tinynet/peer.
Only ratios mean anything: this machine drifts 20-40% between runs. Peers
that are not installed are skipped with a message (PyTorch: install exactly
``pip install torch==2.13.0``; scikit-learn: ``pip install scikit-learn``).
"""

from __future__ import annotations

import argparse
import os
import sys

THREADS = os.environ.get("TINYNET_BENCH_THREADS", "2")
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, THREADS)

import statistics  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402
import yardstick  # noqa: E402
from ceilings import convnet_ceiling, matmul_peak, mlp_ceiling, mlp_flops, timed  # noqa: E402

import tinynet as tn  # noqa: E402

SEED_SIZES = [2, 25, 50, 50, 25, 1]
B_SIZES = [784, 256, 128, 10]


# ---------------------------------------------------------------------------- data
def moons() -> tuple[np.ndarray, ...]:
    x, y = tn.datasets.make_moons(1000, noise=0.2, random_state=100)
    return tn.datasets.train_test_split(x, y, test_size=0.1, random_state=42)


def mnist_sized() -> tuple[np.ndarray, np.ndarray, str]:
    """60,000 Fashion-MNIST images when Debian's dataset-fashion-mnist is installed, else generated data."""
    loader = getattr(tn.datasets, "load_fashion_mnist", None)
    try:
        (x, y), _ = loader()  # type: ignore[misc]
        return (x.reshape(len(x), -1) / np.float32(255)).astype(np.float32), y.astype(np.int64), "Fashion-MNIST"
    except Exception:  # not installed: data of the same shape, with learnable structure
        rng = np.random.default_rng(0)
        centers = rng.uniform(0, 1, size=(10, 784)).astype(np.float32)
        y = rng.integers(0, 10, size=60_000)
        x = np.clip(centers[y] + rng.normal(0, 0.3, size=(60_000, 784)).astype(np.float32), 0, 1)
        return x.astype(np.float32), y, "generated (install dataset-fashion-mnist for real data)"


# ---------------------------------------------------------------------------- tinynet
def tinynet_mlp(sizes: list[int], seed: int = 0) -> tn.Sequential:
    tn.utils.set_random_seed(seed)
    head = "sigmoid" if sizes[-1] == 1 else "softmax"
    layers = [
        tn.layers.Dense(
            units, activation="relu" if i < len(sizes) - 2 else head, input_shape=(fan_in,) if i == 0 else None
        )
        for i, (fan_in, units) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
    ]
    return tn.Sequential(layers)


def tinynet_fit(
    sizes: list[int], optimizer: object, x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int
) -> tn.Sequential:
    model = tinynet_mlp(sizes)
    loss = "binary_crossentropy" if sizes[-1] == 1 else "sparse_categorical_crossentropy"
    model.compile(optimizer=optimizer, loss=loss)
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, shuffle=batch_size < len(x))
    return model


def tinynet_accuracy(model: tn.Sequential, x: np.ndarray, y: np.ndarray) -> float:
    p = model.predict(x, batch_size=len(x))
    predicted = (p[:, 0] > 0.5) if p.shape[1] == 1 else p.argmax(axis=1)
    return float((predicted == y).mean())


# ---------------------------------------------------------------------------- timing
def compare(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, tuple[float, object]]:
    """Each contender ``repeats`` times, alternating; the median time and the last result of each."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, object] = {}
    for _ in range(repeats):
        for name, run in runs.items():
            seconds, results[name] = timed(run)
            times[name].append(seconds)
    return {name: (statistics.median(times[name]), results[name]) for name in runs}


# ---------------------------------------------------------------------------- workloads
def workload_a(args: argparse.Namespace) -> list[dict]:
    x_train, x_test, y_train, y_test = moons()
    epochs = 1000 if args.quick else 10_000
    runs: dict[str, Callable[[], object]] = {
        "tinynet": lambda: tinynet_fit(SEED_SIZES, tn.optimizers.SGD(0.01), x_train, y_train, epochs, len(x_train)),
        "yardstick": lambda: _yard_sgd(SEED_SIZES, x_train, y_train, 0.01, epochs, len(x_train)),
    }
    runs.update(peers.seed_net_full_batch(x_train, y_train, epochs))
    out = compare(runs, args.repeats)
    accuracy = {
        "tinynet": tinynet_accuracy(out["tinynet"][1], x_test, y_test),  # type: ignore[arg-type]
        "yardstick": yardstick.accuracy(out["yardstick"][1], x_test, y_test),  # type: ignore[arg-type]
        **{
            name: peers.accuracy(name, out[name][1], x_test, y_test)
            for name in out
            if name not in ("tinynet", "yardstick")
        },
    }
    return [_row(f"A  seed net, full batch, {epochs} epochs", out, accuracy)]


def workload_a97(args: argparse.Namespace) -> list[dict]:
    """A97: the seed's full-batch training until the test accuracy reaches 0.97, checked every 100 epochs."""
    x_train, x_test, y_train, y_test = moons()
    target, chunk, max_epochs = 0.97, 100, 20_000

    def tinynet_run() -> object:
        model = tinynet_mlp(SEED_SIZES)
        model.compile(optimizer=tn.optimizers.SGD(0.01), loss="binary_crossentropy")
        stopper = StopAtAccuracy(x_test, y_test, target, chunk)
        model.fit(x_train, y_train, epochs=max_epochs, batch_size=len(x_train), shuffle=False, callbacks=[stopper],
                  verbose=0)  # fmt: skip
        return stopper.epochs

    def yardstick_run() -> object:
        model = yardstick.MLP(SEED_SIZES)
        target_y = y_train.reshape(-1, 1).astype(np.float32)
        return yardstick.epochs_to_accuracy(model, x_train, target_y, x_test, y_test, target, chunk, max_epochs, 0.01)

    runs: dict[str, Callable[[], object]] = {"tinynet": tinynet_run, "yardstick": yardstick_run}
    runs.update(peers.seed_net_to_accuracy(x_train, y_train, x_test, y_test, target, chunk, max_epochs))
    out = compare(runs, args.repeats)
    row = _row(f"A97  seed net, full batch, until test accuracy >= {target}", out)
    row["note"] = "epochs needed: " + ", ".join(f"{name} {epochs}" for name, (_, epochs) in out.items())
    return [row]


class StopAtAccuracy(tn.callbacks.Callback):
    """Stops fit once the test accuracy, checked every ``every`` epochs, reaches ``target``."""

    def __init__(self, x: np.ndarray, y: np.ndarray, target: float, every: int) -> None:
        super().__init__()
        self.x, self.y, self.target, self.every, self.epochs = x, y, target, every, 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epochs = epoch + 1
        if self.epochs % self.every == 0 and tinynet_accuracy(self.model, self.x, self.y) >= self.target:
            self.model.stop_training = True


def workload_a_keras(args: argparse.Namespace) -> list[dict]:
    x_train, _, y_train, _ = moons()
    epochs = 20 if args.quick else 200
    runs: dict[str, Callable[[], object]] = {
        "tinynet": lambda: tinynet_fit(SEED_SIZES, tn.optimizers.SGD(0.01), x_train, y_train, epochs, 32),
        "yardstick": lambda: _yard_sgd(SEED_SIZES, x_train, y_train, 0.01, epochs, 32),
    }
    runs.update(peers.seed_net_minibatch(x_train, y_train, epochs, 32, "sgd"))
    return [_row(f"A-keras  SGD, batch 32, {epochs} epochs", compare(runs, args.repeats))]


def workload_a_adam(args: argparse.Namespace) -> list[dict]:
    x_train, _, y_train, _ = moons()
    epochs = 20 if args.quick else 200
    runs: dict[str, Callable[[], object]] = {
        "tinynet": lambda: tinynet_fit(SEED_SIZES, tn.optimizers.Adam(1e-3), x_train, y_train, epochs, 200),
        "yardstick": lambda: _yard_adam(SEED_SIZES, x_train, y_train, epochs, 200),
    }
    runs.update(peers.seed_net_minibatch(x_train, y_train, epochs, 200, "adam"))
    return [_row(f"A-adam  Adam, batch 200, {epochs} epochs", compare(runs, args.repeats))]


def workload_b(args: argparse.Namespace) -> list[dict]:
    x, y, source = mnist_sized()
    if args.quick:
        x, y = x[:6000], y[:6000]
    runs: dict[str, Callable[[], object]] = {
        "tinynet": lambda: tinynet_fit(B_SIZES, tn.optimizers.Adam(1e-3), x, y, 1, 128),
        "yardstick": lambda: _yard_adam(B_SIZES, x, y, 1, 128),
    }
    runs.update(peers.mlp_b(x, y))
    out = compare(runs, args.repeats)
    peak, ceiling, flops = matmul_peak(), mlp_ceiling(B_SIZES, len(x), 128), mlp_flops(B_SIZES, len(x))
    row = _row(f"B  784-256-128-10, Adam, batch 128, 1 epoch of {len(x)} ({source})", out)
    row["note"] = (
        f"ceiling: the epoch's matrix products alone take {_format_time(ceiling)} "
        f"({flops / ceiling / 1e9:.0f} GFLOP/s; a 2048^2 product runs at {peak:.0f}); "
        + "; ".join(
            f"{name} {flops / t / 1e9:.0f} GFLOP/s = {ceiling / t:.0%} of the ceiling"
            for name, (t, _) in out.items()
            if name in ("tinynet", "yardstick", "torch")
        )
    )
    return [row, _memory_row(x, y)]


def workload_i(args: argparse.Namespace) -> list[dict]:
    x, y, _ = mnist_sized()
    model = tinynet_mlp(B_SIZES)
    yard = yardstick.MLP(B_SIZES)
    one, many = x[:1], x[:1024]
    calls = 200 if args.quick else 2000
    rows = []
    for label, batch, count in (
        ("I  predict, batch 1", one, calls),
        ("I  predict, batch 1024", many, max(calls // 20, 10)),
    ):
        runs: dict[str, Callable[[], object]] = {
            "tinynet": lambda b=batch, c=count: [model.predict(b, batch_size=len(b)) for _ in range(c)],
            "yardstick": lambda b=batch, c=count: [yard.predict(b) for _ in range(c)],
        }
        runs.update(peers.predict_b(batch, count))
        out = compare(runs, args.repeats)
        rows.append(_row(f"{label} (per call)", {k: (t / count, r) for k, (t, r) in out.items()}))
    return rows


def workload_c(args: argparse.Namespace) -> list[dict]:
    if not all(hasattr(tn.layers, name) for name in ("Conv2D", "MaxPool2D", "Flatten")):
        return [{"name": "C  LeNet-like CNN", "note": "skipped: tinynet has no Conv2D/MaxPool2D/Flatten yet"}]
    x, y, source = mnist_sized()
    n = 1000 if args.quick else 10_000
    images = x[:n].reshape(n, 28, 28, 1)

    def tinynet_cnn() -> object:
        tn.utils.set_random_seed(0)
        model = tn.Sequential([
            tn.layers.Conv2D(6, 5, activation="relu", input_shape=(28, 28, 1)), tn.layers.MaxPool2D(2),
            tn.layers.Conv2D(16, 5, activation="relu"), tn.layers.MaxPool2D(2), tn.layers.Flatten(),
            tn.layers.Dense(120, activation="relu"), tn.layers.Dense(84, activation="relu"),
            tn.layers.Dense(10, activation="softmax"),
        ])  # fmt: skip
        model.compile(optimizer=tn.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy")
        model.fit(images, y[:n], epochs=1, batch_size=64, verbose=0)
        return model

    runs: dict[str, Callable[[], object]] = {"tinynet": tinynet_cnn}
    runs.update(peers.lenet(images, y[:n]))
    return [_row(f"C  LeNet-like CNN, SGD+momentum, batch 64, 1 epoch of {n} ({source})", compare(runs, args.repeats))]


def workload_convnet(args: argparse.Namespace) -> list[dict]:
    """Keras's mnist_convnet example: the model a new user tries first on MNIST, as tinynet and PyTorch write it."""
    x, y, source = mnist_sized()
    n = 6000 if args.quick else len(x)
    images = x[:n].reshape(n, 28, 28, 1)

    def tinynet_convnet() -> object:
        tn.utils.set_random_seed(0)
        model = tn.Sequential([
            tn.layers.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)), tn.layers.MaxPool2D(2),
            tn.layers.Conv2D(64, 3, activation="relu"), tn.layers.MaxPool2D(2), tn.layers.Flatten(),
            tn.layers.Dropout(0.5), tn.layers.Dense(10, activation="softmax"),
        ])  # fmt: skip
        model.compile(optimizer=tn.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
        model.fit(images, y[:n], epochs=1, batch_size=128, verbose=0)
        return model

    runs: dict[str, Callable[[], object]] = {"tinynet": tinynet_convnet}
    runs.update(peers.convnet(images, y[:n]))
    name = f"convnet  Keras mnist_convnet, Adam, batch 128, 1 epoch of {n} ({source})"
    out = compare(runs, args.repeats)
    row = _row(name, out)
    ceiling = convnet_ceiling(n)
    multiples = "; ".join(f"{name} {t / ceiling:.1f}x that" for name, (t, _) in out.items())
    row["note"] = f"ceiling: the epoch's matrix products alone (im2col's) take {_format_time(ceiling)}; {multiples}"
    return [row]


WORKLOADS = {
    "A": workload_a,
    "A97": workload_a97,
    "A-keras": workload_a_keras,
    "A-adam": workload_a_adam,
    "B": workload_b,
    "C": workload_c,
    "convnet": workload_convnet,
    "I": workload_i,
}


# ---------------------------------------------------------------------------- helpers
def _yard_sgd(sizes: list[int], x: np.ndarray, y: np.ndarray, lr: float, epochs: int, batch_size: int) -> yardstick.MLP:
    model = yardstick.MLP(sizes)
    target = y.reshape(-1, 1).astype(np.float32) if sizes[-1] == 1 else y
    yardstick.train_sgd(model, x, target, lr, epochs, batch_size)
    return model


def _yard_adam(sizes: list[int], x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int) -> yardstick.MLP:
    model = yardstick.MLP(sizes)
    target = y.reshape(-1, 1).astype(np.float32) if sizes[-1] == 1 else y
    yardstick.train_adam(model, x, target, epochs, batch_size)
    return model


def _memory_row(x: np.ndarray, y: np.ndarray) -> dict:
    """Peak memory allocated (tracemalloc sees NumPy's buffers) for one epoch of B beyond the data itself."""
    peaks = {}
    for name, run in (
        ("tinynet", lambda: tinynet_fit(B_SIZES, tn.optimizers.Adam(1e-3), x, y, 1, 128)),
        ("yardstick", lambda: _yard_adam(B_SIZES, x, y, 1, 128)),
    ):
        tracemalloc.start()
        run()
        peaks[name] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {
        "name": "B  peak memory beyond the data (MiB)",
        "values": peaks,
        "ratios": {},
        "note": f"tinynet - yardstick = {peaks['tinynet'] - peaks['yardstick']:+.1f} MiB",
    }


def _row(name: str, out: dict[str, tuple[float, object]], accuracy: dict[str, float] | None = None) -> dict:
    values = {peer: t for peer, (t, _) in out.items()}
    ratios = {peer: values["tinynet"] / t for peer, t in values.items() if peer != "tinynet" and "tinynet" in values}
    note = "" if accuracy is None else "accuracy " + ", ".join(f"{k} {v:.3f}" for k, v in accuracy.items())
    return {"name": name, "values": values, "ratios": ratios, "note": note}


def _format_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} us"


def print_table(rows: list[dict]) -> None:
    contenders = ["tinynet", "yardstick", "torch", "sklearn"]
    print(
        f"\n{'workload':<62}"
        + "".join(f"{c:>12}" for c in contenders)
        + "".join(f"{'tn/' + c:>14}" for c in contenders[1:])
    )
    for row in rows:
        values, ratios = row.get("values", {}), row.get("ratios", {})
        cells = [
            (_format_time(values[c]) if "MiB" not in row["name"] else f"{values[c]:.1f}") if c in values else "-"
            for c in contenders
        ]
        ratio_cells = [f"{ratios[c]:.2f}x" if c in ratios else "-" for c in contenders[1:]]
        print(f"{row['name'][:62]:<62}" + "".join(f"{c:>12}" for c in cells) + "".join(f"{c:>14}" for c in ratio_cells))
        if row.get("note"):
            print(f"    {row['note']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-w", "--workloads", nargs="*", default=list(WORKLOADS), choices=list(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    args = parser.parse_args()
    print(f"tinynet {tn.__version__}, numpy {np.__version__}, {THREADS} BLAS threads; peers: {peers.available()}")
    rows = []
    for name in args.workloads:
        print(f"running {name} ...", flush=True)
        rows.extend(WORKLOADS[name](args))
    print_table(rows)


if __name__ == "__main__":
    main()
