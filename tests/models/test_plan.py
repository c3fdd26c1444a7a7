"""The Sequential's plan: a ReLU layer followed by a max pooling runs pooling first, with the same numbers.

Every test compares the model against its layers run one by one as listed
(each layer's own ``forward`` and ``backward``): outputs, input gradients and
parameter gradients must be equal, ties and zeros included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet.models._plan import PoolThenActivate

L = tn.layers


def convnet(activation: Any = "relu", pool: Any = None, seed: int = 0) -> tn.Sequential:
    tn.utils.set_random_seed(seed)
    model = tn.Sequential(
        [
            L.Conv2D(3, 2, activation=activation, input_shape=(8, 8, 2)),
            pool if pool is not None else L.MaxPool2D(2),
            L.Conv2D(4, 2, activation="relu"),
            L.MaxPool2D(2),
            L.Flatten(),
            L.Dense(2),
        ]
    )
    return model.astype("float64")


def as_listed(model: tn.Sequential, x: np.ndarray, grad: np.ndarray) -> tuple[Any, ...]:
    """Output, dL/dx and parameter gradients with every layer run alone, in the order listed."""
    h = x
    for layer in model.layers:
        h = layer.forward(h, True)
    g = grad
    for layer in reversed(model.layers):
        g = layer.backward(g)
    return h.copy(), g.copy(), [p.grad.copy() for p in model.trainable_parameters()]


def planned(model: tn.Sequential, x: np.ndarray, grad: np.ndarray) -> tuple[Any, ...]:
    y = model.forward(x, training=True).copy()
    dx = model.backward(grad).copy()
    return y, dx, [p.grad.copy() for p in model.trainable_parameters()]


def assert_same(a: tuple[Any, ...], b: tuple[Any, ...]) -> None:
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    for ga, gb in zip(a[2], b[2], strict=True):
        np.testing.assert_array_equal(ga, gb)


def step_kinds(model: tn.Sequential) -> list[str]:
    return [type(step).__name__ for step in model._plan().steps]


images = hnp.arrays(
    np.float64,
    (3, 8, 8, 2),
    elements=st.one_of(st.integers(-2, 2).map(float), st.floats(-3, 3)),  # small integers: ties and zeros
)


def test_a_relu_layer_and_the_max_pooling_after_it_run_as_one_step() -> None:
    assert step_kinds(convnet()) == ["PoolThenActivate", "PoolThenActivate", "Flatten", "Dense"]


@settings(max_examples=30, deadline=None)
@given(x=images, seed=st.integers(0, 2**16))
def test_pooling_first_gives_the_numbers_of_the_layers_as_listed(x: np.ndarray, seed: int) -> None:
    model = convnet(seed=seed)
    grad = np.random.default_rng(seed).standard_normal((3, 2))
    assert_same(planned(model, x, grad), as_listed(model, x, grad))


@pytest.mark.parametrize(
    "activation, pool",
    [
        (tn.activations.ReLU(max_value=1.0), None),  # not the plain ReLU
        ("leaky_relu", None),
        ("tanh", None),
        ("relu", L.AvgPool2D(2)),
        ("relu", L.MaxPool2D(2, strides=1)),  # overlapping windows: a MaxPool2D still, so it commutes
    ],
)
def test_only_a_plain_relu_before_a_max_pooling_is_moved(activation: Any, pool: Any) -> None:
    model = convnet(activation, pool)
    moved = isinstance(model._plan().steps[0], PoolThenActivate)
    assert moved == (activation == "relu" and isinstance(pool, L.MaxPool2D))
    x = np.random.default_rng(1).integers(-2, 3, (2, 8, 8, 2)).astype(np.float64)
    grad = np.ones((2, 2))
    assert_same(planned(model, x, grad), as_listed(model, x, grad))


def test_a_layer_that_overrides_forward_runs_its_override() -> None:
    calls: list[str] = []

    class Logged(L.Conv2D):
        def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
            calls.append("forward")
            return super().forward(x, training)

    model = tn.Sequential([Logged(2, 2, activation="relu", input_shape=(4, 4, 1)), L.MaxPool2D(2)])
    assert step_kinds(model) == ["Logged", "MaxPool2D"]
    model.predict(np.zeros((1, 4, 4, 1)))
    assert calls == ["forward"]


def test_an_activation_replaced_after_the_plan_was_made_runs_as_listed() -> None:
    model = convnet()
    x = np.random.default_rng(2).standard_normal((2, 8, 8, 2))
    grad = np.ones((2, 2))
    planned(model, x, grad)  # the plan is made
    model.layers[0].activation = tn.activations.get("tanh").astype("float64")
    assert_same(planned(model, x, grad), as_listed(model, x, grad))


def test_the_lowest_trained_layer_inside_a_step_skips_its_input_gradient() -> None:
    model = convnet()
    model.needs_input_grad = False
    x = np.random.default_rng(3).standard_normal((2, 8, 8, 2))
    grad = np.ones((2, 2))
    assert model.forward(x, training=True) is not None
    assert model.backward(grad) is None
    expected = as_listed(model, x, grad)
    model.forward(x, training=True)
    model.backward(grad)
    for p, g in zip(model.trainable_parameters(), expected[2], strict=True):
        np.testing.assert_array_equal(p.grad, g)


def test_the_comparison_catches_a_rewrite_that_changes_the_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """GELU is not monotone (it dips below zero), so moving it after the pooling changes the output."""
    monkeypatch.setattr(type(tn.activations.get("gelu")), "commutes_with_max", True)
    model = convnet("gelu")
    assert isinstance(model._plan().steps[0], PoolThenActivate)
    x = np.linspace(-3, 1, 3 * 8 * 8 * 2).reshape(3, 8, 8, 2)
    grad = np.ones((3, 2))
    with pytest.raises(AssertionError):
        assert_same(planned(model, x, grad), as_listed(model, x, grad))


class ListedPool(L.MaxPool2D):
    """MaxPool2D with an override of ``forward`` that changes nothing: the plan leaves it where it is listed."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return super().forward(x, training)


