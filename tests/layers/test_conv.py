"""Conv2D and Conv1D against loop references and PyTorch; Keras's 'same' geometry; bad input.

The gradient contracts (central differences, float32, config) run from ``tests/cases/conv.py``.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet._im2col import Window, col2im, im2col
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers.conv import Conv1D, Conv2D


def random_bias() -> dict[str, tn.initializers.Initializer]:
    """A non-zero bias, so that a dropped or misplaced bias shows."""
    return {"bias_initializer": tn.initializers.RandomNormal(stddev=1.0, seed=5)}


# ---------------------------------------------------------------------------- loop references
def keras_geometry(n: int, k: int, s: int, d: int, padding: str) -> tuple[int, int, int]:
    """(output size, padding before, padding after) on one axis, as Keras (TensorFlow) computes them."""
    span = (k - 1) * d + 1
    if padding == "valid":
        return (n - span) // s + 1, 0, 0
    out = -(-n // s)
    if padding == "causal":
        return out, span - 1, 0
    total = max((out - 1) * s + span - n, 0)
    return out, total // 2, total - total // 2


def reference(x, kernel, bias, grad, strides, dilation, padding):
    """Forward and backward of a 2-D convolution by its definition: loops over samples, output pixels, filters.

    ``padding`` is one rule per axis. Returns ``z, dx, dkernel, dbias`` (``grad`` = dL/dz).
    """
    n, h, w, c = x.shape
    kh, kw, _, filters = kernel.shape
    (oh, top, bottom), (ow, left, right) = (
        keras_geometry(size, k, s, d, p)
        for size, k, s, d, p in zip((h, w), (kh, kw), strides, dilation, padding, strict=True)
    )
    xp = np.zeros((n, h + top + bottom, w + left + right, c))
    xp[:, top : top + h, left : left + w] = x
    dxp, dkernel = np.zeros_like(xp), np.zeros_like(kernel)
    z, dbias = np.zeros((n, oh, ow, filters)), np.zeros(filters)
    (sh, sw), (dh, dw) = strides, dilation
    for b in range(n):
        for p in range(oh):
            for q in range(ow):
                rows = slice(p * sh, p * sh + (kh - 1) * dh + 1, dh)
                cols = slice(q * sw, q * sw + (kw - 1) * dw + 1, dw)
                for f in range(filters):
                    z[b, p, q, f] = np.sum(xp[b, rows, cols, :] * kernel[..., f]) + (0.0 if bias is None else bias[f])
                    dxp[b, rows, cols, :] += grad[b, p, q, f] * kernel[..., f]
                    dkernel[..., f] += grad[b, p, q, f] * xp[b, rows, cols, :]
                    dbias[f] += grad[b, p, q, f]
    return z, dxp[:, top : top + h, left : left + w], dkernel, dbias


def run(layer: tn.Layer, x: np.ndarray, seed: int = 0):
    """forward and backward with a random upstream gradient: ``y, grad, dx``."""
    y = layer(x)
    grad = np.random.default_rng(seed).standard_normal(y.shape)
    return y, grad, layer.backward(grad)


def as_2d(layer: Conv1D | Conv2D) -> tuple[np.ndarray, np.ndarray | None]:
    """The layer's kernel as 4-D (Conv1D's (k, c, f) as (1, k, c, f)), and its bias or None."""
    kernel = layer.kernel.value
    bias = None if layer.bias is None else layer.bias.value
    return (kernel[None] if layer.rank == 1 else kernel), bias


@st.composite
def conv_problems(draw: st.DrawFn, rank: int = 2):
    """A random small convolution: geometry within Keras's rules, an input it fits, a layer."""
    paddings = ["valid", "same", "causal"] if rank == 1 else ["valid", "same"]
    padding = draw(st.sampled_from(paddings))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    strides = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    dilation = (1,) * rank if max(strides) > 1 else tuple(draw(st.integers(1, 3)) for _ in range(rank))
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
    sizes = [draw(st.integers(span if padding == "valid" else 1, span + 4)) for span in spans]
    shape = (draw(st.integers(1, 3)), *sizes, draw(st.integers(1, 3)))
    x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-5, 5, allow_subnormal=False)))
    cls = Conv1D if rank == 1 else Conv2D
    layer = cls(
        draw(st.integers(1, 3)),
        kernel,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
        use_bias=draw(st.booleans()),
        dtype="float64",
        **random_bias(),
    )
    return layer, x


