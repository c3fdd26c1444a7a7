"""Catalogue cases for the pooling layers: max and average over windows, and the global pools.

Max-pool gradients have a kink wherever two elements of a window tie: central
differences across a near-tie measure neither side. ``DistinctCase`` draws
inputs whose values are a shuffled, jittered grid, all at least ~0.6 of a grid
step apart (>= 1e-2 here, four orders of magnitude above the checker's step),
so no perturbation can change which element wins. The tie rule itself is
pinned by explicit tests in ``tests/layers/test_pooling.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from tinynet.layers.global_pooling1d import GlobalAveragePooling1D, GlobalMaxPooling1D
from tinynet.layers.pooling import AvgPool2D, GlobalAvgPool2D, GlobalMaxPool2D, MaxPool2D
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
