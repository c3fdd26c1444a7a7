"""GroupedQueryAttention's own rules: a loop-by-loop textbook reference in float64, Keras's layout and names,
MultiHeadAttention as its special case, the sliding window, broken backwards the checker catches, configs,
refusals, and a graph that saves and loads.

The gradient contracts (central differences, float32, memory, configs, padding) run from ``tests/cases/attention.py``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError
from tinynet.layers.grouped_query_attention import GroupedQueryAttention, GroupQueryAttention
from tinynet.registry import get_registered_class

Array = np.ndarray
MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
NAMES = [f"{part}/{kind}" for part in ("query", "key", "value", "attention_output") for kind in ("kernel", "bias")]


def normal(*shape: int, seed: int = 0) -> Array:
    return np.random.default_rng(seed).normal(size=shape)


def layer(seed: int = 0, **kwargs: Any) -> GroupedQueryAttention:
    """A float64 layer with random (not zero) biases, so that a bias left out shows."""
    tn.utils.set_random_seed(seed)
    kwargs.setdefault("bias_initializer", tn.initializers.RandomNormal(seed=seed + 1))
    return GroupedQueryAttention(dtype="float64", **kwargs)


def reference(xs: list[Array], weights: list[Array], allowed: Array, upstream: Array) -> tuple:
    """softmax(Q_i K_j^T / sqrt(head_dim)) V_j per sample and query head i, j = i // (u // g) its key/value head,
    then the output projection, and every gradient from the chain rule, the softmax's Jacobian written out."""
    query, value, key = xs
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    (n, t, _), s, (_, u, h), g = query.shape, value.shape[1], wq.shape, wk.shape[1]
    y = np.zeros((n, t, wo.shape[-1])) + bo
    dxs = [np.zeros_like(query), np.zeros_like(value), np.zeros_like(key)]
    grads = {name: np.zeros_like(w) for name, w in zip(NAMES, weights, strict=True)}
    grads["attention_output/bias"] = upstream.sum(axis=(0, 1))
    for i in range(n):
        for head in range(u):
            j = head // (u // g)
            q, k, v = query[i] @ wq[:, head] + bq[head], key[i] @ wk[:, j] + bk[j], value[i] @ wv[:, j] + bv[j]
            scores = q @ k.T / math.sqrt(h)
            p = np.zeros((t, s))
            for row in range(t):
                keep = allowed[i, row]
                if keep.any():
                    e = np.exp(scores[row, keep] - scores[row, keep].max())
                    p[row, keep] = e / e.sum()
            o = p @ v
            y[i] += o @ wo[head]
            do = upstream[i] @ wo[head].T
            grads["attention_output/kernel"][head] += o.T @ upstream[i]
            dp, dv = do @ v.T, p.T @ do
            dscores = np.stack([(np.diag(p[row]) - np.outer(p[row], p[row])) @ dp[row] for row in range(t)])
            dq, dk = dscores @ k / math.sqrt(h), dscores.T @ q / math.sqrt(h)
            for x, d, part, index, at in (
                (query, dq, "query", 0, head),
                (key, dk, "key", 2, j),
                (value, dv, "value", 1, j),
            ):  # noqa: E501
                w = weights[NAMES.index(f"{part}/kernel")]
                grads[f"{part}/kernel"][:, at] += x[i].T @ d
                grads[f"{part}/bias"][at] += d.sum(axis=0)
                dxs[index][i] += d @ w[:, at].T
    return y, dxs, grads


@pytest.mark.parametrize(
    "heads, options, window",
    [((4, 2), {}, None), ((6, 3), {"use_causal_mask": True}, None), ((3, 1), {}, 2), ((4, 4), {"masked": True}, 3)],
    ids=["groups_of_2", "causal", "one_head_window", "masks"],
)
def test_outputs_and_every_gradient_agree_with_the_textbook_in_float64(
    heads: tuple, options: dict, window: Any
) -> None:
    xs = [normal(2, 4, 5), normal(2, 6, 3, seed=1), normal(2, 6, 7, seed=2)]
    gqa = layer(head_dim=2, num_query_heads=heads[0], num_key_value_heads=heads[1], sliding_window=window)
    causal, masked = options.get("use_causal_mask", False), options.get("masked", False)
    query_mask, value_mask = np.array([[1, 1, 0, 1], [1] * 4], bool), np.array([[1, 0, 1, 1, 1, 0], [0] * 6], bool)
    masks = {"query_mask": query_mask, "value_mask": value_mask} if masked else {}
    y = gqa(*xs, use_causal_mask=causal, **masks)
    upstream = normal(*y.shape, seed=9)
    dxs = gqa.backward(upstream)
    allowed = np.ones((2, 4, 6), bool)
    if causal:
        allowed &= np.tri(4, 6, dtype=bool)
    if window is not None:
        allowed &= np.abs(np.arange(4)[:, None] - np.arange(6)) < window
    if masked:
        allowed &= query_mask[:, :, None] & value_mask[:, None, :]
    y_ref, dxs_ref, grads_ref = reference(xs, gqa.get_weights(), allowed, upstream)
    np.testing.assert_allclose(y, y_ref, rtol=1e-10, atol=1e-12)
    for d, d_ref in zip(dxs, dxs_ref, strict=True):
        np.testing.assert_allclose(d, d_ref, rtol=1e-10, atol=1e-12)
    assert [p.name for p in gqa.parameters()] == NAMES
    for p in gqa.parameters():
        np.testing.assert_allclose(p.grad, grads_ref[p.name], rtol=1e-10, atol=1e-12, err_msg=p.name)


