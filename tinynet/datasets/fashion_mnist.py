"""``tn.datasets.fashion_mnist.load_data()``: Keras's loader, read offline from Debian's ``dataset-fashion-mnist``."""

from __future__ import annotations

import os

import numpy as np

from .real import load_fashion_mnist

__all__ = ["load_data"]


def load_data(
    path: str | os.PathLike[str] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST as Keras's ``fashion_mnist.load_data()`` returns it: ``(x_train, y_train), (x_test, y_test)``.

    ``x`` are uint8 images of shape ``(n, 28, 28)`` (60,000 for training,
    10,000 for testing), ``y`` uint8 labels 0-9 of shape ``(n,)``. Nothing is
    downloaded: the files come from Debian's package (``apt-get install
    dataset-fashion-mnist``), or from the folder ``path`` (a tinynet
    extension); see :func:`tinynet.datasets.load_fashion_mnist`.

    Raises
    ------
    DatasetNotFoundError
        (a ``FileNotFoundError``) when the files are missing, naming the
        package to install: ``apt-get install dataset-fashion-mnist``.

    Examples
    --------
    >>> import tinynet as tn
    >>> (x_train, y_train), (x_test, y_test) = tn.datasets.fashion_mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, y_train.shape, y_train.dtype  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), (60000,), dtype('uint8'))
    """
    return load_fashion_mnist(path)