def check_against_reference(layer: Conv1D | Conv2D, x: np.ndarray) -> None:
    y, grad, dx = run(layer, x)
    kernel, bias = as_2d(layer)
    ones = (1,) * (2 - layer.rank)
    padding = ("valid",) * (2 - layer.rank) + (layer.padding,) * layer.rank
    x2, grad2 = x.reshape(len(x), *ones, *x.shape[1:]), grad.reshape(len(grad), *ones, *grad.shape[1:])
    z, dx_ref, dkernel, dbias = reference(
        x2, kernel, bias, grad2, (*ones, *layer.strides), (*ones, *layer.dilation_rate), padding
    )
    np.testing.assert_allclose(y, z.reshape(y.shape), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, dx_ref.reshape(x.shape), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.kernel.grad, dkernel.reshape(layer.kernel.shape), rtol=1e-12, atol=1e-12)
    if layer.bias is not None:
        np.testing.assert_allclose(layer.bias.grad, dbias, rtol=1e-12, atol=1e-12)


@given(problem=conv_problems())
def test_conv2d_matches_the_loop_reference(problem) -> None:
    check_against_reference(*problem)


@given(problem=conv_problems(rank=1))
def test_conv1d_matches_the_loop_reference(problem) -> None:
    check_against_reference(*problem)


@given(problem=conv_problems())
def test_col2im_is_the_adjoint_of_im2col(problem) -> None:
    """<im2col(x), g> == <x, col2im(g)> for every g: the backward pass is the transpose of the forward."""
    layer, x = problem
    window = layer._window(x.shape[1:])
    cols = im2col(x.reshape(len(x), *window.size, x.shape[-1]), window)
    g = np.random.default_rng(1).standard_normal(cols.shape)
    dx = col2im(g, window, (len(x), *window.size, x.shape[-1]))
    assert np.sum(cols * g) == pytest.approx(np.sum(x.reshape(dx.shape) * dx), rel=1e-10, abs=1e-10)


# ---------------------------------------------------------------------------- Keras's geometry, pinned
@pytest.mark.parametrize(
    "size, kernel, stride, dilation, out, pads",
    [
        (5, 3, 1, 1, 5, (1, 1)),
        (7, 2, 1, 1, 7, (0, 1)),  # even kernel: the extra zero goes after (bottom / right)
        (6, 4, 1, 1, 6, (1, 2)),
        (5, 2, 2, 1, 3, (0, 1)),
        (6, 4, 2, 1, 3, (1, 1)),
        (4, 3, 2, 1, 2, (0, 1)),
        (5, 3, 2, 1, 3, (1, 1)),
        (6, 3, 2, 1, 3, (0, 1)),
        (8, 1, 3, 1, 3, (0, 0)),
        (5, 3, 1, 2, 5, (2, 2)),  # span 5
        (4, 2, 1, 3, 4, (1, 2)),  # span 4
    ],
)
def test_same_padding_follows_keras(size, kernel, stride, dilation, out, pads) -> None:
    window = Window.of((1, size), (1, kernel), (1, stride), (1, dilation), ("valid", "same"))
    assert window.out[1] == out and window.padding[1] == pads
    layer = Conv2D(2, (kernel, 1), strides=(stride, 1), dilation_rate=(dilation, 1), padding="same")
    assert layer(np.zeros((1, size, 3, 1))).shape == (1, out, 3, 2)
    assert layer.compute_output_shape((size, 3, 1)) == (out, 3, 2)


def test_same_padding_puts_the_extra_zero_at_the_end() -> None:
    """TensorFlow's values: a 2-tap sum over [1, 2, 3, 4] with 'same' pads one zero on the right."""
    ones = tn.initializers.Constant(1.0)
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y1 = Conv1D(1, 2, padding="same", use_bias=False, kernel_initializer=ones)(x.reshape(1, 4, 1))
    np.testing.assert_array_equal(y1.ravel(), [3.0, 5.0, 7.0, 4.0])
    y2 = Conv2D(1, 2, padding="same", use_bias=False, kernel_initializer=ones)(np.ones((1, 3, 3, 1)))
    np.testing.assert_array_equal(y2[0, :, :, 0], [[4.0, 4.0, 2.0], [4.0, 4.0, 2.0], [2.0, 2.0, 1.0]])


def test_causal_padding_never_looks_ahead() -> None:
    layer = Conv1D(2, 3, padding="causal", dilation_rate=2, dtype="float64", **random_bias())
    x = np.random.default_rng(0).standard_normal((2, 9, 3))
    y = layer(x)
    x_changed = x.copy()
    x_changed[:, 5:] += 1.0
    np.testing.assert_array_equal(layer(x_changed)[:, :5], y[:, :5])
    assert y.shape == (2, 9, 2)


