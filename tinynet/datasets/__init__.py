"""Data sets: small seeded generators, real data read offline, and the IDX file format.

- :mod:`~tinynet.datasets.generated`: ``make_moons`` (the seed's problem),
  ``make_circles``, ``make_spirals`` and ``train_test_split``, with NumPy alone.
- :mod:`~tinynet.datasets.real`: ``load_digits`` (scikit-learn's bundled 8x8
  digits) and ``load_fashion_mnist`` (the IDX files of Debian's
  ``dataset-fashion-mnist``). Nothing is ever downloaded.
- :mod:`~tinynet.datasets.idx`: ``read_idx`` and ``write_idx``, a strict reader
  and a writer of the IDX format of MNIST and Fashion-MNIST.
- Keras's form, ``(x_train, y_train), (x_test, y_test)``:
  ``fashion_mnist.load_data()`` and ``digits.load_data()`` (a fixed split of the 8x8 digits).
"""

from __future__ import annotations

from . import digits, fashion_mnist
from .generated import make_circles, make_moons, make_spirals, train_test_split
from .idx import IDXFormatError, read_idx, write_idx
from .real import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_PATH,
    DatasetNotFoundError,
    MissingDependencyError,
    load_digits,
    load_fashion_mnist,
)

__all__ = [
    "make_moons", "make_circles", "make_spirals", "train_test_split",
    "load_digits", "load_fashion_mnist", "FASHION_MNIST_CLASSES", "FASHION_MNIST_PATH",
    "read_idx", "write_idx", "IDXFormatError", "MissingDependencyError", "DatasetNotFoundError",
    "fashion_mnist", "digits",
]  # fmt: skip
