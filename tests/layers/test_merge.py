"""The merge layers' own rules: Keras's semantics, the tie rule, the refusals and the functional spellings.

The gradient contracts (central differences, float32, configs, memory) run from ``tests/cases/merge.py``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError
from tinynet.registry import get_registered_class

L = tn.layers
rng = np.random.default_rng(0)
A, B, C = (rng.normal(size=(4, 3)) for _ in range(3))


# ---------------------------------------------------------------------------- what each computes
@pytest.mark.parametrize(
    "layer, inputs, expected",
    [
        (L.Add(), [A, B, C], A + B + C),
        (L.Subtract(), [A, B], A - B),
        (L.Multiply(), [A, B, C], A * B * C),
        (L.Average(), [A, B, C], (A + B + C) / 3),
        (L.Maximum(), [A, B, C], np.maximum(np.maximum(A, B), C)),
        (L.Minimum(), [A, B, C], np.minimum(np.minimum(A, B), C)),
        (L.Concatenate(), [A, B[:, :2]], np.concatenate([A, B[:, :2]], axis=1)),
        (L.Dot(axes=1), [A, B], (A * B).sum(axis=1, keepdims=True)),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, tn.Layer) else "",
)
def test_each_layer_computes_what_keras_documents(layer: tn.Layer, inputs: list, expected: np.ndarray) -> None:
    layer = layer.astype("float64")
    np.testing.assert_allclose(layer(inputs), expected, rtol=1e-12)


def test_dot_of_rank3_inputs_is_a_batched_matrix_product() -> None:
    """Keras's batch_dot: x's other axes, then z's, with the summed axes gone."""
    x, z, w = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 5)), rng.normal(size=(2, 3, 6))

    def dot(axes: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return L.Dot(axes=axes, dtype="float64")([a, b])

    np.testing.assert_allclose(dot((2, 1), x, z), x @ z, rtol=1e-12)
    np.testing.assert_allclose(dot(1, x, w), np.einsum("nij,nik->njk", x, w), rtol=1e-12)
    np.testing.assert_allclose(dot(-1, x, z[:, :, 0]), np.einsum("nij,nj->ni", x, z[:, :, 0]), rtol=1e-12)
    np.testing.assert_allclose(dot((1, 2), z, x), np.einsum("nki,njk->nij", z, x), rtol=1e-12)
    assert L.Dot(axes=(2, 1)).compute_output_shape([(3, 4), (4, 5)]) == (3, 5)
    assert L.Dot(axes=1).compute_output_shape([(7,), (7,)]) == (1,)


def test_dot_normalize_gives_the_cosine_similarity() -> None:
    y = L.Dot(axes=1, normalize=True, dtype="float64")([A, B])
    cosine = (A * B).sum(axis=1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(y[:, 0], cosine, rtol=1e-12)


def test_dot_normalize_takes_zero_vectors_without_nan_or_warning() -> None:
    """The norm is taken as at least 1e-7 (Keras's epsilon): a zero vector gives 0 and finite gradients."""
    layer = L.Dot(axes=1, normalize=True)
    x = np.zeros((2, 3), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = layer([x, np.ones((2, 3))])
        dx, dz = layer.backward(np.ones_like(y))
    assert not y.any() and np.isfinite(dx).all() and not dz.any()
    np.testing.assert_allclose(dx, 1 / np.sqrt(3) / 1e-7, rtol=1e-6)  # d(x / 1e-7) . z / |z|
    tn.testing.check_gradients(L.Dot(axes=1, normalize=True), [np.zeros((2, 3)), np.ones((2, 3))])


def test_concatenate_backward_splits_the_gradient_along_its_axis() -> None:
    layer = L.Concatenate(axis=1, dtype="float64")
    x = [rng.normal(size=(2, 1, 3)), rng.normal(size=(2, 2, 3))]
    y = layer(x)
    grad = np.arange(y.size, dtype=np.float64).reshape(y.shape)
    first, second = layer.backward(grad)
    np.testing.assert_array_equal(first, grad[:, :1])
    np.testing.assert_array_equal(second, grad[:, 1:])


def test_add_returns_a_separate_gradient_for_each_input() -> None:
    """Writing into one input's gradient must change neither the other's nor the upstream gradient."""
    layer = L.Add()
    y = layer([A, B])
    grad = np.ones_like(y)
    da, db = layer.backward(grad)
    da += 1
    assert not np.shares_memory(da, db) and (db == 1).all() and (grad == 1).all()


def test_multiply_gradient_is_exact_at_zero() -> None:
    """No division by the input: a zero factor still gets the product of the others."""
    layer = L.Multiply(dtype="float64")
    a, b, c = np.zeros((1, 2)), np.array([[2.0, 3.0]]), np.array([[5.0, 7.0]])
    layer([a, b, c])
    da, db, dc = layer.backward(np.ones((1, 2)))
    np.testing.assert_array_equal(da, b * c)
    assert not db.any() and not dc.any()


# ---------------------------------------------------------------------------- ties
@pytest.mark.parametrize("cls", [L.Maximum, L.Minimum])
def test_a_tie_sends_the_whole_gradient_to_the_first_input_holding_the_extreme(cls: type) -> None:
    """Entry by entry, the earliest input holding the extreme gets all of grad; the others get 0."""
    a = np.array([[1.0, 2.0, 0.0, 5.0]])
    b = np.array([[1.0, 3.0, 0.0, 5.0]])
    c = np.array([[0.0, 3.0, 0.0, 5.0]]) if cls is L.Maximum else np.array([[2.0, 2.0, 0.0, -1.0]])
    layer = cls(dtype="float64")
    layer([a, b, c])
    grads = layer.backward(np.array([[10.0, 20.0, 30.0, 40.0]]))
    if cls is L.Maximum:  # maxima: a (tie a, b), b (tie b, c), a (three-way tie), a (three-way tie)
        expected = [[10.0, 0.0, 30.0, 40.0], [0.0, 20.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    else:  # minima: a (tie a, b), a (tie a, c), a (three-way tie), c
        expected = [[10.0, 20.0, 30.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 40.0]]
    for grad, want in zip(grads, expected, strict=True):
        np.testing.assert_array_equal(grad, [want])


# ---------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("cls", [L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum, L.Concatenate])
def test_a_single_array_is_refused(cls: type) -> None:
    with pytest.raises(InvalidTypeError, match=rf"{cls.__name__} .*takes a list of .*2 arrays.*received one input"):
        cls()(A)


@pytest.mark.parametrize("cls", [L.Add, L.Multiply, L.Average, L.Maximum, L.Minimum, L.Concatenate])
def test_fewer_than_two_inputs_are_refused(cls: type) -> None:
    with pytest.raises(InvalidValueError, match=r"at least 2 inputs, received 1"):
        cls()([A])


@pytest.mark.parametrize("make", [L.Subtract, lambda: L.Dot(axes=1)], ids=["subtract", "dot"])
def test_subtract_and_dot_take_exactly_two(make: Callable[[], tn.Layer]) -> None:
    with pytest.raises(InvalidValueError, match=r"exactly 2 inputs, received 3"):
        make()([A, B, C])
    with pytest.raises(InvalidValueError, match=r"exactly 2 inputs, received 1"):
        make()([A])


@pytest.mark.parametrize("cls", [L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum])
def test_elementwise_layers_refuse_different_shapes_naming_both(cls: type) -> None:
    expected = rf"{cls.__name__} .*expected .*per-sample shape \(3,\).*received \[\(3,\), \(2,\)\]"
    with pytest.raises(ShapeError, match=expected):
        cls()([A, B[:, :2]])


def test_concatenate_refuses_the_batch_axis_other_ranks_and_other_sizes() -> None:
    with pytest.raises(InvalidValueError, match="batch axis"):
        L.Concatenate(axis=0)
    with pytest.raises(ShapeError, match="not a per-sample axis"):
        L.Concatenate(axis=2)([A, B])
    with pytest.raises(ShapeError, match="not a per-sample axis"):
        L.Concatenate(axis=-2)([A, B])  # the batch axis, counted from the end
    with pytest.raises(ShapeError, match="one rank"):
        L.Concatenate()([A, np.zeros((4, 3, 1))])
    with pytest.raises(ShapeError, match=r"equal except on axis 1.*received \[\(2, 3\), \(2, 4\)\]"):
        L.Concatenate(axis=1)([np.zeros((4, 2, 3)), np.zeros((4, 2, 4))])


@pytest.mark.parametrize(
    "axes, error, match",
    [
        (0, InvalidValueError, "batch axis"),
        ((1, 0), InvalidValueError, "batch axis"),
        ((1, 2, 3), InvalidValueError, "an int or a pair"),
        ("1", InvalidValueError, "axes"),
        (1.5, InvalidValueError, "axes"),
    ],
)
def test_dot_refuses_bad_axes(axes: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        L.Dot(axes=axes)


def test_dot_refuses_axes_of_other_sizes_or_out_of_range() -> None:
    with pytest.raises(ShapeError, match=r"one size, received 3 \(axis 1 of \(batch, 3\)\) and 2"):
        L.Dot(axes=1)([A, B[:, :2]])
    with pytest.raises(ShapeError, match="not per-sample axes"):
        L.Dot(axes=2)([A, B])
    with pytest.raises(ShapeError, match="not per-sample axes"):
        L.Dot(axes=-2)([A, B])
    with pytest.raises(InvalidTypeError, match="normalize"):
        L.Dot(axes=1, normalize=1)


def test_a_built_merge_layer_refuses_other_shapes() -> None:
    layer = L.Add()
    layer([A, B])
    with pytest.raises(ShapeError, match=r"expected input of shape \[\(batch, 3\), \(batch, 3\)\]"):
        layer([A[:, :2], B[:, :2]])
    with pytest.raises(ShapeError, match="same number of samples"):
        layer([A, B[:2]])


# ---------------------------------------------------------------------------- functional spellings, configs
@pytest.mark.parametrize(
    "function, cls, kwargs",
    [
        (L.add, L.Add, {}),
        (L.subtract, L.Subtract, {}),
        (L.multiply, L.Multiply, {}),
        (L.average, L.Average, {}),
        (L.maximum, L.Maximum, {}),
        (L.minimum, L.Minimum, {}),
        (L.concatenate, L.Concatenate, {"axis": 1}),
        (L.dot, L.Dot, {"axes": 1, "normalize": True}),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_functional_spellings_equal_the_layers(function: Callable[..., Any], cls: type, kwargs: dict) -> None:
    got = function([A, B], **kwargs, name="merged", dtype="float64")
    want = cls(**kwargs, dtype="float64")([A, B])
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "layer",
    [
        L.Add(name="a"),
        L.Concatenate(axis=-2),
        L.Dot(axes=(2, 1), normalize=True),
        L.Dot(axes=-1),
        L.Maximum(input_shape=[(3,), (3,)]),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_configs_round_trip_through_json(layer: tn.Layer) -> None:
    config = json.loads(json.dumps(layer.get_config()))
    clone = get_registered_class(type(layer).__name__).from_config(config)
    assert clone.get_config() == layer.get_config()
    if isinstance(layer, L.Dot):
        assert clone.axes == layer.axes and clone.normalize == layer.normalize
    if layer.get_config().get("input_shape"):  # a declared list of shapes, one per input, builds the clone for them
        assert tn.Sequential([clone]).built and clone.input_shape == [(3,), (3,)]


def test_float32_inputs_give_float32_outputs_and_gradients() -> None:
    x = [rng.normal(size=(2, 3, 4)).astype(np.float32), rng.normal(size=(2, 4, 3)).astype(np.float32)]
    for layer in (L.Dot(axes=(2, 1), normalize=True), L.Concatenate(axis=1), L.Maximum()):
        inputs = x if isinstance(layer, L.Dot) else [x[0], x[1].transpose(0, 2, 1)]
        y = layer(inputs)
        assert y.dtype == np.float32
        assert all(g.dtype == np.float32 for g in layer.backward(np.ones_like(y)))


def test_a_sequential_passes_a_list_of_inputs_to_its_first_layer() -> None:
    model = tn.Sequential([L.Concatenate(), L.Dense(2)])
    assert model([A, B]).shape == (4, 2)
    assert model.compute_output_shape([(3,), (3,)]) == (2,)


def test_merge_layers_in_a_graph_model(tmp_path: Path) -> None:
    """The functional spellings on symbolic tensors record nodes; the model runs, its gradients check, it saves."""
    a, b = tn.Input(shape=(3,), name="a"), tn.Input(shape=(3,), name="b")
    summed = L.add([L.Dense(4, name="from_a")(a), L.Dense(4, name="from_b")(b)])
    joined = L.concatenate([a, b], name="joined")
    both = L.Dense(4, activation="tanh", name="from_both")(joined)
    cosine = L.dot([summed, both], axes=1, normalize=True)
    assert summed.shape == (None, 4) and joined.shape == (None, 6) and cosine.shape == (None, 1)
    out = L.Dense(1, name="out")(L.concatenate([cosine, L.maximum([summed, both]), L.subtract([a, b])]))
    model = tn.Model([a, b], out)
    x = [rng.normal(size=(5, 3)), rng.normal(size=(5, 3))]
    y = model(x)
    assert y.shape == (5, 1)
    tn.testing.check_gradients(model, x)
    model.save(tmp_path / "model.npz")
    np.testing.assert_array_equal(tn.load_model(tmp_path / "model.npz")(x), y)
