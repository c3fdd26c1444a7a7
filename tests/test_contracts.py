"""Every catalogue case through the same properties: gradients, memory, dtypes, shapes and configs, generically.

A case's input is one array or, for a layer that takes several (the merge layers, attention), a list of arrays:
then ``backward`` returns one gradient per input (``None`` for one that has none, an attention mask) and every
property holds for each of them. A case's ``options`` (attention's ``use_causal_mask``) go to every ``forward``.
Likewise a layer may return a list of outputs (a recurrent layer with ``return_state=True``): its ``backward``
then takes one gradient per output, and every property holds for each of them.
"""

from __future__ import annotations

import copy
import inspect
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet._memory import inference
from tinynet.registry import get_registered_class, registered_name

from .cases import CASE_FAMILY, FAMILIES, LAYER_CASES, LOSS_CASES, LayerCase, LossCase, each, family, input_shape
from .cases.base import Inputs

layer_cases = pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: c.id)
activation_cases = pytest.mark.parametrize(
    "case", [c for c in LAYER_CASES if isinstance(c.make(), tn.Activation) and not c.options], ids=lambda c: c.id
)  # forward_in_place takes no call options: a masked Softmax layer is run by forward alone
loss_cases = pytest.mark.parametrize("case", LOSS_CASES, ids=lambda c: c.id)


def built(case: LayerCase, x: Inputs, dtype: str = "float64") -> tn.Layer:
    layer = case.make().astype(dtype)
    layer.ensure_built(input_shape(x))
    return layer


def cast(layer: tn.Layer, x: Inputs, dtype: object = None) -> Inputs:
    """``x`` as the layer takes it: indices stay integers, anything else becomes ``dtype`` (the layer's)."""
    return x if layer.takes_indices else each(lambda a: a.astype(dtype or layer.dtype), x)


def assert_same(a: Inputs | None, b: Inputs | None) -> None:
    """Bitwise equal, input gradient by input gradient; ``None`` (an index-taking layer's) only equals ``None``."""
    assert (a is None) == (b is None)
    assert isinstance(a, list) == isinstance(b, list)
    if isinstance(a, list):
        assert len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            assert (u is None) == (v is None)
            if u is not None:
                np.testing.assert_array_equal(u, v)
    elif a is not None:
        np.testing.assert_array_equal(a, b)


def gradients(dx: Inputs | None) -> list[np.ndarray]:
    """The input gradients ``backward`` returned, as a list (empty for ``None``; an input's ``None`` left out)."""
    return [] if dx is None else [d for d in dx if d is not None] if isinstance(dx, list) else [dx]


def outputs(y: Inputs) -> list[np.ndarray]:
    """A layer's outputs as a list: the list it returned, or its one output."""
    return y if isinstance(y, list) else [y]


def upstream_for(y: Inputs) -> Inputs:
    """A random float64 dL/dy in the form of ``y`` (one array per output), the same on every call."""
    rng = np.random.default_rng(3)
    return each(lambda a: rng.standard_normal(a.shape), y)


def run(
    layer: tn.Layer, x: Inputs, upstream: np.ndarray | None = None, training: bool = False, options: dict | None = None
):
    """forward then backward; returns (y, dx, [grads]); dx is a list of gradients for a list of inputs."""
    y = layer.forward(cast(layer, x), training=training, **(options or {}))
    upstream = upstream_for(y) if upstream is None else upstream
    dx = layer.backward(each(lambda u: u.astype(layer.dtype), upstream))
    return y, dx, [p.grad.copy() for p in layer.parameters()]


# ---------------------------------------------------------------------------- gradients
@layer_cases
def test_layer_gradients_along_random_directions(case: LayerCase) -> None:
    @given(case.inputs(), st.integers(0, 2**16))
    def prop(x: Inputs, seed: int) -> None:
        tn.testing.check_gradients(
            case.make(), x, training=case.training, options=case.options_for(x), directions=3, seed=seed
        )

    prop()


@layer_cases
def test_layer_gradients_entry_by_entry(case: LayerCase) -> None:
    x = case.fixed_input()
    tn.testing.check_gradients(case.make(), x, training=case.training, options=case.options_for(x))


@loss_cases
def test_loss_gradients_entry_by_entry(case: LossCase) -> None:
    @given(case.data())
    def prop(data: tuple) -> None:
        y_true, y_pred, weights = data
        tn.testing.check_gradients(case.make(), y_true, y_pred, sample_weight=weights)

    prop()


