"""Metrics: running, sample-weighted summaries of a model's predictions, reported by ``fit`` and ``evaluate``.

Every metric has ``update_state(y_true, y_pred, sample_weight=None)``,
``result()`` (a Python float, 0.0 before any update), ``reset_state()`` and
``get_config()`` / ``from_config(config)``. ``y_pred`` holds probabilities
(or regression outputs), never logits. ``get(identifier, loss=None)`` takes
Keras's string ids — ``"accuracy"`` / ``"acc"`` (resolved against the loss),
``"binary_accuracy"``, ``"categorical_accuracy"``,
``"sparse_categorical_accuracy"``, ``"mse"`` / ``"mean_squared_error"``,
``"mae"`` / ``"mean_absolute_error"``, ``"precision"``, ``"recall"``,
``"auc"`` — a ``Metric`` instance or class, or a config dict.
"""

from __future__ import annotations

from typing import Any

from .. import losses
from ..loss import Loss
from ..registry import resolve
from .accuracy import AutoAccuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy
from .base import MeanMetric, Metric
from .classification import AUC, Precision, Recall
from .mean import Mean
from .regression import MeanAbsoluteError, MeanSquaredError

__all__ = [
    "Metric", "MeanMetric", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "AutoAccuracy",
    "MeanSquaredError", "MeanAbsoluteError", "Precision", "Recall", "AUC", "Mean", "get",
]  # fmt: skip

_ALIASES: dict[str, type] = {
    "accuracy": AutoAccuracy, "acc": AutoAccuracy,
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "precision": Precision, "recall": Recall, "auc": AUC,
}  # fmt: skip

#: Metric classes by class name. MeanSquaredError and MeanAbsoluteError share their names with the
#: losses, so the global registry (keyed by class name) holds the losses; ``get`` looks here first.
_CLASSES: dict[str, type[Metric]] = {
    cls.__name__: cls
    for cls in (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, AutoAccuracy,
                MeanSquaredError, MeanAbsoluteError, Precision, Recall, AUC, Mean)
}  # fmt: skip


def get(identifier: Any, loss: Any = None, custom_objects: dict[str, type] | None = None) -> Metric:
    """A ``Metric`` from a string id, a class, an instance (returned as is) or a config dict.

    A string id from the list above gives a new metric named by that very
    string, so ``fit``'s history keys are the names passed, as in Keras:
    ``get("acc", loss).name == "acc"``. A class name (``"BinaryAccuracy"``)
    gives the class's default name.

    ``"accuracy"`` and ``"acc"`` follow the loss (a ``Loss``, or anything
    ``tinynet.losses.get`` takes):

    - ``BinaryCrossentropy`` -> :class:`BinaryAccuracy` (threshold 0.5);
    - ``SparseCategoricalCrossentropy`` (any loss taking class indices) -> :class:`SparseCategoricalAccuracy`;
    - ``CategoricalCrossentropy`` -> :class:`CategoricalAccuracy`;
    - any other loss, or ``None`` -> :class:`AutoAccuracy`, which picks one of
      the three from the shapes of the first batch as Keras does (``y_pred``
      ending in 1 -> binary; ``y_true`` of lower rank or ending in 1 ->
      sparse; else categorical).

    ``custom_objects`` maps class names to your own ``Metric`` subclasses
    (for config dicts), as in ``tn.load_model``.

    Examples
    --------
    >>> get("acc", loss="binary_crossentropy")
    <BinaryAccuracy 'acc'>
    >>> get("accuracy")
    <AutoAccuracy 'accuracy'>
    >>> get("mse").name
    'mse'
    >>> get("f1")
    Traceback (most recent call last):
    ...
    tinynet.errors.UnknownIdentifierError: Unknown metric 'f1'. Known metric ids: acc, accuracy, auc, ...
    """
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            return _accuracy_for(loss, identifier)
        if key in _ALIASES:
            return _ALIASES[key](name=identifier)
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
    if (
        isinstance(identifier, dict)
        and set(identifier) == {"class_name", "config"}
        and identifier["class_name"] in _CLASSES
        and not (custom_objects and identifier["class_name"] in custom_objects)
        and isinstance(identifier["config"], dict)
    ):
        return _CLASSES[identifier["class_name"]].from_config(identifier["config"])
    return resolve(identifier, "metric", Metric, _ALIASES, custom_objects)


def _accuracy_for(loss: Any, name: str) -> Metric:
    """The accuracy metric Keras pairs with ``loss``, named ``name``."""
    if loss is not None and not isinstance(loss, Loss):
        loss = losses.get(loss)
    if isinstance(loss, Loss) and loss.y_true_kind == "class_index":  # sparse labels; before its base class
        return SparseCategoricalAccuracy(name=name)
    if isinstance(loss, losses.CategoricalCrossentropy):
        return CategoricalAccuracy(name=name)
    if isinstance(loss, losses.BinaryCrossentropy):
        return BinaryAccuracy(name=name)
    return AutoAccuracy(name=name)
