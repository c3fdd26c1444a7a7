"""``predict`` in tinynet against onnxruntime on the file ``tinynet.onnx.export`` writes, for the B1 model.

The model is the benchmark harness's B1 (and I) network: a 784-256-128-10 MLP,
relu, relu, softmax. It is exported once; then tinynet's ``predict`` and an
onnxruntime session on the file alternate, several times, at batch 1
(latency) and batch 1024 (throughput), on the same inputs. The script checks
that the two agree (max difference ≤ 1e-5) and prints the median time of each
and the ratio tinynet / onnxruntime. Like every script here it never passes or
fails: only ratios from one run mean anything.

    python benchmarks/onnx_predict.py               # 3 alternating repeats
    python benchmarks/onnx_predict.py --repeats 7 --calls 500

Needs ``pip install onnx onnxruntime`` (``tinynet[onnx]``). Both run on 2
threads (``TINYNET_BENCH_THREADS`` to change).
"""

from __future__ import annotations

import os

THREADS = os.environ.get("TINYNET_BENCH_THREADS", "2")
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, THREADS)

import argparse  # noqa: E402  (after the thread settings, which must precede numpy)
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

import tinynet as tn  # noqa: E402


def b1_model() -> tn.Model:
    """The harness's B1 network, as its tinynet adapter builds it."""
    tn.utils.set_random_seed(0)
    L = tn.layers
    return tn.Sequential([
        L.Dense(256, activation="relu", input_shape=(784,)),
        L.Dense(128, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])  # fmt: skip


def median_call(fn: Callable[[], object], calls: int) -> float:
    """The median wall time of ``calls`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="alternating repeats (default 3)")
    parser.add_argument("--calls", type=int, default=200, help="calls per measurement at batch 1 (default 200)")
    args = parser.parse_args()
    try:
        import onnxruntime as ort

        import tinynet.onnx
    except ImportError as error:
        print(f"onnxruntime or onnx is missing ({error}): pip install onnx onnxruntime")
        return
    model = b1_model()
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = int(THREADS)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "b1.onnx")
        tinynet.onnx.export(model, path)
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    print(f"B1 (784-256-128-10) predict: tinynet {tn.__version__}, onnxruntime {ort.__version__}, {THREADS} threads")
    for batch, calls in ((1, args.calls), (1024, max(args.calls // 20, 5))):
        x = rng.uniform(0.0, 1.0, size=(batch, 784)).astype(np.float32)
        gap = np.max(np.abs(session.run(None, {name: x})[0] - model.predict(x, batch_size=batch, verbose=0)))
        assert gap <= 1e-5, f"onnxruntime and predict differ by {gap}"
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(median_call(lambda x=x, n=batch: model.predict(x, batch_size=n, verbose=0), calls))
            theirs.append(median_call(lambda x=x: session.run(None, {name: x}), calls))
        t, o = statistics.median(ours), statistics.median(theirs)
        print(f"  batch {batch:>4}: tinynet {t * 1e6:9.1f} us   onnxruntime {o * 1e6:9.1f} us   ratio {t / o:6.2f}")


if __name__ == "__main__":
    main()
