"""Catalogue cases for GroupNormalization, UnitNormalization and RMSNormalization.

Group sizes above one value (a group of one value has no variance); non-default gamma and beta.
"""

from __future__ import annotations

import tinynet as tn
from tinynet.layers.normalization_extra import GroupNormalization, RMSNormalization, UnitNormalization

from .base import LayerCase

I = tn.initializers


def affine() -> dict[str, object]:
    return {"gamma_initializer": I.RandomUniform(0.5, 1.5, seed=1), "beta_initializer": I.RandomNormal(seed=2)}


LAYER_CASES: list[LayerCase] = [
    LayerCase("group_norm_2", lambda: GroupNormalization(groups=2, **affine()), ((4,), (3, 4), (2, 2, 6))),
    LayerCase("group_norm_1", lambda: GroupNormalization(groups=1, **affine()), ((3,), (2, 3))),
    LayerCase("group_norm_instance", lambda: GroupNormalization(groups=-1, **affine()), ((3, 2), (2, 2, 3))),
    LayerCase(
        "group_norm_plain",
        lambda: GroupNormalization(groups=3, center=False, scale=False, epsilon=1e-5),
        ((6,), (2, 3)),
    ),
    LayerCase("group_norm_axis1", lambda: GroupNormalization(groups=2, axis=1, **affine()), ((4, 3), (2, 2))),
    # inputs of one sign keep the vectors away from 0, where the direction jumps (the floor is pinned elsewhere)
    LayerCase("unit_norm", UnitNormalization, ((3,), (2, 4), (2, 2, 3)), low=0.25),
    LayerCase("unit_norm_axes", lambda: UnitNormalization(axis=[1, 2]), ((2, 3), (3, 1, 2)), low=-3.0, high=-0.25),
    # epsilon 1e-6 bends the objective sharply near x = 0: keep the default case's inputs of one sign
    LayerCase("rms_norm", RMSNormalization, ((3,), (2, 4), (2, 2, 3)), low=0.25),
    LayerCase("rms_norm_mixed_signs", lambda: RMSNormalization(epsilon=0.1), ((3,), (2, 4))),
    LayerCase("rms_norm_axes", lambda: RMSNormalization(axis=[-2, -1], epsilon=1e-3), ((2, 3), (1, 2, 2))),
]