def test_training_through_the_plan_gives_the_weights_of_the_listed_order() -> None:
    x = np.random.default_rng(4).standard_normal((8, 8, 8, 2))
    y = np.random.default_rng(5).integers(0, 2, 8)
    models = [convnet(seed=7), convnet(pool=ListedPool(2), seed=7)]
    assert step_kinds(models[1])[:2] == ["Conv2D", "ListedPool"]
    for model in models:
        model.compile(optimizer="sgd", loss=tn.losses.SparseCategoricalCrossentropy(from_logits=True))
        for _ in range(3):
            model.train_on_batch(x, y)
    for a, b in zip(models[0].get_weights(), models[1].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_forward_that_carried_a_mask_is_undone_layer_by_layer() -> None:
    """With a mask, forward runs the layers one by one (each may use or drop it); backward must undo that order."""
    model = convnet()
    model.forward(np.zeros((2, 8, 8, 2)), training=True)  # the plan's steps run once
    x = np.random.default_rng(6).standard_normal((2, 8, 8, 2))
    grad = np.ones((2, 2))
    with pytest.warns(UserWarning, match="does not support masking"):
        y = model.forward(x, training=True, mask=np.ones((2, 8), dtype=bool)).copy()
    got = (y, model.backward(grad).copy(), [p.grad.copy() for p in model.trainable_parameters()])
    assert_same(got, as_listed(model, x, grad))


# ---------------------------------------------------------------------------- graph models
def graph_convnet(branch: bool = False, conv_output: bool = False, seed: int = 0) -> tn.Model:
    """The convnet above as a graph; ``branch`` also reads the first convolution's output elsewhere."""
    tn.utils.set_random_seed(seed)
    x = tn.Input(shape=(8, 8, 2))
    c1 = L.Conv2D(3, 2, activation="relu")(x)
    p1 = L.MaxPool2D(2)(c1)
    c2 = L.Conv2D(4, 2, activation="relu")(p1)
    y = L.Dense(2)(L.Flatten()(L.MaxPool2D(2)(c2)))
    if branch:
        y = L.Add()([y, L.Dense(2)(L.GlobalAvgPool2D()(c1))])
    outputs = [y, c1] if conv_output else y
    return tn.Model(x, outputs).astype("float64")


def graph_kinds(model: tn.Model) -> list[str]:
    return [type(step.layer).__name__ for step in model._graph.pooled_steps]


def test_a_graph_runs_a_relu_layer_and_the_pooling_that_alone_reads_it_as_one_step() -> None:
    assert graph_kinds(graph_convnet()) == ["PoolThenActivate", "PoolThenActivate", "Flatten", "Dense"]
    assert graph_kinds(graph_convnet(branch=True))[:2] == ["Conv2D", "MaxPool2D"]  # c1 has two readers
    assert graph_kinds(graph_convnet(conv_output=True))[:2] == ["Conv2D", "MaxPool2D"]  # c1 is an output


@settings(max_examples=20, deadline=None)
@given(x=images, seed=st.integers(0, 2**16))
def test_a_graph_pooling_first_gives_the_numbers_of_its_layers_as_listed(x: np.ndarray, seed: int) -> None:
    model = graph_convnet(seed=seed)
    grad = np.random.default_rng(seed).standard_normal((3, 2))
    y = model.forward(x, training=True).copy()
    dx = model.backward(grad).copy()
    got = (y, dx, [p.grad.copy() for p in model.trainable_parameters()])
    assert_same(got, as_listed(_chain(model), x, grad))


def test_a_graph_trains_to_the_weights_of_the_sequential_of_its_layers() -> None:
    x = np.random.default_rng(8).standard_normal((8, 8, 8, 2))
    y = np.random.default_rng(9).integers(0, 2, 8)
    graph, chain = graph_convnet(seed=3), convnet()
    chain.set_weights(graph.get_weights())
    for model in (graph, chain):
        model.compile(optimizer="sgd", loss=tn.losses.SparseCategoricalCrossentropy(from_logits=True))
        for _ in range(3):
            model.train_on_batch(x, y)
    for a, b in zip(graph.get_weights(), chain.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def _chain(model: tn.Model) -> tn.Sequential:
    """A Sequential view of a chain-shaped graph's layers (the same objects), for ``as_listed``."""
    chain = tn.Sequential()
    chain.layers = [layer for layer in model.layers if not isinstance(layer, L.InputLayer)]
    return chain


def test_a_graph_forward_that_carried_a_mask_is_undone_node_by_node() -> None:
    model = graph_convnet()
    model.forward(np.zeros((2, 8, 8, 2)), training=True)  # the pooled steps run once
    x = np.random.default_rng(10).standard_normal((2, 8, 8, 2))
    grad = np.ones((2, 2))
    with pytest.warns(UserWarning, match="does not support masking"):
        y = model.forward(x, training=True, mask=np.ones((2, 8), dtype=bool)).copy()
    got = (y, model.backward(grad).copy(), [p.grad.copy() for p in model.trainable_parameters()])
    assert_same(got, as_listed(_chain(model), x, grad))