# ---------------------------------------------------------------------------- layer behaviour
def test_conv1d_is_conv2d_on_images_of_height_one() -> None:
    x = np.random.default_rng(0).standard_normal((3, 8, 2))
    one = Conv1D(4, 3, strides=2, padding="same", dtype="float64", **random_bias())
    two = Conv2D(4, (1, 3), strides=(1, 2), padding="same", dtype="float64")
    y1, grad, dx1 = run(one, x)
    two(x[:, None])
    two.set_weights([w.reshape(two_w.shape) for w, two_w in zip(one.get_weights(), two.get_weights(), strict=True)])
    y2 = two(x[:, None])
    dx2 = two.backward(grad[:, None])
    np.testing.assert_allclose(y2[:, 0], y1, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(dx2[:, 0], dx1, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(two.kernel.grad[0], one.kernel.grad, rtol=1e-13, atol=1e-13)


def test_parameters_follow_keras() -> None:
    layer = Conv2D(8, (3, 2), input_shape=(6, 6, 4))
    layer.ensure_built((6, 6, 4))
    assert [(p.name, p.shape) for p in layer.parameters()] == [("kernel", (3, 2, 4, 8)), ("bias", (8,))]
    no_bias = Conv1D(5, 3, use_bias=False)
    no_bias(np.zeros((1, 4, 2)))
    assert [(p.name, p.shape) for p in no_bias.parameters()] == [("kernel", (3, 2, 5))]


def test_no_bias_is_a_zero_bias() -> None:
    x = np.random.default_rng(0).standard_normal((2, 5, 5, 3))
    with_bias, without = Conv2D(2, 3, dtype="float64"), Conv2D(2, 3, use_bias=False, dtype="float64")
    with_bias(x)
    without(x)
    without.set_weights(with_bias.get_weights()[:1])
    np.testing.assert_array_equal(with_bias(x), without(x))


@pytest.mark.parametrize("activation", ["relu", "tanh", "softmax"])
def test_activation_is_applied_to_the_linear_output(activation: str) -> None:
    x = np.random.default_rng(0).standard_normal((2, 5, 4, 3))
    layer = Conv2D(3, 2, padding="same", activation=activation, dtype="float64", **random_bias())
    y = layer(x)
    z = layer.forward_linear(x)
    np.testing.assert_allclose(y, tn.activations.get(activation).astype("float64")(z), rtol=1e-14)
    assert isinstance(layer.activation, type(tn.activations.get(activation)))


def test_float32_stays_float32() -> None:
    layer = Conv2D(3, 3, strides=2, padding="same", activation="relu", kernel_regularizer="l2")
    x = np.random.default_rng(0).standard_normal((2, 7, 7, 2)).astype(np.float32)
    y = layer(x)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == layer.kernel.grad.dtype == layer.bias.grad.dtype == np.float32


# ---------------------------------------------------------------------------- bad input
def assert_untouched(layer: tn.Layer) -> None:
    assert not layer.built and layer.input_shape is None and layer.parameters() == []
    assert not hasattr(layer, "kernel")


@pytest.mark.parametrize(
    "cls, shape, expected",
    [
        (Conv2D, (4, 10), r"\(batch, height, width, channels\).*\(batch, 10\)"),
        (Conv2D, (4, 5, 5), r"\(batch, height, width, channels\).*\(batch, 5, 5\)"),
        (Conv2D, (4, 5, 5, 0), r"\(batch, height, width, channels\).*\(batch, 5, 5, 0\)"),
        (Conv1D, (4, 5, 5, 1), r"\(batch, steps, channels\).*\(batch, 5, 5, 1\)"),
        (Conv1D, (4, 10), r"\(batch, steps, channels\).*\(batch, 10\)"),
    ],
)
def test_wrong_rank_is_refused_and_leaves_the_layer_unbuilt(cls, shape, expected) -> None:
    layer = cls(3, 3, name="conv")
    with pytest.raises(ShapeError, match=f"{cls.__name__} 'conv'.*{expected}"):
        layer(np.zeros(shape))
    assert_untouched(layer)
    good = (2, 5, 5, 1) if cls is Conv2D else (2, 5, 1)
    assert layer(np.zeros(good)).shape[-1] == 3  # and it still builds afterwards


@pytest.mark.parametrize(
    "layer, shape, expected",
    [
        (Conv2D(2, 5, name="conv"), (1, 4, 6, 1), r"kernel_size \(5, 5\).*spans \(5, 5\).*\(4, 6\)"),
        (Conv2D(2, 3, dilation_rate=(1, 3), name="conv"), (1, 6, 6, 1), r"spans \(3, 7\).*\(6, 6\)"),
        (Conv1D(2, 4, dilation_rate=2, name="conv"), (1, 6, 2), r"kernel_size \(4,\).*spans \(7,\).*steps \(6,\)"),
    ],
)
def test_a_kernel_larger_than_the_input_is_refused(layer, shape, expected) -> None:
    with pytest.raises(ShapeError, match=f"'conv'.*{expected}.*padding='valid'"):
        layer(np.zeros(shape))
    assert_untouched(layer)


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: Conv2D(2, 3, strides=2, dilation_rate=2), r"strides > 1 cannot be combined with dilation_rate"),
        (lambda: Conv2D(2, 3, strides=(1, 2), dilation_rate=(2, 1)), r"strides=\(1, 2\) and dilation_rate=\(2, 1\)"),
        (lambda: Conv2D(2, 3, padding="causal"), r"padding must be 'valid' or 'same', received 'causal'"),
        (lambda: Conv1D(2, 3, padding="full"), r"padding must be 'valid' or 'same' or 'causal'"),
        (lambda: Conv2D(2, 3, padding=1), r"padding must be"),
        (lambda: Conv2D(0, 3), r"filters must be a positive int, received 0"),
        (lambda: Conv2D(2, (3, 3, 3)), r"kernel_size must be an int or a tuple of 2 ints"),
        (lambda: Conv2D(2, (3, 0)), r"kernel_size must be a positive int, received 0"),
        (lambda: Conv2D(2, 3, strides=0), r"strides must be a positive int"),
        (lambda: Conv1D(2, 3, dilation_rate=1.5), r"dilation_rate must be a positive int, received 1.5"),
        (lambda: Conv2D(2, 3, activation="relux"), r"Unknown activation 'relux'"),
    ],
)
def test_bad_arguments_are_refused(make, expected) -> None:
    with pytest.raises(InvalidValueError, match=expected):
        make()