# ---------------------------------------------------------------------------- padding masks
padded_cases = pytest.mark.parametrize("case", [c for c in LAYER_CASES if c.padded], ids=lambda c: c.id)


@padded_cases
def test_padded_steps_change_no_output_and_get_no_gradient(case: LayerCase) -> None:
    """What a padded step holds changes no output and no parameter gradient, and its own gradient is 0."""

    @given(case.inputs(), st.integers(0, 2**16))
    def prop(x: Inputs, seed: int) -> None:
        options = case.options_for(x)
        xs, masks = (x, options["mask"]) if isinstance(x, list) else ([x], [options["mask"]])
        rng = np.random.default_rng(seed)
        refilled = [
            a if m is None else np.where(m.reshape(*m.shape, *[1] * (a.ndim - 2)), a, rng.normal(size=a.shape) * 9)
            for a, m in zip(xs, masks, strict=True)
        ]
        layer = built(case, x)
        y, dx, grads = run(layer, x, options=options)
        y_refilled, dx_refilled, grads_refilled = run(
            layer, refilled if isinstance(x, list) else refilled[0], options=options
        )
        for a, b in zip(outputs(y), outputs(y_refilled), strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
        for a, b in zip(grads, grads_refilled, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)
        dxs = dx if isinstance(dx, list) else [dx]
        for d, m in zip(dxs, masks, strict=False):
            if d is not None and m is not None:
                assert not d[~m].any(), "a padded step got a gradient"

    prop()


# ---------------------------------------------------------------------------- backward semantics
@layer_cases
def test_zero_upstream_gives_zero_gradients(case: LayerCase) -> None:
    x = case.fixed_input()
    layer = built(case, x)
    y = layer.forward(x, training=case.training, **case.options_for(x))
    dx = layer.backward(each(np.zeros_like, y))
    assert dx is None if layer.takes_indices else gradients(dx) and not any(d.any() for d in gradients(dx))
    assert all(not p.grad.any() for p in layer.parameters())


@layer_cases
def test_backward_twice_gives_the_same_gradients(case: LayerCase) -> None:
    x = case.fixed_input()
    layer = built(case, x)
    y, dx, grads = run(layer, x, training=case.training, options=case.options_for(x))
    dx_again = layer.backward(upstream_for(y))
    assert_same(dx, dx_again)
    for before, p in zip(grads, layer.parameters(), strict=True):
        np.testing.assert_array_equal(before, p.grad)


@layer_cases
def test_backward_without_input_grad_sets_the_gradients_backward_sets(case: LayerCase) -> None:
    """With ``needs_input_grad`` false (a model's first layer in training) a layer may skip dL/dInput, and
    nothing else: its parameters get the gradients of a full backward, and what it returns is ``None`` or dx."""
    x = case.fixed_input()
    layer = built(case, x)
    y, dx, grads = run(layer, x, training=case.training, options=case.options_for(x))
    for p in layer.parameters():
        p.grad = np.zeros_like(p.grad)
    layer.needs_input_grad = False
    returned = layer.backward(upstream_for(y))
    if returned is not None:
        assert_same(returned, dx)
    for expected, p in zip(grads, layer.parameters(), strict=True):
        np.testing.assert_array_equal(p.grad, expected)


@layer_cases
def test_inference_gives_forwards_output_and_keeps_the_memory(case: LayerCase) -> None:
    """Under inference (predict, evaluate) a forward may take a shortcut, but not to another result."""
    x = case.fixed_input()
    layer = built(case, x)
    y, dx, grads = run(layer, x, training=case.training, options=case.options_for(x))
    with inference():
        assert not layer.remembering
        y_inference = layer.forward(cast(layer, x), training=case.training, **case.options_for(x))
    if not case.training:  # a training forward may be random (dropout): compare only the deterministic ones
        assert_same(y_inference, y)
    assert_same(layer.backward(upstream_for(y)), dx)  # the memory of run()
    for expected, p in zip(grads, layer.parameters(), strict=True):
        np.testing.assert_array_equal(p.grad, expected)


@layer_cases
def test_forward_and_backward_leave_their_arguments_unchanged(case: LayerCase) -> None:
    """Only forward_in_place may write over its argument; forward and backward never do."""
    x = case.fixed_input()
    layer = built(case, x)
    x_in = cast(layer, x)
    x_before = each(np.copy, x_in)
    y = layer.forward(x_in, training=case.training, **case.options_for(x))
    upstream = each(lambda u: u.astype(layer.dtype), upstream_for(y))
    upstream_before = each(np.copy, upstream)
    layer.backward(upstream)
    assert_same(x_in, x_before)
    assert_same(upstream, upstream_before)


@activation_cases
def test_an_activation_in_place_computes_what_forward_computes(case: LayerCase) -> None:
    """forward_in_place (what Dense and Conv use on their fresh z) gives forward's output and backward."""
    x = case.fixed_input()
    layer = built(case, x)
    y, dx, _ = run(layer, x, training=case.training, options=case.options_for(x))
    owned = cast(layer, x).copy()
    y_in_place = layer.forward_in_place(owned, training=case.training)
    np.testing.assert_array_equal(y_in_place, y)
    assert_same(layer.backward(upstream_for(y)), dx)


@layer_cases
def test_no_stale_memory_after_two_forwards(case: LayerCase) -> None:
    x1 = case.fixed_input()
    rng = np.random.default_rng(11)
    x2 = (
        case.fixed_input()[::-1].copy()
        if case.index_range
        else each(lambda a: rng.uniform(case.low, case.high, size=a.shape), x1)
    )
    twice = built(case, x1)
    twice.forward(x1, training=case.training, **case.options_for(x1))
    fresh = copy.deepcopy(twice)
    _, dx_twice, grads_twice = run(twice, x2, training=case.training, options=case.options_for(x2))
    _, dx_fresh, grads_fresh = run(fresh, x2, training=case.training, options=case.options_for(x2))
    assert_same(dx_twice, dx_fresh)
    for a, b in zip(grads_twice, grads_fresh, strict=True):
        np.testing.assert_array_equal(a, b)


@layer_cases
def test_float32_in_gives_float32_out(case: LayerCase) -> None:
    layer = case.make()
    x = cast(layer, case.fixed_input(), np.float32)
    y = layer(x, training=case.training, **case.options_for(x))
    dx = layer.backward(each(np.ones_like, y))
    assert all(a.dtype == np.float32 for a in outputs(y)) and (dx is None if layer.takes_indices else gradients(dx))
    assert all(d.dtype == np.float32 for d in gradients(dx))
    assert all(p.value.dtype == p.grad.dtype == np.float32 for p in layer.parameters())


@layer_cases
def test_backward_before_forward_is_refused(case: LayerCase) -> None:
    layer = built(case, case.fixed_input())
    shape = layer.compute_output_shape(layer.input_shape, **case.options)
    grad = [np.ones((3, *s)) for s in shape] if isinstance(shape, list) else np.ones((3, *shape))
    with pytest.raises(tn.errors.CallOrderError, match="before forward"):
        layer.backward(grad)


@layer_cases
def test_compute_output_shape_matches_forward(case: LayerCase) -> None:
    x = case.fixed_input()
    layer = built(case, x)
    shapes = each(lambda a: a.shape[1:], layer.forward(x, **case.options_for(x)))
    assert layer.compute_output_shape(input_shape(x), **case.options) == shapes


# ---------------------------------------------------------------------------- config
@layer_cases
def test_layer_config_round_trips_through_json(case: LayerCase) -> None:
    x = case.fixed_input()
    layer = built(case, x)
    if not case.saves:
        with pytest.raises(tn.errors.InvalidTypeError, match="never store"):
            layer.get_config()
        return
    config = json.loads(json.dumps(layer.get_config()))
    clone = get_registered_class(registered_name(type(layer))).from_config(config)
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()
    clone.ensure_built(input_shape(x))
    clone.set_weights(layer.get_weights())
    assert_same(clone.forward(x, **case.options_for(x)), layer.forward(x, **case.options_for(x)))


@loss_cases
def test_loss_config_round_trips_through_json(case: LossCase) -> None:
    loss = case.make()
    config = json.loads(json.dumps(loss.get_config()))
    clone = get_registered_class(type(loss).__name__).from_config(config)
    assert type(clone) is type(loss) and clone.get_config() == loss.get_config()


# ---------------------------------------------------------------------------- losses
def _fixed_loss_data(case: LossCase) -> tuple:
    if case.fixed is not None:
        return case.fixed()
    rng = np.random.default_rng(5)
    loss = case.make()
    classes = 3
    if isinstance(loss, tn.losses.SparseCategoricalCrossentropy):
        y_true = np.array([0, 2, 1, 1])
    elif isinstance(loss, tn.losses.CategoricalCrossentropy):
        y_true = np.eye(classes)[[0, 2, 1, 1]]
    else:
        y_true = rng.uniform(0, 1, size=(4, classes)).round()
    low = -4.0 if getattr(loss, "from_logits", True) else 0.05
    high = 4.0 if getattr(loss, "from_logits", True) else 0.95
    return y_true, rng.uniform(low, high, size=(4, classes))


@loss_cases
def test_loss_float32_in_gives_float32_out_and_a_python_float(case: LossCase) -> None:
    y_true, y_pred = _fixed_loss_data(case)
    loss = case.make()
    value = loss(y_true, y_pred.astype(np.float32))
    assert type(value) is float
    assert loss.backward().dtype == np.float32


@loss_cases
def test_loss_backward_twice_and_no_stale_memory(case: LossCase) -> None:
    y_true, y_pred = _fixed_loss_data(case)
    loss = case.make()
    loss(y_true, y_pred + 0.01 if getattr(loss, "from_logits", True) else y_pred * 0.9)
    loss(y_true, y_pred)
    first = loss.backward()
    np.testing.assert_array_equal(first, loss.backward())
    fresh = case.make()
    fresh(y_true, y_pred)
    np.testing.assert_array_equal(first, fresh.backward())


@loss_cases
def test_loss_backward_before_forward_is_refused(case: LossCase) -> None:
    with pytest.raises(tn.errors.CallOrderError, match="before forward"):
        case.make().backward()


@loss_cases
def test_sample_weights_of_one_change_nothing(case: LossCase) -> None:
    y_true, y_pred = _fixed_loss_data(case)
    loss = case.make()
    plain = loss(y_true, y_pred)
    grad = loss.backward()
    assert loss(y_true, y_pred, sample_weight=np.ones(len(y_pred))) == pytest.approx(plain, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), grad, rtol=1e-12)


