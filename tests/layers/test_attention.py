"""MultiHeadAttention's own rules: a textbook reference in float64, masks, the key that is the value, dropout,
broken backwards the checker catches, configs, refusals, and the layer in a graph that saves and loads.

The gradient contracts (central differences, float32, memory, configs) run from ``tests/cases/attention.py``.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError
from tinynet.layers import attention
from tinynet.layers.attention import MultiHeadAttention
from tinynet.registry import get_registered_class

Array = np.ndarray
MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])


def normal(*shape: int, seed: int = 0) -> Array:
    return np.random.default_rng(seed).normal(size=shape)


def layer(seed: int = 0, **kwargs: Any) -> MultiHeadAttention:
    """A float64 layer with random (not zero) biases, so that a bias left out shows."""
    tn.utils.set_random_seed(seed)
    kwargs.setdefault("bias_initializer", tn.initializers.RandomNormal(seed=seed + 1))
    return MultiHeadAttention(dtype="float64", **kwargs)


def mask(b: int, t: int, s: int, seed: int = 3) -> Array:
    """Random 0s and 1s; sample 0 has a query step (1) that may attend to nothing and a value step (0) no one sees."""
    m = np.random.default_rng(seed).integers(0, 2, size=(b, t, s)).astype(np.float64)
    m[0, 1, :] = 0.0
    m[0, :, 0] = 0.0
    return m


# ---------------------------------------------------------------------------- the textbook, sample by sample
def reference(xs: list[Array], weights: list[Array], key_dim: int, upstream: Array, causal: bool = False) -> tuple:
    """softmax(Q K^T / sqrt(key_dim)) V per head and sample, then the output projection, and every gradient,
    with loops and the softmax's Jacobian ``diag(p) - p p^T`` written out. A query step that may attend to
    nothing gets weights 0. Returns ``(y, [dquery, dvalue, dkey], {parameter name: gradient})``."""
    query, value, key = xs[:3]
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    (n, t, _), s, heads = query.shape, value.shape[1], wq.shape[1]
    allowed = np.ones((n, t, s), dtype=bool) if len(xs) == 3 else xs[3] > 0.5
    if causal:
        allowed = allowed & np.tri(t, s, dtype=bool)
    y = np.zeros((n, t, wo.shape[-1])) + bo
    dxs = [np.zeros_like(query), np.zeros_like(value), np.zeros_like(key)]
    g = {name: np.zeros_like(w) for name, w in zip(NAMES, weights, strict=True)}
    g["attention_output/bias"] = upstream.sum(axis=(0, 1))
    for i in range(n):
        for h in range(heads):
            q = query[i] @ wq[:, h] + bq[h]
            k = key[i] @ wk[:, h] + bk[h]
            v = value[i] @ wv[:, h] + bv[h]
            scores = q @ k.T / math.sqrt(key_dim)
            p = np.zeros((t, s))
            for row in range(t):
                keep = allowed[i, row]
                if keep.any():
                    e = np.exp(scores[row, keep] - scores[row, keep].max())
                    p[row, keep] = e / e.sum()
            o = p @ v
            y[i] += o @ wo[h]
            # backward, from the chain rule
            do = upstream[i] @ wo[h].T
            g["attention_output/kernel"][h] += o.T @ upstream[i]
            dp, dv = do @ v.T, p.T @ do
            dscores = np.stack([(np.diag(p[row]) - np.outer(p[row], p[row])) @ dp[row] for row in range(t)])
            dq, dk = dscores @ k / math.sqrt(key_dim), dscores.T @ q / math.sqrt(key_dim)
            for x, d, part, dx in ((query, dq, "query", 0), (key, dk, "key", 2), (value, dv, "value", 1)):
                w = weights[NAMES.index(f"{part}/kernel")]
                g[f"{part}/kernel"][:, h] += x[i].T @ d
                g[f"{part}/bias"][h] += d.sum(axis=0)
                dxs[dx][i] += d @ w[:, h].T
    return y, dxs, g


NAMES = [f"{part}/{kind}" for part in ("query", "key", "value", "attention_output") for kind in ("kernel", "bias")]


@pytest.mark.parametrize(
    "causal, masked, shapes",
    [
        (False, False, ((4, 5), (3, 6), (3, 7))),
        (True, False, ((4, 5), (6, 3), (6, 2))),
        (False, True, ((4, 5), (3, 6), (3, 7))),
        (True, True, ((3, 2), (5, 4), (5, 4))),
    ],
    ids=["plain", "causal", "mask", "mask_and_causal"],
)
def test_outputs_and_every_gradient_agree_with_the_textbook_in_float64(causal: bool, masked: bool, shapes) -> None:  # noqa: ANN001
    xs = [normal(2, *shape, seed=i) for i, shape in enumerate(shapes)]
    if masked:
        xs.append(mask(2, shapes[0][0], shapes[1][0]))
    mha = layer(num_heads=3, key_dim=2, value_dim=4)
    y = mha(*xs[:3], attention_mask=xs[3] if masked else None, use_causal_mask=causal)
    upstream = normal(*y.shape, seed=9)
    dxs = mha.backward(upstream)
    y_ref, dxs_ref, grads_ref = reference(xs, mha.get_weights(), 2, upstream, causal)
    np.testing.assert_allclose(y, y_ref, rtol=1e-10, atol=1e-12)
    for d, d_ref in zip(dxs[:3], dxs_ref, strict=True):
        np.testing.assert_allclose(d, d_ref, rtol=1e-10, atol=1e-12)
    assert dxs[3:] == ([None] if masked else [])
    assert [p.name for p in mha.parameters()] == NAMES
    for p in mha.parameters():
        np.testing.assert_allclose(p.grad, grads_ref[p.name], rtol=1e-10, atol=1e-12, err_msg=p.name)


def test_keras_layout_names_shapes_and_order() -> None:
    mha = MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5)
    mha(np.zeros((1, 4, 6)), np.zeros((1, 2, 7)), np.zeros((1, 2, 8)))
    assert [(p.name, p.shape) for p in mha.parameters()] == [
        ("query/kernel", (6, 2, 3)), ("query/bias", (2, 3)), ("key/kernel", (8, 2, 3)), ("key/bias", (2, 3)),
        ("value/kernel", (7, 2, 5)), ("value/bias", (2, 5)), ("attention_output/kernel", (2, 5, 6)),
        ("attention_output/bias", (6,)),
    ]  # fmt: skip
    without = MultiHeadAttention(2, 3, use_bias=False, output_shape=(4, 2))
    y = without(np.zeros((1, 4, 6)), np.zeros((1, 2, 7)))
    assert y.shape == (1, 4, 4, 2)
    assert [p.shape for p in without.parameters()] == [(6, 2, 3), (7, 2, 3), (7, 2, 3), (2, 3, 4, 2)]


# ---------------------------------------------------------------------------- masks
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_fully_masked_row_gives_zero_weights_and_gradients_with_no_warning(dtype: str) -> None:
    q, v = normal(2, 3, 4), normal(2, 5, 4, seed=1)
    m = mask(2, 3, 5)
    mha = layer(num_heads=2, key_dim=3).astype(dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is harmless
        warnings.simplefilter("error")
        y, scores = mha(q * 1e3, v, attention_mask=m, return_attention_scores=True)  # large scores too
        dq, dv, dk, dmask = mha.backward([normal(*y.shape, seed=2), normal(*scores.shape, seed=3)])
    assert np.isfinite(y).all() and dmask is None
    np.testing.assert_array_equal(scores[0, :, 1], 0.0)  # step 1 of sample 0 may attend to nothing
    np.testing.assert_array_equal(y[0, 1], mha.output_bias.value)  # so its output is the output bias alone
    np.testing.assert_array_equal(dq[0, 1], 0.0)
    np.testing.assert_array_equal(scores[..., 0][0], 0.0)  # step 0 of the value: nobody attends to it
    np.testing.assert_array_equal(dv[0, 0], 0.0)
    np.testing.assert_array_equal(dk[0, 0], 0.0)
    np.testing.assert_array_equal(scores[m[:, None].repeat(2, axis=1) == 0], 0.0)
    attended = m.any(axis=-1)[:, None].repeat(2, axis=1)
    np.testing.assert_allclose(scores.sum(axis=-1), attended, rtol=1e-6)


def test_the_causal_mask_hides_the_future() -> None:
    x = normal(2, 5, 4)
    mha = layer(num_heads=2, key_dim=3)
    y, scores = mha(x, x, use_causal_mask=True, return_attention_scores=True)
    assert not scores[..., np.triu(np.ones((5, 5), dtype=bool), k=1)].any()
    changed = x.copy()
    changed[:, 3:] += 1.0
    np.testing.assert_array_equal(mha(changed, changed, use_causal_mask=True)[:, :3], y[:, :3])
    # a mask and the causal mask together: attended where both allow
    m = mask(2, 5, 5)
    _, both = mha(x, x, attention_mask=m, use_causal_mask=True, return_attention_scores=True)
    allowed = np.broadcast_to(((m * np.tri(5)) > 0)[:, None], both.shape)
    assert not both[~allowed].any() and (both[allowed] > 0).all()


def test_a_mask_is_kept_where_above_one_half_and_takes_booleans() -> None:
    q, v = normal(1, 2, 3), normal(1, 3, 3, seed=1)
    mha = layer(num_heads=1, key_dim=2)
    as_bool = np.array([[[True, False, True], [False, True, True]]])
    _, from_bool = mha(q, v, attention_mask=as_bool, return_attention_scores=True)
    _, from_float = mha(q, v, attention_mask=np.where(as_bool, 0.9, 0.2), return_attention_scores=True)
    np.testing.assert_array_equal(from_bool, from_float)
    np.testing.assert_array_equal(from_bool[0, 0] == 0, ~as_bool[0])


# ---------------------------------------------------------------------------- the key that is the value
def test_when_the_key_is_the_value_its_gradient_is_the_sum_of_both() -> None:
    q, v = normal(3, 4, 5), normal(3, 2, 6, seed=1)
    mha = layer(num_heads=2, key_dim=3)
    y = mha(q, v)
    upstream = normal(*y.shape, seed=2)
    dq, dv, dk = mha.backward(upstream)  # called on arrays, the list is [query, value, value]
    np.testing.assert_array_equal(mha.forward([q, v]), y)
    dq2, dv2 = mha.backward(upstream)  # [query, value]: one gradient for the value, both paths summed
    np.testing.assert_array_equal(dq2, dq)
    np.testing.assert_allclose(dv2, dv + dk, rtol=1e-12)
    tn.testing.check_gradients(mha, [q, v])
    tn.testing.check_gradients(mha, [q, v, v])


def test_self_attention_in_a_graph_sums_the_three_gradients_of_its_input() -> None:
    x = normal(2, 4, 3)
    inputs = tn.Input(shape=(4, 3))
    mha = layer(num_heads=2, key_dim=2, name="attend")
    model = tn.Model(inputs, mha(inputs, inputs)).astype("float64")
    upstream = normal(2, 4, 3, seed=1)
    model(x)
    dx = model.backward(upstream)
    mha.forward([x, x, x])
    np.testing.assert_allclose(dx, sum(mha.backward(upstream)), rtol=1e-12)
    tn.testing.check_gradients(model, x)


# ---------------------------------------------------------------------------- dropout
def test_dropout_drops_attention_weights_while_training_only_and_is_seeded() -> None:
    q, v = normal(4, 3, 4), normal(4, 6, 4, seed=1)
    dropping, twin = (layer(num_heads=2, key_dim=2, dropout=0.5, seed=7) for _ in range(2))
    plain = layer(num_heads=2, key_dim=2)
    y = plain(q, v, training=True)
    for other in (dropping, twin):
        other.ensure_built(plain.input_shape)
        other.set_weights(plain.get_weights())
    np.testing.assert_array_equal(dropping(q, v), y)  # inference: no dropout
    dropped = dropping(q, v, training=True)
    np.testing.assert_array_equal(twin(q, v, training=True), dropped)  # one seed, one draw
    assert not np.allclose(dropped, y)
    _, scores = dropping(q, v, training=True, return_attention_scores=True)
    np.testing.assert_allclose(scores.sum(axis=-1), 1.0)  # the scores are the weights before dropout, as in Keras
    assert set(dropping.random_generators()) == {"rng"}
    tn.testing.check_gradients(dropping, [q, v], training=True, directions=3)


# ---------------------------------------------------------------------------- broken backwards are caught
class ForgetsTheKeyPath(MultiHeadAttention):
    """For [query, value] returns the value's own gradient only, without the key's."""

    def backward(self, grad: Any) -> Any:
        if self.recall("count")[0] != 2:
            return super().backward(grad)
        self._memory["count"] = 3
        try:
            return super().backward(grad)[:2]
        finally:
            self._memory["count"] = 2


class ForgetsTheScaleOnTheQuery(MultiHeadAttention):
    """Leaves 1 / sqrt(key_dim) out of dL/dq: the query's gradients come out sqrt(key_dim) times too large."""

    def backward(self, grad: Any) -> Any:
        dxs = super().backward(grad)
        scale = math.sqrt(self.key_dim)
        self.query_kernel.grad = self.query_kernel.grad * scale
        self.query_bias.grad = self.query_bias.grad * scale  # type: ignore[union-attr]
        return [dxs[0] * scale, *dxs[1:]]


