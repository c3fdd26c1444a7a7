"""Catalogue cases for RepeatVector and TimeDistributed.

TimeDistributed wraps layers of several kinds, each of which must come out
right with the steps folded into the batch: a Dense (on steps of rank 1 and
2), a convolution, LayerNorm, Dropout in training (its mask drawn over the
folded batch), a nested Sequential, and an Embedding (integer steps: only
the table's gradient is checked).
"""

from __future__ import annotations

import tinynet as tn
from tinynet.layers.masking import Masking
from tinynet.layers.sequence import RepeatVector, TimeDistributed

from .base import LayerCase, random_bias, seeded

L = tn.layers
I = tn.initializers

#: Per-sample shapes (steps, features).
SEQUENCES = ((4, 2), (1, 3), (3, 1))

LAYER_CASES: list[LayerCase] = [
    LayerCase("repeat_vector", lambda: RepeatVector(3)),
    LayerCase("repeat_vector_once", lambda: RepeatVector(1), feature_shapes=((2,), (1,))),
    LayerCase(
        "time_distributed_dense",
        seeded(lambda: TimeDistributed(L.Dense(3, activation="tanh", bias_initializer=random_bias()))),
        SEQUENCES,
    ),
    LayerCase(  # each step is itself (rows, features): the Dense maps its last axis
        "time_distributed_dense_4d", seeded(lambda: TimeDistributed(L.Dense(2))), ((2, 3, 2), (1, 1, 3))
    ),
    LayerCase(
        "time_distributed_conv1d",
        seeded(lambda: TimeDistributed(L.Conv1D(2, 2, padding="same"))),
        ((3, 4, 2), (2, 1, 1)),
    ),
    LayerCase(
        "time_distributed_layernorm",
        lambda: TimeDistributed(
            L.LayerNorm(gamma_initializer=I.RandomUniform(0.5, 1.5, seed=1), beta_initializer=I.RandomNormal(seed=2))
        ),
        ((4, 3), (2, 2)),
    ),
    LayerCase("time_distributed_dropout", lambda: TimeDistributed(L.Dropout(0.4, seed=3)), SEQUENCES, training=True),
    LayerCase(
        "time_distributed_sequential",
        seeded(
            lambda: TimeDistributed(
                tn.Sequential([L.Dense(3, activation="relu", bias_initializer=random_bias()), L.Dense(2)])
            )
        ),
        SEQUENCES,
    ),
    LayerCase(
        "time_distributed_embedding",
        lambda: TimeDistributed(L.Embedding(5, 2, embeddings_initializer=I.RandomNormal(stddev=1.0, seed=5))),
        ((3, 2), (1, 1)),
        index_range=5,
    ),
    # Masking: a drawn step never equals mask_value exactly, so here it passes x through (its padded steps,
    # where the function jumps, are pinned by tests/layers/test_masking.py)
    LayerCase("masking", lambda: Masking(mask_value=0.5), SEQUENCES),
]
