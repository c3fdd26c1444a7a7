"""Attention and AdditiveAttention's own rules: the scores against a loop-by-loop reference and PyTorch, Keras's
masks, dropout's returned scores, broken backwards the checker catches, configs, refusals, and a masked graph
that saves and loads.

The gradient contracts (central differences, float32, memory, configs, padding) run from ``tests/cases/attention.py``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError
from tinynet.layers import score_attention
from tinynet.layers.score_attention import AdditiveAttention, Attention
from tinynet.registry import get_registered_class

Array = np.ndarray
MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])


def normal(*shape: int, seed: int = 0) -> Array:
    return np.random.default_rng(seed).normal(size=shape)


def reference(query: Array, value: Array, key: Array, score: Any, allowed: Array) -> tuple[Array, Array]:
    """Outputs and weights sample by sample, query step by query step, with ``score(q_t, k_s)`` written out."""
    n, t, s = len(query), query.shape[1], key.shape[1]
    y, weights = np.zeros((n, t, value.shape[2])), np.zeros((n, t, s))
    for i in range(n):
        for row in range(t):
            keep = allowed[i, row]
            if keep.any():
                z = np.array([score(query[i, row], key[i, col]) for col in range(s)])[keep]
                e = np.exp(z - z.max())
                weights[i, row, keep] = e / e.sum()
            y[i, row] = weights[i, row] @ value[i]
    return y, weights


SCORES = {
    "dot": (lambda: Attention(dtype="float64"), lambda layer: lambda q, k: q @ k),
    "dot_scaled": (
        lambda: Attention(use_scale=True, dtype="float64"),
        lambda layer: lambda q, k: float(layer.scale.value) * (q @ k),
    ),
    "concat_scaled": (
        lambda: Attention(use_scale=True, score_mode="concat", dtype="float64"),
        lambda layer: (
            lambda q, k: float(layer.concat_score_weight.value) * np.tanh(float(layer.scale.value) * (q + k)).sum()
        ),
    ),
    "additive": (
        lambda: AdditiveAttention(dtype="float64"),
        lambda layer: lambda q, k: (layer.scale.value * np.tanh(q + k)).sum(),
    ),
}


@pytest.mark.parametrize("mode", SCORES)
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_outputs_and_scores_agree_with_a_loop_by_loop_reference(mode: str, causal: bool) -> None:
    make, score = SCORES[mode]
    tn.utils.set_random_seed(0)
    layer = make()
    query, value, key = normal(2, 4, 3), normal(2, 5, 2, seed=1), normal(2, 5, 3, seed=2)
    query_mask, value_mask = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool), np.array([[1, 0, 1, 1, 0], [0] * 5], bool)
    layer([query, value, key])
    if layer.scale is not None:  # not the initial value, so that a scale left out shows
        layer.scale.value = layer.scale.value * 0.0 + normal(*layer.scale.shape, seed=5) + 1.5
    if layer.concat_score_weight is not None:
        layer.concat_score_weight.value = np.array(-0.7)
    y, weights = layer(
        [query, value, key], mask=[query_mask, value_mask], use_causal_mask=causal, return_attention_scores=True
    )
    allowed = query_mask[:, :, None] & value_mask[:, None, :] & (np.tri(4, 5, dtype=bool) if causal else True)
    y_ref, weights_ref = reference(query, value, key, score(layer), allowed)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weights, weights_ref, rtol=1e-12, atol=1e-14)
    assert not y[0, 2].any() and not y[1].any()  # a padded query step, a sample with every value step padded


@pytest.mark.parametrize("masked", [False, True], ids=["plain", "masked"])
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_scaled_dot_attention_and_its_gradients_agree_with_torch_in_float64(masked: bool, causal: bool) -> None:
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    query, value, key = normal(2, 4, 3), normal(2, 5, 6, seed=1), normal(2, 5, 3, seed=2)
    value_mask = np.array([[1, 0, 1, 1, 0], [1, 1, 1, 0, 1]], bool) if masked else None
    upstream = normal(2, 4, 6, seed=3)
    layer = Attention(use_scale=True, dtype="float64")
    layer([query, value, key])
    layer.scale.value = np.array(1 / np.sqrt(3.0))
    y = layer([query, value, key], mask=[None, value_mask] if masked else None, use_causal_mask=causal)
    dquery, dvalue, dkey = layer.backward(upstream)

    q, v, k = (torch.tensor(a, requires_grad=True) for a in (query, value, key))
    allowed = torch.ones(4, 5, dtype=torch.bool)
    if causal:
        allowed = torch.tril(allowed)
    if masked:
        allowed = allowed & torch.tensor(value_mask)[:, None, :]
    expected = functional.scaled_dot_product_attention(q, k, v, attn_mask=allowed, scale=1 / np.sqrt(3.0))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(y, expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    for ours, theirs in ((dquery, q), (dvalue, v), (dkey, k)):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-11, atol=1e-13)


# ---------------------------------------------------------------------------- Keras's semantics
def test_keras_weights_names_shapes_and_order() -> None:
    query, value = np.zeros((1, 2, 4)), np.zeros((1, 3, 5))
    key = np.zeros((1, 3, 4))
    shapes = {
        "plain": (Attention(), []),
        "scaled": (Attention(use_scale=True), [("scale", ())]),
        "concat": (Attention(score_mode="concat"), [("concat_score_weight", ())]),
        "both": (Attention(use_scale=True, score_mode="concat"), [("scale", ()), ("concat_score_weight", ())]),
        "additive": (AdditiveAttention(), [("scale", (4,))]),
        "additive_plain": (AdditiveAttention(use_scale=False), []),
    }
    for name, (layer, expected) in shapes.items():
        assert layer([query, value, key]).shape == (1, 2, 5), name
        assert [(p.name, p.shape) for p in layer.parameters()] == expected, name
    assert AdditiveAttention().use_scale and not Attention().use_scale  # Keras's defaults


def test_the_output_keeps_the_querys_mask_and_a_fully_masked_row_gives_zeros_without_warnings() -> None:
    layer = Attention(use_scale=True, dtype="float64")
    query, value = normal(2, 3, 4), normal(2, 2, 4, seed=1)
    query_mask, value_mask = np.array([[1, 0, 1], [1, 1, 1]], bool), np.array([[1, 1], [0, 0]], bool)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, weights = layer([query, value], mask=[query_mask, value_mask], return_attention_scores=True)
        dquery, dvalue = layer.backward([normal(2, 3, 4, seed=2), normal(2, 3, 2, seed=3)])
    assert np.isfinite(y).all() and not y[0, 1].any() and not y[1].any() and not weights[1].any()
    assert not dquery[0, 1].any() and not dquery[1].any() and not dvalue[1].any()
    assert layer.compute_mask([query, value], [query_mask, value_mask]) is query_mask


def test_dropout_drops_weights_while_training_only_and_the_returned_scores_are_the_dropped_ones() -> None:
    query, value = normal(2, 3, 4), normal(2, 6, 4, seed=1)
    dropping = Attention(dropout=0.5, seed=3, dtype="float64")
    plain, plain_weights = Attention(dtype="float64")([query, value], return_attention_scores=True)
    y, weights = dropping([query, value], return_attention_scores=True)
    np.testing.assert_array_equal(y, plain)  # not training: no dropout
    y, weights = dropping([query, value], training=True, return_attention_scores=True)
    assert (weights == 0).any()
    np.testing.assert_allclose(weights[weights != 0], 2 * plain_weights[weights != 0], rtol=1e-12)
    np.testing.assert_allclose(y, weights @ value, rtol=1e-12)
    again = Attention(dropout=0.5, seed=3, dtype="float64")([query, value], training=True)
    np.testing.assert_array_equal(again, y)  # seeded


class WithScores(tn.Layer):
    """The output and the returned scores side by side, flattened: checks the scores' gradient path too."""

    def __init__(self, inner: Attention) -> None:
        super().__init__()
        self.inner = inner

    def build(self, input_shape: Any) -> None:
        self.inner.ensure_built(input_shape)

    def forward(self, xs: Any, training: bool = False, **options: Any) -> Array:
        y, scores = self.inner.forward(xs, training, return_attention_scores=True, **options)
        self.remember(shapes=(y.shape, scores.shape))
        return np.concatenate([y.reshape(len(y), -1), scores.reshape(len(scores), -1)], axis=1)

    def backward(self, grad: Array) -> Any:
        ((y_shape, scores_shape),) = self.recall("shapes")
        cut = int(np.prod(y_shape[1:]))
        return self.inner.backward([grad[:, :cut].reshape(y_shape), grad[:, cut:].reshape(scores_shape)])