@MODES
def test_a_value_gradient_without_the_key_path_is_caught(directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    broken = ForgetsTheKeyPath(num_heads=2, key_dim=3)
    with pytest.raises(AssertionError, match="'input 1'"):
        tn.testing.check_gradients(broken, [normal(2, 3, 4), normal(2, 5, 4, seed=1)], directions=directions)


@MODES
def test_a_missing_scale_is_caught(directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    broken = ForgetsTheScaleOnTheQuery(num_heads=2, key_dim=4)
    with pytest.raises(AssertionError, match="'input 0'"):
        tn.testing.check_gradients(broken, [normal(2, 3, 4), normal(2, 5, 4, seed=1)], directions=directions)


@MODES
def test_a_softmax_backward_without_its_centring_term_is_caught(
    directions: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attention, "softmax_backward", lambda p, dp: p * dp)
    mha = layer(num_heads=2, key_dim=3)
    xs = [normal(2, 3, 4), normal(2, 5, 4, seed=1), normal(2, 5, 2, seed=2), mask(2, 3, 5)]
    with pytest.raises(AssertionError, match="'input 0'"):
        tn.testing.check_gradients(mha, xs, options={"use_causal_mask": True}, directions=directions)


# ---------------------------------------------------------------------------- config
@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_heads": 2, "key_dim": 3},
        {
            "num_heads": 1,
            "key_dim": 2,
            "value_dim": 5,
            "dropout": 0.25,
            "use_bias": False,
            "output_shape": 4,
            "seed": 3,
        },  # noqa: E501
        {"num_heads": 3, "key_dim": 1, "output_shape": (2, 2), "kernel_initializer": "he_normal", "name": "attend"},
    ],
)
def test_config_round_trips_through_json(kwargs: dict[str, Any]) -> None:
    mha = MultiHeadAttention(**kwargs)
    q, v = normal(2, 3, 4), normal(2, 5, 4, seed=1)
    y = mha(q, v)
    config = json.loads(json.dumps(mha.get_config()))
    assert config["value_dim"] == kwargs.get("value_dim", kwargs["key_dim"])
    clone = get_registered_class("MultiHeadAttention").from_config(config)
    assert clone.get_config() == mha.get_config()
    clone(q, v)
    clone.set_weights(mha.get_weights())
    np.testing.assert_array_equal(clone(q, v), y)


