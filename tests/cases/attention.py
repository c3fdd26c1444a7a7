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
