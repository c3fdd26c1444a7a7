"""Catalogue cases for the noise layers: the identity at inference, a seeded draw in training.

Inputs of rank 2 to 4 for the element-wise ones; the spatial dropouts take their own rank.
"""

from __future__ import annotations

from tinynet.layers.noise import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

from .base import LayerCase, seeded

#: Per-sample shapes of rank 1, 2 and 3.
ANY = ((3,), (2, 4), (2, 2, 3))

LAYER_CASES: list[LayerCase] = [
    LayerCase("gaussian_noise_inference", lambda: GaussianNoise(0.5, seed=0), feature_shapes=ANY),
    LayerCase("gaussian_noise_training", lambda: GaussianNoise(0.5, seed=1), feature_shapes=ANY, training=True),
    LayerCase(
        "gaussian_noise_default_stream", seeded(lambda: GaussianNoise(0.2)), feature_shapes=((5,),), training=True
    ),
    LayerCase("gaussian_dropout_inference", lambda: GaussianDropout(0.3, seed=0), feature_shapes=ANY),
    LayerCase("gaussian_dropout_training", lambda: GaussianDropout(0.3, seed=2), feature_shapes=ANY, training=True),
    LayerCase("alpha_dropout_inference", lambda: AlphaDropout(0.2, seed=0), feature_shapes=ANY),
    LayerCase("alpha_dropout_training", lambda: AlphaDropout(0.4, seed=3), feature_shapes=ANY, training=True),
    LayerCase(  # one draw per feature, shared by every step
        "alpha_dropout_noise_shape",
        lambda: AlphaDropout(0.5, noise_shape=(None, 1, None), seed=4),
        feature_shapes=((4, 3), (1, 2)),
        training=True,
    ),
    LayerCase(
        "spatial_dropout1d_training",
        lambda: SpatialDropout1D(0.5, seed=5),
        feature_shapes=((4, 3), (2, 5)),
        training=True,
    ),
    LayerCase("spatial_dropout1d_inference", lambda: SpatialDropout1D(0.5, seed=5), feature_shapes=((4, 3),)),
    LayerCase(
        "spatial_dropout2d_training",
        lambda: SpatialDropout2D(0.5, seed=6),
        feature_shapes=((2, 3, 4), (3, 3, 2)),
        training=True,
    ),
    LayerCase(
        "spatial_dropout2d_channels_first",
        lambda: SpatialDropout2D(0.5, data_format="channels_first", seed=7),
        feature_shapes=((4, 2, 3),),
        training=True,
    ),
    LayerCase(
        "spatial_dropout3d_training",
        lambda: SpatialDropout3D(0.5, seed=8),
        feature_shapes=((2, 2, 2, 3),),
        training=True,
    ),
]
