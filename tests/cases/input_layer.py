"""Catalogue cases for InputLayer, the identity where a graph's data enters."""

from __future__ import annotations

from tinynet.layers.input_layer import InputLayer

from .base import LayerCase

LAYER_CASES: list[LayerCase] = [
    LayerCase("input_layer_vector", lambda: InputLayer(shape=(3,)), feature_shapes=((3,),)),
    LayerCase("input_layer_image", lambda: InputLayer(shape=(2, 3, 2)), feature_shapes=((2, 3, 2),)),
]