@loss_cases
def test_loss_averages_per_sample(case: LossCase) -> None:
    """The mean over a batch equals the mean of one-sample losses: unequal batches weigh correctly."""
    if not case.per_sample:
        pytest.skip(f"{case.id} scores the batch as a whole")
    y_true, y_pred = _fixed_loss_data(case)
    loss = case.make()
    whole = loss(y_true, y_pred)
    singles = [loss(y_true[i : i + 1], y_pred[i : i + 1]) for i in range(len(y_pred))]
    assert whole == pytest.approx(np.mean(singles), rel=1e-12)


# ---------------------------------------------------------------------------- the guard
def _public_classes() -> list[type]:
    found = []
    for module in (tn.activations, tn.losses, tn.layers, tn.models):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, (tn.Layer, tn.Loss)):
                if obj not in (tn.Layer, tn.Activation, tn.Loss, tn.Model, tn.layers.ActivatedLayer, tn.layers.RNNCell):
                    found.append(obj)
    return found


def test_every_public_class_has_a_case_in_its_familys_file() -> None:
    covered = {type(case.make()) for case in LAYER_CASES} | {type(case.make()) for case in LOSS_CASES}
    missing = sorted(
        f"{cls.__name__} (tests/cases/{family(cls)}.py)" for cls in _public_classes() if cls not in covered
    )
    assert not missing, f"no catalogue case for: {missing}"
    unknown = sorted({family(cls) for cls in _public_classes()} - set(FAMILIES))
    assert not unknown, f"families with no case module in tests/cases/: {unknown}"


def test_each_case_is_in_the_file_named_for_its_family() -> None:
    misplaced = [
        f"{case.id} ({type(case.make()).__name__}) is in tests/cases/{CASE_FAMILY[case.id]}.py, "
        f"not tests/cases/{family(type(case.make()))}.py"
        for case in [*LAYER_CASES, *LOSS_CASES]
        if family(type(case.make())) != CASE_FAMILY[case.id]
    ]
    assert not misplaced, misplaced
    assert len(CASE_FAMILY) == len(LAYER_CASES) + len(LOSS_CASES), "two cases share an id"


def test_the_guard_sees_the_classes_it_should() -> None:
    names = {cls.__name__ for cls in _public_classes()}
    assert {"ReLU", "Softmax", "Dense", "Sequential", "Huber", "SparseCategoricalCrossentropy"} <= names