# ---------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"num_heads": 0, "key_dim": 2}, InvalidValueError, "num_heads"),
        ({"num_heads": 2, "key_dim": 2.5}, InvalidValueError, "key_dim"),
        ({"num_heads": 2, "key_dim": 2, "value_dim": 0}, InvalidValueError, "value_dim"),
        ({"num_heads": 2, "key_dim": 2, "dropout": 1.0}, InvalidValueError, "dropout"),
        ({"num_heads": 2, "key_dim": 2, "output_shape": ()}, InvalidValueError, "output_shape"),
        ({"num_heads": 2, "key_dim": 2, "output_shape": "4"}, InvalidValueError, "output_shape"),
        ({"num_heads": 2, "key_dim": 2, "use_bias": 1}, InvalidTypeError, "use_bias"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=f"MultiHeadAttention.*{match}"):
        MultiHeadAttention(**kwargs)


def test_bad_inputs_are_refused_before_anything_is_built() -> None:
    mha = MultiHeadAttention(2, 2, name="attend")
    q, v = normal(2, 3, 4), normal(2, 5, 4)
    with pytest.raises(ShapeError, match="'attend'.*same number of steps"):
        mha(q, v, normal(2, 4, 4))
    with pytest.raises(ShapeError, match=r"attention_mask.*\(3, 5\)"):
        mha(q, v, attention_mask=np.ones((2, 5, 3)))
    with pytest.raises(ShapeError, match=r"query must be a batch of sequences"):
        mha(normal(2, 4), v)
    with pytest.raises(InvalidTypeError, match=r"mha\(query, value\)"):
        mha(q)
    with pytest.raises(InvalidTypeError, match="use_causal_mask"):
        mha(q, v, use_causal_mask=1)
    assert not mha.built
    mha(q, v)
    with pytest.raises(ShapeError, match="built for query, value and key"):
        mha(q, normal(2, 5, 3))
    assert mha(q, v, v, attention_mask=np.ones((2, 3, 5))).shape == (2, 3, 4)  # a mask may come and go
    assert mha([q, v]).shape == (2, 3, 4)  # the packed list, as a saved graph calls again


