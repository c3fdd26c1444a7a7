"""The ``Identity`` initializer: Keras's names and ids, gain, rectangular shapes, refusals, configs, in a layer."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError
from tinynet.registry import serialize

I = tn.initializers


@pytest.mark.parametrize("identifier", ["identity", "Identity", "IdentityInitializer"])
def test_keras_ids_and_names(identifier: str) -> None:
    assert type(I.get(identifier)) is I.Identity
    assert I.IdentityInitializer is I.Identity and I.identity is I.Identity


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (1, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_identity_times_gain_on_any_2d_shape(shape: tuple[int, int], dtype: str) -> None:
    values = I.Identity(gain=-0.5)(shape, dtype)
    assert values.dtype == np.dtype(dtype) and values.shape == shape
    np.testing.assert_array_equal(values, -0.5 * np.eye(*shape))


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2), ()])
def test_other_ranks_are_refused(shape: tuple[int, ...]) -> None:
    with pytest.raises(
        InvalidValueError, match=rf"only be used for 2-D matrices, received shape {re.escape(str(shape))}"
    ):
        I.Identity()(shape)


def test_config_round_trips_and_a_dense_layer_starts_as_the_identity() -> None:
    init = I.Identity(gain=3.0)
    clone = I.get(json.loads(json.dumps(serialize(init))))
    assert type(clone) is I.Identity and clone.get_config() == {"gain": 3.0}
    layer = tn.layers.Dense(4, kernel_initializer="identity")
    x = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    np.testing.assert_array_equal(layer(x), x)
    assert layer.get_config()["kernel_initializer"] == {"class_name": "IdentityInitializer", "config": {"gain": 1.0}}
