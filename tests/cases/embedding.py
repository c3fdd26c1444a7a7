"""Catalogue cases for Embedding: integer indices in, a seeded non-trivial table, one and two index axes."""

from __future__ import annotations

import tinynet as tn
from tinynet.layers.embedding import Embedding

from .base import LayerCase

I = tn.initializers

LAYER_CASES: list[LayerCase] = [
    LayerCase(
        "embedding",
        lambda: Embedding(5, 3, embeddings_initializer=I.RandomNormal(stddev=1.0, seed=5)),
        ((3,), (2, 2)),
        index_range=5,
    ),
]
