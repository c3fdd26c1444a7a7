"""Catalogue cases for Identity and Lambda (with a backward_function; a Lambda has no config to save)."""

from __future__ import annotations

import numpy as np

from tinynet.layers.core_extra import Identity, Lambda

from .base import LayerCase

ANY = ((3,), (2, 4), (2, 2, 3))

LAYER_CASES: list[LayerCase] = [
    LayerCase("identity", Identity, feature_shapes=ANY),
    LayerCase(
        "lambda_square",
        lambda: Lambda(lambda x: x * x, backward_function=lambda x, grad: 2.0 * x * grad),
        feature_shapes=ANY,
        saves=False,
    ),
    LayerCase(
        "lambda_arguments",
        lambda: Lambda(
            lambda x, scale: scale * x[:, :2],
            output_shape=lambda shape: (2, *shape[1:]),
            arguments={"scale": 3.0},
            backward_function=lambda x, grad: _padded(3.0 * grad, x),
        ),
        feature_shapes=((3,), (4, 2)),
        saves=False,
    ),
]


def _padded(dx_head: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dL/dx for ``y = scale * x[:, :2]``: the gradient on the first two entries, zeros after."""
    dx = np.zeros_like(x)
    dx[:, :2] = dx_head
    return dx
