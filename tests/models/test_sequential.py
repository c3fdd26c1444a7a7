"""``Sequential``: construction, eager build, order of forward and backward, layer reuse, weights,
the seed's ``from_architecture`` form, config round trips and seeded reproducibility."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, LayerReuseError, UnknownIdentifierError

Dense = tn.layers.Dense

SEED_SPEC = [
    {"input_dim": 2, "output_dim": 25, "activation": "relu"},
    {"input_dim": 25, "output_dim": 50, "activation": "relu"},
    {"input_dim": 50, "output_dim": 50, "activation": "relu"},
    {"input_dim": 50, "output_dim": 25, "activation": "relu"},
    {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"},
]


def dense_count(spec: list[dict[str, Any]]) -> int:
    """Parameters of a dense chain: a kernel in*out and a bias out per entry."""
    return sum(e["input_dim"] * e["output_dim"] + e["output_dim"] for e in spec)


def mlp(seed: int = 0) -> tn.Sequential:
    tn.utils.set_random_seed(seed)
    return tn.Sequential(
        [
            Dense(4, activation="tanh", input_shape=(3,)),
            Dense(3, activation="relu", bias_initializer=tn.initializers.RandomNormal(stddev=1.0, seed=1)),
            Dense(2),
        ]
    )


class Spy(tn.Layer):
    """Adds 1 going forward, doubles going backward, and logs each call."""

    def __init__(self, log: list, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._log = log

    def forward(self, x, training=False):
        self._log.append(("forward", self.name))
        self.remember(called=True)
        return x + 1.0

    def backward(self, grad):
        self.recall("called")
        self._log.append(("backward", self.name))
        return grad * 2.0


# ---------------------------------------------------------------------------- construction
def test_list_construction_and_add_give_the_same_model() -> None:
    """Sequential([a, b]) and add(a); add(b) hold the same layers in the same order."""
    a, b = Dense(3), Dense(1)
    from_list = tn.Sequential([a, b])
    assert from_list.layers == [a, b] and not from_list.built
    c, d = Dense(3), Dense(1)
    added = tn.Sequential()
    added.add(c)
    added.add(d)
    assert added.layers == [c, d]
    x = np.ones((2, 5))
    from_list(x)
    added(x)
    added.set_weights(from_list.get_weights())
    np.testing.assert_array_equal(added(x), from_list(x))


def test_input_shape_on_the_first_layer_builds_the_whole_chain_eagerly() -> None:
    """With input_shape=, every layer is built and every parameter exists before any call."""
    model = mlp()
    assert model.built and model.input_shape == (3,)
    assert all(layer.built for layer in model.layers)
    assert [p.shape for p in model.parameters()] == [(3, 4), (4,), (4, 3), (3,), (3, 2), (2,)]
    assert model.count_params() == 3 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2


def test_without_input_shape_the_chain_builds_on_the_first_call() -> None:
    model = tn.Sequential([Dense(4), Dense(2)])
    assert not model.built and model.parameters() == []
    assert model(np.ones((5, 7))).shape == (5, 2)
    assert model.built and model.layers[0].kernel.shape == (7, 4)


def test_forward_runs_in_order_and_backward_in_reverse() -> None:
    """Each layer's forward is called first to last, each backward last to first, with chained values."""
    log: list = []
    model = tn.Sequential([Spy(log, name="s0"), Spy(log, name="s1"), Spy(log, name="s2")])
    model.ensure_built((2,))  # building probes shapes with forward: start the log afterwards
    log.clear()
    y = model(np.zeros((2, 2)))
    np.testing.assert_array_equal(y, 3.0)
    dx = model.backward(np.ones((2, 2)))
    np.testing.assert_array_equal(dx, 8.0)
    assert log == [("forward", "s0"), ("forward", "s1"), ("forward", "s2"),
                   ("backward", "s2"), ("backward", "s1"), ("backward", "s0")]  # fmt: skip


