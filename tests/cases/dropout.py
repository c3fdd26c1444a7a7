"""Catalogue cases for Dropout: the identity at inference, a seeded mask in training, a broadcast noise_shape.

Inputs of rank 2, 3 and 4: dropout takes any shape.
"""

from __future__ import annotations

from tinynet.layers.dropout import Dropout

from .base import LayerCase, seeded

#: Per-sample shapes of rank 1, 2 and 3.
ANY = ((3,), (2, 4), (2, 2, 3))

LAYER_CASES: list[LayerCase] = [
    LayerCase("dropout_inference", lambda: Dropout(0.5, seed=0), feature_shapes=ANY),
    LayerCase("dropout_training", lambda: Dropout(0.4, seed=3), feature_shapes=ANY, training=True),
    LayerCase("dropout_training_default_stream", seeded(lambda: Dropout(0.25)), feature_shapes=((5,),), training=True),
    LayerCase(
        "dropout_noise_shape",
        lambda: Dropout(0.5, seed=1, noise_shape=(None, 1, 3)),
        feature_shapes=((2, 3), (4, 3)),
        training=True,
    ),
    LayerCase(  # one draw per feature, shared by every step of a sequence
        "dropout_noise_shape_steps",
        lambda: Dropout(0.5, seed=2, noise_shape=(None, 1, None)),
        feature_shapes=((4, 3), (1, 2), (3, 5)),
        training=True,
    ),
]
