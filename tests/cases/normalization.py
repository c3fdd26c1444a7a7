"""Catalogue cases for BatchNorm and LayerNorm.

BatchNorm runs in both modes: ``training=True`` (batch statistics, the full
derivative) and ``training=False`` (moving statistics, an affine map), on
``(N, F)`` and ``(N, H, W, C)`` inputs. Its training cases draw batches of at
least two samples, since training on one sample is refused. Non-default
gamma, beta and moving statistics keep a mix-up of them from passing unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

import tinynet as tn
from tinynet.layers.normalization import BatchNorm, LayerNorm
from tinynet.testing import strategies as tns

from .base import LayerCase

I = tn.initializers


@dataclass(frozen=True)
class TrainingBatchCase(LayerCase):
    """A case whose generated batches hold at least ``min_batch`` samples."""

    min_batch: int = 2

    def inputs(self) -> st.SearchStrategy:
        shapes = tns.batch_shapes(self.feature_shapes, min_batch=self.min_batch)
        return tns.arrays(shapes, self.low, self.high, kinks=self.kinks)


def affine(**kwargs: object) -> dict[str, object]:
    """Seeded non-default gamma, beta (and, for BatchNorm, moving statistics)."""
    return {
        "gamma_initializer": I.RandomUniform(0.5, 1.5, seed=1),
        "beta_initializer": I.RandomNormal(stddev=1.0, seed=2),
        **kwargs,
    }


def moving() -> dict[str, object]:
    return affine(
        moving_mean_initializer=I.RandomNormal(stddev=1.0, seed=3),
        moving_variance_initializer=I.RandomUniform(0.5, 2.0, seed=4),
    )


FLAT, IMAGE = ((3,), (1,)), ((2, 2, 3),)

LAYER_CASES: list[LayerCase] = [
    TrainingBatchCase("batchnorm_train_2d", lambda: BatchNorm(**moving()), FLAT, training=True),
    LayerCase("batchnorm_infer_2d", lambda: BatchNorm(**moving()), FLAT),
    TrainingBatchCase("batchnorm_train_4d", lambda: BatchNorm(**moving()), IMAGE, training=True, min_batch=1),
    LayerCase("batchnorm_infer_4d", lambda: BatchNorm(**moving()), IMAGE),
    TrainingBatchCase(
        "batchnorm_train_plain", lambda: BatchNorm(center=False, scale=False, momentum=0.5), FLAT, training=True
    ),
    LayerCase("batchnorm_infer_plain", lambda: BatchNorm(center=False, scale=False, **moving()), FLAT),
    TrainingBatchCase(
        "batchnorm_train_axis1_3d", lambda: BatchNorm(axis=1, **moving()), ((3, 2),), training=True, min_batch=1
    ),
    # frozen: training=True must behave as inference (moving statistics, affine derivative)
    LayerCase("batchnorm_frozen", lambda: BatchNorm(trainable=False, **moving()), FLAT, training=True),
    LayerCase("layernorm", lambda: LayerNorm(**affine()), ((3,), (1,), (2, 4))),
    LayerCase("layernorm_plain", lambda: LayerNorm(center=False, scale=False), ((4,), (2, 3))),
    LayerCase("layernorm_sequence", lambda: LayerNorm(**affine()), ((4, 3), (1, 2), (2, 3, 2))),  # 3-D and 4-D
    LayerCase("layernorm_axis1_3d", lambda: LayerNorm(axis=1, **affine()), ((3, 2),), training=True),
]

# ---------------------------------------------------------------------------- SpectralNormalization (attn14)
# In inference the wrapper is its layer; a training call assigns the normalized kernel first (a projection, not
# differentiated, as in Keras), which tests/layers/test_spectral_normalization.py checks against PyTorch.
from tinynet.layers.conv import Conv2D  # noqa: E402
from tinynet.layers.dense import Dense  # noqa: E402
from tinynet.layers.embedding import Embedding  # noqa: E402
from tinynet.layers.spectral_normalization import SpectralNormalization  # noqa: E402

from .base import seeded  # noqa: E402

LAYER_CASES += [
    LayerCase(
        "spectral_normalization_dense",
        seeded(lambda: SpectralNormalization(Dense(3, activation="tanh", bias_initializer=I.RandomNormal(seed=1)))),
        ((3,), (1,), (2, 4)),
    ),
    LayerCase(
        "spectral_normalization_conv2d",
        seeded(
            lambda: SpectralNormalization(Conv2D(2, 2, bias_initializer=I.RandomNormal(seed=2)), power_iterations=3)
        ),
        ((3, 3, 2),),
    ),
    LayerCase(
        "spectral_normalization_embedding",
        lambda: SpectralNormalization(Embedding(5, 3, embeddings_initializer=I.RandomNormal(stddev=1.0, seed=5))),
        ((3,), (2, 2)),
        index_range=5,
    ),
]
