"""ReversibleEmbedding's own rules: the reverse call's gradients (a hypothesis property over shapes, ties and the
soft cap), Keras's weights and shapes, the tied table trained from both ends of a graph that saves and loads,
broken backwards the checker catches, configs and refusals.

The lookup's contracts run from ``tests/cases/embedding.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError
from tinynet.layers.reversible_embedding import ReversibleEmbedding
from tinynet.registry import get_registered_class
from tinynet.testing import strategies as tns

Array = np.ndarray
MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])


def normal(*shape: int, seed: int = 0) -> Array:
    return np.random.default_rng(seed).normal(size=shape)


class Reversed(tn.Layer):
    """The layer's reverse call as a layer of its own, so the gradient checker also checks dL/dx."""

    def __init__(self, inner: ReversibleEmbedding) -> None:
        super().__init__()
        self.inner = inner

    def build(self, input_shape: Any) -> None:
        self.inner.ensure_built(input_shape)

    def forward(self, x: Array, training: bool = False) -> Array:
        return self.inner.forward(x, training, reverse=True)

    def backward(self, grad: Array) -> Array | None:
        return self.inner.backward(grad)


def make(seed: int = 0, **kwargs: Any) -> ReversibleEmbedding:
    kwargs.setdefault("embeddings_initializer", tn.initializers.RandomNormal(stddev=1.0, seed=seed))
    return ReversibleEmbedding(5, 3, **kwargs)


KINDS = {
    "tied": {},
    "untied": {"tie_weights": False},
    "soft_cap": {"logit_soft_cap": 2.0},
    "untied_soft_cap": {"tie_weights": False, "logit_soft_cap": 0.5},
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_reverse_calls_gradients_check_over_generated_shapes(kind: str) -> None:
    @given(tns.arrays(tns.batch_shapes(((3,), (2, 3), (1, 2, 3))), -3.0, 3.0), st.integers(0, 2**16))
    def prop(x: Array, seed: int) -> None:
        tn.testing.check_gradients(Reversed(make(**KINDS[kind])), x, directions=3, seed=seed)

    prop()
    tn.testing.check_gradients(Reversed(make(**KINDS[kind])), normal(2, 4, 3))


@pytest.mark.parametrize("kind", KINDS)
def test_the_reverse_call_is_a_product_with_the_transposed_table(kind: str) -> None:
    layer = make(**KINDS[kind]).astype("float64")
    x = normal(2, 4, 3)
    y = layer(x, reverse=True)
    kernel = layer.embeddings.value.T if layer.tie_weights else layer.reverse_embeddings.value  # type: ignore[union-attr]
    z = x @ kernel
    expected = z if layer.logit_soft_cap is None else layer.logit_soft_cap * np.tanh(z / layer.logit_soft_cap)
    np.testing.assert_allclose(y, expected, rtol=1e-13)
    assert y.shape[1:] == layer.compute_output_shape((4, 3), reverse=True) and y.dtype == np.float64
    dx = layer.backward(np.ones_like(y))
    unused = layer.embeddings if not layer.tie_weights else None
    assert dx.shape == x.shape and (unused is None or not unused.grad.any())
    assert layer(np.array([[1, 2, 0, 4]])).shape == (1, 4, 3)  # the indices of the vectors it reversed
    assert layer.backward(np.ones((1, 4, 3))) is None  # the lookup: no input gradient
    if not layer.tie_weights:
        assert not layer.reverse_embeddings.grad.any()  # type: ignore[union-attr]


def test_float32_in_gives_float32_out_both_ways() -> None:
    layer = make(tie_weights=False, logit_soft_cap=3.0)
    h = layer(np.array([[1, 2, 0]]))
    y = layer(h, reverse=True)
    dx = layer.backward(np.ones_like(y))
    assert h.dtype == y.dtype == dx.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in layer.parameters())


def test_keras_weights_names_and_shapes() -> None:
    tied, untied = ReversibleEmbedding(10, 4), ReversibleEmbedding(10, 4, tie_weights=False)
    for layer in (tied, untied):
        layer(np.array([[1, 2]]))
    assert [(p.name, p.shape) for p in tied.parameters()] == [("embeddings", (10, 4))]
    assert [(p.name, p.shape) for p in untied.parameters()] == [
        ("embeddings", (10, 4)),
        ("reverse_embeddings", (4, 10)),
    ]