def test_sequential_equals_manual_chaining_of_the_same_layers() -> None:
    """Sequential's output, input gradient and parameter gradients are bitwise those of the chain by hand."""
    model = mlp()
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    upstream = np.random.default_rng(1).normal(size=(5, 2)).astype(np.float32)
    y = model(x)
    dx = model.backward(upstream)
    grads = [p.grad.copy() for p in model.parameters()]

    h = x
    for layer in model.layers:
        h = layer.forward(h)
    g = upstream
    for layer in reversed(model.layers):
        g = layer.backward(g)
    np.testing.assert_array_equal(y, h)
    np.testing.assert_array_equal(dx, g)
    for before, p in zip(grads, model.parameters(), strict=False):
        np.testing.assert_array_equal(before, p.grad)


def test_backward_without_input_grad_gives_the_same_gradients_and_skips_what_nothing_needs() -> None:
    """With ``needs_input_grad`` false, frozen and parameter-free layers at the bottom get no backward, the
    rest get backward's exact gradients, the lowest trained layer runs with its flag false, and then the
    flags are back to true."""
    log: list = []
    frozen = tn.layers.Dense(4, activation="relu", trainable=False)
    lowest = tn.layers.Dense(5, activation="tanh")
    model = tn.Sequential([Spy(log, name="bottom"), frozen, lowest, tn.layers.Dense(2, activation="softmax")])
    model.ensure_built((2,))
    x = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    upstream = np.random.default_rng(1).normal(size=(6, 2)).astype(np.float32)
    model.forward(x, training=True)
    model.backward(upstream)
    expected = [p.grad.copy() for p in model.parameters()[2:]]
    for p in model.parameters():
        p.grad = np.full_like(p.grad, 7.0)
    log.clear()
    frozen_grads = [p.grad.copy() for p in frozen.parameters()]
    seen = []
    real = lowest.backward_linear
    lowest.backward_linear = lambda dz: seen.append(lowest.needs_input_grad) or real(dz)  # type: ignore[method-assign]
    model.needs_input_grad = False
    assert model.backward(upstream) is None
    assert seen == [False] and lowest.needs_input_grad is True
    assert log == []  # the parameter-free layer at the bottom was skipped
    for before, p in zip(frozen_grads, frozen.parameters(), strict=True):
        np.testing.assert_array_equal(p.grad, before)  # so was the frozen one
    for want, p in zip(expected, model.parameters()[2:], strict=True):
        np.testing.assert_array_equal(p.grad, want)


