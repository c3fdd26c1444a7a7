"""PositionEmbedding, keras_hub's semantics: the table's first ``steps`` rows in the input's shape, whatever the
input's values; the table's gradient summed over the batch; no gradient to the input; sequences up to
``sequence_length`` long. Its gradients are proven by the catalogue (tests/cases/embedding.py)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError
from tinynet.layers.embedding import PositionEmbedding

Array = np.ndarray


def layer(sequence_length: int = 6, **kwargs: Any) -> PositionEmbedding:
    return PositionEmbedding(sequence_length, initializer=tn.initializers.RandomNormal(seed=0), **kwargs)


def test_the_output_is_the_first_rows_of_the_table_for_every_sample_whatever_the_input() -> None:
    positions = layer()
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    y = positions(x)
    assert y.shape == x.shape and y.dtype == np.float32
    table = positions.position_embeddings.value
    assert table.shape == (6, 5)
    for sample in y:
        np.testing.assert_array_equal(sample, table[:4])
    np.testing.assert_array_equal(positions(np.zeros_like(x)), y)
    y[0, 0, 0] = 99.0  # the output is an array of its own, not a view of the table
    assert table[0, 0] != 99.0 and y[1, 0, 0] != 99.0


def test_keras_hub_names_and_defaults() -> None:
    positions = PositionEmbedding(sequence_length=10)
    positions(np.zeros((2, 10, 3)))
    assert [p.name for p in positions.parameters()] == ["embeddings"]
    assert positions.position_embeddings is positions.parameters()[0]
    assert positions.get_config()["initializer"]["class_name"] == "GlorotUniform"
    assert positions.name.startswith("position_embedding")


def test_backward_sums_over_the_batch_into_the_first_rows_and_gives_the_input_zero() -> None:
    positions = layer()
    x = np.ones((3, 4, 5), dtype=np.float32)
    positions(x)
    grad = np.random.default_rng(1).normal(size=x.shape).astype(np.float32)
    dx = positions.backward(grad)
    assert dx.shape == x.shape and dx.dtype == np.float32 and not dx.any()
    dtable = positions.position_embeddings.grad
    np.testing.assert_allclose(dtable[:4], grad.sum(axis=0), rtol=1e-6)
    assert not dtable[4:].any()  # positions beyond the sequence get no gradient


def test_extra_leading_axes_are_summed_like_the_batch() -> None:
    positions = layer(3)
    x = np.zeros((2, 4, 3, 2))
    y = positions(x)
    np.testing.assert_array_equal(y[1, 2], positions.position_embeddings.value)
    grad = np.random.default_rng(2).normal(size=x.shape).astype(np.float32)
    positions.backward(grad)
    np.testing.assert_allclose(positions.position_embeddings.grad, grad.sum(axis=(0, 1)), rtol=1e-6)


def test_a_built_layer_takes_any_length_up_to_sequence_length() -> None:
    positions = layer(6, name="pos")
    positions(np.zeros((2, 6, 5)))
    assert positions(np.zeros((1, 2, 5))).shape == (1, 2, 5)
    assert positions.compute_output_shape((3, 5)) == (3, 5)
    with pytest.raises(ShapeError, match=r"'pos'.*7 steps.*sequence_length=6"):
        positions(np.zeros((1, 7, 5)))
    with pytest.raises(ShapeError, match=r"'pos'.*\(batch, steps, 5\).*\(4, 3\)"):
        positions(np.zeros((1, 4, 3)))
    with pytest.raises(ShapeError, match=r"'pos'.*\(2, 4, 5\)"):
        positions(np.zeros((1, 2, 4, 5)))


def test_a_sequence_longer_than_the_table_or_without_steps_is_refused_and_nothing_is_built() -> None:
    for shape in [(2, 7, 5), (2, 5)]:
        positions = layer(6, name="pos")
        with pytest.raises(ShapeError, match="'pos'"):
            positions(np.zeros(shape))
        assert not positions.built and positions.parameters() == []


@pytest.mark.parametrize("length", [0, -2, 2.5, None, "4"])
def test_sequence_length_must_be_a_positive_int(length: Any) -> None:
    with pytest.raises((InvalidTypeError, InvalidValueError), match="sequence_length"):
        PositionEmbedding(length)


def test_the_config_round_trips_through_json() -> None:
    positions = layer(7, name="pos", dtype="float64")
    config = json.loads(json.dumps(positions.get_config()))
    clone = PositionEmbedding.from_config(config)
    assert clone.get_config() == positions.get_config() and clone.sequence_length == 7


def test_added_to_token_embeddings_both_tables_train() -> None:
    """keras_hub's use: tokens + positions. Only the position table can tell the steps apart."""

    class Tagger(tn.Model):
        takes_indices = True  # type: ignore[assignment]  # its input is token ids

        def __init__(self) -> None:
            super().__init__()
            self.tokens = tn.layers.Embedding(3, 4)
            self.positions = PositionEmbedding(5)
            self.head = tn.layers.Dense(5, activation="softmax")

        def build(self, input_shape: Any) -> None:
            self.tokens.ensure_built(input_shape)
            self.positions.ensure_built((*input_shape, 4))
            self.head.ensure_built((*input_shape, 4))

        def forward(self, x: Array, training: bool = False) -> Array:
            h = self.tokens.forward(x, training)
            return self.head.forward(h + self.positions.forward(h, training), training)

        def backward(self, grad: Array) -> None:
            dh = self.head.backward(grad)
            self.positions.backward(dh)  # its input gradient is zero: dh reaches the tokens unchanged
            self.tokens.backward(dh)

    tn.utils.set_random_seed(0)
    model = Tagger()
    x = np.zeros((16, 5), dtype=int)  # every step the same token: the target is the position itself
    y = np.tile(np.arange(5), (16, 1))
    model.compile(optimizer=tn.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, verbose=0).history
    assert history["accuracy"][-1] == 1.0 and history["loss"][-1] < 0.2 * history["loss"][0]


