"""Graphs: ``tn.Input``, layers called on symbolic tensors, ``tn.Model(inputs, outputs)`` run forward and backward.

The gradients of graphs (a residual block, a fan-out, a shared layer, a nested
Sequential) are proven against central differences; a residual graph agrees
with a hand-written NumPy forward and backward in float64; a chain-shaped
graph trains bitwise like the Sequential of the same layers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError

Dense = tn.layers.Dense


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------- symbolic tensors
def test_input_is_a_symbolic_tensor_with_the_batch_as_none() -> None:
    x = tn.Input(shape=(28, 28, 1), name="image")
    assert x.shape == (None, 28, 28, 1) and x.dtype == np.float32 and x.name == "image"
    assert repr(x) == "<SymbolicTensor 'image' shape=(None, 28, 28, 1) dtype=float32>"
    assert tn.Input(shape=(None, 4)).shape == (None, None, 4)  # a sequence of any number of steps, as in Keras
    with pytest.raises(InvalidTypeError, match=r"non-negative ints \(None for a size not known in advance\)"):
        tn.Input(shape=(-1, 4))
    with pytest.raises(InvalidTypeError, match="holds no data"):
        np.asarray(x)


def test_calling_a_layer_on_a_symbolic_tensor_builds_it_and_infers_the_shape() -> None:
    x = tn.Input(shape=(6, 6, 2))
    conv = tn.layers.Conv2D(3, 3)
    y = conv(x)
    assert y.shape == (None, 4, 4, 3) and conv.built and conv.kernel.shape == (3, 3, 2, 3)
    flat = tn.layers.Flatten()(y)
    assert flat.shape == (None, 48)
    assert flat.node.layer.name.startswith("flatten") and flat.node.inputs == [y]


def test_a_layer_refuses_a_mix_of_symbolic_tensors_and_data() -> None:
    x = tn.Input(shape=(3,))

    class Pair(tn.Layer):
        def forward(self, x, training=False):
            return x[0] + x[1]

    with pytest.raises(InvalidTypeError, match="mix of symbolic tensors and data"):
        Pair()([x, np.ones((2, 3))])


# ---------------------------------------------------------------------------- making a graph model
def residual_model(units: int = 4, seed: int = 0) -> tn.Model:
    tn.utils.set_random_seed(seed)
    inputs = tn.Input(shape=(3,), name="x")
    h = Dense(units, activation="tanh", name="h")(inputs)
    r = Dense(units, name="r")(h)
    added = tn.layers.Add(name="add")([h, r])
    outputs = Dense(2, name="out")(added)
    return tn.Model(inputs=inputs, outputs=outputs, name="residual")


def test_model_takes_inputs_and_outputs_by_position_or_keyword_and_lists_its_layers_in_order() -> None:
    inputs = tn.Input(shape=(3,), name="x")
    h = Dense(4, name="first")(inputs)
    Dense(9, name="unused")(h)  # a branch the output does not need is not part of the model
    outputs = Dense(1, name="last")(h)
    for model in (tn.Model(inputs, outputs), tn.Model(inputs=inputs, outputs=outputs)):
        assert [layer.name for layer in model.layers] == ["x", "first", "last"]
        assert model.built and model.input_shape == (3,) and model.count_params() == 16 + 5
        assert model.inputs is inputs and model.outputs is outputs


def test_a_graph_whose_outputs_need_another_input_is_refused_by_name() -> None:
    a, b = tn.Input(shape=(2,), name="a"), tn.Input(shape=(2,), name="b")
    total = tn.layers.Add()([Dense(2)(a), Dense(2)(b)])
    with pytest.raises(InvalidValueError, match="depend on the input 'b'"):
        tn.Model(a, total)


def test_inputs_must_come_from_input_and_layer_names_must_differ() -> None:
    a = tn.Input(shape=(2,), name="a")
    h = Dense(2, name="twin")(a)
    with pytest.raises(InvalidValueError, match="made by tn.Input"):
        tn.Model(h, Dense(1)(h))
    with pytest.raises(InvalidValueError, match=r"distinct names.*'twin'"):
        tn.Model(a, Dense(1, name="twin")(h))
    with pytest.raises(InvalidValueError, match="both inputs and outputs"):
        tn.Model(inputs=a)


def test_the_subclassing_base_still_works_without_a_graph() -> None:
    class Doubler(tn.Model):
        def forward(self, x, training=False):
            return 2.0 * x

        def backward(self, grad):
            return 2.0 * grad

    model = Doubler()
    np.testing.assert_array_equal(model(np.ones((2, 3))), 2.0)
    assert model.inputs is None and model.output_layers() == []


# ---------------------------------------------------------------------------- forward and backward
def residual_numpy(model: tn.Model, x: np.ndarray, upstream: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """The residual block by hand: y = out(h + r(h)), h = tanh(x @ Wh + bh); its backward, line by line."""
    wh, bh, wr, br, wo, bo = model.get_weights()
    h = np.tanh(x @ wh + bh)
    a = h + (h @ wr + br)
    y = a @ wo + bo
    da = upstream @ wo.T
    dh = da + da @ wr.T  # h feeds the add and the r branch: two gradients, summed
    dz = dh * (1.0 - h * h)
    grads = [x.T @ dz, dz.sum(0), h.T @ da, da.sum(0), a.T @ upstream, upstream.sum(0)]
    return y, dz @ wh.T, grads


def test_a_residual_graph_agrees_with_a_hand_written_numpy_forward_and_backward() -> None:
    model = residual_model().astype("float64")
    x, upstream = rng(1).normal(size=(5, 3)), rng(2).normal(size=(5, 2))
    y = model.forward(x, training=True)
    dx = model.backward(upstream)
    want_y, want_dx, want_grads = residual_numpy(model, x, upstream)
    np.testing.assert_allclose(y, want_y, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-12, atol=1e-14)
    for got, want in zip([p.grad for p in model.parameters()], want_grads, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def fan_out_model() -> tn.Model:
    inputs = tn.Input(shape=(3,))
    h = Dense(4, activation="tanh")(inputs)
    left, right = Dense(3, activation="sigmoid")(h), Dense(3)(h)  # h feeds two nodes
    joined = tn.layers.Concatenate()([tn.layers.Multiply()([left, right]), h])
    return tn.Model(inputs, Dense(2)(joined))


def shared_model() -> tn.Model:
    """A siamese pair: one encoder (a nested Sequential) called on two inputs, its weights shared."""
    encoder = tn.Sequential([Dense(4, activation="tanh"), Dense(3)], name="encoder")
    a, b = tn.Input(shape=(3,), name="a"), tn.Input(shape=(3,), name="b")
    distance = tn.layers.Subtract()([encoder(a), encoder(b)])
    return tn.Model([a, b], Dense(1)(tn.layers.Multiply()([distance, distance])))


def nested_model() -> tn.Model:
    """A graph model inside a graph model, and a Sequential inside that."""
    inner_input = tn.Input(shape=(4,))
    block = tn.Sequential([Dense(4, activation="tanh"), Dense(4)])
    inner = tn.Model(inner_input, tn.layers.Add()([inner_input, block(inner_input)]), name="inner")
    inputs = tn.Input(shape=(3,))
    return tn.Model(inputs, Dense(2)(inner(Dense(4)(inputs))), name="outer")


GRAPHS = {"residual": residual_model, "fan_out": fan_out_model, "shared": shared_model, "nested": nested_model}


def inputs_for(model: tn.Model, seed: int, scale: float) -> np.ndarray | list[np.ndarray]:
    shapes = [t.per_sample_shape for t in (model.inputs if isinstance(model.inputs, list) else [model.inputs])]
    arrays = [scale * rng(seed + i).normal(size=(4, *shape)) for i, shape in enumerate(shapes)]
    return arrays if isinstance(model.inputs, list) else arrays[0]


@pytest.mark.parametrize("name", sorted(GRAPHS))
@settings(max_examples=15)
@given(seed=st.integers(0, 2**16), scale=st.floats(0.2, 2.0))
def test_graph_gradients_against_central_differences(name: str, seed: int, scale: float) -> None:
    """Property: every graph's input gradients (each input) and parameter gradients are right, float64."""
    tn.utils.set_random_seed(seed)
    model = GRAPHS[name]().astype("float64")
    tn.testing.check_gradients(model, inputs_for(model, seed, scale))