@MODES
@pytest.mark.parametrize("make", [lambda: Attention(use_scale=True, dropout=0.3, seed=1), lambda: AdditiveAttention()])
def test_the_gradient_of_the_returned_scores_checks(make: Any, directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    xs = [normal(2, 3, 4), normal(2, 5, 2, seed=1), normal(2, 5, 4, seed=2)]
    tn.testing.check_gradients(
        WithScores(make()), xs, training=True, options={"use_causal_mask": True}, directions=directions
    )


# ---------------------------------------------------------------------------- broken backwards are caught
class ForgetsTheKeyPath(Attention):
    """For [query, value] returns the value's own gradient only, without the key's."""

    def backward(self, grad: Any) -> Any:
        dquery, _ = super().backward(grad)
        (d,) = self.recall("d")
        return [dquery, d.transpose(0, 2, 1) @ grad]


class ForgetsTheTanhDerivative(AdditiveAttention):
    """Leaves ``1 - u**2`` out of ``da``: dquery and dkey are wrong where tanh bends."""

    def backward(self, grad: Any) -> Any:
        (u,) = self.recall("cache")
        self._memory["cache"] = np.zeros_like(u) + u  # same u: the forward is right
        original = score_attention._tanh_scores_backward

        def without(query: Array, key: Array, dz: Array, u: Array, scale: Any, weight: Any) -> Any:
            du = dz[..., None] * scale.value
            scale.grad = (dz[..., None] * u).sum(axis=(0, 1, 2))
            return du.sum(axis=2), du.sum(axis=1)

        score_attention._tanh_scores_backward = without
        try:
            return super().backward(grad)
        finally:
            score_attention._tanh_scores_backward = original


class ForgetsTheScaleGradient(Attention):
    """Sets dscale to 0: the scale's gradient is wrong, the inputs' right."""

    def backward(self, grad: Any) -> Any:
        dxs = super().backward(grad)
        self.scale.grad = np.zeros_like(self.scale.grad)  # type: ignore[union-attr]
        return dxs


@MODES
def test_a_value_gradient_without_the_key_path_is_caught(directions: int | None) -> None:
    with pytest.raises(AssertionError, match="'input 1'"):
        tn.testing.check_gradients(
            ForgetsTheKeyPath(), [normal(2, 3, 4), normal(2, 5, 4, seed=1)], directions=directions
        )


@MODES
def test_a_tanh_without_its_derivative_is_caught(directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    with pytest.raises(AssertionError, match="'input 0'"):
        tn.testing.check_gradients(
            ForgetsTheTanhDerivative(), [normal(2, 3, 4), normal(2, 5, 4, seed=1)], directions=directions
        )


@MODES
def test_a_missing_scale_gradient_is_caught(directions: int | None) -> None:
    with pytest.raises(AssertionError, match="scale"):
        tn.testing.check_gradients(
            ForgetsTheScaleGradient(use_scale=True), [normal(2, 3, 4), normal(2, 5, 4, seed=1)], directions=directions
        )


# ---------------------------------------------------------------------------- config and refusals
@pytest.mark.parametrize(
    "layer",
    [
        Attention(),
        Attention(use_scale=True, score_mode="concat", dropout=0.25, seed=3, name="luong"),
        AdditiveAttention(),
        AdditiveAttention(use_scale=False, dropout=0.1, seed=2, name="bahdanau"),
    ],
    ids=["attention", "attention_all", "additive", "additive_all"],
)
def test_config_round_trips_through_json_with_keras_keys(layer: Attention) -> None:
    config = json.loads(json.dumps(layer.get_config()))
    keys = {"use_scale", "dropout", "seed"} | ({"score_mode"} if type(layer) is Attention else set())
    assert keys <= set(config) and ("score_mode" in config) == (type(layer) is Attention)
    clone = get_registered_class(type(layer).__name__).from_config(config)
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"score_mode": "general"}, InvalidValueError, "score_mode must be 'dot' or 'concat'"),
        ({"dropout": 1.0}, InvalidValueError, r"dropout must be in \[0, 1\)"),
        ({"use_scale": 1}, InvalidTypeError, "use_scale must be True or False"),
        ({"seed": -1}, InvalidValueError, "seed must be"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=f"Attention 'attention.*': {match}"):
        Attention(**kwargs)


