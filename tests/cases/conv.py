"""Catalogue cases for Conv2D and Conv1D.

Together the cases cover every geometry the layers have: valid and same, odd
and even kernels, strides, dilation, several channels, no bias, causal; each
lists per-sample shapes its kernel fits. Shapes stay small (at most 5x5x3
inputs, 3x3 kernels): the CI profile's 200 examples take ~0.5 s a case. The
loop reference in ``tests/layers/test_conv.py`` checks the gradients of random
geometries too, independently.

A ReLU has a kink at 0, and the generator keeps ``x`` (not the convolution
``z`` of it) off kinks. The ReLU cases therefore start from a random
``N(0, 1)`` bias: ``z`` is then never 0 exactly, not even for the all-zero
inputs hypothesis likes, and lands within the checker's step of 0 with
negligible probability.
"""

from __future__ import annotations

from tinynet.layers.conv import Conv1D, Conv2D

from .base import LayerCase, random_bias, seeded

IMAGES = ((5, 5, 2), (3, 4, 1), (4, 3, 3))  # a 3x3 kernel fits all of them with padding="valid"
ANY_IMAGES = ((5, 5, 2), (4, 3, 1), (1, 2, 1))  # padding="same" takes any size
SEQUENCES = ((5, 2), (3, 1), (6, 3))  # a kernel of 2 fits
ANY_SEQUENCES = ((5, 2), (4, 1), (1, 3))

LAYER_CASES: list[LayerCase] = [
    LayerCase("conv2d_valid", seeded(lambda: Conv2D(3, 3, bias_initializer=random_bias())), IMAGES),
    LayerCase("conv2d_same_even_s2", seeded(lambda: Conv2D(2, (2, 3), strides=2, padding="same")), ANY_IMAGES),
    LayerCase("conv2d_valid_s2x1", seeded(lambda: Conv2D(2, (3, 2), strides=(2, 1))), IMAGES),
    LayerCase("conv2d_dilated", seeded(lambda: Conv2D(2, 2, dilation_rate=2)), ((5, 5, 2), (3, 4, 1))),
    LayerCase("conv2d_dilated_same", seeded(lambda: Conv2D(2, 3, dilation_rate=(2, 1), padding="same")), ANY_IMAGES),
    LayerCase("conv2d_no_bias_tanh", seeded(lambda: Conv2D(2, 2, activation="tanh", use_bias=False)), IMAGES),
    LayerCase(
        "conv2d_relu",
        seeded(lambda: Conv2D(3, 3, padding="same", activation="relu", bias_initializer=random_bias())),
        ANY_IMAGES,
    ),
    LayerCase("conv2d_softmax", seeded(lambda: Conv2D(3, (1, 2), activation="softmax")), IMAGES),
    LayerCase("conv1d_same_even_s2", seeded(lambda: Conv1D(2, 4, strides=2, padding="same")), ANY_SEQUENCES),
    LayerCase("conv1d_causal_dilated", seeded(lambda: Conv1D(2, 2, dilation_rate=2, padding="causal")), ANY_SEQUENCES),
    LayerCase(
        "conv1d_relu",
        seeded(lambda: Conv1D(2, 3, padding="same", activation="relu", bias_initializer=random_bias())),
        ANY_SEQUENCES,
    ),
    LayerCase("conv1d_valid_s3_no_bias", seeded(lambda: Conv1D(3, (2,), strides=3, use_bias=False)), SEQUENCES),
]