def test_keras_layout_names_shapes_and_order_and_its_other_name() -> None:
    assert GroupQueryAttention is GroupedQueryAttention and tn.layers.GroupQueryAttention is GroupedQueryAttention
    gqa = GroupedQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2, use_gate=True)
    gqa(np.zeros((1, 4, 6)), np.zeros((1, 2, 7)), np.zeros((1, 2, 8)))
    assert [(p.name, p.shape) for p in gqa.parameters()] == [
        ("query/kernel", (6, 4, 3)), ("query/bias", (4, 3)), ("key/kernel", (8, 2, 3)), ("key/bias", (2, 3)),
        ("gate/kernel", (6, 4, 3)), ("gate/bias", (4, 3)), ("value/kernel", (7, 2, 3)), ("value/bias", (2, 3)),
        ("attention_output/kernel", (4, 3, 6)), ("attention_output/bias", (6,)),
    ]  # fmt: skip
    assert (gqa.head_dim, gqa.num_query_heads, gqa.num_key_value_heads) == (3, 4, 2)


def test_with_as_many_key_value_heads_as_query_heads_it_is_multi_head_attention() -> None:
    gqa = layer(head_dim=2, num_query_heads=3, num_key_value_heads=3)
    mha = tn.layers.MultiHeadAttention(num_heads=3, key_dim=2, dtype="float64")
    xs = [normal(2, 4, 5), normal(2, 6, 3, seed=1)]
    y = gqa(*xs, use_causal_mask=True)
    mha(*xs)
    mha.set_weights(gqa.get_weights())
    np.testing.assert_allclose(mha(*xs, use_causal_mask=True), y, rtol=1e-12)
    upstream = normal(*y.shape, seed=3)
    for ours, theirs in zip(gqa.backward(upstream), mha.backward(upstream), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_the_gate_multiplies_the_attended_values_by_a_sigmoid_of_the_query() -> None:
    gated = layer(head_dim=2, num_query_heads=2, num_key_value_heads=1, use_gate=True)
    plain = layer(head_dim=2, num_query_heads=2, num_key_value_heads=1)
    xs = [normal(2, 3, 4), normal(2, 5, 4, seed=1)]
    gated(*xs)
    plain(*xs)
    weights = gated.get_weights()
    plain.set_weights(weights[:4] + weights[6:])
    gated.gate_kernel.value = np.zeros_like(gated.gate_kernel.value)  # type: ignore[union-attr]
    gated.gate_bias.value = np.full_like(gated.gate_bias.value, 50.0)  # type: ignore[union-attr]  # gate = 1
    np.testing.assert_allclose(gated(*xs), plain(*xs), rtol=1e-12)


# ---------------------------------------------------------------------------- broken backwards are caught
class ForgetsTheGroupSum(GroupedQueryAttention):
    """The key's gradient from the first query head of each group only, not the sum over the group."""

    def backward(self, grad: Any) -> Any:
        dxs = super().backward(grad)
        r = self.num_heads // self.num_key_value_heads
        self.key_kernel.grad = self.key_kernel.grad / r
        return [dxs[0], dxs[1], dxs[2] / r]


@MODES
def test_a_key_gradient_without_the_group_sum_is_caught(directions: int | None) -> None:
    tn.utils.set_random_seed(0)
    broken = ForgetsTheGroupSum(head_dim=2, num_query_heads=4, num_key_value_heads=2)
    xs = [normal(2, 3, 4), normal(2, 5, 4, seed=1), normal(2, 5, 3, seed=2)]
    with pytest.raises(AssertionError, match="'input 2'"):
        tn.testing.check_gradients(broken, xs, directions=directions)


# ---------------------------------------------------------------------------- config and refusals
def test_config_round_trips_through_json_with_keras_keys() -> None:
    gqa = GroupedQueryAttention(
        4, 6, 3, dropout=0.1, use_bias=False, sliding_window=5, kernel_regularizer="l2", use_gate=True, seed=2
    )
    config = json.loads(json.dumps(gqa.get_config()))
    assert {"head_dim", "num_query_heads", "num_key_value_heads", "sliding_window", "use_gate"} <= set(config)
    assert not {"num_heads", "key_dim", "value_dim", "output_shape"} & set(config)
    clone = get_registered_class("GroupedQueryAttention").from_config(config)
    assert type(clone) is GroupedQueryAttention and clone.get_config() == gqa.get_config()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_key_value_heads": 3}, "num_query_heads must be divisible by num_key_value_heads"),
        ({"sliding_window": 0}, "sliding_window must be a positive int"),
        ({"dropout": 0.1, "flash_attention": True}, "dropout is not supported with flash_attention=True"),
        ({"head_dim": 0}, "key_dim must be a positive int"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs: dict[str, Any], match: str) -> None:
    arguments = {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2, **kwargs}
    with pytest.raises(InvalidValueError, match=f"GroupedQueryAttention '.*': {match}"):
        GroupedQueryAttention(**arguments)


def test_a_causal_graph_checks_saves_loads_and_predicts_the_same(tmp_path: Path) -> None:
    tn.utils.set_random_seed(0)
    x = tn.Input(shape=(5, 4))
    h = GroupedQueryAttention(2, 4, 2, use_gate=True, name="attend")(x, x, use_causal_mask=True)
    model = tn.Model(x, tn.layers.Dense(2)(h))
    data = normal(3, 5, 4)
    tn.testing.check_gradients(model.astype("float64"), data)
    model.save(tmp_path / "attend.npz")
    loaded = tn.load_model(tmp_path / "attend.npz")
    np.testing.assert_array_equal(loaded.predict(data), model.predict(data))
