"""Catalogue cases for Sequential models, flat and nested: a model is a layer and passes the same contracts."""

from __future__ import annotations

import tinynet as tn

from .base import LayerCase, random_bias, seeded

A = tn.activations
L = tn.layers

LAYER_CASES: list[LayerCase] = [
    LayerCase(
        "sequential_mlp",
        seeded(lambda: tn.Sequential([L.Dense(4, activation="tanh"), L.Dense(3), A.Softmax()])),
    ),
    LayerCase(
        "sequential_nested",
        seeded(
            lambda: tn.Sequential(
                [tn.Sequential([L.Dense(3, activation="elu", bias_initializer=random_bias())]), L.Dense(2)]
            )
        ),
    ),
]
