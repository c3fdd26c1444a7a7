"""The tester is tested: ``check_gradients`` fails on deliberately broken backwards and passes correct ones.

Each broken class below overrides only ``backward`` of a real tinynet class,
with one mistake people actually make. Every one must raise ``AssertionError``
both entry by entry and along random directions (``directions=3``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynet as tn
from tinynet.testing import check_gradients
from tinynet.testing import strategies as tns

MODES = pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
Array = np.ndarray


def _kernel(seed: int) -> tn.initializers.Initializer:
    """A seeded, clearly non-zero kernel (standard deviation 1), so every run sees the same weights."""
    return tn.initializers.RandomNormal(stddev=1.0, seed=seed)


def _bias(seed: int) -> tn.initializers.Initializer:
    return tn.initializers.RandomNormal(stddev=1.0, seed=seed)


def _x(shape: tuple[int, ...], seed: int = 0, low: float = -2.0, high: float = 2.0) -> Array:
    """A small float64 input with every entry at least 0.1 from zero (a non-trivial gradient everywhere)."""
    x = np.random.default_rng(seed).uniform(low, high, size=shape)
    return np.where(np.abs(x) < 0.1, 0.5, x)


# ---------------------------------------------------------------------------- broken layers
class MissingTransposeDense(tn.layers.Dense):
    """dx = dz @ kernel instead of dz @ kernel.T (only visible with a square, non-symmetric kernel)."""

    def backward(self, grad: Array) -> Array:
        super().backward(grad)
        return grad @ self.kernel.value


class ScaledKernelGradDense(tn.layers.Dense):
    """The kernel gradient multiplied by ``factor`` (1.01 by default): a 1 % error."""

    def __init__(self, units: int, factor: float = 1.01, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.factor = factor

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad)
        self.kernel.grad = self.kernel.grad * self.factor
        return dx


class ZeroBiasGradDense(tn.layers.Dense):
    """The bias gradient set to zeros (dropped)."""

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad)
        assert self.bias is not None
        self.bias.grad = np.zeros_like(self.bias.value)
        return dx


class UntouchedBiasGradDense(tn.layers.Dense):
    """The bias gradient never assigned: it stays at whatever it was (zeros on a fresh layer)."""

    def backward(self, grad: Array) -> Array:
        dz = grad if self.activation is None else self.activation.backward(grad)
        (x,) = self.recall("x")
        self.kernel.grad = x.T @ dz
        return dz @ self.kernel.value.T


class UpstreamIgnoringTanh(tn.activations.Tanh):
    """Returns the local derivative 1 - y*y, forgetting to multiply by the upstream gradient."""

    def backward(self, grad: Array) -> Array:
        (y,) = self.recall("y")
        return 1.0 - y * y


class FusedLossSoftmax(tn.activations.Softmax):
    """Passes ``grad`` straight through, as if a cross-entropy had already folded softmax's Jacobian in."""

    def backward(self, grad: Array) -> Array:
        self.recall("y")
        return grad


class YMinusGradSoftmax(tn.activations.Softmax):
    """Returns ``y - grad``: the fused softmax + cross-entropy shortcut, used where no such loss follows."""

    def backward(self, grad: Array) -> Array:
        (y,) = self.recall("y")
        return y - grad


class DiagonalSoftmax(tn.activations.Softmax):
    """Uses only the Jacobian's diagonal, y * (1 - y), as if softmax were element-wise."""

    def backward(self, grad: Array) -> Array:
        (y,) = self.recall("y")
        return grad * y * (1.0 - y)


class MseWithoutTwo(tn.losses.MeanSquaredError):
    """dy_pred = e * scale: the factor 2 of d(e*e)/de forgotten."""

    def backward(self) -> Array:
        e, scale = self.recall("e", "scale")
        return e * scale


class MseIgnoringWeights(tn.losses.MeanSquaredError):
    """The per-sample weights dropped from the gradient (but kept in the loss)."""

    def backward(self) -> Array:
        e, _ = self.recall("e", "scale")
        return 2.0 * e / e.size


