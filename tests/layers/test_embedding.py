"""Embedding: lookup, indices out of range and non-integer inputs refused with no state changed,
gradients that add up over repeated indices, Keras's defaults, configs, and training inside a model.

The parameter gradient is checked by the catalogue (tests/cases/embedding.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError
from tinynet.layers.embedding import Embedding
from tinynet.registry import get_registered_class


def built(input_dim: int = 10, output_dim: int = 4, shape=(3,)) -> Embedding:
    layer = Embedding(input_dim, output_dim, embeddings_initializer=tn.initializers.RandomNormal(seed=0))
    layer.ensure_built(shape)
    return layer


def test_forward_looks_up_rows_of_the_table() -> None:
    layer = built(shape=(2, 3))
    x = np.array([[[1, 2, 2], [9, 0, 1]], [[3, 3, 3], [0, 0, 0]]])
    y = layer(x)
    assert y.shape == (2, 2, 3, 4) and y.dtype == np.float32
    np.testing.assert_array_equal(y, layer.embeddings.value[x])
    assert layer.compute_output_shape((2, 3)) == (2, 3, 4)


def test_unsigned_and_narrow_integers_are_accepted() -> None:
    layer = built()
    x = np.array([[1, 2, 9]])
    expected = layer(x)
    for dtype in (np.uint8, np.int16, np.uint64):
        np.testing.assert_array_equal(layer(x.astype(dtype)), expected)


def test_backward_returns_none_and_adds_up_the_gradient_of_repeated_indices() -> None:
    layer = built(5, 2)
    x = np.array([[1, 1, 1], [1, 2, 0]])
    layer(x)
    grad = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    assert layer.backward(grad) is None
    expected = np.zeros((5, 2), np.float32)
    np.add.at(expected, x.ravel(), grad.reshape(-1, 2))
    np.testing.assert_array_equal(layer.embeddings.grad, expected)
    np.testing.assert_array_equal(layer.embeddings.grad[1], grad[0].sum(0) + grad[1, 0])
    assert not layer.embeddings.grad[3:].any()  # rows never looked up get no gradient


@pytest.mark.parametrize("bad", [-1, 10, 1000])
def test_an_index_out_of_range_is_refused_with_no_state_change(bad: int) -> None:
    layer = built()
    good = np.array([[0, 5, 9], [2, 2, 2]])
    layer(good)
    layer.backward(np.ones((2, 3, 4), np.float32))
    grad_before, table_before = layer.embeddings.grad.copy(), layer.embeddings.value.copy()
    x = good.copy()
    x[1, 2] = bad
    pattern = rf"Embedding 'embedding.*\[0, 10\).*received {bad} at index \(1, 2\).*shape \(2, 3\)"
    for call in (layer, layer.forward):
        with pytest.raises(InvalidValueError, match=pattern):
            call(x)
    np.testing.assert_array_equal(layer.embeddings.value, table_before)
    layer.backward(np.ones((2, 3, 4), np.float32))  # the memory is still that of `good`
    np.testing.assert_array_equal(layer.embeddings.grad, grad_before)


def test_a_first_call_with_a_bad_index_leaves_the_layer_unbuilt() -> None:
    layer = Embedding(10, 4)
    with pytest.raises(InvalidValueError, match="Negative indices are not counted from the end"):
        layer(np.array([[-1, 0]]))
    assert not layer.built


@pytest.mark.parametrize(
    "x, dtype",
    [
        (np.array([[1.0, 2.0, 3.0]]), "float64"),
        (np.array([[1.5, 2.0, 3.0]]), "float64"),
        (np.ones((1, 3), bool), "bool"),
    ],
)
def test_non_integer_indices_are_refused_naming_the_layer_and_the_shapes(x: np.ndarray, dtype: str) -> None:
    layer = Embedding(10, 4)
    with pytest.raises(InvalidTypeError, match=rf"Embedding 'embedding.*integer indices.*dtype {dtype}.*\(1, 3\)"):
        layer(x)
    assert not layer.built


def test_keras_defaults_and_parameter_layout() -> None:
    tn.utils.set_random_seed(3)
    layer = Embedding(50, 8)
    layer(np.array([[0]]))
    assert [(p.name, p.shape) for p in layer.parameters()] == [("embeddings", (50, 8))]
    assert isinstance(layer.embeddings_initializer, tn.initializers.RandomUniform)
    values = layer.embeddings.value
    assert values.dtype == np.float32 and -0.05 <= values.min() and values.max() <= 0.05 and values.std() > 0.02
    tn.utils.set_random_seed(3)
    again = Embedding(50, 8)
    again(np.array([[0]]))
    np.testing.assert_array_equal(again.embeddings.value, values)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [({"input_dim": 0, "output_dim": 2}, "input_dim must be a positive int"),
     ({"input_dim": 3, "output_dim": 2.0}, "output_dim must be a positive int"),
     ({"input_dim": True, "output_dim": 2}, "input_dim must be a positive int")],
)  # fmt: skip
def test_bad_arguments_are_refused(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidValueError, match=fragment):
        Embedding(**kwargs)


def test_config_round_trips_through_json() -> None:
    layer = Embedding(7, 3, embeddings_regularizer="l2", name="words", input_shape=(4,))
    config = json.loads(json.dumps(layer.get_config()))
    clone = get_registered_class("Embedding").from_config(config)
    assert clone.get_config() == layer.get_config()
    x = np.array([[0, 6, 3, 3]])
    layer(x), clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x), layer(x))


class Flatten(tn.Layer):
    """Flattens every sample (the test's own, so this file does not depend on tn.layers.Flatten)."""

    def forward(self, x, training=False):
        self.remember(shape=x.shape)
        return x.reshape(len(x), -1)

    def backward(self, grad):
        (shape,) = self.recall("shape")
        return grad.reshape(shape)


def test_a_model_starting_with_embedding_trains_with_fit_on_integer_data() -> None:
    tn.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 8, size=(128, 3))  # indices 8 and 9 never occur
    weights = rng.normal(size=10)
    y = weights[x].sum(axis=1, keepdims=True)
    embedding = Embedding(10, 4, input_shape=(3,))
    model = tn.Sequential([embedding, Flatten(), tn.layers.Dense(1)])
    assert model.takes_indices and model.count_params() == 10 * 4 + 12 + 1
    unused = embedding.embeddings.value[8:].copy()
    model.compile("sgd", "mse")
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    np.testing.assert_array_equal(embedding.embeddings.value[8:], unused)
    assert model.predict(x[:5]).shape == (5, 1)
    with pytest.raises(InvalidTypeError, match="integer indices"):
        model.predict(x.astype(np.float32))