def test_a_one_layer_model_trains_without_its_input_gradient() -> None:
    model = tn.Sequential([tn.layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    model.fit(np.ones((4, 2)), np.array([0, 1, 1, 0]), epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


# ---------------------------------------------------------------------------- reuse and add
def test_the_same_layer_twice_is_refused() -> None:
    dense = Dense(2, name="shared")
    with pytest.raises(LayerReuseError, match=r"Dense 'shared'.*already in this model") as info:
        tn.Sequential([dense, dense])
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("inner_first", [True, False])
def test_the_same_layer_nested_in_an_inner_sequential_is_refused(inner_first: bool) -> None:
    """Reuse is found through nesting, whichever copy comes first; the model keeps its earlier layers."""
    dense = Dense(2, name="shared")
    inner = tn.Sequential([dense])
    model = tn.Sequential([inner] if inner_first else [dense])
    with pytest.raises(LayerReuseError, match="'shared'"):
        model.add(dense if inner_first else inner)
    assert len(model.layers) == 1


def test_adding_a_model_to_itself_is_refused() -> None:
    model = tn.Sequential([Dense(2)], name="outer")
    with pytest.raises(LayerReuseError, match="'outer'"):
        model.add(model)
    assert len(model.layers) == 1


def test_reuse_is_found_through_an_inner_model_grown_after_it_was_added() -> None:
    late = Dense(2, name="late")
    inner = tn.Sequential([Dense(2)])
    model = tn.Sequential([inner])
    inner.add(late)
    with pytest.raises(LayerReuseError, match="'late'.*already in this model"):
        model.add(late)
    assert len(model.layers) == 1


def test_a_layer_taken_out_of_the_list_by_hand_can_be_added_again() -> None:
    model = tn.Sequential([Dense(2), Dense(3)])
    last = model.layers.pop()
    model.add(last)
    assert model.layers[-1] is last


def test_a_layer_taken_out_of_an_inner_model_by_hand_can_be_added_to_the_outer_one() -> None:
    """The outer model's kept set still holds it; a clash is confirmed by a fresh walk before it is refused."""
    moved = Dense(2, name="moved")
    inner = tn.Sequential([Dense(2), moved])
    model = tn.Sequential([inner])
    inner.layers.pop()
    model.add(moved)
    assert model.layers[-1] is moved


class Counted(tn.Layer):
    """An identity layer that counts the walks over it and the output shapes asked of it."""

    accepts_any_shape = True
    calls = {"sublayers": 0, "compute_output_shape": 0}

    def sublayers(self) -> list[tn.Layer]:
        Counted.calls["sublayers"] += 1
        return super().sublayers()

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        Counted.calls["compute_output_shape"] += 1
        return tuple(input_shape)

    def forward(self, x, training=False):
        return x

    def backward(self, grad):
        return grad


@pytest.mark.parametrize("built", [False, True])
def test_adding_n_layers_one_by_one_takes_linear_time(built: bool) -> None:
    """No walk of the whole model, no output shape of every layer, per add: a few visits per layer in all."""
    n = 300
    model = tn.Sequential([Dense(2, input_shape=(2,))] if built else [])
    Counted.calls = {"sublayers": 0, "compute_output_shape": 0}
    for _ in range(n):
        model.add(Counted())
    assert Counted.calls["sublayers"] <= 2 * n and Counted.calls["compute_output_shape"] <= 2 * n, Counted.calls
    assert len(list(model.walk())) == n + 1 + built


@pytest.mark.parametrize("thing", ["dense", Dense, tn.losses.MeanSquaredError(), None, lambda x: x])
def test_add_of_a_non_layer_is_an_invalid_type_error(thing: object) -> None:
    model = tn.Sequential()
    with pytest.raises(InvalidTypeError, match="takes a tinynet Layer"):
        model.add(thing)
    with pytest.raises(InvalidTypeError):
        tn.Sequential([Dense(1), thing])
    assert model.layers == []


def test_a_built_first_layer_builds_the_model() -> None:
    """An inner model built before (or a layer already called) fixes the input shape, as input_shape= would."""
    inner = tn.Sequential([Dense(3, input_shape=(2,))])
    model = tn.Sequential([inner, tn.activations.Softmax()])
    assert model.built and model.input_shape == (2,) and model.layers[1].built
    called = Dense(4)
    called(np.ones((1, 5)))
    assert tn.Sequential([called]).input_shape == (5,)
    relu = tn.activations.ReLU()
    relu(np.ones((1, 5)))
    assert not tn.Sequential([relu]).built  # a layer for any shape fixes none


def test_add_after_build_builds_the_new_layer() -> None:
    """A layer appended to a built model is built at once for the previous output shape."""
    model = mlp()
    head = Dense(5)
    model.add(head)
    assert head.built and head.input_shape == (2,) and head.kernel.shape == (2, 5)
    assert model(np.ones((4, 3))).shape == (4, 5)


def test_add_after_build_of_a_layer_that_cannot_build_leaves_the_model_as_it_was() -> None:
    """A refused add (a layer that fails to build) does not append it."""
    model = tn.Sequential([tn.layers.Dense(4, input_shape=(3,))])

    class Refuses(tn.Layer):
        def build(self, input_shape):
            raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        model.add(Refuses())
    assert len(model.layers) == 1


# ---------------------------------------------------------------------------- weights
def test_get_weights_follows_keras_order_and_shapes() -> None:
    """[kernel0, bias0, kernel1, bias1, ...], each (in, units) and (units,)."""
    model = mlp()
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 4), (4,), (4, 3), (3,), (3, 2), (2,)]
    expected = [a for layer in model.layers for a in (layer.kernel.value, layer.bias.value)]
    for w, e in zip(weights, expected, strict=False):
        np.testing.assert_array_equal(w, e)
    assert [p.name for p in model.parameters()] == ["kernel", "bias"] * 3


def test_set_weights_round_trip_gives_identical_outputs() -> None:
    source, target = mlp(seed=1), mlp(seed=2)
    x = np.random.default_rng(0).normal(size=(6, 3))
    assert not np.array_equal(source(x), target(x))
    target.set_weights(source.get_weights())
    np.testing.assert_array_equal(source(x), target(x))
    for a, b in zip(source.get_weights(), target.get_weights(), strict=False):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- the seed's form
def test_from_architecture_builds_the_seed_network() -> None:
    """2-25-50-50-25-1 with relu x4 and sigmoid: built, Glorot-initialized, the computed parameter count."""
    model = tn.Sequential.from_architecture(SEED_SPEC)
    expected = 2 * 25 + 25 + 25 * 50 + 50 + 50 * 50 + 50 + 50 * 25 + 25 + 25 * 1 + 1
    assert expected == dense_count(SEED_SPEC) == 5226
    assert model.count_params() == expected
    assert model.built and model.input_shape == (2,)
    assert [layer.units for layer in model.layers] == [25, 50, 50, 25, 1]
    assert [type(layer.activation).__name__ for layer in model.layers] == ["ReLU"] * 4 + ["Sigmoid"]
    assert all(not layer.bias.value.any() for layer in model.layers)
    y = model(np.random.default_rng(0).normal(size=(7, 2)))
    assert y.shape == (7, 1) and y.dtype == np.float32 and ((y > 0) & (y < 1)).all()


def test_from_architecture_refuses_dims_that_do_not_chain() -> None:
    spec = [dict(e) for e in SEED_SPEC]
    spec[2]["input_dim"] = 49
    with pytest.raises(InvalidValueError, match=r"entry 2 has input_dim 49.*entry 1 has output_dim 50"):
        tn.Sequential.from_architecture(spec)


def _with(index: int, **changes: Any) -> list:
    spec = [dict(e) for e in SEED_SPEC]
    for key, value in changes.items():
        if value is _DROP:
            del spec[index][key]
        else:
            spec[index][key] = value
    return spec


_DROP = object()


@pytest.mark.parametrize(
    "spec, error, fragment",
    [
        pytest.param(_with(1, output_dim=_DROP), InvalidValueError, r"entry 1 has keys.*output_dim", id="missing"),
        pytest.param(
            _with(3, activation=_DROP, activaton="relu"),
            InvalidValueError,
            r"entry 3.*unknown.*activaton",
            id="typo",
        ),
        pytest.param(
            _with(0, input_dim=2.0),
            InvalidValueError,
            r"entry 0: input_dim must be a positive int",
            id="float",
        ),
        pytest.param(_with(0, input_dim="2"), InvalidValueError, r"entry 0: input_dim", id="string-dim"),
        pytest.param(_with(4, output_dim=0), InvalidValueError, r"entry 4: output_dim.*received 0", id="zero"),
        pytest.param(_with(4, output_dim=True), InvalidValueError, r"entry 4: output_dim", id="bool"),
        pytest.param(_with(2, activation="rleu"), UnknownIdentifierError, r"'rleu'.*relu", id="unknown-activation"),
        pytest.param([SEED_SPEC[0], ("a", "b")], InvalidTypeError, r"entry 1 must be a dict", id="non-dict"),
        pytest.param([], (InvalidTypeError, InvalidValueError), r"non-empty", id="empty"),
        pytest.param({"input_dim": 2}, (InvalidTypeError, InvalidValueError), r"list of dicts", id="dict-not-list"),
    ],
)
def test_from_architecture_bad_specs_raise_clear_errors(spec: Any, error: Any, fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        tn.Sequential.from_architecture(spec)


def test_from_architecture_accepts_the_seeds_randn_times_point_one() -> None:
    """RandomNormal(stddev=0.1) for kernels and biases reproduces the seed's initialization."""
    init = tn.initializers.RandomNormal(stddev=0.1, seed=0)
    model = tn.Sequential.from_architecture(SEED_SPEC, kernel_initializer=init, bias_initializer=init)
    values = np.concatenate([w.ravel() for w in model.get_weights()])
    assert values.size == 5226
    assert abs(values.std() - 0.1) < 0.01 and abs(values.mean()) < 0.01
    assert all(layer.bias.value.any() for layer in model.layers)
    assert np.isfinite(model(np.ones((3, 2)))).all()


# ---------------------------------------------------------------------------- config
@pytest.mark.parametrize("nested", [False, True])
def test_config_json_round_trip_gives_the_same_architecture_and_outputs(nested: bool) -> None:
    """get_config -> JSON -> from_config: equal config; after set_weights, bitwise-equal outputs."""
    if nested:
        model = tn.Sequential(
            [
                Dense(4, activation="elu", input_shape=(2,)),
                tn.Sequential([Dense(3, activation="gelu"), Dense(1)]),
            ]
        )
    else:
        model = tn.Sequential.from_architecture(SEED_SPEC)
    config = json.loads(json.dumps(model.get_config()))
    clone = tn.Sequential.from_config(config)
    assert clone.get_config() == model.get_config()
    assert [type(layer) for layer in clone.walk()] == [type(layer) for layer in model.walk()]
    assert clone.built and clone.count_params() == model.count_params()
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_array_equal(clone(x), model(x))


@pytest.mark.parametrize(
    ("entry", "error", "match"),
    [
        ({"class_name": "Adam", "config": {}}, InvalidTypeError, "'Adam', which is not a Layer"),
        ("Dense", InvalidValueError, "each entry of 'layers' is a {'class_name', 'config'} dict"),
        ({"class_name": "Dense", "config": [4]}, InvalidValueError, "each entry of 'layers'"),
    ],
)
def test_from_config_refuses_an_entry_that_is_not_a_layer_before_making_it(entry: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=re.escape(match) if "{" in match else match):
        tn.Sequential.from_config({"name": "s", "dtype": "float32", "trainable": True, "layers": [entry]})


# ---------------------------------------------------------------------------- randomness
def _weights_after_seed(seed: int) -> list[np.ndarray]:
    tn.utils.set_random_seed(seed)
    return tn.Sequential.from_architecture(SEED_SPEC).get_weights()


def test_set_random_seed_gives_bitwise_identical_weights_and_different_seeds_differ() -> None:
    first, again, other = _weights_after_seed(11), _weights_after_seed(11), _weights_after_seed(12)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(first, again, strict=False))
    kernels = slice(0, None, 2)
    assert all(not np.array_equal(a, b) for a, b in zip(first[kernels], other[kernels], strict=False))


def test_creating_and_running_layers_leaves_numpy_global_random_state_alone() -> None:
    """No tinynet object reads or advances np.random's global state."""
    np.random.seed(123)  # noqa: NPY002 - the global state is what is checked
    before = np.random.get_state()  # noqa: NPY002
    tn.Sequential.from_architecture(SEED_SPEC)(np.ones((2, 2)))
    model = mlp()
    model(np.ones((2, 3)))
    tn.initializers.RandomNormal()((3, 3))
    tn.initializers.get("he_normal")((4, 4))
    after = np.random.get_state()  # noqa: NPY002
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]
