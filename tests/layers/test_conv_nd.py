"""Conv3D, DepthwiseConv1D/2D and SeparableConv1D/2D against loop references and PyTorch; Keras's layout; bad input.

The gradient contracts (central differences, float32, config) run from ``tests/cases/conv_nd.py``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers.conv3d import Conv3D
from tinynet.layers.depthwise import DepthwiseConv1D, DepthwiseConv2D
from tinynet.layers.separable import SeparableConv1D, SeparableConv2D

from .test_conv import keras_geometry

Array = np.ndarray
RANDOM_BIAS = {"bias_initializer": tn.initializers.RandomNormal(stddev=1.0, seed=5)}


# ---------------------------------------------------------------------------- loop references
def reference_conv(x: Array, kernel: Array, strides, dilation, padding: str) -> Array:
    """A convolution of any rank by its definition: a loop over output positions. ``kernel`` is (k..., c, f)."""
    rank = x.ndim - 2
    axes = zip(x.shape[1:-1], kernel.shape, strides, dilation, strict=False)  # kernel.shape has 2 more
    geometry = [keras_geometry(n, k, s, d, padding) for n, k, s, d in axes]
    xp = np.pad(x, [(0, 0), *[(before, after) for _, before, after in geometry], (0, 0)])
    out = tuple(o for o, _, _ in geometry)
    z = np.zeros((len(x), *out, kernel.shape[-1]))
    for position in itertools.product(*(range(o) for o in out)):
        window = tuple(
            slice(p * s, p * s + (k - 1) * d + 1, d)
            for p, s, k, d in zip(position, strides, kernel.shape[:rank], dilation, strict=True)
        )
        z[(slice(None), *position)] = np.tensordot(xp[(slice(None), *window)], kernel, axes=rank + 1)
    return z


def block_diagonal(depthwise_kernel: Array) -> Array:
    """A depthwise kernel (k..., c, m) as the full kernel (k..., c, c*m) of the same convolution."""
    *taps, channels, multiplier = depthwise_kernel.shape
    full = np.zeros((*taps, channels, channels * multiplier))
    for c in range(channels):
        full[..., c, c * multiplier : (c + 1) * multiplier] = depthwise_kernel[..., c, :]
    return full


def reference(layer: tn.Layer, x: Array) -> Array:
    """The layer's linear output ``z`` from the loop reference."""
    geometry = (layer.strides, layer.dilation_rate, layer.padding)
    if isinstance(layer, Conv3D):
        z = reference_conv(x, layer.kernel.value, *geometry)
    elif isinstance(layer, (DepthwiseConv1D, DepthwiseConv2D)):
        z = reference_conv(x, block_diagonal(layer.kernel.value), *geometry)
    else:
        zd = reference_conv(x, block_diagonal(layer.depthwise_kernel.value), *geometry)
        z = zd @ layer.pointwise_kernel.value.reshape(zd.shape[-1], -1)
    return z if layer.bias is None else z + layer.bias.value


KINDS = {
    "conv3d": (Conv3D, 3),
    "depthwise1d": (DepthwiseConv1D, 1),
    "depthwise2d": (DepthwiseConv2D, 2),
    "separable1d": (SeparableConv1D, 1),
    "separable2d": (SeparableConv2D, 2),
}


