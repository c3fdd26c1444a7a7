"""Metrics: running, sample-weighted summaries of a model's predictions, reported by ``fit`` and ``evaluate``.

Every metric has ``update_state(y_true, y_pred, sample_weight=None)``,
``result()`` (a Python float, 0.0 before any update; a vector for the few
Keras returns vectors for: ``F1Score(average=None)``, ``R2Score(class_aggregation=None)``,
the counts, ``Precision`` and ``Recall`` given a list of thresholds),
``reset_state()`` and ``get_config()`` / ``from_config(config)``. ``y_pred``
holds probabilities (or regression outputs), never logits.

``get(identifier, loss=None)`` takes Keras's string ids — ``"accuracy"`` /
``"acc"`` (resolved against the loss), each class's snake-case name
(``"top_k_categorical_accuracy"``, ``"f1_score"``, ``"r2_score"``, ...) and
Keras's short ones (``"mse"``, ``"mae"``, ``"mape"``, ``"msle"``, ``"bce"``) —
a class name, a ``Metric`` instance or class, a config dict, or a plain
function ``fn(y_true, y_pred)`` (wrapped in a :class:`MeanMetricWrapper`).
"""

from __future__ import annotations

from typing import Any

from .. import losses
from ..errors import InvalidTypeError
from ..loss import Loss
from ..registry import resolve
from .accuracy import (
    Accuracy,
    AutoAccuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)  # fmt: skip
from .at_constraint import PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity
from .auc import AUC
from .base import MeanMetric, Metric
from .confusion import FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives
from .correlation import ConcordanceCorrelation, PearsonCorrelation, R2Score
from .fscore import F1Score, FBetaScore
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from .mean import Mean, MeanMetricWrapper, Sum
from .probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)  # fmt: skip
from .regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
)  # fmt: skip

__all__ = [
    "Metric", "MeanMetric", "Mean", "Sum", "MeanMetricWrapper",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "AutoAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
    "MeanSquaredError", "RootMeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "LogCoshError", "CosineSimilarity", "R2Score",
    "PearsonCorrelation", "ConcordanceCorrelation",
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision", "Recall", "AUC",
    "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity",
    "F1Score", "FBetaScore", "IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU",
    "Hinge", "SquaredHinge", "CategoricalHinge",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Poisson",
    "get",
]  # fmt: skip

#: Keras's string ids of the metrics that need no argument: each class's snake-case name (Keras's
#: ``to_snake_case``, so ``FBetaScore`` is ``"f_beta_score"``) and the short ones.
_ALIASES: dict[str, type] = {
    "accuracy": AutoAccuracy, "acc": AutoAccuracy,
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "root_mean_squared_error": RootMeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "log_cosh_error": LogCoshError, "cosine_similarity": CosineSimilarity, "r2_score": R2Score,
    "pearson_correlation": PearsonCorrelation, "concordance_correlation": ConcordanceCorrelation,
    "true_positives": TruePositives, "false_positives": FalsePositives,
    "true_negatives": TrueNegatives, "false_negatives": FalseNegatives,
    "precision": Precision, "recall": Recall, "auc": AUC,
    "f1_score": F1Score, "f_beta_score": FBetaScore, "binary_io_u": BinaryIoU,
    "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "bce": BinaryCrossentropy, "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "poisson": Poisson, "mean": Mean, "sum": Sum,
}  # fmt: skip

#: Keras's ids of the metrics that cannot be made without arguments, and the argument each needs.
_NEEDS_ARGUMENTS: dict[str, str] = {
    "io_u": "IoU(num_classes, target_class_ids)", "mean_io_u": "MeanIoU(num_classes)",
    "one_hot_io_u": "OneHotIoU(num_classes, target_class_ids)", "one_hot_mean_io_u": "OneHotMeanIoU(num_classes)",
    "precision_at_recall": "PrecisionAtRecall(recall)", "recall_at_precision": "RecallAtPrecision(precision)",
    "sensitivity_at_specificity": "SensitivityAtSpecificity(specificity)",
    "specificity_at_sensitivity": "SpecificityAtSensitivity(sensitivity)",
    "mean_metric_wrapper": "MeanMetricWrapper(fn)",
}  # fmt: skip

#: Metric classes that share their names with Keras's losses: the global registry (keyed by class name)
#: holds the losses, so ``get`` resolves these names and configs here first.
_CLASSES: dict[str, type[Metric]] = {
    cls.__name__: cls
    for cls in (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
                CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, BinaryCrossentropy,
                CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson)
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
    (for config dicts), as in ``tn.load_model``. A plain function
    ``fn(y_true, y_pred)`` becomes a :class:`MeanMetricWrapper` named after it,
    as in Keras's ``compile``.

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
        if key in _NEEDS_ARGUMENTS or key.replace("_", "") in {k.replace("_", "") for k in _NEEDS_ARGUMENTS}:
            needs = _NEEDS_ARGUMENTS.get(key) or next(
                v for k, v in _NEEDS_ARGUMENTS.items() if k.replace("_", "") == key.replace("_", "")
            )
            raise InvalidTypeError(f"The metric {identifier!r} needs arguments: pass an instance, {needs}.")
    if callable(identifier) and not isinstance(identifier, (type, Metric)):
        return MeanMetricWrapper(identifier)
    if (
        isinstance(identifier, dict)
        and set(identifier) == {"class_name", "config"}
        and identifier["class_name"] in _CLASSES
        and not (custom_objects and identifier["class_name"] in custom_objects)
        and isinstance(identifier["config"], dict)
    ):
        return _CLASSES[identifier["class_name"]].from_config(identifier["config"])
    return resolve(identifier, "metric", Metric, _ALIASES, custom_objects)


def metric_named_like_a_loss(name: str) -> type[Metric] | None:
    """The metric class named ``name`` among those the global registry cannot hold (their names are Keras's
    losses'), or None: how a model file's compile config names them."""
    return _CLASSES.get(name)


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
