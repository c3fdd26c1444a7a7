"""How cost grows: one training step against batch size and against width, and 1 vs 2 BLAS threads.

    python benchmarks/scaling.py              # the figures of docs/benchmarks.md, into docs/images/
    python benchmarks/scaling.py --quick      # a smoke test: a few points, short chunks, into a temporary folder
    python benchmarks/scaling.py --out DIR    # the pictures somewhere else

Three sweeps, each printed as a table and drawn as a PNG:

- batch: the MNIST-size MLP 784-256-128-10 (ReLU, softmax head, sparse
  categorical cross-entropy, Adam 1e-3) at batch 1, 2, 4, ..., 4,096;
- width: 784-W-W-10 at batch 128, W = 64, 128, ..., 4,096;
- BLAS threads: tinynet with 1 and with 2 BLAS threads where the layers are
  small: the seed's 2-25-50-50-25-1 net (SGD, batch 32 and the full batch of
  900) and a batch-1 ``predict`` of the MNIST-size MLP.

The sweeps time tinynet, the NumPy loop of ``yardstick.py``, PyTorch (when
installed: ``pip install torch==2.13.0``) and the step's matrix products
alone, the floor under all of them (see ``scaling_contenders.py``). Each
time is a chunk of consecutive steps lasting about ``--seconds``, divided by
its step count, and the figure shown is the median over ``--repeats``
chunks, the contenders alternating: this machine drifts, and a chunk long
enough to hold many steps smooths out what one step would catch. Like every
script here it never passes or fails.
"""

from __future__ import annotations

import argparse
import os
import sys

THREADS = os.environ.get("TINYNET_BENCH_THREADS", "2")
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, THREADS)  # before NumPy loads OpenBLAS, which reads them once

import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from contextlib import AbstractContextManager  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import scaling_contenders as contenders  # noqa: E402
import scaling_figures as figures  # noqa: E402

import tinynet as tn  # noqa: E402

MNIST_SIZES = [784, 256, 128, 10]
SEED_SIZES = [2, 25, 50, 50, 25, 1]
WIDTH_BATCH = 128
SWEEPS = {  # name: (default points, --quick points)
    "batch": ([2**k for k in range(13)], [1, 32, 1024]),
    "width": ([2**k for k in range(6, 13)], [64, 512]),
}
POOL_SAMPLES = 32_768  # at most 8 steps a chunk at batch 4,096; enough for 0.2 s everywhere else
WARM_STEPS = 2


# ---------------------------------------------------------------------------- timing
def seconds_per_step(run: contenders.Steps, steps: int) -> float:
    start = time.perf_counter()
    ran = run(steps)
    return (time.perf_counter() - start) / ran


def measure(runs: dict[str, contenders.Steps], seconds: float, repeats: int, max_steps: int) -> dict[str, float]:
    """The median seconds per step of each contender, over ``repeats`` alternating chunks of about ``seconds``.

    Each contender first runs a few warm-up steps (the first call at a shape
    makes its buffers and fills the caches), then a second few, whose time
    sets its chunk's step count: between 2 and ``max_steps``.
    """
    steps = {}
    for name, run in runs.items():
        run(WARM_STEPS)
        estimate = seconds_per_step(run, WARM_STEPS)
        steps[name] = int(min(max(2, round(seconds / estimate)), max_steps))
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(seconds_per_step(run, steps[name]))
    return {name: statistics.median(values) for name, values in times.items()}