def test_a_shared_layer_sums_the_gradients_of_its_calls_and_keeps_one_memory_per_call() -> None:
    """The encoder's kernel gradient is the sum of what each call alone contributes."""
    tn.utils.set_random_seed(3)
    model = shared_model().astype("float64")
    encoder = model.layers[2]
    assert [layer.name for layer in model.layers].count("encoder") == 1
    xa, xb = rng(4).normal(size=(5, 3)), rng(5).normal(size=(5, 3))
    upstream = rng(6).normal(size=(5, 1))
    model.forward([xa, xb], training=True)
    model.backward(upstream)
    both = [p.grad.copy() for p in encoder.parameters()]
    eps = 1e-6
    kernel = encoder.layers[0].kernel

    def loss() -> float:
        return float((model.forward([xa, xb]) * upstream).sum())

    for index in [(0, 0), (2, 3), (1, 1)]:
        kernel.value[index] += eps
        plus = loss()
        kernel.value[index] -= 2 * eps
        minus = loss()
        kernel.value[index] += eps
        assert both[0][index] == pytest.approx((plus - minus) / (2 * eps), rel=1e-6, abs=1e-9)
    assert len(model.get_weights()) == len(encoder.get_weights()) + 2  # the shared encoder is listed once


def test_a_chain_shaped_graph_trains_bitwise_like_the_sequential_of_the_same_layers() -> None:
    x, y = tn.datasets.make_moons(96, noise=0.2, seed=0)

    def layers() -> list[tn.Layer]:
        return [Dense(8, activation="relu"), Dense(8, activation="relu"), Dense(1, activation="sigmoid")]

    tn.utils.set_random_seed(0)
    sequential = tn.Sequential([tn.Input(shape=(2,)), *layers()])
    tn.utils.set_random_seed(0)
    inputs = tn.Input(shape=(2,))
    h = inputs
    for layer in layers():
        h = layer(h)
    graph = tn.Model(inputs, h)
    results = []
    for model in (sequential, graph):
        model.compile(optimizer=tn.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
        results.append(model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history)
    assert graph.compiled_loss.fused
    assert results[0] == results[1]
    for a, b in zip(sequential.get_weights(), graph.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- several inputs and outputs
def two_in_two_out() -> tn.Model:
    tn.utils.set_random_seed(0)
    a, b = tn.Input(shape=(3,), name="a"), tn.Input(shape=(2,), name="b")
    h = tn.layers.Concatenate()([Dense(8, activation="relu")(a), Dense(8, activation="relu")(b)])
    return tn.Model([a, b], [Dense(3, activation="softmax", name="kind")(h), Dense(1, name="size")(h)])


def two_in_two_out_data(n: int = 120) -> tuple[list[np.ndarray], list[np.ndarray]]:
    xa, xb = rng(7).normal(size=(n, 3)), rng(8).normal(size=(n, 2))
    kind = (xa[:, 0] > 0).astype(int) + (xb[:, 0] > 0).astype(int)
    return [xa, xb], [kind, xa.sum(axis=1, keepdims=True)]


def test_several_inputs_and_outputs_train_with_keras_history_keys() -> None:
    model = two_in_two_out()
    (xa, xb), (kind, size) = two_in_two_out_data()
    model.compile(
        optimizer=tn.optimizers.Adam(0.02),
        loss={"kind": "sparse_categorical_crossentropy", "size": "mse"},
        loss_weights={"kind": 1.0, "size": 0.5},
        metrics={"kind": ["accuracy"]},
    )
    assert model.output_names == ["kind", "size"] and model.compiled_loss.fused
    history = model.fit({"a": xa, "b": xb}, [kind, size], epochs=25, batch_size=16, validation_split=0.2, verbose=0)
    assert list(history.history) == [
        "loss", "kind_loss", "size_loss", "kind_accuracy", "val_loss", "val_kind_loss", "val_size_loss",
        "val_kind_accuracy",
    ]  # fmt: skip
    logs = {key: values[-1] for key, values in history.history.items()}
    assert logs["loss"] == pytest.approx(logs["kind_loss"] + 0.5 * logs["size_loss"], rel=1e-6)
    assert logs["kind_accuracy"] > 0.8 and logs["size_loss"] < 0.5 * history.history["size_loss"][0]
    results = model.evaluate([xa, xb], {"kind": kind, "size": size}, verbose=0, return_dict=True)
    assert set(results) == {"loss", "kind_loss", "size_loss", "kind_accuracy"}
    probabilities, sizes = model.predict({"a": xa, "b": xb}, batch_size=50)
    assert probabilities.shape == (120, 3) and sizes.shape == (120, 1)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("x", "y", "error", "match"),
    [
        (lambda xa, xb: [xa], None, InvalidValueError, r"holds 1 arrays, but the model has 2 inputs \['a', 'b'\]"),
        (lambda xa, xb: {"a": xa, "c": xb}, None, InvalidValueError, r"unknown: \['c'\]; missing: \['b'\]"),
        (lambda xa, xb: [xa, xb[:10]], None, ShapeError, r"same number of samples.*'b': 10"),
        (lambda xa, xb: [xa, xa], None, ShapeError, r"x 'b' must have shape \(batch, 2\)"),
        (lambda xa, xb: xa, None, InvalidTypeError, r"2 inputs \['a', 'b'\]; pass x as a list"),
        (lambda xa, xb: [xa, xb], lambda k, s: [k], InvalidValueError, r"y holds 1 arrays.*2 outputs"),
        (lambda xa, xb: [xa, xb], lambda k, s: [k, s[:, 0:0]], ShapeError, r"y 'size'"),
    ],
)
def test_bad_input_to_a_graph_names_the_input_and_changes_nothing(x, y, error, match) -> None:  # noqa: ANN001
    model = two_in_two_out()
    model.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"])
    (xa, xb), (kind, size) = two_in_two_out_data()
    before = [w.copy() for w in model.get_weights()]
    targets = [kind, size] if y is None else y(kind, size)
    with pytest.raises(error, match=match):
        model.fit(x(xa, xb), targets, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    assert model.optimizer.iterations == 0


def test_compile_refuses_losses_that_do_not_fit_the_outputs() -> None:
    model = two_in_two_out()
    with pytest.raises(InvalidValueError, match=r"3 entries, but the model has 2 outputs"):
        model.compile(optimizer="sgd", loss=["mse", "mse", "mse"])
    with pytest.raises(InvalidValueError, match=r"unknown: \['colour'\]"):
        model.compile(optimizer="sgd", loss={"kind": "mse", "colour": "mse"})
    with pytest.raises(InvalidValueError, match="for the output 'size'.*linear"):
        model.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "binary_crossentropy"])


