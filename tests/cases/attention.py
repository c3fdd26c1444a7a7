"""Catalogue cases for MultiHeadAttention: cross- and self-attention, masks, dropout, the output projection.

A case's input is ``[query, value, key]``, ``[query, value]`` (the key is the
value: its gradient is the sum of both) or ``[query, value, key, mask]``, the
mask drawn as 0s and 1s with, in the fixed input, a query step that may attend
to nothing. Each configuration has ``T != S`` somewhere, several heads, and
feature sizes that differ between query, value and key. Attention is smooth:
no kinks.
"""

from __future__ import annotations

from tinynet.layers.attention import MultiHeadAttention as MHA

from .base import LayerCase, MultiInputCase, Shape, random_bias, seeded

#: [query, value, key] per-sample shapes: (T, dim), (S, dim_v), (S, dim_k).
CROSS: tuple[tuple[Shape, ...], ...] = (((3, 4), (5, 2), (5, 3)), ((1, 2), (2, 3), (2, 1)), ((4, 3), (2, 3), (2, 3)))
#: [query, value]: the key is the value.
KEY_IS_VALUE: tuple[tuple[Shape, ...], ...] = (((4, 3), (4, 3)), ((2, 5), (3, 2)), ((3, 2), (1, 4)))
#: [query, value, key, attention_mask (T, S)].
MASKED: tuple[tuple[Shape, ...], ...] = tuple((*shapes, (shapes[0][0], shapes[1][0])) for shapes in CROSS)


LAYER_CASES: list[LayerCase] = [
    MultiInputCase(
        "mha_cross",
        seeded(lambda: MHA(num_heads=2, key_dim=3, value_dim=2, bias_initializer=random_bias())),
        input_shapes=CROSS,
    ),
    MultiInputCase(
        "mha_key_is_value",
        seeded(lambda: MHA(num_heads=3, key_dim=2, bias_initializer=random_bias())),
        input_shapes=KEY_IS_VALUE,
    ),
    MultiInputCase(
        "mha_output_shape_no_bias",
        seeded(lambda: MHA(num_heads=2, key_dim=2, value_dim=3, use_bias=False, output_shape=4)),
        input_shapes=CROSS,
    ),
    MultiInputCase(
        "mha_output_shape_2d", seeded(lambda: MHA(num_heads=2, key_dim=1, output_shape=(2, 3))), input_shapes=CROSS
    ),
    MultiInputCase(
        "mha_causal",
        seeded(lambda: MHA(num_heads=2, key_dim=2, value_dim=3, bias_initializer=random_bias())),
        input_shapes=KEY_IS_VALUE,
        options={"use_causal_mask": True},
    ),
    MultiInputCase(
        "mha_attention_mask",
        seeded(lambda: MHA(num_heads=2, key_dim=3, value_dim=2, bias_initializer=random_bias())),
        input_shapes=MASKED,
        masks=(3,),
    ),
    MultiInputCase(
        "mha_attention_mask_causal",
        seeded(lambda: MHA(num_heads=3, key_dim=2, use_bias=False)),
        input_shapes=MASKED,
        masks=(3,),
        options={"use_causal_mask": True},
    ),
    MultiInputCase(
        "mha_dropout_training",
        seeded(lambda: MHA(num_heads=2, key_dim=2, dropout=0.3, seed=4)),
        input_shapes=CROSS,
        training=True,
    ),
    MultiInputCase(  # padding masks of query, value and key (tinynet._masking), drawn with the inputs
        "mha_padded",
        seeded(lambda: MHA(num_heads=2, key_dim=3, value_dim=2, bias_initializer=random_bias())),
        input_shapes=CROSS,
        padded=True,
    ),
    MultiInputCase(
        "mha_padded_causal",
        seeded(lambda: MHA(num_heads=2, key_dim=2, bias_initializer=random_bias())),
        input_shapes=KEY_IS_VALUE,
        options={"use_causal_mask": True},
        padded=True,
    ),
]

# ---------------------------------------------------------------------------- Attention, AdditiveAttention (attn14)
from tinynet.layers.score_attention import AdditiveAttention, Attention  # noqa: E402

