"""``Layer``: lazy build, input checks that change no state, memory, astype, freezing, names, weights.

The base class's contract, its refusals of bad input, and the layer a user writes (the custom-layer guide's).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import CallOrderError, InvalidTypeError, InvalidValueError, ShapeError


class ScaledTanh(tn.Layer):
    """y = alpha * tanh(x), one learnable alpha per feature (the custom-layer guide's example)."""

    def build(self, input_shape):
        self.alpha = self.add_parameter("alpha", input_shape[-1:], initializer="ones")

    def forward(self, x, training=False):
        t = np.tanh(x)
        self.remember(t=t)
        return self.alpha.value * t

    def backward(self, grad):
        (t,) = self.recall("t")
        self.alpha.grad = (grad * t).sum(axis=0)
        return grad * self.alpha.value * (1.0 - t * t)


def built_scaled_tanh(name: str = "probe") -> tuple[ScaledTanh, np.ndarray]:
    layer = ScaledTanh(name=name)
    x = np.random.default_rng(0).normal(size=(4, 3))
    layer(x)
    return layer, x


def snapshot(layer: tn.Layer) -> list[np.ndarray]:
    return [p.value.copy() for p in layer.parameters()]


def assert_bitwise_unchanged(layer: tn.Layer, before: list[np.ndarray]) -> None:
    after = [p.value for p in layer.parameters()]
    assert len(after) == len(before)
    for a, b in zip(after, before, strict=False):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


# ---------------------------------------------------------------------------- building
def test_user_layer_builds_lazily_on_first_call() -> None:
    """No parameters before the first call; after it, exactly those ``build`` created with add_parameter."""
    layer = ScaledTanh()
    assert not layer.built and layer.parameters() == [] and layer.input_shape is None
    y = layer(np.ones((4, 3)))
    assert layer.built and layer.input_shape == (3,)
    (alpha,) = layer.parameters()
    assert alpha is layer.alpha and alpha.name == "alpha" and alpha.shape == (3,)
    np.testing.assert_array_equal(alpha.value, 1.0)
    np.testing.assert_allclose(y, np.tanh(1.0), rtol=1e-6)


@pytest.mark.parametrize("x", [np.ones((2, 3)), np.ones((2, 3), dtype=np.int64), [[1, 2, 3]], np.ones((2, 3), bool)])
def test_call_casts_input_to_the_layer_dtype(x: object) -> None:
    """float64, int, bool and list inputs are cast to float32; the output is float32."""
    layer = ScaledTanh()
    y = layer(x)
    assert y.dtype == np.float32
    (t,) = layer.recall("t")
    assert t.dtype == np.float32
    dx = layer.backward(np.ones_like(y))
    assert dx.dtype == np.float32 and layer.alpha.grad.dtype == np.float32


# ---------------------------------------------------------------------------- bad input, no state change
BAD_INPUTS = [
    pytest.param(np.float64(1.5), ShapeError, "scalar", id="scalar"),
    pytest.param([[1.0, 2.0], [3.0]], InvalidTypeError, "rectangular", id="ragged"),
    pytest.param(np.array([["a", "b"]]), InvalidTypeError, "numeric", id="strings"),
    pytest.param(np.array([[1.0, None]], dtype=object), InvalidTypeError, "object", id="object"),
    pytest.param(np.ones((2, 3), dtype=complex), InvalidTypeError, "complex", id="complex"),
    pytest.param(np.array([[0.0, 1.0, 2.0], [3.0, np.nan, 5.0]]), InvalidValueError, r"index \(1, 1\)", id="nan"),
    pytest.param(np.array([[np.inf, 1.0, 2.0]]), InvalidValueError, r"index \(0, 0\)", id="inf"),
    pytest.param(np.array([[1.0, 2.0, -np.inf]], np.float32), InvalidValueError, r"index \(0, 2\)", id="-inf32"),
]


@pytest.mark.parametrize("x, error, fragment", BAD_INPUTS)
def test_bad_input_to_an_unbuilt_layer_is_refused_and_leaves_it_unbuilt(x, error, fragment) -> None:
    """Each bad input raises its error; the layer stays unbuilt, with no parameters."""
    layer = ScaledTanh(name="fresh")
    with pytest.raises(error, match=fragment) as info:
        layer(x)
    assert "ScaledTanh 'fresh'" in str(info.value)
    assert not layer.built and layer.parameters() == [] and layer.input_shape is None
    assert not hasattr(layer, "alpha")


@pytest.mark.parametrize("x, error, fragment", BAD_INPUTS)
def test_bad_input_to_a_built_layer_changes_neither_parameters_nor_memory(x, error, fragment) -> None:
    """After a refused call, parameters are bitwise the same; backward refers to the last good forward."""
    layer, _ = built_scaled_tanh()
    layer.alpha.value = [0.5, 2.0, -1.0]
    before = snapshot(layer)
    (t_before,) = layer.recall("t")
    with pytest.raises(error, match=fragment):
        layer(x)
    assert_bitwise_unchanged(layer, before)
    assert layer.recall("t")[0] is t_before


def test_wrong_per_sample_shape_after_build_names_the_layer_and_both_shapes() -> None:
    """A built layer refuses another per-sample shape, naming its class, its name, expected and received."""
    layer, _ = built_scaled_tanh(name="probe")
    before = snapshot(layer)
    with pytest.raises(ShapeError, match=r"ScaledTanh 'probe'.*\(batch, 3\).*per-sample shape \(4,\)"):
        layer(np.ones((2, 4)))
    with pytest.raises(ShapeError, match=r"ScaledTanh 'probe'.*per-sample shape \(3, 1\)"):
        layer(np.ones((2, 3, 1)))
    assert layer.input_shape == (3,)
    assert_bitwise_unchanged(layer, before)


@pytest.mark.parametrize("x", [np.ones(3), np.float32(2.0)], ids=["1-D", "scalar"])
def test_dense_refuses_input_without_a_batch_axis(x: np.ndarray) -> None:
    """A 1-D vector or a scalar given to Dense is a ShapeError suggesting x[None]; Dense stays unbuilt."""
    dense = tn.layers.Dense(2, name="head")
    with pytest.raises(ShapeError, match=r"Dense 'head'.*(batch axis|x\[None\])"):
        dense(x)
    assert not dense.built and dense.parameters() == []


def test_dense_refuses_a_shape_without_a_feature_axis_and_stays_unbuilt() -> None:
    """A per-sample shape of rank 0 fails in build; the failed build leaves no parameters."""
    dense = tn.layers.Dense(2, name="head")
    with pytest.raises(ShapeError, match=r"Dense 'head'.*\(batch, \.\.\., features\).*\(\)"):
        dense.ensure_built(())
    assert not dense.built and dense.parameters() == []
    assert dense(np.ones((4, 2, 3))).shape == (4, 2, 2)


def test_huge_finite_float32_values_are_accepted_without_any_warning() -> None:
    """3e38 everywhere is finite although its sum overflows: no error, no NumPy warning."""
    layer = ScaledTanh()
    x = np.full((64, 3), 3e38, dtype=np.float32)
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        y = layer(x)
        layer.backward(np.ones_like(y))
    np.testing.assert_array_equal(y, 1.0)


def test_float64_values_that_overflow_float32_are_refused_clearly() -> None:
    """1e300 is finite in float64 but not representable in the float32 layer: a clear InvalidValueError."""
    layer = ScaledTanh()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidValueError):
            layer(np.full((2, 3), 1e300))
    assert not layer.built