# ---------------------------------------------------------------------------- the sweeps
def pool(samples: int) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-shaped samples (784 values in [0, 1), float32) and labels 0-9: only their shapes matter here."""
    rng = np.random.default_rng(0)
    return rng.random((samples, 784), dtype=np.float32), rng.integers(0, 10, size=samples)


def sweep(name: str, values: list[int], args: argparse.Namespace) -> list[dict]:
    """The contenders timed at every point of the ``batch`` or ``width`` sweep."""
    x, y = pool(max(POOL_SAMPLES if not args.quick else 4096, 2 * max(values)))
    points = []
    for value in values:
        sizes, batch_size = (MNIST_SIZES, value) if name == "batch" else ([784, value, value, 10], WIDTH_BATCH)
        print(f"  {name} {value} ...", flush=True)
        runs = contenders.contenders(sizes, x, y, batch_size)
        seconds = measure(runs, args.seconds, args.repeats, max_steps=len(x) // batch_size)
        points.append({"x": value, "flops": contenders.step_flops(sizes, batch_size), "seconds": seconds})
        del runs  # freed before the next point's are built: a width-4,096 copy of the parameters is 80 MB
    return points


def print_sweep(name: str, points: list[dict]) -> None:
    """Time per step, the GFLOP/s of the step's matrix products, and tinynet's ratios, one row per point."""
    names = [n for n in ("tinynet", "loop", "torch", "products") if n in points[0]["seconds"]]
    group = 11 * len(names)
    print(f"\n{'':>6}  {'time per step':<{group}}  {'matrix-product GFLOP/s':<{group}}  tinynet / ...")
    print(f"{name:>6}  " + "".join(f"{n:>11}" for n in names) * 2 + "  " + "".join(f"{n:>11}" for n in names[1:]))
    for point in points:
        seconds = point["seconds"]
        cells = [_format_time(seconds[n]) for n in names] + [f"{point['flops'] / seconds[n] / 1e9:.1f}" for n in names]
        ratios = [f"{seconds['tinynet'] / seconds[n]:.2f}" for n in names[1:]]
        print(f"{point['x']:>6}  " + "".join(f"{c:>11}" for c in cells) + "  " + "".join(f"{r:>11}" for r in ratios))


def _format_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


# ---------------------------------------------------------------------------- BLAS threads
def small_layer_cases() -> dict[str, Callable[[], contenders.Steps]]:
    """Where a second BLAS thread may cost more than it brings: tinynet on small layers, per step or call."""
    x, y = tn.datasets.make_moons(900, noise=0.2, random_state=0)
    image = pool(1)[0]

    def seed_net(batch_size: int) -> contenders.Steps:
        tn.utils.set_random_seed(0)
        layers = [tn.layers.Dense(units, activation="relu") for units in SEED_SIZES[1:-1]]
        model = tn.Sequential([tn.Input(shape=(2,)), *layers, tn.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=tn.optimizers.SGD(0.01), loss="binary_crossentropy")
        per_epoch = -(-len(x) // batch_size)

        def run(steps: int) -> int:
            epochs = max(1, round(steps / per_epoch))
            model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=batch_size < len(x), verbose=0)
            return epochs * per_epoch

        return run

    def predict_one() -> contenders.Steps:
        tn.utils.set_random_seed(0)
        hidden = [tn.layers.Dense(units, activation="relu") for units in MNIST_SIZES[1:-1]]
        model = tn.Sequential([tn.Input(shape=(784,)), *hidden, tn.layers.Dense(10, activation="softmax")])

        def run(steps: int) -> int:
            for _ in range(steps):
                model.predict(image)
            return steps

        return run

    return {
        "seed net, SGD, batch 32": lambda: seed_net(32),
        "seed net, SGD, full batch 900": lambda: seed_net(900),
        "784-256-128-10, predict, batch 1": predict_one,
    }


def thread_limiter() -> Callable[[int], AbstractContextManager] | None:
    """``limit(n)``, a context with n BLAS threads, when threadpoolctl can give both 1 and 2; else ``None``.

    threadpoolctl is not a dependency of the project. OpenBLAS may also refuse
    more threads than it started with; then each count needs its own process.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    blas = ThreadpoolController().select(user_api="blas")
    for wanted in (1, 2):
        with blas.limit(limits=wanted):
            if {entry["num_threads"] for entry in blas.info()} != {wanted}:
                return None
    return lambda threads: blas.limit(limits=threads)


def thread_times(args: argparse.Namespace) -> dict[str, dict[int, float]]:
    """Seconds per step (or call) of every small-layer case with 1 and with 2 BLAS threads."""
    limit = None if args.subprocesses else thread_limiter()
    if limit is None:
        return _thread_times_in_subprocesses(args)

    def limited(run: contenders.Steps, threads: int) -> contenders.Steps:
        def run_limited(steps: int) -> int:
            with limit(threads):
                return run(steps)

        return run_limited

    out = {}
    for case, make in small_layer_cases().items():
        run = make()
        seconds = measure({"1": limited(run, 1), "2": limited(run, 2)}, args.seconds, args.repeats, 10**6)
        out[case] = {int(threads): value for threads, value in seconds.items()}
    return out


