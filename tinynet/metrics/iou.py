"""Intersection-over-union metrics: IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU.

Each keeps a weighted confusion matrix over every element seen (rows: true
class, columns: predicted class), filled in one ``bincount`` per batch, and
reads the IoU of each class off it::

    iou_c = cm[c, c] / (sum(cm[c, :]) + sum(cm[:, c]) - cm[c, c])      (tp / (tp + fp + fn))
    result = mean(iou_c over the target classes c whose denominator is > 0)     (0.0 if none)

Keras adds 1e-7 to both divisions; here nothing moves an exact ratio. As
Keras does, a class that is neither present nor predicted is left out of the
mean. Unlike Keras, labels out of range raise an error instead of being
dropped, and weights stay floats (Keras casts them to int).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import boolean, number
from ..errors import InvalidValueError, ShapeError
from ..registry import register
from .accuracy import nan_rows
from .base import Array, Metric

__all__ = ["IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU"]


class _IoUBase(Metric):
    """The confusion matrix of class labels (given, or the argmax of scores along ``axis``); the IoU of classes."""

    def __init__(
        self, num_classes: int, target_class_ids: Any, name: str | None = None, ignore_class: int | None = None,
        sparse_y_true: bool = True, sparse_y_pred: bool = True, axis: int = -1,
    ) -> None:  # fmt: skip
        owner = type(self).__name__
        self.num_classes = number(num_classes, owner, "num_classes", 1, integral=True)
        if target_class_ids is None:
            self.target_class_ids = None
        else:
            if not isinstance(target_class_ids, (list, tuple)) or not target_class_ids:
                raise InvalidValueError(
                    f"{owner}: target_class_ids must be a non-empty list of class ids, received {target_class_ids!r}."
                )
            self.target_class_ids = [
                number(c, owner, "each of target_class_ids", 0, self.num_classes, high_open=True, integral=True)
                for c in target_class_ids
            ]
        self.ignore_class = None if ignore_class is None else number(ignore_class, owner, "ignore_class", integral=True)
        self.sparse_y_true = boolean(sparse_y_true, owner, "sparse_y_true")
        self.sparse_y_pred = boolean(sparse_y_pred, owner, "sparse_y_pred")
        self.axis = number(axis, owner, "axis", integral=True)
        if self.axis == 0:
            raise ShapeError(f"{owner}: axis must not be 0, the batch axis; received axis=0.")
        super().__init__(name)

    def reset_state(self) -> None:
        self.confusion = np.zeros((self.num_classes, self.num_classes))
        self._nan = False

    def labels(self, values: Array, sparse: bool, what: str) -> Array:
        """Integer class labels ``(N, positions)`` from labels or from scores (argmax along ``axis``)."""
        where = self._label()
        if not sparse:
            if not -values.ndim < self.axis < values.ndim:
                raise ShapeError(f"{where}: {what} of shape {values.shape} has no class axis {self.axis}.")
            if values.shape[self.axis] != self.num_classes:
                raise ShapeError(
                    f"{where}: {what} must have num_classes={self.num_classes} scores on axis {self.axis}; "
                    f"received shape {values.shape}."
                )
            values = np.argmax(values, axis=self.axis) if values.size else values.sum(axis=self.axis)
        elif values.dtype.kind == "f" and not (np.isnan(values) | (values == np.round(values))).all():
            raise InvalidValueError(f"{where}: {what} must hold integer class labels; received fractions.")
        return values.reshape(values.shape[0], int(np.prod(values.shape[1:])))

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        t = self.labels(y_true, self.sparse_y_true, "y_true")
        p = self.labels(y_pred, self.sparse_y_pred, "y_pred")
        if t.shape != p.shape:
            raise ShapeError(
                f"{self._label()}: y_true (shape {y_true.shape}) and y_pred (shape {y_pred.shape}) give different "
                f"numbers of labels per sample, {t.shape[1]} and {p.shape[1]}."
            )
        valid = (t >= 0) & (t < self.num_classes)
        if self.ignore_class is not None:
            valid |= t == self.ignore_class
        finite = ~np.isnan(p) if p.dtype.kind == "f" else np.ones(p.shape, bool)
        if not valid.all() or ((p[finite] < 0) | (p[finite] >= self.num_classes)).any():
            raise InvalidValueError(
                f"{self._label()}: class labels must lie in [0, {self.num_classes}) for num_classes="
                f"{self.num_classes}; received y_true in [{t.min()}, {t.max()}] and y_pred in "
                f"[{np.nanmin(p) if finite.any() else 'NaN'}, {np.nanmax(p) if finite.any() else 'NaN'}]."
            )
        return y_true

    def accumulate(self, y_true: Array, y_pred: Array, sample_weight: Array | None) -> None:
        t = self.labels(y_true, self.sparse_y_true, "y_true")
        p = self.labels(self.predicted(y_pred), self.sparse_y_pred, "y_pred")
        nan = np.isnan(p) if p.dtype.kind == "f" else None
        if nan is not None and nan.any() or (not self.sparse_y_pred and nan_rows(y_pred) is not None):
            self._nan = True
            return
        w = np.ones(t.shape) if sample_weight is None else np.broadcast_to(sample_weight[:, None], t.shape)
        keep = t != self.ignore_class if self.ignore_class is not None else np.ones(t.shape, bool)
        cells = t[keep].astype(np.intp) * self.num_classes + p[keep].astype(np.intp)
        self.confusion += np.bincount(cells, w[keep], self.num_classes**2).reshape(self.num_classes, -1)

    def predicted(self, y_pred: Array) -> Array:
        return y_pred

    def result(self) -> float:
        if self._nan:
            return math.nan
        cm = self.confusion
        tp = np.diag(cm)
        denominator = cm.sum(axis=0) + cm.sum(axis=1) - tp
        ids = list(range(self.num_classes)) if self.target_class_ids is None else self.target_class_ids
        tp, denominator = tp[ids], denominator[ids]
        valid = denominator > 0
        return float((tp[valid] / denominator[valid]).mean()) if valid.any() else 0.0

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred, "axis": self.axis,
        }  # fmt: skip


_ARGS = """num_classes : int
        How many classes there are.
    name : str, optional
        ``"{id}"`` by default.
    ignore_class : int, optional
        Elements whose true label is this class are left out (a "void" class).
    axis : int
        The class axis of one-hot or score arrays; the last by default."""


@register
class IoU(_IoUBase):
    __doc__ = f"""The mean intersection-over-union of the target classes. Id ``"io_u"`` (Keras's snake case of IoU).

    Math: see :mod:`tinynet.metrics.iou`; ``result`` is the mean IoU over ``target_class_ids``.

    Parameters
    ----------
    {_ARGS.format(id="io_u")}
    target_class_ids : list of int
        The classes whose IoU is averaged.
    sparse_y_true, sparse_y_pred : bool
        Labels are integers (True, the default) or one-hot / scores to take the argmax of (False).

    Examples
    --------
    >>> import numpy as np
    >>> m = IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    >>> m.result()  # class 0: 1 right, 1 missed, 1 wrongly predicted
    0.333...
    """

    def __init__(
        self, num_classes: int, target_class_ids: Any, name: str | None = None, ignore_class: int | None = None,
        sparse_y_true: bool = True, sparse_y_pred: bool = True, axis: int = -1,
    ) -> None:  # fmt: skip
        super().__init__(num_classes, target_class_ids, name, ignore_class, sparse_y_true, sparse_y_pred, axis)


@register
class MeanIoU(_IoUBase):
    __doc__ = f"""The mean intersection-over-union over every class. Id ``"mean_io_u"``.

    Math: see :mod:`tinynet.metrics.iou`; ``result`` is the mean IoU over the
    classes present or predicted.

    Parameters
    ----------
    {_ARGS.format(id="mean_io_u")}
    sparse_y_true, sparse_y_pred : bool
        Labels are integers (True, the default) or one-hot / scores to take the argmax of (False).

    Examples
    --------
    >>> import numpy as np
    >>> m = MeanIoU(num_classes=2)
    >>> m.update_state(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    >>> m.result()  # both classes: 1 / 3
    0.333...
    """

    def __init__(
        self, num_classes: int, name: str | None = None, ignore_class: int | None = None, sparse_y_true: bool = True,
        sparse_y_pred: bool = True, axis: int = -1,
    ) -> None:  # fmt: skip
        super().__init__(num_classes, None, name, ignore_class, sparse_y_true, sparse_y_pred, axis)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["target_class_ids"]
        return config


@register
class BinaryIoU(_IoUBase):
    """The mean intersection-over-union of thresholded binary predictions. Id ``"binary_io_u"``.

    Math: class 1 where ``y_pred >= threshold``, else class 0; then the IoU of
    :mod:`tinynet.metrics.iou` over ``target_class_ids``.

    Shape: ``y_pred`` ``(N, ...)`` scores; ``y_true`` 0/1 labels of the same shape (or ``(N,)`` for ``(N, 1)``).

    Parameters
    ----------
    target_class_ids : list of int
        Among 0 and 1; both by default.
    threshold : float
        A score at or above it is class 1; 0.5 by default.
    name : str, optional
        ``"binary_io_u"`` by default.

    Examples
    --------
    >>> import numpy as np
    >>> m = BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    >>> m.update_state(np.array([0, 1, 0, 1]), np.array([[0.1], [0.2], [0.4], [0.7]]))
    >>> m.result()  # class 0: 1 / 3, class 1: 1 / 3
    0.333...
    """

    def __init__(self, target_class_ids: Any = (0, 1), threshold: float = 0.5, name: str | None = None) -> None:
        self.threshold = number(threshold, "BinaryIoU", "threshold")
        super().__init__(2, list(target_class_ids) if isinstance(target_class_ids, tuple) else target_class_ids, name)

    def check_targets(self, y_true: Array, y_pred: Array) -> Array:
        if y_true.shape != y_pred.shape and not (y_pred.shape[-1:] == (1,) and y_true.shape == y_pred.shape[:-1]):
            raise ShapeError(f"{self._label()}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}.")
        self.check_binary_targets(y_true)
        return super().check_targets(np.round(y_true), self.predicted(y_pred))

    def accumulate(self, y_true: Array, y_pred: Array, sample_weight: Array | None) -> None:
        if nan_rows(y_pred) is not None:
            self._nan = True
            return
        super().accumulate(np.round(y_true), y_pred, sample_weight)

    def predicted(self, y_pred: Array) -> Array:
        return (y_pred >= self.threshold).astype(np.float64)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "target_class_ids": self.target_class_ids, "threshold": self.threshold}


@register
class OneHotIoU(_IoUBase):
    __doc__ = f"""The mean intersection-over-union of the target classes, one-hot targets. Id ``"one_hot_io_u"``.

    :class:`IoU` with ``sparse_y_true=False``: the true class is the argmax of ``y_true``.

    Parameters
    ----------
    {_ARGS.format(id="one_hot_io_u")}
    target_class_ids : list of int
        The classes whose IoU is averaged.
    sparse_y_pred : bool
        ``y_pred`` holds labels (True) or scores (False, the default).

    Examples
    --------
    >>> import numpy as np
    >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.5, 0.3], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    >>> m.update_state(np.eye(3)[[0, 0, 1, 2]], scores)
    >>> m.result()  # class 0: 1 / 2, class 2: 1
    0.75
    """

    def __init__(
        self, num_classes: int, target_class_ids: Any, name: str | None = None, ignore_class: int | None = None,
        sparse_y_pred: bool = False, axis: int = -1,
    ) -> None:  # fmt: skip
        super().__init__(num_classes, target_class_ids, name, ignore_class, False, sparse_y_pred, axis)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


@register
class OneHotMeanIoU(_IoUBase):
    __doc__ = f"""The mean intersection-over-union over every class, one-hot targets. Id ``"one_hot_mean_io_u"``.

    :class:`MeanIoU` with ``sparse_y_true=False``: the true class is the argmax of ``y_true``.

    Parameters
    ----------
    {_ARGS.format(id="one_hot_mean_io_u")}
    sparse_y_pred : bool
        ``y_pred`` holds labels (True) or scores (False, the default).

    Examples
    --------
    >>> import numpy as np
    >>> m = OneHotMeanIoU(num_classes=3)
    >>> scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.5, 0.3], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    >>> m.update_state(np.eye(3)[[0, 0, 1, 2]], scores)
    >>> m.result()  # classes 0, 1, 2: 1 / 2, 1 / 2, 1
    0.666...
    """

    def __init__(
        self, num_classes: int, name: str | None = None, ignore_class: int | None = None, sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:  # fmt: skip
        super().__init__(num_classes, None, name, ignore_class, False, sparse_y_pred, axis)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["sparse_y_true"], config["target_class_ids"]
        return config