# ---------------------------------------------------------------------------- config, files, summary
def test_a_graph_round_trips_through_its_config() -> None:
    model = shared_model()
    config = json.loads(json.dumps(model.get_config()))
    twin = tn.Model.from_config(config)
    assert [layer.name for layer in twin.layers] == [layer.name for layer in model.layers]
    twin.set_weights(model.get_weights())
    xs = [rng(1).normal(size=(4, 3)), rng(2).normal(size=(4, 3))]
    np.testing.assert_array_equal(twin.predict(xs), model.predict(xs))
    assert twin.get_config() == config


def test_a_graph_saves_loads_and_resumes_bitwise(tmp_path: Path) -> None:
    model = two_in_two_out()
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"], metrics=[["accuracy"], []])
    xs, ys = two_in_two_out_data(48)
    model.fit(xs, ys, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "a.npz")
    model.save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    loaded = tn.load_model(tmp_path / "a.npz")
    for a, b in zip(loaded.predict(xs), model.predict(xs), strict=True):
        np.testing.assert_array_equal(a, b)
    resumed = loaded.fit(xs, ys, epochs=2, batch_size=16, verbose=0).history
    original = model.fit(xs, ys, epochs=2, batch_size=16, verbose=0).history
    assert resumed == original
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_graph_config_naming_a_tensor_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    model = residual_model()
    config = model.get_config()
    config["nodes"][1]["inputs"] = [["nowhere", 0, 0]]
    with pytest.raises(LookupError):
        tn.Model.from_config(config)