def test_padding_is_case_insensitive_as_in_keras() -> None:
    assert Conv2D(2, 3, padding="SAME").padding == "same"


def test_a_built_layer_refuses_another_shape_unchanged() -> None:
    layer = Conv2D(2, 3)
    layer(np.zeros((1, 5, 5, 2)))
    weights = layer.get_weights()
    with pytest.raises(ShapeError, match=r"\(batch, 5, 5, 2\).*\(6, 6, 2\)"):
        layer(np.zeros((1, 6, 6, 2)))
    assert layer.input_shape == (5, 5, 2)
    for before, after in zip(weights, layer.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)


# ---------------------------------------------------------------------------- PyTorch, when installed
def torch_padding(size, kernel, strides, dilation, padding) -> list[int]:
    """torch.nn.functional.pad's (left, right, top, bottom) for Keras's rule."""
    pads = [keras_geometry(*args, padding)[1:] for args in zip(size, kernel, strides, dilation, strict=True)]
    return [*pads[1], *pads[0]]


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch not installed (torch==2.13.0)")
@given(problem=conv_problems())
def test_conv2d_matches_pytorch(problem) -> None:
    import torch

    layer, x = problem
    y, grad, dx = run(layer, x)
    kernel, bias = as_2d(layer)
    nchw = np.ascontiguousarray
    xt = torch.tensor(nchw(x.transpose(0, 3, 1, 2)), requires_grad=True)
    wt = torch.tensor(nchw(kernel.transpose(3, 2, 0, 1)), requires_grad=True)
    bt = None if bias is None else torch.tensor(bias, requires_grad=True)
    pad = torch_padding(x.shape[1:3], layer.kernel_size, layer.strides, layer.dilation_rate, layer.padding)
    yt = torch.nn.functional.conv2d(
        torch.nn.functional.pad(xt, pad), wt, bt, stride=layer.strides, dilation=layer.dilation_rate
    )
    yt.backward(torch.tensor(nchw(grad.transpose(0, 3, 1, 2))))
    np.testing.assert_allclose(y, yt.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dx, xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.kernel.grad, wt.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10, atol=1e-10)
    if bt is not None:
        np.testing.assert_allclose(layer.bias.grad, bt.grad.numpy(), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------- in a model
def test_a_small_cnn_learns_to_tell_bars_apart() -> None:
    """Conv2D inside a Sequential, trained by fit: horizontal against vertical bars on noise."""
    from tinynet.layers.reshaping import Flatten

    rng = np.random.default_rng(0)
    n = 120
    x = rng.normal(0.0, 0.3, size=(n, 8, 8, 1))
    y = rng.integers(0, 2, size=n)
    where = rng.integers(1, 7, size=n)
    x[y == 1, :, where[y == 1], 0] += 2.0  # vertical bar in column `where`
    x[y == 0, where[y == 0], :, 0] += 2.0  # horizontal bar in row `where`
    tn.utils.set_random_seed(0)
    model = tn.Sequential(
        [
            Conv2D(4, 3, strides=2, padding="same", activation="relu", input_shape=(8, 8, 1)),
            Flatten(),
            tn.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer=tn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.25 * history.history["loss"][0]
    assert history.history["accuracy"][-1] >= 0.95
