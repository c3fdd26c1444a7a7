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

# ---------------------------------------------------------------------------- EinsumDense (attn14)
from tinynet.layers.einsum_dense import EinsumDense  # noqa: E402

LAYER_CASES += [
    LayerCase("einsum_dense_matmul", seeded(lambda: EinsumDense("ab,bc->ac", 4, bias_axes="c")), ((3,), (1,))),
    LayerCase(
        "einsum_dense_heads",
        seeded(lambda: EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de", bias_initializer=random_bias())),
        ((3, 4), (1, 2)),
    ),
    LayerCase(
        "einsum_dense_ellipsis_tanh",
        seeded(lambda: EinsumDense("...x,xy->...y", 3, activation="tanh", bias_axes="y")),
        ((4,), (2, 3), (2, 1, 3)),
    ),
    LayerCase(
        "einsum_dense_right_ellipsis",
        seeded(lambda: EinsumDense("ab...,bc->ac...", (2,), bias_axes="c", bias_initializer=random_bias())),
        ((3, 2), (3, 1, 2), (3,)),
    ),
    LayerCase("einsum_dense_summed_out_axis", seeded(lambda: EinsumDense("abc,cd->ad", 4)), ((2, 3), (1, 3), (3, 1))),
    LayerCase(
        "einsum_dense_bias_on_an_input_axis",
        seeded(lambda: EinsumDense("abc,bcd->abd", (None, 4), bias_axes="bd", bias_initializer=random_bias())),
        ((2, 3), (1, 2)),
    ),
    LayerCase(
        "einsum_dense_merge_heads_relu",
        seeded(lambda: EinsumDense("bquh,uhm->bqm", (None, 3), "relu", "m", bias_initializer=random_bias())),
        ((3, 2, 2), (1, 2, 1)),
    ),
]