# ---------------------------------------------------------------------------- in a graph
def test_causal_self_attention_in_a_graph_checks_saves_loads_and_predicts_the_same(tmp_path: Path) -> None:
    tn.utils.set_random_seed(0)
    x = tn.Input(shape=(5, 4))
    h = tn.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="attend")(x, x, use_causal_mask=True)
    model = tn.Model(x, tn.layers.Dense(2)(h))
    data = normal(3, 5, 4)
    assert model.get_config()["nodes"][0]["options"] == {"use_causal_mask": True}
    tn.testing.check_gradients(model.astype("float64"), data)
    model.save(tmp_path / "attend.npz")
    loaded = tn.load_model(tmp_path / "attend.npz")
    np.testing.assert_array_equal(loaded.predict(data), model.predict(data))
    changed = data.copy()
    changed[:, 2:] += 1.0  # the future changes, the first two steps do not
    np.testing.assert_array_equal(loaded.predict(changed)[:, :2], model.predict(data)[:, :2])


def test_a_mask_input_and_the_scores_output_in_a_graph() -> None:
    x, m = tn.Input(shape=(3, 4), name="x"), tn.Input(shape=(3, 5), name="m")
    v = tn.Input(shape=(5, 2), name="v")
    y, scores = tn.layers.MultiHeadAttention(2, 3, name="attend")(x, v, attention_mask=m, return_attention_scores=True)
    assert y.shape == (None, 3, 4) and scores.shape == (None, 2, 3, 5)
    model = tn.Model([x, v, m], [y, scores]).astype("float64")
    data = [normal(2, 3, 4), normal(2, 5, 2, seed=1), mask(2, 3, 5)]
    got_y, got_scores = model.predict(data)
    np.testing.assert_array_equal(got_scores[0, :, 1], 0.0)
    twin = tn.Model.from_config(json.loads(json.dumps(model.get_config())))
    twin.set_weights(model.get_weights())
    np.testing.assert_array_equal(twin.predict(data)[0], got_y)
    upstream = [normal(2, 3, 4, seed=2), normal(2, 2, 3, 5, seed=3)]
    model(data)
    dx, dv, dm = model.backward(upstream)
    attend = next(layer for layer in model.layers if layer.name == "attend")
    attend.forward([data[0], data[1], data[1], data[2]], return_attention_scores=True)
    expected = attend.backward(upstream)
    np.testing.assert_allclose(dx, expected[0], rtol=1e-12)
    np.testing.assert_allclose(dv, expected[1] + expected[2], rtol=1e-12)
    np.testing.assert_array_equal(dm, 0.0)  # the graph gives an input with no gradient zeros
    single = tn.Model([x, v, m], y)
    tn.testing.check_gradients(single, data)  # the mask's gradient is zero, and checked as zero