# ---------------------------------------------------------------------------- call order
def test_backward_before_forward_is_a_call_order_error() -> None:
    """backward on a built layer that never ran forward raises CallOrderError (a RuntimeError)."""
    layer = ScaledTanh()
    layer.ensure_built((3,))
    with pytest.raises(CallOrderError, match="before forward") as info:
        layer.backward(np.ones((2, 3)))
    assert isinstance(info.value, RuntimeError)


def test_add_parameter_after_build_is_a_call_order_error() -> None:
    """Parameters are created in build only."""
    layer, _ = built_scaled_tanh()
    with pytest.raises(CallOrderError, match=r"ScaledTanh 'probe'.*add_parameter\('beta'\).*build"):
        layer.add_parameter("beta", (3,))
    assert [p.name for p in layer.parameters()] == ["alpha"]


class TwiceNamed(tn.Layer):
    def build(self, input_shape):
        self.add_parameter("w", input_shape)
        self.add_parameter("w", input_shape)

    def forward(self, x, training=False):
        return x


def test_duplicate_parameter_name_is_refused_and_leaves_the_layer_unbuilt() -> None:
    """Two parameters named alike in one layer is an InvalidValueError; the failed build leaves no trace."""
    layer = TwiceNamed(name="twice")
    with pytest.raises(InvalidValueError, match=r"TwiceNamed 'twice'.*'w'"):
        layer(np.ones((1, 2)))
    assert not layer.built and layer.parameters() == []