def test_in_a_graph_added_to_the_tokens_as_keras_hub_does() -> None:
    tn.utils.set_random_seed(0)
    inputs = tn.Input(shape=(5,), dtype="int64")
    tokens = tn.layers.Embedding(3, 4)(inputs)
    positions = PositionEmbedding(5)(tokens)
    model = tn.Model(inputs, tn.layers.Dense(5, activation="softmax")(tn.layers.Add()([tokens, positions])))
    model.compile(optimizer=tn.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.zeros((16, 5), dtype=int), np.tile(np.arange(5), (16, 1))
    assert model.fit(x, y, epochs=30, verbose=0).history["accuracy"][-1] == 1.0
    tn.testing.check_gradients(model, np.random.default_rng(4).integers(0, 3, size=(3, 5)))


# ---------------------------------------------------------------------------- broken variants are caught
class FirstSampleOnly(PositionEmbedding):
    """Takes the table's gradient from the first sample alone instead of the sum over the batch."""

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad)
        self.position_embeddings.grad[: grad.shape[-2]] = grad[0]
        return dx


class MeanOverBatch(PositionEmbedding):
    """Averages over the batch instead of summing."""

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad)
        self.position_embeddings.grad /= len(grad)
        return dx


class PassesGradThrough(PositionEmbedding):
    """Returns ``grad`` as dx, as if the layer had added the positions to its input (it does not)."""

    def backward(self, grad: Array) -> Array:
        super().backward(grad)
        return grad


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize("cls", [FirstSampleOnly, MeanOverBatch, PassesGradThrough])
def test_a_broken_backward_is_caught(cls: type[PositionEmbedding], directions: int | None) -> None:
    x = np.random.default_rng(3).normal(size=(3, 4, 2))
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(cls(5), x, directions=directions)
