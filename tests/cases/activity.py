"""Catalogue cases for ActivityRegularization: the identity, whose penalty no loss takes here.

Run alone, no loss takes its penalty, so ``backward`` is the identity's and
every generic property holds; the penalty's own gradient, once a loss has
taken it, is proven in tests/layers/test_activity.py.
"""

from __future__ import annotations

from tinynet.layers.activity import ActivityRegularization

from .base import LayerCase

ANY = ((3,), (2, 4), (2, 2, 3))

LAYER_CASES: list[LayerCase] = [
    LayerCase("activity_regularization", lambda: ActivityRegularization(l1=0.01, l2=0.02), feature_shapes=ANY),
    LayerCase(
        "activity_regularization_training",
        lambda: ActivityRegularization(l2=0.5),
        feature_shapes=ANY,
        training=True,
    ),
]