def test_summary_shows_what_each_layer_is_connected_to() -> None:
    lines: list[str] = []
    shared_model().summary(print_fn=lines.append)
    table = lines[0]
    assert "Connected to" in table
    row = next(line for line in table.splitlines() if line.startswith(" encoder"))
    assert "a[0][0], b[0][0]" in row  # one row for the shared encoder, both of its calls
    assert table.count(" encoder (Sequential)") == 1


def test_a_sequential_may_start_with_an_input_as_in_keras_3() -> None:
    model = tn.Sequential([tn.Input(shape=(3,)), Dense(2)])
    assert model.built and model.input_shape == (3,) and model.count_params() == 8
    assert [type(layer).__name__ for layer in model.layers] == ["Dense"]
    assert tn.Sequential.from_config(json.loads(json.dumps(model.get_config()))).built
    with pytest.raises(InvalidValueError, match="only as its first entry"):
        tn.Sequential([Dense(2), tn.Input(shape=(3,))])


# ---------------------------------------------------------------------------- every layer in a graph
def _case_ids() -> list[str]:
    from tests.cases import LAYER_CASES

    return [case.id for case in LAYER_CASES]


@pytest.mark.parametrize("case_id", _case_ids())
def test_every_catalogue_layer_can_be_a_node_of_a_graph(case_id: str) -> None:
    """Called on symbolic tensors, each layer records a node; the graph computes what the layer computes."""
    from tests.cases import LAYER_CASES

    case = next(c for c in LAYER_CASES if c.id == case_id)
    x = case.fixed_input()
    arrays = x if isinstance(x, list) else [x]
    dtype = "int64" if np.issubdtype(arrays[0].dtype, np.integer) else "float64"
    inputs = [tn.Input(shape=a.shape[1:], dtype=dtype) for a in arrays]
    layer = case.make().astype("float64")
    if isinstance(layer, tn.layers.InputLayer):
        with pytest.raises(InvalidTypeError, match="starts a graph"):
            layer(inputs[0])
        return
    outputs = layer(inputs if isinstance(x, list) else inputs[0])
    model = tn.Model(inputs if isinstance(x, list) else inputs[0], outputs).astype("float64")
    data = [a if dtype == "int64" else a.astype(np.float64) for a in arrays]
    expected = layer.forward(data if isinstance(x, list) else data[0])
    got = model.predict(data if isinstance(x, list) else data[0], batch_size=len(data[0]))
    for a, b in zip(
        expected if isinstance(expected, list) else [expected], got if isinstance(got, list) else [got], strict=True
    ):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