def test_a_tied_language_model_trains_the_table_from_both_ends_and_saves_and_loads(tmp_path: Path) -> None:
    tn.utils.set_random_seed(0)
    tokens = tn.Input(shape=(4,), dtype="int64")
    embed = ReversibleEmbedding(6, 5, name="embed")
    h = tn.layers.Dense(5, activation="tanh")(embed(tokens))
    model = tn.Model(tokens, embed(h, reverse=True))
    data = np.array([[1, 2, 3, 4], [5, 4, 0, 1]])
    model.compile(optimizer="adam", loss=tn.losses.SparseCategoricalCrossentropy(from_logits=True))
    shifted = np.roll(data, -1, axis=1)
    before = model.evaluate(data, shifted, verbose=0)
    model.fit(data, shifted, epochs=30, verbose=0)
    assert model.evaluate(data, shifted, verbose=0) < before
    assert [p.name for p in model.parameters()].count("embeddings") == 1  # one table, read at both ends
    tn.testing.check_gradients(model.astype("float64"), data)  # the graph sums the two calls' table gradients
    model.save(tmp_path / "lm.npz")
    loaded = tn.load_model(tmp_path / "lm.npz")
    np.testing.assert_array_equal(loaded.predict(data), model.predict(data))


# ---------------------------------------------------------------------------- broken backwards are caught
class ForgetsTheSoftCapDerivative(ReversibleEmbedding):
    def backward(self, grad: Array) -> Array | None:
        cap, self.logit_soft_cap = self.logit_soft_cap, None
        try:
            return super().backward(grad)
        finally:
            self.logit_soft_cap = cap


class TransposesTheTiedGradientWrongly(ReversibleEmbedding):
    def backward(self, grad: Array) -> Array | None:
        dx = super().backward(grad)
        self.embeddings.grad = self.embeddings.grad[::-1].copy()
        return dx


@MODES
@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (ForgetsTheSoftCapDerivative, {"logit_soft_cap": 1.0}, "'input'"),
        (TransposesTheTiedGradientWrongly, {}, "embed"),
    ],
)
def test_a_broken_backward_is_caught(cls: type, kwargs: dict[str, Any], match: str, directions: int | None) -> None:
    layer = cls(5, 3, embeddings_initializer=tn.initializers.RandomNormal(stddev=1.0, seed=0), **kwargs)
    with pytest.raises(AssertionError, match=match):
        tn.testing.check_gradients(Reversed(layer), normal(2, 4, 3), directions=directions)


# ---------------------------------------------------------------------------- config and refusals
def test_config_round_trips_through_json_with_keras_keys() -> None:
    layer = ReversibleEmbedding(7, 3, tie_weights=False, mask_zero=True, logit_soft_cap=30.0, name="words")
    config = json.loads(json.dumps(layer.get_config()))
    assert {"input_dim", "output_dim", "tie_weights", "logit_soft_cap", "mask_zero"} <= set(config)
    clone = get_registered_class("ReversibleEmbedding").from_config(config)
    assert type(clone) is ReversibleEmbedding and clone.get_config() == layer.get_config()


def test_bad_arguments_and_inputs_are_refused_by_name() -> None:
    with pytest.raises(InvalidTypeError, match="ReversibleEmbedding 'r': tie_weights must be True or False"):
        ReversibleEmbedding(5, 3, tie_weights=1, name="r")
    with pytest.raises(InvalidValueError, match="ReversibleEmbedding 'r': logit_soft_cap must be a positive float"):
        ReversibleEmbedding(5, 3, logit_soft_cap=0.0, name="r")
    layer = ReversibleEmbedding(5, 3, name="r")
    with pytest.raises(ShapeError, match="reverse=True projects vectors of output_dim=3 .* received shape"):
        layer(np.ones((2, 4, 2)), reverse=True)
    with pytest.raises(InvalidTypeError, match="expected integer indices"):
        layer(np.ones((2, 4, 3)))
    assert not layer.built
