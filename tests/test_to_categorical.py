"""``tn.utils.to_categorical``: Keras's one-hot encoding, float32, with clear errors for bad labels."""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError


def test_one_hot_rows_with_the_number_of_classes_found_or_given() -> None:
    np.testing.assert_array_equal(tn.utils.to_categorical([1, 0, 2]), np.eye(3, dtype=np.float32)[[1, 0, 2]])
    encoded = tn.utils.to_categorical(np.array([[1], [3]]), num_classes=5)
    assert encoded.shape == (2, 5) and encoded.dtype == np.float32 and encoded.argmax(axis=1).tolist() == [1, 3]


def test_any_shape_of_labels_gains_a_class_axis() -> None:
    labels = np.arange(6).reshape(2, 3) % 4
    encoded = tn.utils.to_categorical(labels)
    assert encoded.shape == (2, 3, 4)
    np.testing.assert_array_equal(encoded.argmax(axis=-1), labels)
    assert tn.utils.to_categorical(np.array([2.0, 0.0])).argmax(axis=1).tolist() == [2, 0]  # whole floats


def test_bad_labels_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="does not fit num_classes=2"):
        tn.utils.to_categorical([0, 2], num_classes=2)
    with pytest.raises(InvalidValueError, match=">= 0"):
        tn.utils.to_categorical([-1, 0])
    with pytest.raises(InvalidValueError, match="integer class labels"):
        tn.utils.to_categorical([0.5, 1.0])


def test_it_feeds_categorical_crossentropy() -> None:
    x = np.random.default_rng(0).normal(size=(12, 2)).astype(np.float32)
    y = tn.utils.to_categorical((x[:, 0] > 0).astype(int), num_classes=2)
    model = tn.Sequential([tn.layers.Dense(2, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert np.isfinite(model.fit(x, y, verbose=0).history["loss"][0])