def _thread_times_in_subprocesses(args: argparse.Namespace) -> dict[str, dict[int, float]]:
    """One process per chunk and thread count, the environment set before NumPy starts (``--blas-child``).

    The processes alternate, 1 thread then 2, ``--repeats`` times; each gives
    one chunk per case, and the figure is the median over them.
    """
    print("  (threadpoolctl cannot switch the BLAS threads here: one process per thread count and chunk)")
    times: dict[str, dict[int, list[float]]] = {}
    for _ in range(args.repeats):
        for threads in (1, 2):
            count = str(threads)
            environment = {**os.environ, "TINYNET_BENCH_THREADS": count}
            environment.update(OPENBLAS_NUM_THREADS=count, OMP_NUM_THREADS=count, MKL_NUM_THREADS=count)
            command = [sys.executable, __file__, "--blas-child", "--seconds", str(args.seconds), "--repeats", "1"]
            done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
            for case, seconds in json.loads(done.stdout.splitlines()[-1]).items():
                times.setdefault(case, {}).setdefault(threads, []).append(seconds)
    return {case: {t: statistics.median(values) for t, values in by.items()} for case, by in times.items()}


def blas_child(args: argparse.Namespace) -> None:
    """In a process started with its BLAS threads fixed: every case's seconds per step, as one line of JSON."""
    seconds = {case: measure({"run": make()}, args.seconds, args.repeats, 10**6)["run"]
               for case, make in small_layer_cases().items()}  # fmt: skip
    print(json.dumps(seconds))


def print_threads(cases: dict[str, dict[int, float]]) -> None:
    print(f"\n{'tinynet, small layers':<36}{'1 thread':>12}{'2 threads':>12}{'2 / 1':>8}")
    for case, by_threads in cases.items():
        one, two = by_threads[1], by_threads[2]
        print(f"{case:<36}{_format_time(one):>12}{_format_time(two):>12}{two / one:>8.2f}")


# ---------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test: a few points, short chunks")
    parser.add_argument("--out", type=Path, help="where the PNGs go (docs/images/; with --quick a temporary folder)")
    parser.add_argument("--seconds", type=float, help="length of one timed chunk (0.2 s; 0.02 s with --quick)")
    parser.add_argument("--repeats", type=int, help="chunks per contender and point (5; 2 with --quick)")
    parser.add_argument("--sweeps", nargs="*", default=[*SWEEPS, "threads"], choices=[*SWEEPS, "threads"])
    parser.add_argument("--subprocesses", action="store_true", help="BLAS threads: one process per count always")
    parser.add_argument("--blas-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.seconds = args.seconds or (0.02 if args.quick else 0.2)
    args.repeats = args.repeats or (2 if args.quick else 5)
    if args.blas_child:
        blas_child(args)
        return
    out = args.out or (Path(tempfile.mkdtemp(prefix="scaling-")) if args.quick else ROOT / "docs" / "images")
    out.mkdir(parents=True, exist_ok=True)
    print(f"tinynet {tn.__version__}, numpy {np.__version__}, {THREADS} BLAS threads, {contenders.torch_version()}")
    load, cpus = os.getloadavg()[0], os.cpu_count()
    print(
        f"load average {load:.1f} on {cpus} CPUs: other work slows a 2-thread BLAS most (a thread waits for its peer)"
    )
    setting = f"Adam, float32, {THREADS} BLAS threads"
    if "batch" in args.sweeps:
        points = sweep("batch", SWEEPS["batch"][args.quick], args)
        print_sweep("batch", points)
        title = f"A training step of the 784-256-128-10 MLP against the batch size ({setting})"
        figures.draw_batch(points, title, out / "scaling-batch.png")
    if "width" in args.sweeps:
        points = sweep("width", SWEEPS["width"][args.quick], args)
        print_sweep("width", points)
        title = f"A training step of the 784-W-W-10 MLP against its width W (batch {WIDTH_BATCH}, {setting})"
        figures.draw_width(points, title, out / "scaling-width.png")
    if "threads" in args.sweeps:
        print("  BLAS threads ...", flush=True)
        cases = thread_times(args)
        print_threads(cases)
        figures.draw_threads(cases, "tinynet where the layers are small: 1 or 2 BLAS threads", out / "blas-threads.png")
    print(f"\npictures in {out}")


if __name__ == "__main__":
    main()
