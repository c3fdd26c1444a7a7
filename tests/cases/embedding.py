"""Catalogue cases for Embedding and PositionEmbedding.

Embedding: integer indices in, a seeded non-trivial table, one and two index
axes. PositionEmbedding: sequences shorter than and as long as its table, and
a sample with an extra leading axis; its input gradient is zero.
"""

from __future__ import annotations

import tinynet as tn
from tinynet.layers.embedding import Embedding, PositionEmbedding

from .base import LayerCase

I = tn.initializers

LAYER_CASES: list[LayerCase] = [
    LayerCase(
        "embedding",
        lambda: Embedding(5, 3, embeddings_initializer=I.RandomNormal(stddev=1.0, seed=5)),
        ((3,), (2, 2)),
        index_range=5,
    ),
    LayerCase(  # the mask it makes (x != 0) changes nothing in its own forward and backward
        "embedding_mask_zero",
        lambda: Embedding(6, 2, mask_zero=True, embeddings_initializer=I.RandomNormal(stddev=1.0, seed=5)),
        ((4,), (1,)),
        index_range=6,
    ),
    LayerCase(
        "position_embedding",
        lambda: PositionEmbedding(4, initializer=I.RandomNormal(stddev=1.0, seed=6)),
        ((4, 3), (2, 2), (1, 5)),  # steps = sequence_length, and fewer
    ),
    LayerCase(
        "position_embedding_4d",
        lambda: PositionEmbedding(3, initializer=I.RandomNormal(stddev=1.0, seed=7)),
        ((2, 3, 2), (1, 2, 3)),
    ),
]

# ---------------------------------------------------------------------------- ReversibleEmbedding (attn14)
# The lookup runs here; the reverse call (floats in, a gradient out) is proven by the hypothesis property and the
# checks of tests/layers/test_reversible_embedding.py, as the contracts treat the layer as one taking indices.
from tinynet.layers.reversible_embedding import ReversibleEmbedding  # noqa: E402

LAYER_CASES += [
    LayerCase(
        "reversible_embedding_lookup",
        lambda: ReversibleEmbedding(5, 3, embeddings_initializer=I.RandomNormal(stddev=1.0, seed=5)),
        ((3,), (2, 2)),
        index_range=5,
    ),
    LayerCase(
        "reversible_embedding_untied_lookup_mask_zero",
        lambda: ReversibleEmbedding(
            6, 2, tie_weights=False, mask_zero=True, embeddings_initializer=I.RandomNormal(stddev=1.0, seed=5)
        ),
        ((4,), (1,)),
        index_range=6,
    ),
]
