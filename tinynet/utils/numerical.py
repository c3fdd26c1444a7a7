"""``to_categorical``: integer class labels as one-hot rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_array, integer
from ..errors import InvalidValueError

__all__ = ["to_categorical"]


def to_categorical(y: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot rows from integer class labels (Keras's function), float32.

    Parameters
    ----------
    y : array-like of int
        Class labels ``0 .. num_classes - 1``, any shape; a last axis of size 1
        (``(n, 1)``) is dropped first, as Keras does.
    num_classes : int, optional
        The number of classes; by default ``max(y) + 1``.

    Returns
    -------
    numpy.ndarray
        float32, shape ``y.shape + (num_classes,)``: 1 at each label, 0 elsewhere.

    Raises
    ------
    InvalidValueError
        For labels that are not whole numbers, negative, or not below ``num_classes``.

    Examples
    --------
    >>> import tinynet as tn
    >>> tn.utils.to_categorical([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    >>> tn.utils.to_categorical([[1], [0]], num_classes=3).shape
    (2, 3)
    """
    labels = as_array(y, "to_categorical", "y", batched=False)
    if labels.dtype.kind not in "iub" and not (labels.dtype.kind == "f" and (labels == np.round(labels)).all()):
        raise InvalidValueError(f"to_categorical: y must hold integer class labels, received dtype {labels.dtype}.")
    labels = labels.astype(np.int64)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.size and labels.min() < 0:
        raise InvalidValueError(f"to_categorical: class labels must be >= 0, received {labels.min()}.")
    found = int(labels.max()) + 1 if labels.size else 0
    classes = found if num_classes is None else integer(num_classes, "to_categorical", "num_classes", minimum=1)
    if found > classes:
        raise InvalidValueError(
            f"to_categorical: label {found - 1} does not fit num_classes={classes}; labels run from 0 to "
            f"num_classes - 1."
        )
    one_hot = np.zeros((labels.size, classes), dtype=np.float32)
    one_hot[np.arange(labels.size), labels.reshape(-1)] = 1.0
    return one_hot.reshape((*labels.shape, classes))