class UnscaledBceFromLogits(tn.losses.BinaryCrossentropy):
    """sigmoid(z) - y without the 1 / (N * M) of the batch mean."""

    def __init__(self) -> None:
        super().__init__(from_logits=True)

    def backward(self) -> Array:
        z, y, _ = self.recall("z", "y", "scale")
        return 1.0 / (1.0 + np.exp(-z)) - y


class SummedMse(tn.losses.MeanSquaredError):
    """A gradient of the wrong shape: summed over the feature axis."""

    def backward(self) -> Array:
        return super().backward().sum(axis=1)


class TransposedInputGradDense(tn.layers.Dense):
    """dx returned transposed: (features, batch) instead of (batch, features)."""

    def backward(self, grad: Array) -> Array:
        return super().backward(grad).T


class RowSumTanh(tn.activations.Tanh):
    """dx summed over the batch: shape (features,) instead of (batch, features)."""

    def backward(self, grad: Array) -> Array:
        return super().backward(grad).sum(axis=0)


class NoReturnDense(tn.layers.Dense):
    """Sets the parameter gradients but forgets ``return``."""

    def backward(self, grad: Array) -> None:  # type: ignore[override]
        super().backward(grad)


class PerturbedInputGradDense(tn.layers.Dense):
    """dx wrong by +0.5 at (1, 2) and by +0.1 at (0, 0): the worst entry is (1, 2)."""

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad).copy()
        dx[1, 2] += 0.5
        dx[0, 0] += 0.1
        return dx


class InfInputGradTanh(tn.activations.Tanh):
    """dx is +inf at one entry: no finite central difference can agree with it."""

    def backward(self, grad: Array) -> Array:
        dx = super().backward(grad).copy()
        dx[0, 0] = np.inf
        return dx