class FailsOnWideInput(tn.Layer):
    """Creates one parameter, then fails for inputs wider than 3 features."""

    def build(self, input_shape):
        self.first = self.add_parameter("first", input_shape)
        if input_shape[0] > 3:
            raise ValueError("too wide")
        self.second = self.add_parameter("second", input_shape, initializer="ones")

    def forward(self, x, training=False):
        self.remember(x=x)
        return x * self.first.value + self.second.value


def test_a_build_that_raises_halfway_leaves_no_trace() -> None:
    """The half-created parameter and attribute vanish; a later good call builds cleanly."""
    layer = FailsOnWideInput()
    with pytest.raises(ValueError, match="too wide"):
        layer(np.ones((2, 5)))
    assert not layer.built and layer.parameters() == [] and not hasattr(layer, "first")
    y = layer(np.ones((2, 3)))
    assert layer.built and [p.name for p in layer.parameters()] == ["first", "second"]
    np.testing.assert_array_equal(y, 1.0)


# ---------------------------------------------------------------------------- memory
def test_remember_replaces_and_recall_of_a_missing_name_is_a_call_order_error() -> None:
    """A second remember drops every earlier key; recall of an unknown key names what is there."""
    layer = ScaledTanh()
    layer.remember(a=1, b=2)
    assert layer.recall("a", "b") == (1, 2)
    layer.remember(c=3)
    assert layer.recall("c") == (3,)
    with pytest.raises(CallOrderError, match=r"'a'.*\['c'\]"):
        layer.recall("a")


def test_compute_output_shape_leaves_the_remembered_memory_untouched() -> None:
    """The shape probe runs forward on zeros but restores what the last real forward remembered."""
    layer, x = built_scaled_tanh()
    layer.alpha.value = [0.5, 2.0, -1.0]
    y = layer(x)
    (t_before,) = layer.recall("t")
    assert layer.compute_output_shape((3,)) == (3,)
    assert layer.recall("t")[0] is t_before
    upstream = np.random.default_rng(1).normal(size=y.shape).astype(np.float32)
    dx = layer.backward(upstream)
    t = np.tanh(x.astype(np.float32))
    np.testing.assert_allclose(layer.alpha.grad, (upstream * t).sum(axis=0), rtol=1e-6)
    np.testing.assert_allclose(dx, upstream * layer.alpha.value * (1 - t * t), rtol=1e-6)


# ---------------------------------------------------------------------------- astype
def test_astype_casts_parameters_in_place_and_drops_memory() -> None:
    """astype('float64') keeps the Parameter objects, casts nested layers, and requires a new forward."""
    model = tn.Sequential([tn.layers.Dense(3, activation="tanh"), tn.layers.Dense(1)])
    model(np.ones((2, 2)))
    params = model.parameters()
    assert model.astype("float64") is model
    assert all(a is b for a, b in zip(model.parameters(), params, strict=False))
    assert all(p.value.dtype == p.grad.dtype == np.float64 for p in params)
    assert all(layer.dtype == np.float64 for layer in model.walk())
    with pytest.raises(CallOrderError, match="before forward"):
        model.backward(np.ones((2, 1)))
    y = model(np.ones((2, 2), dtype=np.float32))
    assert y.dtype == np.float64 and model.backward(np.ones_like(y)).dtype == np.float64


