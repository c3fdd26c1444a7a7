"""Catalogue cases for Flatten and Reshape, an inferred axis included; padding, cropping, upsampling, Permute."""

from __future__ import annotations

from tinynet.layers.cropping import Cropping1D, Cropping2D, Cropping3D
from tinynet.layers.padding import ZeroPadding1D, ZeroPadding2D, ZeroPadding3D
from tinynet.layers.permute import Permute
from tinynet.layers.reshaping import Flatten, Reshape
from tinynet.layers.upsampling import UpSampling1D, UpSampling2D, UpSampling3D

from .base import LayerCase

LAYER_CASES: list[LayerCase] = [
    LayerCase("flatten", Flatten, feature_shapes=((2, 3), (3,), (2, 2, 2))),
    LayerCase("reshape_3x4", lambda: Reshape((3, 4)), feature_shapes=((12,), (2, 6), (4, 3))),
    LayerCase("reshape_infer", lambda: Reshape((-1, 2)), feature_shapes=((4,), (2, 3), (3, 2, 2))),
]

SEQUENCES = ((4, 2), (3, 1))
IMAGES = ((3, 4, 2), (4, 3, 1))
VOLUMES = ((3, 3, 4, 1), (4, 3, 3, 2))

LAYER_CASES += [
    LayerCase("zero_padding_1d", ZeroPadding1D, feature_shapes=SEQUENCES),
    LayerCase("zero_padding_1d_uneven", lambda: ZeroPadding1D((0, 2)), feature_shapes=SEQUENCES),
    LayerCase("zero_padding_2d", ZeroPadding2D, feature_shapes=IMAGES),
    LayerCase("zero_padding_2d_pairs", lambda: ZeroPadding2D(((1, 0), (2, 3))), feature_shapes=IMAGES),
    LayerCase("zero_padding_3d", lambda: ZeroPadding3D((1, (0, 2), 0)), feature_shapes=VOLUMES),
    LayerCase("cropping_1d", Cropping1D, feature_shapes=SEQUENCES),
    LayerCase("cropping_2d", lambda: Cropping2D(((1, 0), (0, 2))), feature_shapes=IMAGES),
    LayerCase("cropping_3d", lambda: Cropping3D((1, (0, 1), (1, 2))), feature_shapes=((3, 3, 4, 1), (4, 2, 5, 2))),
    LayerCase("upsampling_1d", UpSampling1D, feature_shapes=SEQUENCES),
    LayerCase("upsampling_2d", lambda: UpSampling2D((2, 3)), feature_shapes=IMAGES),
    LayerCase("upsampling_2d_bilinear", lambda: UpSampling2D((3, 2), interpolation="bilinear"), feature_shapes=IMAGES),
    LayerCase("upsampling_3d", lambda: UpSampling3D((1, 2, 2)), feature_shapes=VOLUMES),
    LayerCase("permute", lambda: Permute((2, 1)), feature_shapes=SEQUENCES),
    LayerCase("permute_3", lambda: Permute((3, 1, 2)), feature_shapes=IMAGES),
]