def test_bad_inputs_are_refused_before_anything_is_built() -> None:
    layer = Attention(use_scale=True, name="att")
    query, value = normal(2, 3, 4), normal(2, 5, 4, seed=1)
    with pytest.raises(InvalidTypeError, match=r"Attention 'att': must be called on a list \[query, value\]"):
        layer(query)
    with pytest.raises(ShapeError, match="query and key must have the same number of features"):
        layer([query, normal(2, 5, 3)])
    with pytest.raises(ShapeError, match="key and value must have the same number of steps"):
        layer([query, value, normal(2, 4, 4)])
    with pytest.raises(InvalidTypeError, match=r"mask must be a list \[query_mask, value_mask\]"):
        layer([query, value], mask=np.ones((2, 5), bool))
    symbolic = tn.Input(shape=(5,))
    with pytest.raises(InvalidTypeError, match="in a graph the masks come with the inputs"):
        layer([tn.Input(shape=(3, 4)), tn.Input(shape=(5, 4))], mask=[None, symbolic])
    assert not layer.built and layer.parameters() == []
    assert layer([query, value]).shape == (2, 3, 4)
    assert layer([query, value, value]).shape == (2, 3, 4)  # the key may be given or left out
    with pytest.raises(ShapeError, match="built for query, value and key"):
        layer([query, normal(2, 5, 2), value])


# ---------------------------------------------------------------------------- in a graph
@pytest.mark.parametrize("cls", [Attention, AdditiveAttention])
def test_a_masked_graph_checks_saves_loads_and_ignores_padding(cls: type[Attention], tmp_path: Path) -> None:
    tn.utils.set_random_seed(0)
    tokens = tn.Input(shape=(None,), dtype="int64", name="tokens")
    h = tn.layers.Embedding(7, 4, mask_zero=True)(tokens)
    y = cls(name="attend")([h, h], use_causal_mask=True)
    model = tn.Model(tokens, tn.layers.GlobalAveragePooling1D()(y))
    data = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 1, 2]])
    model.save(tmp_path / "attend.npz")
    loaded = tn.load_model(tmp_path / "attend.npz")
    np.testing.assert_array_equal(loaded.predict(data), model.predict(data))
    padded_other = np.array([[1, 2, 3, 0, 0, 0, 0], [4, 5, 6, 1, 2, 0, 0]])
    np.testing.assert_allclose(model.predict(padded_other), model.predict(data), rtol=1e-6)
