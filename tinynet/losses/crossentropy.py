"""Cross-entropy losses: BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy.

With ``from_logits=True`` each takes raw scores and is exact and finite for
any finite logits (the stable forms in :mod:`tinynet._numerics`). On
probabilities, as in Keras, ``y_pred`` is clipped to ``[eps, 1 - eps]``
(``eps = 1e-7``) so the loss stays finite; the gradient is zero where the
clip is active. ``compile`` switches a model that ends in sigmoid or softmax
to the logits form automatically.

``label_smoothing`` (Binary and Categorical, as in Keras) softens the targets
before the loss: ``y * (1 - ls) + ls / 2`` for the binary loss, ``y * (1 - ls)
+ ls / C`` over ``C`` classes for the categorical one. It changes only ``y``,
so the from-logits forms stay exact and finite at logits of +-1e4.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _numerics
from .._validation import number
from ..errors import InvalidValueError, ShapeError
from ..loss import Array, Loss
from ..registry import register

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy"]

EPSILON = 1e-7


class _Crossentropy(Loss):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, name: str | None = None) -> None:
        super().__init__(name)
        self.from_logits = bool(from_logits)
        self.label_smoothing = number(label_smoothing, type(self).__name__, "label_smoothing", 0.0, 1.0)

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        super().check_targets(y_true, y_pred)
        if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
            raise InvalidValueError(
                f"{self._label()}: y_true must lie in [0, 1] (labels or probabilities); received values in "
                f"[{y_true.min()}, {y_true.max()}]."
            )
        if not self.from_logits and y_pred.size and (y_pred.min() < 0 or y_pred.max() > 1):
            raise InvalidValueError(
                f"{self._label()}: y_pred must be probabilities in [0, 1]; received values in "
                f"[{y_pred.min()}, {y_pred.max()}]. For raw scores use from_logits=True."
            )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}

    def smooth(self, y: Array, classes: int) -> Array:
        """``y * (1 - ls) + ls / classes``: the targets softened towards uniform (unchanged when ``ls = 0``)."""
        ls = self.label_smoothing
        return y if ls == 0.0 else y * (1.0 - ls) + ls / classes

    def reuse_probabilities(self, probabilities: Array) -> None:
        """Hand ``backward`` the activation of the last from-logits ``forward``'s logits, already computed.

        A fused loss calls it with the output of the model's final sigmoid or
        softmax, which applied the same function to the same logits, so
        ``backward`` does not compute it a second time. Nothing is kept under
        inference, where no ``backward`` follows.
        """
        if self.from_logits and self.remembering and self._memory:
            self._memory["probabilities"] = probabilities

    def _probabilities(self, z: Array, activation: Any) -> Array:
        given = self._memory.get("probabilities")
        return activation(z) if given is None else given


@register
class BinaryCrossentropy(_Crossentropy):
    """Binary cross-entropy, for one (or several independent) yes/no outputs. Id ``"binary_crossentropy"``.

    Math (y = smooth(y_true) = y_true * (1 - ls) + ls / 2; scale = w_i / (N * M))::

        from_logits=True, z = y_pred
          forward    L = sum((softplus(z) - y * z) * scale)      softplus(z) = max(z, 0) + log1p(exp(-|z|))
          backward   dy_pred = (sigmoid(z) - y) * scale
        from_logits=False, p = clip(y_pred, eps, 1 - eps)
          forward    L = -sum((y * log(p) + (1 - y) * log(1 - p)) * scale)
          backward   dy_pred = (p - y) / (p * (1 - p)) * scale * [eps < y_pred < 1 - eps]

    Examples
    --------
    >>> import numpy as np
    >>> BinaryCrossentropy(from_logits=True)(np.array([[0.0]]), np.array([[40.0]]))
    40.0
    """

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        y = self.smooth(y, 2)
        if self.from_logits:
            z = y_pred
            self.remember(z=z, y=y, scale=scale)
            return self.reduce(_numerics.softplus(z) - y * z, scale)
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        self.remember(p=p, inside=p == y_pred, y=y, scale=scale)
        return -self.reduce(y * np.log(p) + (1.0 - y) * np.log1p(-p), scale)

    def backward(self) -> Array:
        if self.from_logits:
            z, y, scale = self.recall("z", "y", "scale")
            return (self._probabilities(z, _numerics.sigmoid) - y) * scale
        p, inside, y, scale = self.recall("p", "inside", "y", "scale")
        return (p - y) / (p * (1.0 - p)) * scale * inside


@register
class CategoricalCrossentropy(_Crossentropy):
    """Cross-entropy against one-hot (or soft) class targets. Id ``"categorical_crossentropy"``.

    Math (y = smooth(y_true) = y_true * (1 - ls) + ls / C over C classes, sums along the class axis;
    scale = w_i / (N * M))::

        from_logits=True, z = y_pred
          forward    L = -sum(sum(y * log_softmax(z)) * scale)
          backward   dy_pred = (softmax(z) * sum(y) - y) * scale
        from_logits=False: q = y_pred / s with s = sum(y_pred), p = clip(q, eps, 1 - eps)
          forward    L = -sum(sum(y * log(p)) * scale)
          backward   g = -y / p * [eps < q < 1 - eps]
                     dy_pred = (g - sum(g * q)) / s * scale

    Probabilities are renormalized to sum to one along the class axis first, as Keras does.

    Examples
    --------
    >>> import numpy as np
    >>> CategoricalCrossentropy(from_logits=True)(np.array([[0.0, 1.0]]), np.array([[1e4, -1e4]]))
    20000.0
    """

    sums_last_axis = True

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(y_true, y_pred, sample_weight)
        return self._forward(self.smooth(y, y_pred.shape[-1]), y_pred, scale)

    def _forward(self, y: Array, y_pred: Array, scale: Array) -> float:
        y_total = y.sum(axis=-1, keepdims=True)
        if self.from_logits:
            z = y_pred
            self.remember(z=z, y=y, y_total=y_total, scale=scale)
            return -self.reduce((y * _numerics.log_softmax(z)).sum(axis=-1, keepdims=True), scale)
        s = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / s
        p = np.clip(q, EPSILON, 1.0 - EPSILON)
        self.remember(q=q, p=p, inside=p == q, s=s, y=y, scale=scale)
        return -self.reduce((y * np.log(p)).sum(axis=-1, keepdims=True), scale)

    def backward(self) -> Array:
        if self.from_logits:
            z, y, y_total, scale = self.recall("z", "y", "y_total", "scale")
            return (self._probabilities(z, _numerics.softmax) * y_total - y) * scale
        q, p, inside, s, y, scale = self.recall("q", "p", "inside", "s", "y", "scale")
        g = -y / p * inside
        return (g - (g * q).sum(axis=-1, keepdims=True)) / s * scale

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        if y_true.shape != y_pred.shape:
            raise ShapeError(
                f"{self._label()}: y_true must be one-hot of y_pred's shape {y_pred.shape}; received shape "
                f"{y_true.shape}. For integer class labels use SparseCategoricalCrossentropy."
            )
        super().check_targets(y_true, y_pred)
        _check_rows_have_mass(self, y_pred)


@register
class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer class labels. Id ``"sparse_categorical_crossentropy"``.

    ``y_true`` holds class indices of shape ``y_pred.shape[:-1]`` (or with a
    trailing 1); the math is CategoricalCrossentropy's with ``y = one_hot(y_true)``:

                             dy_pred = (softmax(z) - one_hot) * scale     (L = -sum(log_softmax(z)[label] * scale))

    Like Keras's, it takes no ``label_smoothing``: smooth one-hot targets with
    CategoricalCrossentropy instead.

    Examples
    --------
    >>> import numpy as np
    >>> SparseCategoricalCrossentropy(from_logits=True)(np.array([1]), np.array([[1e4, -1e4]]))
    20000.0
    """

    y_true_kind = "class_index"

    def __init__(self, from_logits: bool = False, name: str | None = None) -> None:
        super().__init__(from_logits, 0.0, name)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["label_smoothing"]
        return config

    def forward(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        y, y_pred, scale = self.prepare(one_hot_like(y_true, y_pred), y_pred, sample_weight)
        return self._forward(y, y_pred, scale)

    def check_targets(self, y_true: Array, y_pred: Array) -> None:
        check_class_labels(self, y_true, y_pred)
        if not self.from_logits and y_pred.size and (y_pred.min() < 0 or y_pred.max() > 1):
            raise InvalidValueError(
                f"{self._label()}: y_pred must be probabilities in [0, 1]; received values in "
                f"[{y_pred.min()}, {y_pred.max()}]. For raw scores use from_logits=True."
            )
        _check_rows_have_mass(self, y_pred)


def check_class_labels(loss: Loss, y_true: Array, y_pred: Array) -> None:
    """Raise unless ``y_true`` holds one integer class label in ``[0, classes)`` per row of ``y_pred``."""
    classes = y_pred.shape[-1]
    if y_true.shape not in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,)):
        raise ShapeError(
            f"{loss._label()}: y_true must hold one integer label per sample, shape {y_pred.shape[:-1]}; "
            f"received shape {y_true.shape}. For one-hot targets use CategoricalCrossentropy."
        )
    if y_true.size and (y_true.dtype.kind == "f" and not (y_true == np.round(y_true)).all()):
        raise InvalidValueError(f"{loss._label()}: y_true must hold integer class labels; received fractions.")
    if y_true.size and (y_true.min() < 0 or y_true.max() >= classes):
        raise InvalidValueError(
            f"{loss._label()}: labels must lie in [0, {classes}) for {classes} classes; received labels in "
            f"[{y_true.min()}, {y_true.max()}]."
        )


def one_hot_like(y_true: Any, y_pred: Any) -> Array:
    """Integer labels (shape ``y_pred.shape[:-1]``, or with a trailing 1) as one-hot rows of ``y_pred``'s shape."""
    y_pred = np.asarray(y_pred)
    labels = np.asarray(y_true).reshape(y_pred.shape[:-1]).astype(np.intp)
    one_hot = np.zeros(y_pred.shape, dtype=y_pred.dtype if y_pred.dtype.kind == "f" else np.float32)
    np.put_along_axis(one_hot, labels[..., None], 1.0, axis=-1)
    return one_hot


def _check_rows_have_mass(loss: _Crossentropy, y_pred: Array) -> None:
    """Probabilities are renormalized per row, so a row summing to zero has no distribution to score."""
    if not loss.from_logits and y_pred.size and not (y_pred.sum(axis=-1) > 0).all():
        raise InvalidValueError(
            f"{loss._label()}: every row of y_pred must hold some probability; received a row that sums to 0."
        )