# ---------------------------------------------------------------------------- stochastic layers
class OwnRngDropout(tn.Layer):
    """Inverted dropout (rate 0.5) drawing its mask in training from ``self.rng``, a generator it owns."""

    accepts_any_shape = True

    def __init__(self, seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rng = np.random.default_rng(seed)

    def draw(self, shape: tuple[int, ...]) -> Array:
        return self.rng.random(shape)

    def forward(self, x: Array, training: bool = False) -> Array:
        mask = (self.draw(x.shape) >= 0.5) * 2.0 if training else np.ones(x.shape)
        mask = mask.astype(x.dtype)
        self.remember(mask=mask)
        return x * mask

    def backward(self, grad: Array) -> Array:
        (mask,) = self.recall("mask")
        return grad * mask


_HIDDEN_RNG = np.random.default_rng(0)


class HiddenRngDropout(OwnRngDropout):
    """The same dropout, but the generator is a module global: not an attribute, so nobody can rewind it."""

    def draw(self, shape: tuple[int, ...]) -> Array:
        return _HIDDEN_RNG.random(shape)


# ---------------------------------------------------------------------------- helpers
_VALUES = re.compile(r"backward gives (\S+), central differences give (\S+) \(")


def _reported_values(message: str) -> tuple[float, float]:
    """(analytic, numeric) as printed in a check_gradients failure."""
    match = _VALUES.search(message)
    assert match, f"no values in the message: {message}"
    return float(match.group(1)), float(match.group(2))


def _dense(cls: type[tn.layers.Dense], units: int = 3, name: str = "broken", **kwargs: Any) -> tn.layers.Dense:
    """A ``cls`` with a seeded random kernel and bias: a non-trivial kernel and true bias gradient."""
    kwargs.setdefault("kernel_initializer", _kernel(1))
    kwargs.setdefault("bias_initializer", _bias(2))
    return cls(units, name=name, **kwargs)


def _mse_data() -> tuple[Array, Array]:
    rng = np.random.default_rng(4)
    return rng.normal(size=(4, 3)), rng.normal(size=(4, 3))


def _bce_logit_data() -> tuple[Array, Array]:
    rng = np.random.default_rng(5)
    return rng.uniform(0, 1, size=(4, 3)).round(), rng.uniform(-3, 3, size=(4, 3))


# ---------------------------------------------------------------------------- broken layers are caught
def _square_missing_transpose() -> tn.Layer:
    layer = _dense(MissingTransposeDense, units=3)
    layer.ensure_built((3,))
    kernel = layer.kernel.value
    assert not np.allclose(kernel, kernel.T), "the test needs a non-symmetric kernel"
    return layer


BROKEN_LAYERS: list[tuple[str, Callable[[], tn.Layer], tuple[int, ...]]] = [
    ("missing_transpose", _square_missing_transpose, (4, 3)),
    ("kernel_grad_x1.01", lambda: _dense(ScaledKernelGradDense), (4, 2)),
    ("kernel_grad_x1.01_tanh", lambda: _dense(ScaledKernelGradDense, activation="tanh"), (4, 2)),
    ("bias_grad_zeroed", lambda: _dense(ZeroBiasGradDense, activation="tanh"), (4, 2)),
    ("bias_grad_never_set", lambda: _dense(UntouchedBiasGradDense, activation="tanh"), (4, 2)),
    ("tanh_ignores_upstream", UpstreamIgnoringTanh, (3, 4)),
    ("softmax_passes_grad_through", FusedLossSoftmax, (3, 4)),
    ("softmax_y_minus_grad", YMinusGradSoftmax, (3, 4)),
    ("softmax_diagonal_only", DiagonalSoftmax, (3, 4)),
    ("dense_with_fused_softmax", lambda: _dense(tn.layers.Dense, activation=FusedLossSoftmax()), (4, 2)),
]


@MODES
@pytest.mark.parametrize("make, shape", [b[1:] for b in BROKEN_LAYERS], ids=[b[0] for b in BROKEN_LAYERS])
def test_broken_layer_backward_is_caught(
    make: Callable[[], tn.Layer], shape: tuple[int, ...], directions: int | None
) -> None:
    """Each classic backward mistake in a layer makes check_gradients raise AssertionError."""
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        check_gradients(make(), _x(shape), directions=directions)


BROKEN_LOSSES: list[tuple[str, Callable[[], tn.Loss], Callable[[], tuple[Array, Array]], Array | None]] = [
    ("mse_without_2", MseWithoutTwo, _mse_data, None),
    ("mse_ignoring_weights", MseIgnoringWeights, _mse_data, np.array([0.5, 2.0, 1.0, 0.0])),
    ("bce_logits_unscaled", UnscaledBceFromLogits, _bce_logit_data, None),
]


@MODES
@pytest.mark.parametrize("make, data, weights", [b[1:] for b in BROKEN_LOSSES], ids=[b[0] for b in BROKEN_LOSSES])
def test_broken_loss_backward_is_caught(
    make: Callable[[], tn.Loss],
    data: Callable[[], tuple[Array, Array]],
    weights: Array | None,
    directions: int | None,
) -> None:
    """A loss whose backward is off by a constant factor, or drops the weights, is caught."""
    y_true, y_pred = data()
    with pytest.raises(AssertionError, match="'y_pred'"):
        check_gradients(make(), y_true, y_pred, sample_weight=weights, directions=directions)


WRONG_SHAPES: list[tuple[str, Callable[[], tn.Layer], tuple[int, ...]]] = [
    ("dense_transposed_dx", lambda: _dense(TransposedInputGradDense), (4, 2)),
    ("tanh_summed_dx", RowSumTanh, (3, 4)),
    ("dense_returns_none", lambda: _dense(NoReturnDense), (4, 2)),
]


@MODES
@pytest.mark.parametrize("make, shape", [w[1:] for w in WRONG_SHAPES], ids=[w[0] for w in WRONG_SHAPES])
def test_input_gradient_of_the_wrong_shape_is_caught(
    make: Callable[[], tn.Layer], shape: tuple[int, ...], directions: int | None
) -> None:
    """dx must have x's shape; the error says which shapes it got and expected."""
    with pytest.raises(AssertionError, match=r"shape") as caught:
        check_gradients(make(), _x(shape), directions=directions)
    assert str(shape) in str(caught.value)


@MODES
def test_loss_gradient_of_the_wrong_shape_is_caught(directions: int | None) -> None:
    """A loss's gradient must have y_pred's shape."""
    y_true, y_pred = _mse_data()
    with pytest.raises(AssertionError, match=r"shape \(4,\), expected \(4, 3\)"):
        check_gradients(SummedMse(), y_true, y_pred, directions=directions)


# ---------------------------------------------------------------------------- correct versions pass
CORRECT_LAYERS: list[tuple[str, Callable[[], tn.Layer], tuple[int, ...]]] = [
    ("dense_square", lambda: _dense(tn.layers.Dense, units=3), (4, 3)),
    ("dense_tanh", lambda: _dense(tn.layers.Dense, activation="tanh"), (4, 2)),
    ("dense_softmax", lambda: _dense(tn.layers.Dense, activation="softmax"), (4, 2)),
    ("tanh", tn.activations.Tanh, (3, 4)),
    ("softmax", tn.activations.Softmax, (3, 4)),
    ("dropout_inference", OwnRngDropout, (3, 4)),
]


@MODES
@pytest.mark.parametrize("make, shape", [c[1:] for c in CORRECT_LAYERS], ids=[c[0] for c in CORRECT_LAYERS])
def test_correct_layers_pass(make: Callable[[], tn.Layer], shape: tuple[int, ...], directions: int | None) -> None:
    """The unbroken parents of the broken classes pass: the failures above are the bugs, not the checker."""
    check_gradients(make(), _x(shape), directions=directions)


CORRECT_LOSSES: list[tuple[str, Callable[[], tn.Loss], Callable[[], tuple[Array, Array]], Array | None]] = [
    ("mse", tn.losses.MeanSquaredError, _mse_data, None),
    ("mse_weighted", tn.losses.MeanSquaredError, _mse_data, np.array([0.5, 2.0, 1.0, 0.0])),
    ("bce_logits", lambda: tn.losses.BinaryCrossentropy(from_logits=True), _bce_logit_data, None),
]


@MODES
@pytest.mark.parametrize("make, data, weights", [c[1:] for c in CORRECT_LOSSES], ids=[c[0] for c in CORRECT_LOSSES])
def test_correct_losses_pass(
    make: Callable[[], tn.Loss],
    data: Callable[[], tuple[Array, Array]],
    weights: Array | None,
    directions: int | None,
) -> None:
    """The unbroken losses pass, with and without sample weights."""
    y_true, y_pred = data()
    check_gradients(make(), y_true, y_pred, sample_weight=weights, directions=directions)


# ---------------------------------------------------------------------------- the message
def test_message_names_the_input_the_worst_index_and_both_values() -> None:
    """Entry mode names 'input', the worst of the failing entries, both values and how many failed."""
    with pytest.raises(AssertionError) as caught:
        check_gradients(_dense(PerturbedInputGradDense, units=2, name="perturbed"), _x((2, 3)))
    message = str(caught.value)
    assert "'input'" in message
    assert "index (1, 2)" in message
    assert "2 of 6 checks failed" in message
    analytic, numeric = _reported_values(message)
    assert analytic - numeric == pytest.approx(0.5, abs=1e-6)


def test_message_names_the_parameter_as_layer_dot_name() -> None:
    """A wrong kernel gradient is reported as '<layer name>.kernel', at an index, with values 1.01 apart."""
    with pytest.raises(AssertionError) as caught:
        check_gradients(_dense(ScaledKernelGradDense, name="scaled"), _x((4, 2)))
    message = str(caught.value)
    assert "'scaled.kernel'" in message
    assert re.search(r"at index \(\d, \d\)", message)
    analytic, numeric = _reported_values(message)
    assert analytic / numeric == pytest.approx(1.01, rel=1e-6)


def test_message_in_direction_mode_names_the_direction() -> None:
    """Direction mode names the tensor and the random direction that failed."""
    with pytest.raises(AssertionError) as caught:
        check_gradients(_dense(ScaledKernelGradDense, name="scaled"), _x((4, 2)), directions=3)
    message = str(caught.value)
    assert "'scaled.kernel'" in message and "random direction" in message
    analytic, numeric = _reported_values(message)
    assert analytic / numeric == pytest.approx(1.01, rel=1e-6)


def test_a_different_seed_gives_the_same_verdict() -> None:
    """The verdict does not hinge on one lucky upstream gradient or direction."""
    for seed in range(5):
        check_gradients(_dense(tn.layers.Dense, activation="tanh"), _x((4, 2)), directions=2, seed=seed)
        with pytest.raises(AssertionError):
            check_gradients(_dense(ScaledKernelGradDense), _x((4, 2)), directions=2, seed=seed)


@MODES
def test_an_infinite_gradient_is_caught(directions: int | None) -> None:
    """A backward returning inf where the true gradient is finite must fail."""
    with pytest.raises(AssertionError):
        check_gradients(InfInputGradTanh(), _x((3, 4)), directions=directions)


@pytest.mark.parametrize("directions", [0, -1, True, 2.5])
def test_bad_directions_are_refused(directions: object) -> None:
    """directions=0 would check no tensor at all, so a broken layer would pass: it must be refused."""
    with pytest.raises(tn.errors.InvalidValueError, match="directions"):
        check_gradients(_dense(ScaledKernelGradDense), _x((4, 2)), directions=directions)


@pytest.mark.parametrize("settings_", [{"eps": 0.0}, {"eps": -1e-6}, {"rtol": -1.0}, {"atol": -1e-8}])
def test_bad_tolerances_are_refused(settings_: dict) -> None:
    with pytest.raises(tn.errors.InvalidValueError):
        check_gradients(_dense(tn.layers.Dense), _x((4, 2)), **settings_)


def test_arguments_of_the_other_kind_are_refused() -> None:
    """sample_weight belongs to losses and training to layers: passing the other is refused, not ignored."""
    with pytest.raises(tn.errors.InvalidValueError, match="sample_weight"):
        check_gradients(_dense(tn.layers.Dense), _x((4, 2)), sample_weight=np.ones(4))
    with pytest.raises(tn.errors.InvalidValueError, match="training"):
        check_gradients(tn.losses.MeanSquaredError(), np.zeros((2, 1)), np.ones((2, 1)), training=True)


# ---------------------------------------------------------------------------- the caller's objects untouched
def test_caller_layer_keeps_dtype_parameters_and_grads() -> None:
    """The check runs on a float64 copy: the float32 layer, its values and its grads are bitwise unchanged."""
    layer = _dense(tn.layers.Dense, activation="tanh")
    x = _x((4, 2))
    layer(x)
    layer.backward(np.ones((4, 3), dtype=np.float32))
    values = [p.value.copy() for p in layer.parameters()]
    grads = [p.grad.copy() for p in layer.parameters()]
    check_gradients(layer, x)
    assert layer.activation is not None
    assert layer.dtype == np.float32 and layer.activation.dtype == np.float32
    for p, value, grad in zip(layer.parameters(), values, grads, strict=True):
        assert p.value.dtype == p.grad.dtype == np.float32
        assert p.value.tobytes() == value.tobytes() and p.grad.tobytes() == grad.tobytes()


def test_caller_input_is_untouched() -> None:
    """The perturbations happen on a copy of x, even when x is already float64."""
    x = _x((4, 2))
    before = x.copy()
    check_gradients(_dense(tn.layers.Dense), x)
    assert x.tobytes() == before.tobytes()


def test_unbuilt_layer_stays_unbuilt() -> None:
    """Checking an unbuilt layer builds only the copy: the caller's layer can still be built for any shape."""
    layer = tn.layers.Dense(3, name="unbuilt")
    check_gradients(layer, _x((4, 2)))
    assert not layer.built and layer.parameters() == [] and layer.input_shape is None
    assert layer(np.ones((2, 5))).shape == (2, 3)


def test_remembered_memory_survives_so_backward_is_unchanged() -> None:
    """A layer that ran forward still back-propagates that forward, exactly as before the check."""
    layer = _dense(tn.layers.Dense, activation="tanh")
    layer(_x((4, 2), seed=1))
    reference = copy.deepcopy(layer)
    check_gradients(layer, _x((5, 2), seed=2))
    upstream = np.random.default_rng(9).standard_normal((4, 3)).astype(np.float32)
    dx = layer.backward(upstream)
    dx_reference = reference.backward(upstream)
    assert dx.dtype == np.float32
    np.testing.assert_array_equal(dx, dx_reference)
    for p, q in zip(layer.parameters(), reference.parameters(), strict=True):
        np.testing.assert_array_equal(p.grad, q.grad)


def test_caller_loss_and_arrays_are_untouched() -> None:
    """A loss keeps what its last forward remembered; y_pred is not perturbed in place."""
    y_true, y_pred = _mse_data()
    loss = tn.losses.MeanSquaredError()
    loss(y_true[:2], y_pred[:2])
    grad = loss.backward()
    before = y_pred.copy()
    check_gradients(loss, y_true, y_pred)
    np.testing.assert_array_equal(loss.backward(), grad)
    assert y_pred.tobytes() == before.tobytes()


# ---------------------------------------------------------------------------- random layers
@MODES
def test_stochastic_layer_passes_because_its_generator_is_rewound(directions: int | None) -> None:
    """Dropout owning its generator passes in training: every evaluation replays the same mask."""
    layer = OwnRngDropout(seed=3, name="dropout")
    state = copy.deepcopy(layer.rng.bit_generator.state)
    check_gradients(layer, _x((3, 4)), training=True, directions=directions)
    assert layer.rng.bit_generator.state == state, "the caller's generator must not advance"


@MODES
def test_stochastic_layer_with_an_unreachable_generator_fails(directions: int | None) -> None:
    """The same dropout fails when its generator is not an attribute: the replay is what makes it pass."""
    with pytest.raises(AssertionError):
        check_gradients(HiddenRngDropout(name="hidden"), _x((3, 4)), training=True, directions=directions)


def test_generators_of_nested_layers_are_rewound() -> None:
    """A dropout deep inside a Sequential is found by the walk and replayed too."""
    model = tn.Sequential(
        [_dense(tn.layers.Dense, units=4, name="d1", activation="tanh"), OwnRngDropout(seed=1, name="drop"),
         tn.Sequential([_dense(tn.layers.Dense, units=2, name="d2")], name="inner")],
        name="outer",
    )  # fmt: skip
    check_gradients(model, _x((3, 2)), training=True)
    check_gradients(model, _x((3, 2)), training=True, directions=3)


# ---------------------------------------------------------------------------- wrong arguments
@pytest.mark.parametrize(
    "obj",
    [object(), np.ones((2, 2)), tn.layers.Dense, lambda x: x, tn.Parameter("w", np.ones(2))],
    ids=["object", "array", "layer_class", "function", "parameter"],
)
def test_non_layer_or_loss_is_a_type_error(obj: Any) -> None:
    """Only Layer and Loss instances can be checked."""
    with pytest.raises(tn.errors.InvalidTypeError, match="Layer or Loss"):
        check_gradients(obj, np.ones((2, 2)))


@pytest.mark.parametrize("count", [0, 2, 3])
def test_layer_with_wrong_argument_count_is_a_type_error(count: int) -> None:
    """A layer takes exactly one input array."""
    with pytest.raises(TypeError, match="exactly one input"):
        check_gradients(tn.activations.Tanh(), *[np.ones((2, 2))] * count)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_loss_with_wrong_argument_count_is_a_type_error(count: int) -> None:
    """A loss takes exactly y_true and y_pred (sample weights go by keyword)."""
    with pytest.raises(tn.errors.InvalidTypeError, match="y_true and y_pred"):
        check_gradients(tn.losses.MeanSquaredError(), *[np.ones((2, 2))] * count)


# ---------------------------------------------------------------------------- models
def _model(broken: tn.Layer, where: str) -> tn.Sequential:
    ok_first = _dense(tn.layers.Dense, units=3, name="ok_first", activation="tanh")
    ok_last = _dense(tn.layers.Dense, units=2, name="ok_last", kernel_initializer=_kernel(7))
    if where == "middle":
        return tn.Sequential([ok_first, broken, ok_last], name="model")
    if where == "nested":
        inner = tn.Sequential([_dense(tn.layers.Dense, units=3, name="ok_inner"), broken], name="inner")
        return tn.Sequential([ok_first, inner, ok_last], name="model")
    return tn.Sequential([ok_first, ok_last, broken], name="model")


@MODES
@pytest.mark.parametrize("where", ["middle", "nested", "last"])
@pytest.mark.parametrize(
    "make, parameter",
    [
        (lambda: _dense(ScaledKernelGradDense, 2, name="bad", kernel_initializer=_kernel(8)), "bad.kernel"),
        (lambda: _dense(ZeroBiasGradDense, units=2, name="bad", activation="tanh"), "bad.bias"),
    ],
    ids=["scaled_kernel", "zeroed_bias"],
)
def test_broken_layer_inside_a_sequential_is_caught_by_name(
    make: Callable[[], tn.Layer], parameter: str, where: str, directions: int | None
) -> None:
    """Every nested layer's parameters are checked; the message names the broken one."""
    with pytest.raises(AssertionError, match=re.escape(f"'{parameter}'")):
        check_gradients(_model(make(), where), _x((4, 2)), directions=directions)


@MODES
def test_correct_sequential_passes(directions: int | None) -> None:
    """The same models with a correct layer in place of the broken one pass."""
    for where in ("middle", "nested", "last"):
        good = _dense(tn.layers.Dense, units=2, name="good", activation="tanh")
        check_gradients(_model(good, where), _x((4, 2)), directions=directions)


class _PinnedScale(tn.Layer):
    """y = alpha * x with a non-trainable ``offset`` parameter whose grad it never sets."""

    def build(self, input_shape: tuple[int, ...]) -> None:
        self.alpha = self.add_parameter("alpha", input_shape, initializer="ones")
        self.offset = self.add_parameter("offset", input_shape, initializer="ones", trainable=False)

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(x=x)
        return self.alpha.value * x + self.offset.value

    def backward(self, grad: Array) -> Array:
        (x,) = self.recall("x")
        self.alpha.grad = (grad * x).sum(axis=0)
        return grad * self.alpha.value


def test_non_trainable_parameters_are_not_checked() -> None:
    """Only trainable parameters are compared: a non-trainable one without a gradient does not fail."""
    check_gradients(_PinnedScale(name="pinned"), _x((3, 2)))


# ---------------------------------------------------------------------------- property
@settings(max_examples=50)
@given(
    shape=tns.batch_shapes(max_dims=1),
    units=st.integers(1, 4),
    factor=st.floats(1.01, 2.0),
    seed=st.integers(0, 2**16),
    activation=st.sampled_from([None, "tanh"]),
    directions=st.sampled_from([None, 3]),
    data=st.data(),
)
def test_any_scaled_kernel_gradient_is_caught(
    shape: tuple[int, ...],
    units: int,
    factor: float,
    seed: int,
    activation: str | None,
    directions: int | None,
    data: st.DataObject,
) -> None:
    """For random small Dense layers and inputs, a kernel gradient off by a factor in [1.01, 2] is caught."""
    x = data.draw(tns.arrays(shape, kinks=(0.0,), margin=0.1), label="x")
    layer = ScaledKernelGradDense(
        units, factor=factor, activation=activation, kernel_initializer=_kernel(seed), name="prop"
    )
    with pytest.raises(AssertionError, match="'prop.kernel'"):
        check_gradients(layer, x, directions=directions, seed=seed)


def test_sub_layers_that_share_a_name_are_each_checked() -> None:
    """Two sub-layers named alike (a Bidirectional's two cells) keep their own gradients, matched by position."""

    class Twin(tn.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.first, self.second = tn.layers.Dense(2, name="same"), tn.layers.Dense(2, name="same")

        def build(self, input_shape):  # type: ignore[no-untyped-def]
            self.first.ensure_built(input_shape)
            self.second.ensure_built(input_shape)

        def forward(self, x, training=False):  # type: ignore[no-untyped-def]
            return self.first.forward(x) * 2.0 + self.second.forward(x)

        def backward(self, grad):  # type: ignore[no-untyped-def]
            return self.first.backward(grad * 2.0) + self.second.backward(grad)

    tn.testing.check_gradients(Twin(), np.random.default_rng(0).normal(size=(3, 4)))