@st.composite
def problems(draw: st.DrawFn, kind: str) -> tuple[tn.Layer, Array]:
    """A random small layer of ``kind`` (geometry within Keras's rules) and an input it fits."""
    cls, rank = KINDS[kind]
    padding = draw(st.sampled_from(["valid", "same"]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    strides = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    both = cls is not Conv3D  # the depthwise layers take strides and dilation together
    dilation = (1,) * rank if max(strides) > 1 and not both else tuple(draw(st.integers(1, 2)) for _ in range(rank))
    spans = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
    sizes = [draw(st.integers(span if padding == "valid" else 1, span + 3)) for span in spans]
    x = draw(hnp.arrays(np.float64, (draw(st.integers(1, 2)), *sizes, draw(st.integers(1, 3))),
                        elements=st.floats(-5, 5, allow_subnormal=False)))  # fmt: skip
    geometry: dict[str, Any] = {"strides": strides, "padding": padding, "dilation_rate": dilation}
    options = {"use_bias": draw(st.booleans()), "dtype": "float64", **RANDOM_BIAS, **geometry}
    if cls is not Conv3D:
        options["depth_multiplier"] = draw(st.integers(1, 3))
    head = (draw(st.integers(1, 3)),) if cls in (Conv3D, SeparableConv1D, SeparableConv2D) else ()
    return cls(*head, kernel, **options), x


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_forward_matches_the_loop_reference(kind: str) -> None:
    @given(problems(kind))
    def prop(problem: tuple[tn.Layer, Array]) -> None:
        layer, x = problem
        np.testing.assert_allclose(layer(x), reference(layer, x), rtol=1e-12, atol=1e-12)

    prop()


# ---------------------------------------------------------------------------- PyTorch, when installed
def torch_run(layer: tn.Layer, x: Array, grad: Array) -> dict[str, Array]:
    """The same layer in PyTorch (channels first; depthwise as groups=channels): output and gradients, NHWC."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    rank = x.ndim - 2
    first, last = (0, rank + 1, *range(1, rank + 1)), (0, *range(2, rank + 2), 1)
    conv = (functional.conv1d, functional.conv2d, functional.conv3d)[rank - 1]
    axes = zip(x.shape[1:-1], layer.kernel_size, layer.strides, layer.dilation_rate, strict=True)
    geometry = [keras_geometry(n, k, s, d, layer.padding) for n, k, s, d in axes]
    pads = [pad for _, before, after in reversed(geometry) for pad in (before, after)]  # last axis first
    xt = torch.tensor(x.transpose(first).copy(), requires_grad=True)
    bias = None if layer.bias is None else torch.tensor(layer.bias.value, requires_grad=True)
    channels = x.shape[-1]
    if isinstance(layer, Conv3D):
        kernel = torch.tensor(layer.kernel.value.transpose(4, 3, 0, 1, 2).copy(), requires_grad=True)
        yt = conv(functional.pad(xt, pads), kernel, bias, stride=layer.strides, dilation=layer.dilation_rate)
    else:
        depthwise = layer.kernel if isinstance(layer, (DepthwiseConv1D, DepthwiseConv2D)) else layer.depthwise_kernel
        maps = depthwise.value.reshape(*layer.kernel_size, -1)  # (k..., c*m): map c*m + j
        kernel = torch.tensor(maps.transpose(rank, *range(rank))[:, None].copy(), requires_grad=True)
        separable = not isinstance(layer, (DepthwiseConv1D, DepthwiseConv2D))
        yt = conv(functional.pad(xt, pads), kernel, None if separable else bias, stride=layer.strides,
                  dilation=layer.dilation_rate, groups=channels)  # fmt: skip
        if separable:
            pointwise2 = layer.pointwise_kernel.value.reshape(maps.shape[-1], -1)
            pointwise = torch.tensor(pointwise2.T.reshape(*pointwise2.T.shape, *(1,) * rank).copy(), requires_grad=True)
            yt = conv(yt, pointwise, bias)
    yt.backward(torch.tensor(grad.transpose(first).copy()))
    out = {"y": yt.detach().numpy().transpose(last), "dx": xt.grad.numpy().transpose(last)}
    if bias is not None:
        out["bias"] = bias.grad.numpy()
    if isinstance(layer, Conv3D):
        out["kernel"] = kernel.grad.numpy().transpose(2, 3, 4, 1, 0)
    else:
        dmaps = kernel.grad.numpy()[:, 0].transpose(*range(1, rank + 1), 0)
        out["depthwise"] = dmaps.reshape(depthwise.shape)
        if separable:
            out["pointwise"] = (
                pointwise.grad.numpy().reshape(pointwise2.T.shape).T.reshape(layer.pointwise_kernel.shape)
            )
    return out


@pytest.mark.parametrize("kind", list(KINDS))
def test_forward_and_gradients_match_pytorch(kind: str) -> None:
    pytest.importorskip("torch")

    @given(problems(kind))
    def prop(problem: tuple[tn.Layer, Array]) -> None:
        layer, x = problem
        y = layer(x)
        grad = np.random.default_rng(0).standard_normal(y.shape)
        dx = layer.backward(grad)
        want = torch_run(layer, x, grad)
        got = {"y": y, "dx": dx}
        if layer.bias is not None:
            got["bias"] = layer.bias.grad
        if isinstance(layer, Conv3D):
            got["kernel"] = layer.kernel.grad
        elif isinstance(layer, (DepthwiseConv1D, DepthwiseConv2D)):
            got["depthwise"] = layer.kernel.grad
        else:
            got["depthwise"], got["pointwise"] = layer.depthwise_kernel.grad, layer.pointwise_kernel.grad
        assert got.keys() == want.keys()
        for name, value in got.items():
            np.testing.assert_allclose(value, want[name], rtol=1e-10, atol=1e-10, err_msg=name)

    prop()


# ---------------------------------------------------------------------------- Keras's names, layouts, shapes
@pytest.mark.parametrize(
    "layer, shape, weights, out",
    [
        (Conv3D(8, (3, 2, 1)), (5, 6, 7, 4), [("kernel", (3, 2, 1, 4, 8)), ("bias", (8,))], (3, 5, 7, 8)),
        (DepthwiseConv2D(3, depth_multiplier=2), (5, 6, 4), [("kernel", (3, 3, 4, 2)), ("bias", (8,))], (3, 4, 8)),
        (DepthwiseConv1D(2, use_bias=False), (5, 3), [("kernel", (2, 3, 1))], (4, 3)),
        (
            SeparableConv2D(5, 3, depth_multiplier=2),
            (5, 6, 4),
            [("depthwise_kernel", (3, 3, 4, 2)), ("pointwise_kernel", (1, 1, 8, 5)), ("bias", (5,))],
            (3, 4, 5),
        ),
        (
            SeparableConv1D(5, 2, strides=2, padding="same"),
            (5, 3),
            [("depthwise_kernel", (2, 3, 1)), ("pointwise_kernel", (1, 3, 5)), ("bias", (5,))],
            (3, 5),
        ),
    ],
)
def test_parameters_and_shapes_follow_keras(layer: tn.Layer, shape, weights, out) -> None:
    assert layer.compute_output_shape(shape) == out
    assert [(p.name, p.shape) for p in layer.parameters()] == weights
    assert [w.shape for w in layer.get_weights()] == [s for _, s in weights]
    assert layer(np.zeros((2, *shape))).shape == (2, *out)


def test_the_keras_names_are_the_same_classes() -> None:
    layers = tn.layers
    assert layers.Convolution1D is layers.Conv1D and layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


def test_the_config_has_kerass_arguments() -> None:
    separable = SeparableConv2D(4, 3, depth_multiplier=2, pointwise_regularizer="l2", depthwise_constraint="non_neg")
    config = separable.get_config()
    arguments = [f"{kernel}_{what}" for kernel in ("depthwise", "pointwise") for what in ("initializer", "regularizer",
                                                                                          "constraint")]  # fmt: skip
    assert {*arguments, "depth_multiplier", "filters", "data_format", "kernel_size"} <= set(config)
    assert not {"kernel_initializer", "kernel_regularizer", "kernel_constraint"} & set(config)
    assert config["data_format"] == "channels_last" and config["pointwise_regularizer"]["class_name"] == "L2"
    depthwise = DepthwiseConv2D(3, depthwise_regularizer="l1").get_config()
    assert depthwise["depthwise_regularizer"]["class_name"] == "L1" and "kernel_regularizer" not in depthwise
    assert Conv3D(2, 3).get_config()["groups"] == 1


def test_regularizers_and_constraints_reach_the_parameters() -> None:
    layer = SeparableConv2D(2, 2, depthwise_regularizer="l2", pointwise_constraint="non_neg")
    layer(np.zeros((1, 3, 3, 2)))
    depthwise, pointwise, bias = layer.parameters()
    assert depthwise.regularizer is not None and pointwise.regularizer is None and bias.regularizer is None
    assert pointwise.constraint is not None and depthwise.constraint is None


def test_sizes_unknown_at_build_take_any_size() -> None:
    layer = Conv3D(2, 2, padding="same", input_shape=(None, None, 4, 1))
    assert layer.compute_output_shape((None, None, 4, 1)) == (None, None, 4, 2)
    assert layer(np.zeros((1, 3, 5, 4, 1))).shape == (1, 3, 5, 4, 2)
    assert layer(np.zeros((2, 1, 2, 4, 1))).shape == (2, 1, 2, 4, 2)
    separable = SeparableConv1D(3, 3, input_shape=(None, 2))
    with pytest.raises(ShapeError, match=r"spans \(3,\).*steps \(2,\)"):
        separable(np.zeros((1, 2, 2)))


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: Conv3D(2, 3, data_format="channels_first"), r"data_format must be 'channels_last'.*channels_first"),
        (lambda: DepthwiseConv2D(3, data_format="channels_first"), r"channels-last only"),
        (lambda: SeparableConv1D(2, 3, data_format="NHWC"), r"received 'NHWC'"),
        (lambda: Conv3D(4, 3, groups=2), r"groups=2 is not supported"),
        (lambda: Conv3D(2, 3, strides=2, dilation_rate=2), r"strides > 1 cannot be combined with dilation_rate"),
        (lambda: Conv3D(2, (3, 3)), r"kernel_size must be an int or a tuple of 3 ints"),
        (lambda: DepthwiseConv1D(3, padding="causal"), r"padding must be 'valid' or 'same', received 'causal'"),
        (lambda: DepthwiseConv2D(3, depth_multiplier=0), r"depth_multiplier must be a positive int, received 0"),
        (lambda: SeparableConv2D(0, 3), r"filters must be a positive int, received 0"),
        (lambda: SeparableConv2D(2, 3, pointwise_initializer="nope"), r"nope"),
    ],
)
def test_bad_arguments_are_refused(make, expected) -> None:
    with pytest.raises(InvalidValueError, match=expected):
        make()


def test_data_format_channels_last_is_accepted_as_keras_spells_it() -> None:
    assert Conv3D(2, 3, data_format="channels_last").data_format == "channels_last"
    assert DepthwiseConv2D(3, data_format="Channels_Last").get_config()["data_format"] == "channels_last"


@pytest.mark.parametrize(
    "layer, shape, expected",
    [
        (Conv3D(2, 3, name="c"), (2, 5, 5, 1), r"\(batch, depth, height, width, channels\).*\(batch, 5, 5, 1\)"),
        (DepthwiseConv2D(2, name="c"), (2, 5, 1), r"\(batch, height, width, channels\).*\(batch, 5, 1\)"),
        (SeparableConv1D(2, 2, name="c"), (2, 5, 5, 1), r"\(batch, steps, channels\).*\(batch, 5, 5, 1\)"),
        (Conv3D(2, (2, 4, 2), name="c"), (1, 3, 3, 3, 1), r"spans \(2, 4, 2\).*depth x height x width \(3, 3, 3\)"),
        (DepthwiseConv2D(3, dilation_rate=2, name="c"), (1, 4, 6, 1), r"spans \(5, 5\).*\(4, 6\).*'valid'"),
    ],
)
def test_a_wrong_input_is_refused_and_leaves_the_layer_unbuilt(layer: tn.Layer, shape, expected) -> None:
    with pytest.raises(ShapeError, match=f"'c'.*{expected}"):
        layer(np.zeros(shape))
    assert not layer.built and layer.parameters() == []


# ---------------------------------------------------------------------------- broken variants are caught
class BiasDroppedConv3D(Conv3D):
    """Forgets the bias's gradient (leaves it zero)."""

    def backward_linear(self, dz: Array) -> Array | None:
        dx = super().backward_linear(dz)
        self.bias.grad = np.zeros_like(self.bias.grad)
        return dx


class ChannelsSwappedDepthwise(DepthwiseConv2D):
    """Gives each channel the kernel gradient of the channel next to it."""

    def backward_linear(self, dz: Array) -> Array | None:
        dx = super().backward_linear(dz)
        self.kernel.grad = np.roll(self.kernel.grad, 1, axis=-2)
        return dx


class UntransposedSeparable(SeparableConv1D):
    """Scales the pointwise kernel's gradient by 1.01."""

    def backward_linear(self, dz: Array) -> Array | None:
        dx = super().backward_linear(dz)
        self.pointwise_kernel.grad = self.pointwise_kernel.grad * 1.01
        return dx


class FlippedInputGradDepthwise(DepthwiseConv1D):
    """Returns dx with its steps reversed (a kernel flipped the wrong way)."""

    def backward_linear(self, dz: Array) -> Array | None:
        dx = super().backward_linear(dz)
        return None if dx is None else dx[:, ::-1].copy()


BROKEN = [
    ("conv3d_bias_dropped", lambda: BiasDroppedConv3D(2, 2, **RANDOM_BIAS), (2, 3, 3, 2, 2)),
    ("depthwise_channels_swapped", lambda: ChannelsSwappedDepthwise(2, depth_multiplier=2), (2, 3, 4, 3)),
    ("separable_pointwise_scaled", lambda: UntransposedSeparable(2, 2, depth_multiplier=2), (2, 5, 2)),
    ("depthwise_input_grad_flipped", lambda: FlippedInputGradDepthwise(2, **RANDOM_BIAS), (2, 5, 2)),
]


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(("make", "shape"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_backward_is_caught(make: Any, shape: tuple[int, ...], directions: int | None) -> None:
    x = np.random.default_rng(3).normal(size=shape)
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(make(), x, directions=directions)


# ---------------------------------------------------------------------------- in a model
def test_a_separable_cnn_learns_to_tell_bars_apart() -> None:
    """SeparableConv2D and DepthwiseConv2D inside a Sequential, trained by fit."""
    rng = np.random.default_rng(0)
    n = 120
    x = rng.normal(0.0, 0.3, size=(n, 8, 8, 1))
    y = rng.integers(0, 2, size=n)
    where = rng.integers(1, 7, size=n)
    x[y == 1, :, where[y == 1], 0] += 2.0  # vertical bar in column `where`
    x[y == 0, where[y == 0], :, 0] += 2.0  # horizontal bar in row `where`
    tn.utils.set_random_seed(0)
    model = tn.Sequential([
        SeparableConv2D(4, 3, strides=2, padding="same", depth_multiplier=2, activation="relu", input_shape=(8, 8, 1)),
        DepthwiseConv2D(3, padding="same", activation="relu"),
        tn.layers.Flatten(),
        tn.layers.Dense(2, activation="softmax"),
    ])  # fmt: skip
    model.compile(optimizer=tn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.25 * history.history["loss"][0]
    assert history.history["accuracy"][-1] >= 0.95