#: [query, value, key]: the key has the query's features, the value its own.
SCORED: tuple[tuple[Shape, ...], ...] = (((3, 4), (5, 2), (5, 4)), ((1, 2), (2, 3), (2, 2)), ((4, 3), (2, 3), (2, 3)))
#: [query, value]: the value is the key, so it has the query's features.
SCORED_KEY_IS_VALUE: tuple[tuple[Shape, ...], ...] = (((4, 3), (4, 3)), ((2, 2), (3, 2)), ((3, 1), (1, 1)))
#: Scores of a few features stay moderate: central differences keep their accuracy.
_SMALL = {"low": -1.5, "high": 1.5}

LAYER_CASES += [
    MultiInputCase("attention_dot", seeded(lambda: Attention()), input_shapes=SCORED, **_SMALL),
    MultiInputCase("attention_dot_key_is_value", seeded(lambda: Attention()), input_shapes=SCORED_KEY_IS_VALUE),
    MultiInputCase(
        "attention_scaled_causal",
        seeded(lambda: Attention(use_scale=True)),
        input_shapes=SCORED_KEY_IS_VALUE,
        options={"use_causal_mask": True},
    ),
    MultiInputCase("attention_concat", seeded(lambda: Attention(score_mode="concat")), input_shapes=SCORED),
    MultiInputCase(
        "attention_concat_scaled", seeded(lambda: Attention(use_scale=True, score_mode="concat")), input_shapes=SCORED
    ),
    MultiInputCase(
        "attention_dropout_training",
        seeded(lambda: Attention(use_scale=True, dropout=0.3, seed=4)),
        input_shapes=SCORED,
        training=True,
        **_SMALL,
    ),
    MultiInputCase("attention_padded", seeded(lambda: Attention(use_scale=True)), input_shapes=SCORED, padded=True),
    MultiInputCase(
        "attention_padded_causal",
        seeded(lambda: Attention(score_mode="concat")),
        input_shapes=SCORED_KEY_IS_VALUE,
        options={"use_causal_mask": True},
        padded=True,
    ),
    MultiInputCase("additive_attention", seeded(lambda: AdditiveAttention()), input_shapes=SCORED),
    MultiInputCase(
        "additive_attention_unscaled_key_is_value",
        seeded(lambda: AdditiveAttention(use_scale=False)),
        input_shapes=SCORED_KEY_IS_VALUE,
        options={"use_causal_mask": True},
    ),
    MultiInputCase(
        "additive_attention_dropout_training",
        seeded(lambda: AdditiveAttention(dropout=0.25, seed=2)),
        input_shapes=SCORED,
        training=True,
    ),
    MultiInputCase("additive_attention_padded", seeded(lambda: AdditiveAttention()), input_shapes=SCORED, padded=True),
]

# ---------------------------------------------------------------------------- GroupedQueryAttention (attn14)
from tinynet.layers.grouped_query_attention import GroupedQueryAttention as GQA  # noqa: E402

LAYER_CASES += [
    MultiInputCase(
        "gqa_cross",
        seeded(lambda: GQA(2, num_query_heads=4, num_key_value_heads=2, bias_initializer=random_bias())),
        input_shapes=CROSS,
    ),
    MultiInputCase(
        "gqa_one_key_value_head_causal",
        seeded(lambda: GQA(3, num_query_heads=3, num_key_value_heads=1, bias_initializer=random_bias())),
        input_shapes=KEY_IS_VALUE,
        options={"use_causal_mask": True},
    ),
    MultiInputCase(
        "gqa_attention_mask_no_bias",
        seeded(lambda: GQA(2, num_query_heads=2, num_key_value_heads=2, use_bias=False)),
        input_shapes=MASKED,
        masks=(3,),
    ),
    MultiInputCase(
        "gqa_gate_sliding_window",
        seeded(lambda: GQA(2, 4, 2, sliding_window=2, use_gate=True, bias_initializer=random_bias())),
        input_shapes=CROSS,
        options={"use_causal_mask": True},
    ),
    MultiInputCase(
        "gqa_dropout_training",
        seeded(lambda: GQA(2, num_query_heads=4, num_key_value_heads=2, dropout=0.3, seed=4)),
        input_shapes=CROSS,
        training=True,
    ),
    MultiInputCase(
        "gqa_padded",
        seeded(lambda: GQA(2, num_query_heads=4, num_key_value_heads=1, bias_initializer=random_bias())),
        input_shapes=CROSS,
        padded=True,
    ),
]
