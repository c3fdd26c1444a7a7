"""Catalogue cases for the pooling layers: max and average over windows, and the global pools.

Max-pool gradients have a kink wherever two elements of a window tie: central
differences across a near-tie measure neither side. ``DistinctCase`` draws
inputs whose values are a shuffled, jittered grid, all at least ~0.6 of a grid
step apart (>= 1e-2 here, four orders of magnitude above the checker's step),
so no perturbation can change which element wins. The tie rule itself is
pinned by explicit tests in ``tests/layers/test_pooling.py`` (the global max pool's in
``tests/layers/test_global_pooling2d.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from tinynet.layers.adaptive_pooling import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
from tinynet.layers.global_pooling1d import GlobalAveragePooling1D, GlobalMaxPooling1D
from tinynet.layers.global_pooling2d import GlobalAvgPool2D, GlobalMaxPool2D
from tinynet.layers.global_pooling3d import GlobalAveragePooling3D, GlobalMaxPooling3D
from tinynet.layers.pooling import AvgPool2D, MaxPool2D
from tinynet.layers.pooling1d3d import AveragePooling1D, AveragePooling3D, MaxPooling1D, MaxPooling3D
from tinynet.testing import strategies as tns

from .base import LayerCase, distinct_arrays, spread


@dataclass(frozen=True)
class DistinctCase(LayerCase):
    """A case whose inputs never hold two values closer than ~0.6 grid steps: no max-pool ties, no near-ties."""

    def inputs(self) -> st.SearchStrategy[np.ndarray]:
        return tns.batch_shapes(self.feature_shapes).flatmap(lambda s: distinct_arrays(s, self.low, self.high))

    def fixed_input(self) -> np.ndarray:
        shape = (3, *self.feature_shapes[0])
        rng = np.random.default_rng(7)
        order = rng.permutation(math.prod(shape)).reshape(shape).astype(np.float64)
        return spread(order, rng.uniform(0.0, 0.4, size=shape), self.low, self.high)


IMAGES = ((4, 4, 2), (5, 3, 1), (2, 2, 3))
SMALL_IMAGES = ((4, 4, 2), (3, 5, 1), (1, 2, 2))
ODD_IMAGES = ((5, 4, 1), (4, 3, 2))
#: Sequences (steps, features) for the 1-D global pools.
SEQUENCES = ((4, 2), (1, 3), (3, 1))

LAYER_CASES: list[LayerCase] = [
    # max pooling: no ties in generated inputs
    DistinctCase("maxpool_2x2", MaxPool2D, feature_shapes=IMAGES),
    DistinctCase("maxpool_3x3_s1_same", lambda: MaxPool2D(3, strides=1, padding="same"), feature_shapes=SMALL_IMAGES),
    DistinctCase(
        "maxpool_3x2_s2_same", lambda: MaxPool2D((3, 2), strides=2, padding="same"), feature_shapes=ODD_IMAGES
    ),
    DistinctCase("maxpool_2x2_s3", lambda: MaxPool2D(2, strides=3), feature_shapes=((5, 5, 1), (4, 6, 2))),
    DistinctCase("maxpool_2x3_s1", lambda: MaxPool2D((2, 3), strides=(1, 2)), feature_shapes=((3, 4, 2), (2, 3, 1))),
    DistinctCase("global_max", GlobalMaxPool2D, feature_shapes=IMAGES),
    DistinctCase("global_max_keepdims", lambda: GlobalMaxPool2D(keepdims=True), feature_shapes=((3, 2, 2),)),
    DistinctCase("global_max_1d", GlobalMaxPooling1D, feature_shapes=SEQUENCES),
    DistinctCase("global_max_1d_padded", GlobalMaxPooling1D, feature_shapes=SEQUENCES, padded=True),
    DistinctCase("global_max_1d_keepdims_padded", lambda: GlobalMaxPooling1D(keepdims=True), SEQUENCES, padded=True),
    # average pooling: linear, any input
    LayerCase("avgpool_2x2", AvgPool2D, feature_shapes=IMAGES),
    LayerCase("avgpool_3x3_s1_same", lambda: AvgPool2D(3, strides=1, padding="same"), feature_shapes=SMALL_IMAGES),
    LayerCase("avgpool_3x2_s2_same", lambda: AvgPool2D((3, 2), strides=2, padding="same"), feature_shapes=ODD_IMAGES),
    LayerCase("avgpool_2x2_s3", lambda: AvgPool2D(2, strides=3), feature_shapes=((5, 5, 1),)),
    LayerCase("global_avg", GlobalAvgPool2D, feature_shapes=IMAGES),
    LayerCase("global_avg_keepdims", lambda: GlobalAvgPool2D(keepdims=True), feature_shapes=((3, 2, 2),)),
    LayerCase("global_avg_1d", GlobalAveragePooling1D, feature_shapes=SEQUENCES),
    LayerCase("global_avg_1d_padded", GlobalAveragePooling1D, feature_shapes=SEQUENCES, padded=True),
    LayerCase("global_avg_1d_keepdims_padded", lambda: GlobalAveragePooling1D(keepdims=True), SEQUENCES, padded=True),
]

#: Volumes (depth, height, width, channels) for the 3-D pools; sequences long enough for windows of 3.
VOLUMES = ((2, 2, 2, 1), (3, 4, 2, 2), (2, 3, 3, 1))
SMALL_VOLUMES = ((3, 2, 3, 1), (1, 2, 2, 2))
LONG_SEQUENCES = ((5, 2), (4, 1), (7, 3))

LAYER_CASES += [
    # 1-D and 3-D windows (tinynet/layers/pooling1d3d.py)
    DistinctCase("maxpool1d_2", MaxPooling1D, feature_shapes=LONG_SEQUENCES),
    DistinctCase("maxpool1d_3_s2_same", lambda: MaxPooling1D(3, 2, "same"), feature_shapes=((5, 2), (1, 3), (4, 1))),
    DistinctCase("maxpool1d_3_s1", lambda: MaxPooling1D(3, strides=1), feature_shapes=LONG_SEQUENCES),
    DistinctCase("maxpool3d_2", MaxPooling3D, feature_shapes=VOLUMES),
    DistinctCase("maxpool3d_2_s1_same", lambda: MaxPooling3D(2, 1, "same"), feature_shapes=SMALL_VOLUMES),
    DistinctCase(
        "maxpool3d_213_s121_same", lambda: MaxPooling3D((2, 1, 3), (1, 2, 1), "same"), feature_shapes=SMALL_VOLUMES
    ),
    LayerCase("avgpool1d_2", AveragePooling1D, feature_shapes=LONG_SEQUENCES),
    LayerCase("avgpool1d_3_s2_same", lambda: AveragePooling1D(3, 2, "same"), feature_shapes=((5, 2), (1, 3))),
    LayerCase("avgpool1d_3_s1_same", lambda: AveragePooling1D(3, 1, "same"), feature_shapes=LONG_SEQUENCES),
    LayerCase("avgpool3d_2", AveragePooling3D, feature_shapes=VOLUMES),
    LayerCase("avgpool3d_2_s1_same", lambda: AveragePooling3D(2, 1, "same"), feature_shapes=SMALL_VOLUMES),
    LayerCase(
        "avgpool3d_213_s121_same", lambda: AveragePooling3D((2, 1, 3), (1, 2, 1), "same"), feature_shapes=SMALL_VOLUMES
    ),
    # global 3-D (tinynet/layers/global_pooling3d.py)
    LayerCase("global_avg_3d", GlobalAveragePooling3D, feature_shapes=VOLUMES),
    LayerCase("global_avg_3d_keepdims", lambda: GlobalAveragePooling3D(keepdims=True), feature_shapes=SMALL_VOLUMES),
    DistinctCase("global_max_3d", GlobalMaxPooling3D, feature_shapes=VOLUMES),
    DistinctCase("global_max_3d_keepdims", lambda: GlobalMaxPooling3D(keepdims=True), feature_shapes=SMALL_VOLUMES),
    # adaptive (tinynet/layers/adaptive_pooling.py): bins that overlap, and more outputs than inputs
    LayerCase("adaptive_avg_1d", lambda: AdaptiveAveragePooling1D(3), feature_shapes=((5, 2), (2, 1), (7, 3))),
    LayerCase("adaptive_avg_2d", lambda: AdaptiveAveragePooling2D((2, 3)), feature_shapes=((5, 4, 1), (3, 3, 2))),
    LayerCase("adaptive_avg_3d", lambda: AdaptiveAveragePooling3D((2, 1, 2)), feature_shapes=SMALL_VOLUMES),
    DistinctCase("adaptive_max_1d", lambda: AdaptiveMaxPooling1D(3), feature_shapes=((5, 2), (2, 1), (7, 3))),
    DistinctCase("adaptive_max_2d", lambda: AdaptiveMaxPooling2D((2, 3)), feature_shapes=((5, 4, 1), (3, 3, 2))),
    DistinctCase("adaptive_max_3d", lambda: AdaptiveMaxPooling3D((2, 1, 2)), feature_shapes=SMALL_VOLUMES),
]
