"""Keras's loaders: ``tn.datasets.fashion_mnist.load_data()`` and ``tn.datasets.digits.load_data()``."""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet.datasets import DatasetNotFoundError
from tinynet.datasets import real as real_module

from .test_real import fake_fashion


def test_fashion_mnist_load_data_reads_the_debian_folder(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    expected = fake_fashion(tmp_path, n_train=6, n_test=4)
    monkeypatch.setattr(real_module, "FASHION_MNIST_PATH", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = tn.datasets.fashion_mnist.load_data()
    for got, want in zip((x_train, y_train, x_test, y_test), expected, strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == np.uint8
    assert x_train.shape == (6, 28, 28) and y_test.shape == (4,)


def test_fashion_mnist_load_data_without_the_package_names_the_apt_get_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setattr(real_module, "FASHION_MNIST_PATH", str(tmp_path / "absent"))
    with pytest.raises(DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"):
        tn.datasets.fashion_mnist.load_data()


def test_digits_load_data_is_a_fixed_split_in_keras_form() -> None:
    pytest.importorskip("sklearn")
    (x_train, y_train), (x_test, y_test) = tn.datasets.digits.load_data()
    assert x_train.shape == (1438, 8, 8) and x_test.shape == (359, 8, 8)
    assert x_train.dtype == x_test.dtype == y_train.dtype == y_test.dtype == np.uint8
    assert int(x_train.max()) == 16 and sorted(set(y_test.tolist())) == list(range(10))
    x, y = tn.datasets.load_digits(as_images=True)
    np.testing.assert_array_equal(x_test[0], x[4, ..., 0] * 16)  # every fifth image, from index 4
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]).astype(np.int64).sum(), y.sum())
    again = tn.datasets.digits.load_data()
    np.testing.assert_array_equal(again[0][0], x_train)  # no random draw: the same split every time