@pytest.mark.parametrize("dtype", ["int32", "complex128", "not-a-dtype"])
def test_astype_to_a_non_float_dtype_is_refused(dtype: str) -> None:
    """Only floating dtypes; nothing is cast when the dtype is refused."""
    layer, _ = built_scaled_tanh()
    with pytest.raises(InvalidTypeError, match="float"):
        layer.astype(dtype)
    assert layer.dtype == np.float32 and layer.alpha.dtype == np.float32


# ---------------------------------------------------------------------------- freezing
def test_trainable_false_freezes_every_nested_layer_and_unfreezing_restores() -> None:
    """A frozen Sequential exposes no trainable parameters; parameters() still lists them all."""
    inner = tn.Sequential([tn.layers.Dense(2), tn.layers.Dense(1)])
    model = tn.Sequential([tn.layers.Dense(3, activation="relu"), inner])
    model(np.ones((2, 4)))
    everything = model.parameters()
    assert len(everything) == 6
    model.trainable = False
    assert all(not layer.trainable for layer in model.walk())
    assert model.parameters(trainable_only=True) == [] and model.trainable_parameters() == []
    assert model.parameters() == everything
    model.trainable = True
    assert model.trainable_parameters() == everything
    inner.trainable = False
    assert model.trainable_parameters() == everything[:2]


# ---------------------------------------------------------------------------- own parameters and generators
def test_own_parameters_are_the_layers_own_not_its_sub_layers() -> None:
    """``parameters()`` is the walk's ``own_parameters()``, layer after layer; the list is a copy."""
    model = tn.Sequential([tn.layers.Dense(3, input_shape=(2,)), tn.Sequential([tn.layers.Dense(1)])])
    assert model.own_parameters() == []
    assert [p.name for p in model.layers[0].own_parameters()] == ["kernel", "bias"]
    assert model.parameters() == [p for layer in model.walk() for p in layer.own_parameters()]
    model.layers[0].own_parameters().clear()
    assert len(model.layers[0].own_parameters()) == 2


