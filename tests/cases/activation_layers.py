"""Catalogue cases for Keras's activation layers: Activation(name), Softmax (with a mask), PReLU."""

from __future__ import annotations

import numpy as np

import tinynet as tn
from tinynet.layers.activation_layers import Activation, PReLU, Softmax

from .base import LayerCase

ANY = ((3,), (1,), (2, 3), (2, 2, 3))

LAYER_CASES: list[LayerCase] = [
    LayerCase("activation_relu", lambda: Activation("relu"), kinks=(0.0,), feature_shapes=ANY),
    LayerCase("activation_tanh", lambda: Activation("tanh"), feature_shapes=ANY),
    LayerCase("activation_softmax", lambda: Activation("softmax"), feature_shapes=((3,), (2, 4))),
    LayerCase("activation_none", lambda: Activation(None), feature_shapes=ANY),
    LayerCase(
        "activation_instance",
        lambda: Activation(tn.activations.LeakyReLU(negative_slope=0.1)),
        kinks=(0.0,),
        feature_shapes=ANY,
    ),
    LayerCase("softmax_layer", Softmax, feature_shapes=((3,), (1,), (2, 4))),
    LayerCase("softmax_layer_axis1", lambda: Softmax(axis=1), feature_shapes=((3, 2), (2, 4))),
    LayerCase(
        "softmax_layer_masked",
        Softmax,
        feature_shapes=((4,),),
        options={"mask": np.array([True, False, True, True])},
    ),
    LayerCase(  # a mask of numbers, broadcast over the batch and the rows
        "softmax_layer_masked_rows",
        Softmax,
        feature_shapes=((2, 3),),
        options={"mask": np.array([[1.0, 0.0, 1.0]])},
    ),
    LayerCase(
        "prelu",
        lambda: PReLU(alpha_initializer=tn.initializers.RandomUniform(0.1, 0.5, seed=3)),
        kinks=(0.0,),
        feature_shapes=((3,), (2, 3), (2, 2, 3)),
    ),
    LayerCase(
        "prelu_shared",
        lambda: PReLU(alpha_initializer=tn.initializers.RandomUniform(0.1, 0.5, seed=4), shared_axes=[1, 2]),
        kinks=(0.0,),
        feature_shapes=((2, 2, 3), (3, 1, 2)),
    ),
]
