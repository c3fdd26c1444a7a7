"""``tn.datasets.digits.load_data()``: scikit-learn's bundled 8x8 digits, split once and for all, in Keras's form."""

from __future__ import annotations

import numpy as np

from .real import load_digits

__all__ = ["load_data", "TEST_EVERY"]

#: Every ``TEST_EVERY``-th image (indices 4, 9, 14, ...) is a test image; the others train.
TEST_EVERY = 5


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The 1,797 digits as ``(x_train, y_train), (x_test, y_test)``, shaped like Keras's ``mnist.load_data()``.

    ``x`` are uint8 images of shape ``(n, 8, 8)`` with scikit-learn's pixel
    values 0-16 (divide by 16 to scale them to ``[0, 1]``), ``y`` uint8
    labels 0-9 of shape ``(n,)``. The split is fixed, with no random draw:
    every fifth image (indices 4, 9, 14, ...) is for testing, 359 of them, and
    the other 1,438 for training, so every writer and every digit is in both.
    The data ship inside scikit-learn, which must be installed; nothing is downloaded.

    Raises
    ------
    MissingDependencyError
        (an ``ImportError``) when scikit-learn is not installed.

    Examples
    --------
    >>> import tinynet as tn
    >>> (x_train, y_train), (x_test, y_test) = tn.datasets.digits.load_data()
    >>> x_train.shape, x_train.dtype, int(x_train.max()), y_train.shape, y_train.dtype, x_test.shape
    ((1438, 8, 8), dtype('uint8'), 16, (1438,), dtype('uint8'), (359, 8, 8))
    """
    x, y = load_digits(as_images=True)
    images = np.rint(x[..., 0] * np.float32(16.0)).astype(np.uint8)
    labels = y.astype(np.uint8)
    test = np.arange(len(labels)) % TEST_EVERY == TEST_EVERY - 1
    return (images[~test], labels[~test]), (images[test], labels[test])
