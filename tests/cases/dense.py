"""Catalogue cases for Dense: no activation, a smooth one, ReLU (off its kink by a random bias), no bias, softmax."""

from __future__ import annotations

import tinynet as tn

from .base import LayerCase, random_bias, seeded

L = tn.layers

LAYER_CASES: list[LayerCase] = [
    LayerCase("dense_linear", seeded(lambda: L.Dense(4))),
    LayerCase("dense_tanh", seeded(lambda: L.Dense(3, activation="tanh"))),
    LayerCase("dense_relu", seeded(lambda: L.Dense(3, activation="relu", bias_initializer=random_bias()))),
    LayerCase("dense_no_bias", seeded(lambda: L.Dense(2, activation="sigmoid", use_bias=False))),
    LayerCase("dense_softmax", seeded(lambda: L.Dense(3, activation="softmax"))),
]
