"""Catalogue cases for Dense: no activation, a smooth one, ReLU (off its kink by a random bias), no bias, softmax.

The ``sequence`` cases give it 3-D and 4-D inputs, ``(batch, steps, features)`` and ``(batch, h, w, features)``:
it maps the last axis, and its kernel and bias gradients sum over every leading axis.
"""

from __future__ import annotations

import tinynet as tn

from .base import LayerCase, random_bias, seeded

L = tn.layers

#: Per-sample shapes of rank 2 and 3: the last axis is the features.
SEQUENCES = ((4, 3), (1, 2), (2, 3, 2))

LAYER_CASES: list[LayerCase] = [
    LayerCase("dense_linear", seeded(lambda: L.Dense(4))),
    LayerCase("dense_tanh", seeded(lambda: L.Dense(3, activation="tanh"))),
    LayerCase("dense_relu", seeded(lambda: L.Dense(3, activation="relu", bias_initializer=random_bias()))),
    LayerCase("dense_no_bias", seeded(lambda: L.Dense(2, activation="sigmoid", use_bias=False))),
    LayerCase("dense_softmax", seeded(lambda: L.Dense(3, activation="softmax"))),
    LayerCase("dense_sequence_linear", seeded(lambda: L.Dense(4)), SEQUENCES),
    LayerCase(
        "dense_sequence_relu",
        seeded(lambda: L.Dense(3, activation="relu", bias_initializer=random_bias())),
        SEQUENCES,
    ),
    LayerCase("dense_sequence_no_bias_tanh", seeded(lambda: L.Dense(2, activation="tanh", use_bias=False)), SEQUENCES),
    LayerCase("dense_sequence_softmax", seeded(lambda: L.Dense(3, activation="softmax")), SEQUENCES),
]