class TwoGenerators(tn.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.noise = np.random.default_rng(1)
        self._hidden = np.random.default_rng(2)
        self.not_a_generator = np.random.PCG64(3)


def test_random_generators_lists_the_public_generator_attributes_of_the_layer_itself() -> None:
    layer = TwoGenerators()
    assert layer.random_generators() == {"noise": layer.noise}
    dropout = tn.layers.Dropout(0.5, seed=0)
    assert dropout.random_generators() == {"rng": dropout.rng} and dropout.random_generators()["rng"] is dropout.rng
    model = tn.Sequential([tn.layers.Dense(2, input_shape=(2,)), dropout])
    model.compile(optimizer="sgd", loss="mse")  # fit's shuffling generator is training state, not listed here
    assert model.random_generators() == {}
    assert tn.layers.Dense(2).random_generators() == {}


# ---------------------------------------------------------------------------- names
@pytest.mark.parametrize("name", ["", 5, b"dense", ["x"]])
def test_a_name_that_is_not_a_non_empty_string_is_refused(name: object) -> None:
    with pytest.raises(InvalidTypeError, match="name must be a non-empty string"):
        ScaledTanh(name=name)


def test_auto_names_are_snake_case_with_numbered_suffixes() -> None:
    """The first instance of a class takes the snake-cased class name, later ones _1, _2 (as in Keras)."""

    class MyCamelCaseBlock(tn.Layer):
        pass

    names = [MyCamelCaseBlock().name for _ in range(3)]
    match = re.fullmatch(r"my_camel_case_block(?:_(\d+))?", names[0])
    assert match is not None, names
    first = int(match.group(1) or 0)
    assert names[1:] == [f"my_camel_case_block_{first + 1}", f"my_camel_case_block_{first + 2}"]
    assert tn.layers.Dense(1).name.startswith("dense")
    assert ScaledTanh(name="mine").name == "mine"


# ---------------------------------------------------------------------------- weights
def two_dense() -> tn.Sequential:
    tn.utils.set_random_seed(3)
    model = tn.Sequential([tn.layers.Dense(3, activation="relu"), tn.layers.Dense(2)])
    model(np.ones((1, 4)))
    return model


def test_get_weights_returns_copies() -> None:
    """Writing into the returned arrays does not touch the parameters."""
    model = two_dense()
    before = snapshot(model)
    for w in model.get_weights():
        w[...] = 42.0
    assert_bitwise_unchanged(model, before)


def test_set_weights_copies_and_casts() -> None:
    """set_weights takes float64 lists, stores float32 copies, and the caller's arrays stay independent."""
    model = two_dense()
    new = [np.full(w.shape, 0.25) for w in model.get_weights()]
    model.set_weights(new)
    new[0][...] = 9.0
    assert all(p.dtype == np.float32 and (p.value == 0.25).all() for p in model.parameters())


def _last_wrong(model: tn.Layer, kind: str) -> list:
    weights = [w + 1.0 for w in model.get_weights()]
    if kind == "count":
        return weights[:-1]
    if kind == "shape":
        weights[-1] = np.zeros(weights[-1].shape[0] + 1)
    elif kind == "nan":
        weights[-1][-1] = np.nan
    elif kind == "inf":
        weights[-1][0] = -np.inf
    elif kind == "type":
        weights[-1] = np.array(["a"] * weights[-1].shape[0])
    return weights


@pytest.mark.parametrize(
    "kind, error, fragment",
    [
        ("count", InvalidValueError, r"list of 4 arrays.*received 3"),
        ("shape", ShapeError, r"weight 3 \('bias'\).*\(2,\).*\(3,\)"),
        ("nan", InvalidValueError, r"weight 3 \('bias'\).*NaN or Inf.*index \(1,\)"),
        ("inf", InvalidValueError, r"weight 3 \('bias'\).*NaN or Inf"),
        ("type", InvalidTypeError, r"weight 3 \('bias'\)"),
    ],
)
def test_failing_set_weights_changes_no_parameter(kind: str, error: type, fragment: str) -> None:
    """Every array is checked before any is set: a bad LAST array leaves all parameters bitwise unchanged."""
    model = two_dense()
    before = snapshot(model)
    with pytest.raises(error, match=fragment):
        model.set_weights(_last_wrong(model, kind))
    assert_bitwise_unchanged(model, before)


def test_set_weights_refuses_a_non_list() -> None:
    model = two_dense()
    with pytest.raises(InvalidValueError, match="list of 4 arrays"):
        model.set_weights(np.zeros(4))


def test_set_weights_refuses_values_that_overflow_the_parameter_dtype() -> None:
    """A weight of 1e300 cannot be stored in float32: a clear error, and nothing changed."""
    model = two_dense()
    before = snapshot(model)
    weights = model.get_weights()
    weights[-1] = np.full(weights[-1].shape, 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidValueError):
            model.set_weights(weights)
    assert_bitwise_unchanged(model, before)


# ---------------------------------------------------------------------------- inference
def test_inference_nests_restores_on_error_and_is_per_thread() -> None:
    import threading

    from tinynet._memory import inference

    layer = tn.activations.ReLU()
    assert layer.remembering
    with inference():
        with inference():
            assert not layer.remembering
        assert not layer.remembering
        seen: list[bool] = []
        thread = threading.Thread(target=lambda: seen.append(layer.remembering))
        thread.start()
        thread.join()
        assert seen == [True]  # another thread trains as usual
    assert layer.remembering
    with pytest.raises(tn.errors.ShapeError), inference():
        tn.layers.Dense(2)(np.ones(3))  # raises inside the block
    assert layer.remembering
