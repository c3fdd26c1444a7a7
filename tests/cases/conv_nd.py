"""Catalogue cases for Conv3D, the transposed, depthwise and separable convolutions.

Between them the cases cover valid and same padding, odd and even kernels,
strides, dilation (with strides too, for the depthwise layers, which take both),
``output_padding``, depth multipliers, several channels, no bias, and activations;
most start from a random non-zero bias, so a dropped or misplaced bias shows,
and so that a ReLU's ``z`` is never 0 on the all-zero inputs hypothesis likes
(see ``tests/cases/conv.py``). Shapes stay small: a 3-D input has at most 36 values.
"""

from __future__ import annotations

from tinynet.layers.conv3d import Conv3D
from tinynet.layers.conv_transpose import Conv1DTranspose, Conv2DTranspose, Conv3DTranspose
from tinynet.layers.depthwise import DepthwiseConv1D, DepthwiseConv2D
from tinynet.layers.separable import SeparableConv1D, SeparableConv2D

from .base import LayerCase, random_bias, seeded

VOLUMES = ((3, 3, 3, 2), (2, 3, 2, 1), (2, 2, 4, 1))  # a 2x2x2 kernel fits all of them with padding="valid"
ANY_VOLUMES = ((3, 3, 3, 1), (1, 2, 3, 2), (2, 1, 1, 1))
IMAGES = ((5, 5, 2), (3, 4, 1), (4, 3, 3))  # a 3x3 kernel fits
ANY_IMAGES = ((4, 5, 2), (3, 2, 1), (1, 1, 3))
SEQUENCES = ((5, 2), (3, 1), (6, 3))  # a kernel of 3 fits
ANY_SEQUENCES = ((5, 2), (4, 1), (1, 3))

LAYER_CASES: list[LayerCase] = [
    # Conv3D
    LayerCase("conv3d_valid", seeded(lambda: Conv3D(2, 2, bias_initializer=random_bias())), VOLUMES),
    LayerCase("conv3d_same_s2", seeded(lambda: Conv3D(2, (2, 3, 1), strides=(1, 2, 2), padding="same")), ANY_VOLUMES),
    LayerCase(
        "conv3d_dilated",
        seeded(lambda: Conv3D(2, (2, 1, 2), dilation_rate=(1, 1, 2), bias_initializer=random_bias())),
        ((2, 2, 3, 1), (3, 2, 4, 2)),
    ),
    LayerCase(
        "conv3d_relu",
        seeded(lambda: Conv3D(3, 2, padding="same", activation="relu", bias_initializer=random_bias())),
        ANY_VOLUMES,
    ),
    LayerCase("conv3d_no_bias_tanh", seeded(lambda: Conv3D(2, (1, 2, 2), activation="tanh", use_bias=False)), VOLUMES),
    # transposed convolutions
    LayerCase(
        "conv1d_transpose_valid_s2",
        seeded(lambda: Conv1DTranspose(2, 3, strides=2, bias_initializer=random_bias())),
        ANY_SEQUENCES,
    ),
    LayerCase(
        "conv1d_transpose_same_dilated",
        seeded(lambda: Conv1DTranspose(2, 3, dilation_rate=2, padding="same", bias_initializer=random_bias())),
        ANY_SEQUENCES,
    ),
    LayerCase(
        "conv1d_transpose_output_padding",
        seeded(lambda: Conv1DTranspose(3, 2, strides=3, output_padding=2, bias_initializer=random_bias())),
        ANY_SEQUENCES,
    ),
    LayerCase(
        "conv2d_transpose_same_s2",
        seeded(lambda: Conv2DTranspose(2, 3, strides=2, padding="same", bias_initializer=random_bias())),
        ANY_IMAGES,
    ),
    LayerCase(
        "conv2d_transpose_valid_s1x2",
        seeded(lambda: Conv2DTranspose(2, (2, 3), strides=(1, 2), bias_initializer=random_bias())),
        ANY_IMAGES,
    ),
    LayerCase(
        "conv2d_transpose_same_output_padding",
        seeded(
            lambda: Conv2DTranspose(
                2, (3, 2), strides=2, padding="same", output_padding=1, bias_initializer=random_bias()
            )
        ),
        ANY_IMAGES,
    ),
    LayerCase(
        "conv2d_transpose_tanh_no_bias",
        seeded(lambda: Conv2DTranspose(3, 2, strides=(2, 1), activation="tanh", use_bias=False)),
        ANY_IMAGES,
    ),
    LayerCase(
        "conv3d_transpose_same",
        seeded(lambda: Conv3DTranspose(2, 2, strides=(1, 2, 1), padding="same", bias_initializer=random_bias())),
        ANY_VOLUMES,
    ),
    LayerCase(
        "conv3d_transpose_valid_dilated",
        seeded(lambda: Conv3DTranspose(1, (2, 2, 1), dilation_rate=(1, 2, 1), bias_initializer=random_bias())),
        ANY_VOLUMES,
    ),
    # depthwise convolutions
    LayerCase("depthwise2d_valid", seeded(lambda: DepthwiseConv2D(3, bias_initializer=random_bias())), IMAGES),
    LayerCase(
        "depthwise2d_same_m2_s2",
        seeded(
            lambda: DepthwiseConv2D(
                (2, 3), strides=2, padding="same", depth_multiplier=2, bias_initializer=random_bias()
            )
        ),
        ANY_IMAGES,
    ),
    LayerCase(
        "depthwise2d_strided_dilated",
        seeded(lambda: DepthwiseConv2D(2, strides=(2, 1), dilation_rate=(1, 2), padding="same", use_bias=False)),
        ANY_IMAGES,
    ),
    LayerCase(
        "depthwise1d_m3",
        seeded(lambda: DepthwiseConv1D(2, depth_multiplier=3, bias_initializer=random_bias())),
        SEQUENCES,
    ),
    LayerCase(
        "depthwise1d_relu_dilated",
        seeded(
            lambda: DepthwiseConv1D(
                3, padding="same", dilation_rate=2, activation="relu", bias_initializer=random_bias()
            )
        ),
        ANY_SEQUENCES,
    ),
    # separable convolutions
    LayerCase(
        "separable2d_same_m2",
        seeded(lambda: SeparableConv2D(3, 3, padding="same", depth_multiplier=2, bias_initializer=random_bias())),
        ANY_IMAGES,
    ),
    LayerCase("separable2d_valid_s2_no_bias", seeded(lambda: SeparableConv2D(2, 2, strides=2, use_bias=False)), IMAGES),
    LayerCase(
        "separable2d_dilated_tanh",
        seeded(
            lambda: SeparableConv2D(2, (2, 2), dilation_rate=(2, 1), activation="tanh", bias_initializer=random_bias())
        ),
        IMAGES,
    ),
    LayerCase(
        "separable1d_valid_m2",
        seeded(lambda: SeparableConv1D(2, 3, depth_multiplier=2, bias_initializer=random_bias())),
        SEQUENCES,
    ),
    LayerCase(
        "separable1d_same_s2_relu",
        seeded(
            lambda: SeparableConv1D(3, 2, strides=2, padding="same", activation="relu", bias_initializer=random_bias())
        ),
        ANY_SEQUENCES,
    ),
]
