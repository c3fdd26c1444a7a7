"""Conv1DTranspose, Conv2DTranspose, Conv3DTranspose: the adjoints of the convolutions; Keras's sizes; PyTorch.

The gradient contracts (central differences, float32, config) run from ``tests/cases/conv_nd.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers.conv import Conv1D, Conv2D
from tinynet.layers.conv3d import Conv3D
from tinynet.layers.conv_transpose import Conv1DTranspose, Conv2DTranspose, Conv3DTranspose

Array = np.ndarray
RANDOM_BIAS = {"bias_initializer": tn.initializers.RandomNormal(stddev=1.0, seed=5)}
TRANSPOSES = {1: Conv1DTranspose, 2: Conv2DTranspose, 3: Conv3DTranspose}
CONVS = {1: Conv1D, 2: Conv2D, 3: Conv3D}


def keras_size(n: int, k: int, s: int, d: int, padding: str, output_padding: int | None) -> int:
    """The output size Keras documents for a transposed convolution (keras.src.backend.common.backend_utils)."""
    span = (k - 1) * d + 1
    if padding == "valid":
        return (n - 1) * s + span + (max(span, s) - span if output_padding is None else output_padding)
    return n * s if output_padding is None else (n - 1) * s + span % 2 + output_padding


@st.composite
def problems(draw: st.DrawFn, rank: int, output_padding: bool = True) -> tuple[Any, Array]:
    """A random small transposed convolution (within Keras's rules) and an input; its output is not empty."""
    padding = draw(st.sampled_from(["valid", "same"]))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    strides = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    dilation = (1,) * rank if max(strides) > 1 else tuple(draw(st.integers(1, 3)) for _ in range(rank))
    pads = tuple(draw(st.integers(0, s - 1)) for s in strides) if output_padding and draw(st.booleans()) else None
    sizes = [draw(st.integers(1, 4)) for _ in range(rank)]
    sizes = [
        n + 1 if keras_size(n, k, s, d, padding, None if pads is None else p) < 1 else n
        for n, k, s, d, p in zip(sizes, kernel, strides, dilation, pads or (0,) * rank, strict=True)
    ]  # one more step where 'same' with an even span and output_padding 0 would leave none
    x = draw(hnp.arrays(np.float64, (draw(st.integers(1, 2)), *sizes, draw(st.integers(1, 3))),
                        elements=st.floats(-5, 5, allow_subnormal=False)))  # fmt: skip
    layer = TRANSPOSES[rank](
        draw(st.integers(1, 3)), kernel, strides=strides, padding=padding, output_padding=pads,
        dilation_rate=dilation, use_bias=draw(st.booleans()), dtype="float64", **RANDOM_BIAS,
    )  # fmt: skip
    return layer, x


# ---------------------------------------------------------------------------- the adjoint of a convolution
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_a_transposed_convolution_is_the_adjoint_of_the_convolution(rank: int) -> None:
    """<conv(u), x> == <u, conv_transpose(x)> for the same kernel: the transpose of the convolution's matrix."""

    @given(problems(rank, output_padding=False), st.integers(0, 2**16))
    def prop(problem: tuple[Any, Array], seed: int) -> None:
        transpose, x = problem
        z = transpose(x) - (0.0 if transpose.bias is None else transpose.bias.value)
        conv = CONVS[rank](
            x.shape[-1], transpose.kernel_size, strides=transpose.strides, padding=transpose.padding,
            dilation_rate=transpose.dilation_rate, use_bias=False, dtype="float64",
        )  # fmt: skip
        u = np.random.default_rng(seed).standard_normal(z.shape)
        conv(u)
        conv.set_weights([transpose.kernel.value])  # (k..., filters, channels): a conv from filters to channels
        cu = conv(u)
        assert cu.shape == x.shape
        assert np.sum(cu * x) == pytest.approx(np.sum(u * z), rel=1e-10, abs=1e-10)

    prop()


# ---------------------------------------------------------------------------- Keras's output sizes
@pytest.mark.parametrize(
    "n, k, s, d, padding, output_padding, out",
    [
        (3, 3, 2, 1, "valid", None, 7),
        (3, 2, 2, 1, "valid", None, 6),
        (3, 1, 3, 1, "valid", None, 9),  # max(span, s): the stride wins over a short kernel
        (3, 3, 2, 1, "valid", 1, 8),
        (2, 3, 1, 2, "valid", None, 6),  # span 5
        (3, 3, 2, 1, "same", None, 6),
        (3, 4, 2, 1, "same", None, 6),
        (3, 3, 2, 1, "same", 1, 6),
        (3, 4, 2, 1, "same", 1, 5),
        (3, 4, 2, 1, "same", 0, 4),
        (4, 3, 1, 2, "same", None, 4),
    ],
)
def test_output_sizes_follow_keras(n, k, s, d, padding, output_padding, out) -> None:
    assert keras_size(n, k, s, d, padding, output_padding) == out
    layer = Conv2DTranspose(2, (k, 1), strides=(s, 1), dilation_rate=(d, 1), padding=padding,
                            output_padding=None if output_padding is None else (output_padding, 0))  # fmt: skip
    assert layer.compute_output_shape((n, 3, 1)) == (out, 3, 2)
    assert layer(np.zeros((1, n, 3, 1))).shape == (1, out, 3, 2)


@pytest.mark.parametrize(
    "kernel_size, expected",
    [
        (3, [1.0, 1.0, 3.0, 2.0, 5.0, 3.0]),  # the full output [1, 1, 3, 2, 5, 3, 3] from its start
        (4, [1.0, 3.0, 3.0, 5.0, 5.0, 3.0]),  # the full output [1, 1, 3, 3, 5, 5, 3, 3] from position 1
    ],
)
def test_same_padding_keeps_the_positions_keras_keeps(kernel_size: int, expected: list[float]) -> None:
    """TensorFlow's (and Keras's JAX backend's) values for a ones kernel, stride 2, on [1, 2, 3]."""
    layer = Conv1DTranspose(1, kernel_size, strides=2, padding="same", kernel_initializer="ones", use_bias=False)
    np.testing.assert_array_equal(layer(np.array([1.0, 2.0, 3.0]).reshape(1, 3, 1)).ravel(), expected)


def test_positions_past_the_full_output_hold_the_bias() -> None:
    """output_padding past the last tap's reach: those positions get nothing from x, and the bias."""
    layer = Conv1DTranspose(1, 1, strides=3, output_padding=2, kernel_initializer="ones",
                            bias_initializer=tn.initializers.Constant(0.5))  # fmt: skip
    y = layer(np.array([[[1.0], [2.0]]]))
    np.testing.assert_array_equal(y.ravel(), [1.5, 0.5, 0.5, 2.5, 0.5, 0.5])


def test_parameters_follow_keras() -> None:
    layer = Conv2DTranspose(8, (3, 2))
    layer(np.zeros((1, 4, 4, 5)))
    assert [(p.name, p.shape) for p in layer.parameters()] == [("kernel", (3, 2, 8, 5)), ("bias", (8,))]
    three = Conv3DTranspose(2, 2, use_bias=False)
    three(np.zeros((1, 2, 2, 2, 3)))
    assert [(p.name, p.shape) for p in three.parameters()] == [("kernel", (2, 2, 2, 2, 3))]
    assert tn.layers.Convolution1DTranspose is Conv1DTranspose
    assert tn.layers.Convolution2DTranspose is Conv2DTranspose
    assert tn.layers.Convolution3DTranspose is Conv3DTranspose
    config = Conv1DTranspose(2, 3, output_padding=0).get_config()
    assert config["output_padding"] == [0] and config["data_format"] == "channels_last"


def test_sizes_unknown_at_build_take_any_size() -> None:
    layer = Conv2DTranspose(2, 3, strides=2, padding="same", input_shape=(None, 4, 1))
    assert layer.compute_output_shape((None, 4, 1)) == (None, 8, 2)
    assert layer(np.zeros((1, 3, 4, 1))).shape == (1, 6, 8, 2)
    assert layer(np.zeros((2, 5, 4, 1))).shape == (2, 10, 8, 2)


# ---------------------------------------------------------------------------- PyTorch, when installed
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_forward_and_gradients_match_pytorch(rank: int) -> None:
    """PyTorch's full output (padding 0), cut and padded to Keras's positions; layouts (in, out, k...) and NCHW."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    transpose = (functional.conv_transpose1d, functional.conv_transpose2d, functional.conv_transpose3d)[rank - 1]
    first, last = (0, rank + 1, *range(1, rank + 1)), (0, *range(2, rank + 2), 1)

    @given(problems(rank))
    def prop(problem: tuple[Any, Array]) -> None:
        layer, x = problem
        y = layer(x)
        grad = np.random.default_rng(0).standard_normal(y.shape)
        dx = layer.backward(grad)
        xt = torch.tensor(x.transpose(first).copy(), requires_grad=True)
        kernel = torch.tensor(layer.kernel.value.transpose(rank + 1, rank, *range(rank)).copy(), requires_grad=True)
        full = transpose(xt, kernel, stride=layer.strides, dilation=layer.dilation_rate)
        crop = []  # functional.pad's (before, after) from the last axis: negative cuts, positive pads zeros
        for axis in reversed(range(rank)):
            span = (layer.kernel_size[axis] - 1) * layer.dilation_rate[axis] + 1
            n, s, out = x.shape[1 + axis], layer.strides[axis], y.shape[1 + axis]
            before = 0 if layer.padding == "valid" else (span - 1 - min(-(-(out - (n - 1) * s + span - 2) // 2),
                                                                          span - 1))  # fmt: skip
            crop += [-before, out - (full.shape[2 + axis] - before)]
        yt = functional.pad(full, crop)
        bias = None
        if layer.bias is not None:
            bias = torch.tensor(layer.bias.value, requires_grad=True)
            yt = yt + bias.reshape(1, -1, *(1,) * rank)
        yt.backward(torch.tensor(grad.transpose(first).copy()))
        close = {"rtol": 1e-10, "atol": 1e-10}
        np.testing.assert_allclose(y, yt.detach().numpy().transpose(last), **close)
        np.testing.assert_allclose(dx, xt.grad.numpy().transpose(last), **close)
        dkernel = kernel.grad.numpy().transpose(*range(2, rank + 2), 1, 0)
        np.testing.assert_allclose(layer.kernel.grad, dkernel, **close)
        if bias is not None:
            np.testing.assert_allclose(layer.bias.grad, bias.grad.numpy(), **close)

    prop()


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: Conv2DTranspose(2, 3, strides=2, output_padding=2), r"output_padding must be less than strides"),
        (lambda: Conv1DTranspose(2, 3, output_padding=1), r"output_padding=\(1,\) and strides=\(1,\)"),
        (lambda: Conv2DTranspose(2, 3, output_padding=-1), r"output_padding must be an int >= 0, received -1"),
        (lambda: Conv3DTranspose(2, 3, data_format="channels_first"), r"data_format must be 'channels_last'"),
        (lambda: Conv1DTranspose(2, 3, padding="causal"), r"padding must be 'valid' or 'same', received 'causal'"),
        (lambda: Conv2DTranspose(2, 3, strides=2, dilation_rate=2), r"strides > 1 cannot be combined"),
        (lambda: Conv3DTranspose(2, (3, 3)), r"kernel_size must be an int or a tuple of 3 ints"),
        (lambda: Conv2DTranspose(0, 3), r"filters must be a positive int, received 0"),
    ],
)
def test_bad_arguments_are_refused(make, expected) -> None:
    with pytest.raises(InvalidValueError, match=expected):
        make()


@pytest.mark.parametrize(
    "layer, shape, expected",
    [
        (Conv2DTranspose(2, 3, name="t"), (2, 5, 1), r"\(batch, height, width, channels\).*\(batch, 5, 1\)"),
        (Conv3DTranspose(2, 3, name="t"), (2, 5, 5, 1), r"\(batch, depth, height, width, channels\)"),
        (
            Conv1DTranspose(2, 2, padding="same", output_padding=0, name="t"),
            (1, 1, 3),
            r"output would have spatial shape \(0,\).*output_padding=\(0,\)",
        ),
    ],
)
def test_a_wrong_input_is_refused_and_leaves_the_layer_unbuilt(layer: tn.Layer, shape, expected) -> None:
    with pytest.raises(ShapeError, match=f"'t'.*{expected}"):
        layer(np.zeros(shape))
    assert not layer.built and layer.parameters() == []


# ---------------------------------------------------------------------------- broken variants are caught
class FlippedKernelInputGrad(Conv2DTranspose):
    """Computes dx with the kernel's taps flipped, a classic mistake when writing a transposed convolution."""

    def backward_linear(self, dz: Array) -> Array | None:
        super().backward_linear(dz)
        dkernel, kernel = self.kernel.grad.copy(), self.kernel.value.copy()
        self.kernel.value[...] = kernel[::-1, ::-1]
        dx = super().backward_linear(dz)
        self.kernel.value[...], self.kernel.grad = kernel, dkernel  # the kernel's own gradient stays right
        return dx


class BatchMeanBias(Conv1DTranspose):
    """Averages the bias's gradient over the batch instead of summing."""

    def backward_linear(self, dz: Array) -> Array | None:
        dx = super().backward_linear(dz)
        self.bias.grad = self.bias.grad / len(dz)
        return dx


class LastTapForgotten(Conv3DTranspose):
    """Leaves the kernel's last tap without a gradient."""

    def backward_linear(self, dz: Array) -> Array | None:
        dx = super().backward_linear(dz)
        self.kernel.grad[-1, -1, -1] = 0.0
        return dx


BROKEN = [
    ("transpose2d_flipped_kernel_dx", lambda: FlippedKernelInputGrad(2, 3, strides=2, padding="same"), (2, 3, 2, 2)),
    ("transpose1d_batch_mean_bias", lambda: BatchMeanBias(2, 3, strides=2, **RANDOM_BIAS), (3, 4, 2)),
    ("transpose3d_last_tap_forgotten", lambda: LastTapForgotten(2, 2, **RANDOM_BIAS), (2, 2, 2, 2, 1)),
]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(("make", "shape"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_backward_is_caught(make: Any, shape: tuple[int, ...], directions: int | None) -> None:
    x = np.random.default_rng(3).normal(size=shape)
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), x, directions=directions)


# ---------------------------------------------------------------------------- in a model
def test_an_autoencoder_learns_to_rebuild_its_input() -> None:
    """Conv2D down by 2, Conv2DTranspose back up, trained by fit on smooth images."""
    rng = np.random.default_rng(0)
    grid = np.linspace(0.0, 1.0, 8)
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(64, 1, 1))
    x = np.sin(3.0 * grid[None, :, None] + phase) * np.cos(2.0 * grid[None, None, :])
    x = x[..., None].astype(np.float32)
    tn.utils.set_random_seed(0)
    model = tn.Sequential([
        Conv2D(8, 3, strides=2, padding="same", activation="tanh", input_shape=(8, 8, 1)),
        Conv2DTranspose(1, 3, strides=2, padding="same"),
    ])  # fmt: skip
    model.compile(optimizer=tn.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, x, epochs=40, batch_size=16, verbose=0)
    assert model.predict(x[:1]).shape == (1, 8, 8, 1)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
