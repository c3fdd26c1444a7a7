"""Fashion-MNIST streamed from disk: a memory-mapped ``.npy`` read one batch at a time through a ``PyDataset``.

    python examples/stream_fashion_mnist.py              # needs: apt-get install dataset-fashion-mnist
    python examples/stream_fashion_mnist.py --stand-in   # generated look-alike files, no package needed

The first run reads Debian's IDX files once and writes them as ``.npy`` files
into a cache folder (``~/.cache/tinynet/fashion-mnist`` by default). Training
then opens them with ``np.load(mmap_mode="r")``: the images stay on disk and
each batch is read, scaled and handed to ``fit`` by ``FashionBatches``, a
``tn.utils.PyDataset`` — the way to train on data larger than memory.
``fit`` shuffles the order of the batches each epoch (seeded), and
``evaluate`` reads the test set the same way.

``--stand-in`` writes small generated IDX files (ten noisy class templates)
in place of the real ones, to run the whole pipeline anywhere; the test
suite runs it so.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import tinynet as tn

PARTS = ("x_train", "y_train", "x_test", "y_test")


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tinynet" / "fashion-mnist"


def cache_arrays(cache_dir: str | os.PathLike[str], source: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """The four ``.npy`` files in ``cache_dir``, written once from the IDX files in ``source`` (Debian's by default).

    Each file is written under a temporary name and renamed, so an interrupted
    run never leaves a half-written cache. Raises ``DatasetNotFoundError``
    (naming ``apt-get install dataset-fashion-mnist``) when the cache is empty
    and the IDX files are missing.
    """
    folder = Path(cache_dir)
    paths = {part: folder / f"{part}.npy" for part in PARTS}
    if all(path.is_file() for path in paths.values()):
        return paths
    (x_train, y_train), (x_test, y_test) = tn.datasets.fashion_mnist.load_data(source)
    folder.mkdir(parents=True, exist_ok=True)
    for part, array in zip(PARTS, (x_train, y_train, x_test, y_test), strict=True):
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".npy", delete=False) as file:
            np.save(file, array)
        os.replace(file.name, paths[part])
    return paths


class FashionBatches(tn.utils.PyDataset):
    """Batches of a memory-mapped image file and its labels: uint8 pixels read from disk, scaled to [0, 1]."""

    def __init__(self, images: Path, labels: Path, batch_size: int = 128, limit: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.images = np.load(images, mmap_mode="r")  # nothing is read until a batch asks for it
        self.labels = np.load(labels, mmap_mode="r")
        self.size = len(self.labels) if limit is None else min(limit, len(self.labels))
        self.batch_size = batch_size

    def __len__(self) -> int:
        return -(-self.size // self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        start = index * self.batch_size
        stop = min(start + self.batch_size, self.size)
        x = np.asarray(self.images[start:stop], dtype=np.float32) / np.float32(255.0)
        return x.reshape(len(x), -1), np.asarray(self.labels[start:stop], dtype=np.int64)


def write_stand_in(folder: str | os.PathLike[str], n_train: int = 2000, n_test: int = 500, seed: int = 0) -> Path:
    """Generated IDX files shaped like Fashion-MNIST's: each image a noisy copy of one of ten class templates.

    The templates share a common picture and differ by faint class patterns
    under heavy noise, so a model must learn them (chance is 10%).
    """
    rng = np.random.default_rng(seed)
    templates = rng.uniform(60, 200, size=(28, 28)) + rng.normal(0.0, 25.0, size=(10, 28, 28))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for kind, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        noise = rng.normal(0.0, 70.0, size=(n, 28, 28))
        images = np.clip(templates[labels] + noise, 0, 255).astype(np.uint8)
        tn.datasets.write_idx(folder / f"{kind}-images-idx3-ubyte", images)
        tn.datasets.write_idx(folder / f"{kind}-labels-idx1-ubyte", labels)
    return folder


def train(
    cache_dir: str | os.PathLike[str] | None = None,
    source: str | os.PathLike[str] | None = None,
    epochs: int = 5,
    batch_size: int = 128,
    limit: int | None = None,
    seed: int = 0,
    verbose: int = 0,
) -> dict[str, Any]:
    """Cache the data as ``.npy`` (once), then train an MLP on batches streamed from the memory-mapped files."""
    paths = cache_arrays(default_cache() if cache_dir is None else cache_dir, source)
    tn.utils.set_random_seed(seed)
    train_batches = FashionBatches(paths["x_train"], paths["y_train"], batch_size, limit)
    test_batches = FashionBatches(paths["x_test"], paths["y_test"], batch_size)
    model = tn.Sequential([
        tn.layers.Dense(128, activation="relu", input_shape=(784,)),
        tn.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    model.compile(optimizer=tn.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train_batches, epochs=epochs, verbose=verbose)
    _, accuracy = model.evaluate(test_batches, verbose=0)
    return {"model": model, "history": history.history, "test_accuracy": accuracy, "batches": train_batches}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--cache", default=None, help="folder for the .npy files (default ~/.cache/tinynet/...)")
    parser.add_argument("--stand-in", action="store_true", help="generated look-alike data, no package needed")
    args = parser.parse_args()
    if args.stand_in:
        with tempfile.TemporaryDirectory() as folder:
            source = write_stand_in(Path(folder) / "idx")
            result = train(Path(folder) / "cache", source, args.epochs, verbose=1)
    else:
        try:
            result = train(args.cache, epochs=args.epochs, verbose=1)
        except tn.datasets.DatasetNotFoundError as error:
            raise SystemExit(f"{error}\nOr run with --stand-in to try the pipeline on generated data.") from None
    print(f"test accuracy {result['test_accuracy']:.3f}")


if __name__ == "__main__":
    main()
