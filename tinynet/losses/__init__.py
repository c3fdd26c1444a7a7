"""Losses: ``forward(y_true, y_pred, sample_weight=None)`` returns a float, ``backward()`` dL/dy_pred.

``get(identifier)`` takes Keras's class names (``"KLDivergence"``) and its
string ids — each loss function's name (``"mean_squared_error"``,
``"kl_divergence"``, ``"log_cosh"``, ``"binary_focal_crossentropy"``, ...) and
the short forms ``"mse"``, ``"mae"``, ``"mape"``, ``"msle"``, ``"kld"``,
``"bce"`` (case-insensitive) — a ``Loss`` instance or class, or a config dict.
"""

from __future__ import annotations

from typing import Any

from ..loss import Loss
from ..registry import resolve
from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .focal import BinaryFocalCrossentropy, CategoricalFocalCrossentropy
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .probabilistic import CategoricalGeneralizedCrossEntropy, KLDivergence, Poisson
from .regression import (
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
)
from .segmentation import Dice, Tversky
from .similarity import Circle, CosineSimilarity

__all__ = [
    "Loss", "MeanSquaredError", "MeanAbsoluteError", "Huber", "LogCosh", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "CosineSimilarity", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "KLDivergence",
    "Poisson", "CategoricalGeneralizedCrossEntropy", "Hinge", "SquaredHinge", "CategoricalHinge", "Dice",
    "Tversky", "Circle", "get",
]  # fmt: skip

#: Keras's string ids (``keras.losses.get``): the loss functions' names and their short forms, lower case.
_ALIASES: dict[str, type] = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError, "huber": Huber,
    "mape": MeanAbsolutePercentageError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "log_cosh": LogCosh, "cosine_similarity": CosineSimilarity,
    "bce": BinaryCrossentropy, "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_focal_crossentropy": BinaryFocalCrossentropy,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
    "kld": KLDivergence, "kl_divergence": KLDivergence, "poisson": Poisson,
    "categorical_generalized_cross_entropy": CategoricalGeneralizedCrossEntropy,
    "hinge": Hinge, "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "dice": Dice, "tversky": Tversky, "circle": Circle,
}  # fmt: skip


def get(identifier: Any) -> Loss:
    """A ``Loss`` from a string id, a class, an instance (returned as is) or a config dict."""
    return resolve(identifier, "loss", Loss, _ALIASES)
