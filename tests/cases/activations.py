"""Catalogue cases for the activations: each one, and each non-default argument, with its kinks kept clear.

An activation takes any shape: the cases draw inputs of rank 2, 3 and 4.
"""

from __future__ import annotations

import tinynet as tn

from .base import LayerCase

A = tn.activations

#: Per-sample shapes of rank 1, 2 and 3 (inputs of rank 2 to 4).
ANY = ((3,), (1,), (5,), (2, 3), (2, 2, 3))

LAYER_CASES: list[LayerCase] = [
    LayerCase("relu", A.ReLU, kinks=(0.0,), feature_shapes=ANY),
    LayerCase("leaky_relu", A.LeakyReLU, kinks=(0.0,), feature_shapes=ANY),
    LayerCase("leaky_relu_0.1", lambda: A.LeakyReLU(negative_slope=0.1), kinks=(0.0,), feature_shapes=ANY),
    LayerCase("elu", A.ELU, kinks=(0.0,), feature_shapes=ANY),
    LayerCase("elu_0.5", lambda: A.ELU(alpha=0.5), kinks=(0.0,), feature_shapes=ANY),
    LayerCase("gelu", A.GELU, low=-6.0, high=6.0, feature_shapes=ANY),
    LayerCase("gelu_tanh", lambda: A.GELU(approximate=True), low=-6.0, high=6.0, feature_shapes=ANY),
    LayerCase("sigmoid", A.Sigmoid, low=-8.0, high=8.0, feature_shapes=ANY),
    LayerCase("tanh", A.Tanh, feature_shapes=ANY),
    LayerCase("softmax", A.Softmax, feature_shapes=((3,), (1,), (4,))),
    LayerCase("softmax_3d", A.Softmax, feature_shapes=((2, 3), (1, 4), (2, 2, 3))),
    LayerCase("softmax_axis1_3d", lambda: A.Softmax(axis=1), feature_shapes=((3, 2), (2, 4))),
    LayerCase("softplus", A.Softplus, low=-8.0, high=8.0, feature_shapes=ANY),
    LayerCase("silu", A.SiLU, low=-8.0, high=8.0, feature_shapes=ANY),
    LayerCase("linear", A.Linear, feature_shapes=ANY),
    # Keras's full ReLU layer (tn.layers.ReLU is tn.activations.ReLU): a ceiling, a threshold, a negative slope
    LayerCase("relu_max_value", lambda: A.ReLU(max_value=1.0), kinks=(0.0, 1.0), feature_shapes=ANY),
    LayerCase("relu_threshold", lambda: A.ReLU(threshold=0.5, negative_slope=0.2), kinks=(0.5,), feature_shapes=ANY),
    LayerCase(
        "relu_all_options",
        lambda: A.ReLU(max_value=2.0, negative_slope=0.1, threshold=1.0),
        kinks=(1.0, 2.0),
        feature_shapes=ANY,
    ),
]
