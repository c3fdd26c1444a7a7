"""Catalogue cases for Flatten and Reshape, an inferred axis included."""

from __future__ import annotations

from tinynet.layers.reshaping import Flatten, Reshape

from .base import LayerCase

LAYER_CASES: list[LayerCase] = [
    LayerCase("flatten", Flatten, feature_shapes=((2, 3), (3,), (2, 2, 2))),
    LayerCase("reshape_3x4", lambda: Reshape((3, 4)), feature_shapes=((12,), (2, 6), (4, 3))),
    LayerCase("reshape_infer", lambda: Reshape((-1, 2)), feature_shapes=((4,), (2, 3), (3, 2, 2))),
]
