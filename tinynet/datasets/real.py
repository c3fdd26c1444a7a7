"""Real data sets, read offline from files already on the machine; nothing is downloaded.

- :func:`load_digits`: scikit-learn's bundled 8x8 handwritten digits (1,797
  images, 10 classes). It needs scikit-learn (``pip install scikit-learn``,
  or ``pip install 'tinynet[test]'``), imported only when called.
- :func:`load_fashion_mnist`: Zalando's Fashion-MNIST (70,000 28x28 grey
  images of clothing, 10 classes) from its four IDX files, as Debian's
  package ``dataset-fashion-mnist`` installs them in
  ``/usr/share/datasets/fashion-mnist/`` (``train-images-idx3-ubyte.gz``,
  ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
  ``t10k-labels-idx1-ubyte.gz``). Plain, uncompressed copies of the same
  files are read too. It returns what ``keras.datasets.fashion_mnist.load_data()``
  returns.
"""

from __future__ import annotations

import os

import numpy as np

from .._validation import boolean
from ..errors import DatasetNotFoundError, InvalidTypeError, InvalidValueError, MissingDependencyError
from .idx import read_idx

__all__ = [
    "load_digits",
    "load_fashion_mnist",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_PATH",
    "MissingDependencyError",
    "DatasetNotFoundError",
]

FASHION_MNIST_PATH = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


def load_digits(as_images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 handwritten digits: ``x`` float32 in ``[0, 1]``, ``y`` int64 labels 0-9.

    The 1,797 images ship inside scikit-learn, so nothing is downloaded; the
    pixels (integers 0-16) are divided by 16.

    Parameters
    ----------
    as_images : bool
        ``False`` (default): ``x`` of shape ``(1797, 64)``, one flat row per
        image, for dense networks. ``True``: ``(1797, 8, 8, 1)``, channels-last
        images for convolutions.

    Returns
    -------
    x : numpy.ndarray
        float32, shape ``(1797, 64)`` or ``(1797, 8, 8, 1)``.
    y : numpy.ndarray
        int64, shape ``(1797,)``, the digit shown.

    Raises
    ------
    MissingDependencyError
        (an ``ImportError``) when scikit-learn is not installed.

    Examples
    --------
    >>> x, y = load_digits()
    >>> x.shape, x.dtype, float(x.min()), float(x.max()), y.shape, y.dtype, sorted(set(y.tolist()))[-1]
    ((1797, 64), dtype('float32'), 0.0, 1.0, (1797,), dtype('int64'), 9)
    >>> load_digits(as_images=True)[0].shape
    (1797, 8, 8, 1)
    """
    boolean(as_images, "load_digits", "as_images")
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise MissingDependencyError(
            "load_digits: the digits data ship with scikit-learn, which is not installed "
            f"({error}). Install it with: pip install scikit-learn (or pip install 'tinynet[test]')."
        ) from error
    data, target = sklearn_load_digits(return_X_y=True)
    x = (np.asarray(data, dtype=np.float32) / np.float32(16.0)).reshape((-1, 8, 8, 1) if as_images else (-1, 64))
    return x, np.asarray(target, dtype=np.int64)


def load_fashion_mnist(
    path: str | os.PathLike[str] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST from local IDX files: ``(x_train, y_train), (x_test, y_test)``, like Keras.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The folder holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each either
        gzip-compressed (``.gz``, preferred when both exist) or plain. Default:
        ``/usr/share/datasets/fashion-mnist``, where ``apt-get install
        dataset-fashion-mnist`` puts them on Debian and Ubuntu.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x`` uint8 images of shape ``(n, 28, 28)`` with pixels 0-255 (60,000
        for training, 10,000 for testing), ``y`` uint8 labels 0-9 of shape
        ``(n,)``; ``FASHION_MNIST_CLASSES[y]`` names the class. Scale with
        ``x.astype("float32") / 255`` and add a channel axis (``x[..., None]``)
        for a convolution.

    Raises
    ------
    DatasetNotFoundError
        (a ``FileNotFoundError``) naming the folder searched, the missing files
        and the Debian package that provides them.
    IDXFormatError
        (a ``ValueError``) when a file is truncated or not IDX; ``InvalidValueError``
        when the files do not fit together (image and label counts differ, labels
        beyond 9, images that are not 2-D uint8).

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, y_train.shape, x_test.shape  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), (60000,), (10000, 28, 28))
    """
    if path is None:
        path = FASHION_MNIST_PATH
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidTypeError(
            f"load_fashion_mnist: path must be a folder name (str or os.PathLike), received {type(path).__name__}."
        )
    folder = os.fsdecode(path)
    names = [f"{kind}-{part}-ubyte" for kind in ("train", "t10k") for part in ("images-idx3", "labels-idx1")]
    found = {name: _find(folder, name) for name in names}
    missing = [name for name, file in found.items() if file is None]
    if missing:
        where = "does not exist" if not os.path.isdir(folder) else "lacks " + ", ".join(f"{n}[.gz]" for n in missing)
        raise DatasetNotFoundError(
            f"load_fashion_mnist: the Fashion-MNIST files are not in {folder!r} (the folder {where}). "
            "Install Debian's package with: apt-get install dataset-fashion-mnist (it puts them in "
            f"{FASHION_MNIST_PATH}), or download the four files from "
            "https://github.com/zalandoresearch/fashion-mnist and pass their folder as path=."
        )
    images_train, labels_train, images_test, labels_test = (file for file in found.values() if file is not None)
    return _pair(images_train, labels_train), _pair(images_test, labels_test)


def _find(folder: str, name: str) -> str | None:
    for candidate in (os.path.join(folder, name + ".gz"), os.path.join(folder, name)):
        if os.path.isfile(candidate):
            return candidate
    return None


def _pair(images_file: str, labels_file: str) -> tuple[np.ndarray, np.ndarray]:
    """Read one images file and its labels file, and check that they belong together."""
    images = read_idx(images_file)
    labels = read_idx(labels_file)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise InvalidValueError(
            f"load_fashion_mnist: {images_file!r} should hold uint8 images of shape (n, height, width), "
            f"found {images.dtype} of shape {images.shape}."
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise InvalidValueError(
            f"load_fashion_mnist: {labels_file!r} should hold uint8 labels of shape (n,), "
            f"found {labels.dtype} of shape {labels.shape}."
        )
    if len(images) != len(labels):
        raise InvalidValueError(
            f"load_fashion_mnist: {images_file!r} holds {len(images)} images but {labels_file!r} holds "
            f"{len(labels)} labels; the files do not belong together."
        )
    if labels.size and int(labels.max()) >= len(FASHION_MNIST_CLASSES):
        raise InvalidValueError(
            f"load_fashion_mnist: {labels_file!r} holds label {int(labels.max())}; Fashion-MNIST's run from 0 to 9."
        )
    return images, labels
