"""Reused arrays (tinynet/_workspace.py), and the batch-last layout convolutions hand to the layers after them."""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet._workspace import KEEP_PER_PURPOSE, Workspace, in_layout_of, memory_order

RNG = np.random.default_rng(0)


def test_an_array_comes_back_only_once_nothing_holds_it() -> None:
    space = Workspace()
    first = space.empty("cols", (3, 4), np.float32)
    second = space.empty("cols", (3, 4), np.float32)
    assert not np.shares_memory(first, second)  # first is held here
    address = first.__array_interface__["data"][0]
    view = first[1:]
    del first
    third = space.empty("cols", (3, 4), np.float32)
    assert third.__array_interface__["data"][0] != address  # a view still holds it
    del view, third
    assert space.empty("cols", (3, 4), np.float32).__array_interface__["data"][0] == address


def test_purposes_shapes_and_dtypes_are_kept_apart_and_bounded() -> None:
    space = Workspace()
    a = space.empty("cols", (2, 2), np.float32)
    assert space.empty("dx", (2, 2), np.float32) is not a
    assert space.empty("cols", (2, 2), np.float64).dtype == np.float64
    held = [space.empty("cols", (n + 5,), np.float32) for n in range(3) for _ in range(3)]
    assert set(space._kept) == {"cols", "dx"}  # one shape per purpose: the last one asked for
    assert len(space._kept["cols"][2]) == KEEP_PER_PURPOSE
    assert all(array.shape == (7,) for array in space._kept["cols"][2]) and len(held) == 9


def test_empty_like_and_in_layout_of_follow_the_memory_order() -> None:
    space = Workspace()
    batch_last = RNG.standard_normal((3, 4, 5, 2)).astype(np.float32).transpose(3, 1, 2, 0)  # NHWC view
    like = space.empty_like("y", batch_last)
    assert like.shape == batch_last.shape and memory_order(like) == memory_order(batch_last)
    nhwc = np.ascontiguousarray(batch_last)
    moved = in_layout_of(nhwc, batch_last, space)
    assert memory_order(moved) == memory_order(batch_last)
    np.testing.assert_array_equal(moved, nhwc)
    assert in_layout_of(batch_last, batch_last) is batch_last


def _conv_pool_conv() -> list[tn.Layer]:
    return [
        tn.layers.Conv2D(3, 3, activation="relu", input_shape=(9, 9, 2)),
        tn.layers.MaxPool2D(2),
        tn.layers.Conv2D(4, 2, padding="same"),
    ]


def test_a_convolution_hands_on_batch_last_memory_and_the_results_equal_contiguous_inputs() -> None:
    conv, pool, conv2 = _conv_pool_conv()
    x = RNG.standard_normal((5, 9, 9, 2)).astype(np.float32)
    tn.Sequential([conv, pool, conv2])(x)  # builds them
    y = conv.forward(x, training=True)
    assert not y.flags.c_contiguous and y.transpose(3, 1, 2, 0).flags.c_contiguous
    for layer in (pool, conv2):  # each fed its input as it comes and as a C-contiguous copy
        out = layer.forward(y, training=True)
        grad = RNG.standard_normal(out.shape).astype(np.float32)
        dx = layer.backward(grad)
        kernel_grad = None if not layer.parameters() else layer.parameters()[0].grad.copy()
        out_c = layer.forward(np.ascontiguousarray(y), training=True)
        np.testing.assert_allclose(out, out_c, rtol=1e-6, atol=1e-6)
        for upstream in (grad, np.ascontiguousarray(grad.transpose(3, 1, 2, 0)).transpose(3, 1, 2, 0)):
            np.testing.assert_allclose(layer.backward(upstream), dx, rtol=1e-5, atol=1e-6)
            if kernel_grad is not None:
                np.testing.assert_allclose(layer.parameters()[0].grad, kernel_grad, rtol=1e-5, atol=1e-6)
        y = out


def test_a_layer_called_twice_before_backward_keeps_both_calls_apart() -> None:
    """A shared layer in a graph: its memory of the first call is kept aside while the second runs."""
    layer = tn.layers.Conv2D(2, 3, activation="relu")
    x1, x2 = (RNG.standard_normal((2, 6, 6, 1)).astype(np.float32) for _ in range(2))
    layer(x1)  # builds it
    layer.forward(x1, training=True)
    grad = RNG.standard_normal((2, 4, 4, 2)).astype(np.float32)
    dx_alone = layer.backward(grad).copy()
    first = layer.forward(x1, training=True)
    first_copy = first.copy()
    kept = {inner: inner._memory for inner in layer.walk()}
    layer.forward(x2, training=True)
    for inner, memory in kept.items():
        inner._memory = memory
    np.testing.assert_array_equal(first, first_copy)  # the second call wrote elsewhere
    np.testing.assert_allclose(layer.backward(grad), dx_alone, rtol=1e-6)


def test_predict_never_writes_over_an_array_it_returned() -> None:
    model = tn.Sequential(_conv_pool_conv())
    model.compile(optimizer="sgd", loss="mse")
    x = RNG.standard_normal((4, 9, 9, 2)).astype(np.float32)
    first = model.predict(x, verbose=0)
    kept = first.copy()
    model.fit(x, RNG.standard_normal(first.shape).astype(np.float32), epochs=2, batch_size=2, verbose=0)
    model.predict(2 * x, verbose=0)
    np.testing.assert_array_equal(first, kept)


@pytest.mark.parametrize("strides", [2, 3, 1])
def test_max_pool_gradient_with_an_nhwc_upstream_matches_the_batch_last_one(strides: int) -> None:
    pool = tn.layers.MaxPool2D(2, strides=strides)
    x = RNG.standard_normal((3, 4, 5, 7)).astype(np.float32).transpose(3, 1, 2, 0)  # batch last, 7 wide
    y = pool.forward(x, training=True)
    grad = RNG.standard_normal(y.shape).astype(np.float32)
    reference = pool.backward(np.ascontiguousarray(grad.transpose(3, 1, 2, 0)).transpose(3, 1, 2, 0)).copy()
    np.testing.assert_array_equal(pool.backward(grad), reference)
    np.testing.assert_array_equal(pool.forward(np.ascontiguousarray(x), training=True), y)


def test_a_pickled_or_copied_layer_carries_no_scratch_arrays() -> None:
    import copy
    import pickle

    layer = tn.layers.Conv2D(4, 3)
    x = RNG.standard_normal((8, 12, 12, 2)).astype(np.float32)
    y = layer(x)
    assert layer._space._kept  # the step's arrays, kept
    for twin in (pickle.loads(pickle.dumps(layer)), copy.deepcopy(layer)):
        assert twin._space._kept == {}
        np.testing.assert_array_equal(twin(x), y)
    assert len(pickle.dumps(layer._space)) < 200  # not the columns' 57 kB