class Scale(tn.Layer):
    """y = factor * x, where factor is a per-call option."""

    def forward(self, x, training=False, factor=1.0):  # noqa: ANN001, ANN201
        self.remember(factor=factor)
        return x * factor

    def backward(self, grad):  # noqa: ANN001, ANN201
        (factor,) = self.recall("factor")
        return grad * factor

    def compute_output_shape(self, input_shape, **options):  # noqa: ANN001, ANN003, ANN201
        return tuple(input_shape)


def test_a_calls_options_reach_forward_are_kept_with_its_node_and_round_trip() -> None:
    scale = Scale(name="scale")
    inputs = tn.Input(shape=(2,))
    model = tn.Model(inputs, scale(scale(inputs, factor=3.0), factor=-2.0))
    np.testing.assert_array_equal(model.predict(np.ones((1, 2))), -6.0)
    config = json.loads(json.dumps(model.get_config()))
    assert [node["options"] for node in config["nodes"]] == [{"factor": 3.0}, {"factor": -2.0}]
    twin = tn.Model.from_config(config, custom_objects={"Scale": Scale})
    np.testing.assert_array_equal(twin.predict(np.ones((1, 2))), -6.0)
    tn.testing.check_gradients(model.astype("float64"), rng(3).normal(size=(3, 2)))
    with pytest.raises(InvalidTypeError, match="plain value"):
        scale(inputs, factor=np.ones(2))