class WithScores(tn.Layer):
    """The output and the attention scores side by side, flattened: checks the scores' gradient path too."""

    def __init__(self, mha: MultiHeadAttention) -> None:
        super().__init__()
        self.mha = mha

    def build(self, input_shape: Any) -> None:
        self.mha.ensure_built(input_shape)

    def forward(self, xs: Any, training: bool = False, **options: Any) -> Array:
        y, scores = self.mha.forward(xs, training, return_attention_scores=True, **options)
        self.remember(shapes=(y.shape, scores.shape))
        return np.concatenate([y.reshape(len(y), -1), scores.reshape(len(scores), -1)], axis=1)

    def backward(self, grad: Array) -> Any:
        ((y_shape, scores_shape),) = self.recall("shapes")
        cut = math.prod(y_shape[1:])
        return self.mha.backward([grad[:, :cut].reshape(y_shape), grad[:, cut:].reshape(scores_shape)])


@MODES
def test_the_gradient_of_the_returned_scores_checks(directions: int | None) -> None:
    xs = [normal(2, 3, 4), normal(2, 5, 4, seed=1), normal(2, 5, 2, seed=2), mask(2, 3, 5)]
    mha = layer(num_heads=2, key_dim=3, dropout=0.3, seed=1)
    tn.testing.check_gradients(
        WithScores(mha), xs, training=True, options={"use_causal_mask": True}, directions=directions
    )
