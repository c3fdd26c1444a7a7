"""Numerics: exact losses and gradients at extreme logits (1e4), finite saturation, pinned kink subgradients.

Every test here runs with ``np.errstate(all="raise", under="ignore")`` and with warnings as
errors: an overflow, a division by zero or an invalid value anywhere fails the test, while
underflow to zero (harmless, NumPy's default to ignore) is allowed. References are computed
with Python's ``decimal`` module at 60 significant digits, then rounded to the dtype tested.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Iterator
from decimal import Decimal

import numpy as np
import pytest

import tinynet as tn
from tinynet import _numerics

pytestmark = pytest.mark.filterwarnings("error")

DTYPES = [np.float32, np.float64]
# logits spanning +-1e4, with the float32 (88) and float64 (710) exp-overflow points and 40
# (where float32's sigmoid saturates); all exact in float32, so both dtypes see the same values
GRID = [-1e4, -710.0, -103.0, -88.0, -40.0, -17.0, -3.5, -1.0, -0.5, -2.0**-20, 0.0,
        2.0**-20, 0.5, 1.0, 3.5, 17.0, 40.0, 88.0, 103.0, 710.0, 1e4]  # fmt: skip
ROWS = [
    [1e4, -1e4],
    [-1e4, -1e4, -1e4],
    [1e4, 1e4, -1e4],
    [1e4, 9999.0, 9998.5],
    [-1e4, -9999.0, -1e4],
    [710.0, -710.0, 88.0, -88.0],
    [40.0, 40.0, -40.0],
    [0.0, 0.5, -3.5, 1.0],
    [-3.5],
    GRID,
]


@pytest.fixture(autouse=True)
def raise_on_floating_point_errors() -> Iterator[None]:
    with np.errstate(all="raise", under="ignore"):
        yield


# ---------------------------------------------------------------------------- references
PRECISE = decimal.Context(prec=60)  # used through localcontext: the global decimal context is left alone


def _d(x: float) -> Decimal:
    return Decimal(float(x))


def precise(function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args: object) -> object:
        with decimal.localcontext(PRECISE):
            return function(*args)

    return wrapper


@precise
def ref_sigmoid(z: float) -> float:
    return float(1 / (1 + (-_d(z)).exp()))


def _log1p(t: Decimal) -> Decimal:
    """log(1 + t) for t >= 0, accurate also when 1 + t rounds to 1 at 60 digits."""
    return t - t * t / 2 if t < Decimal("1e-30") else (1 + t).ln()


@precise
def ref_softplus(z: float) -> float:
    return float(_log1p(_d(z).exp()))


@precise
def ref_log_sigmoid(z: float) -> float:
    return float(-_log1p((-_d(z)).exp()))


@precise
def ref_logsumexp(row: np.ndarray) -> float:
    """log(sum(exp(row))) rounded to float64."""
    return float(_logsumexp(row))


def _logsumexp(row: np.ndarray) -> Decimal:
    m = max(_d(v) for v in row)
    return m + sum((_d(v) - m).exp() for v in row).ln()


@precise
def ref_log_softmax(row: np.ndarray) -> list[float]:
    lse = _logsumexp(row)
    return [float(_d(v) - lse) for v in row]


@precise
def ref_softmax(row: np.ndarray) -> list[float]:
    lse = _logsumexp(row)
    return [float((_d(v) - lse).exp()) for v in row]


def assert_within_ulps(got: np.ndarray, reference: list[float], dtype: type, ulps: int = 4) -> None:
    """``got`` is within ``ulps`` units in the last place of the reference rounded to ``dtype``."""
    np.testing.assert_array_max_ulp(got, np.array(reference, dtype=np.float64).astype(dtype), maxulp=ulps)


ELEMENTWISE: list[tuple[str, Callable[[np.ndarray], np.ndarray], Callable[[float], float]]] = [
    ("sigmoid", _numerics.sigmoid, ref_sigmoid),
    ("softplus", _numerics.softplus, ref_softplus),
    ("log_sigmoid", _numerics.log_sigmoid, ref_log_sigmoid),
]


# ---------------------------------------------------------------------------- the anchors
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True])
def test_softmax_crossentropy_of_1e4_logits_is_exactly_20000(dtype: type, sparse: bool) -> None:
    """Logits [1e4, -1e4] against class 1: the loss is exactly 20000.0 and the gradient exactly [1, -1]."""
    logits = np.array([[1e4, -1e4]], dtype=dtype)
    if sparse:
        loss, y_true = tn.losses.SparseCategoricalCrossentropy(from_logits=True), np.array([1])
    else:
        loss, y_true = tn.losses.CategoricalCrossentropy(from_logits=True), np.array([[0.0, 1.0]])
    assert loss(y_true, logits) == 20000.0
    grad = loss.backward()
    assert grad.dtype == dtype
    np.testing.assert_array_equal(grad, [[1.0, -1.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_with_logits_of_40_against_0_is_exactly_40(dtype: type) -> None:
    loss = tn.losses.BinaryCrossentropy(from_logits=True)
    assert loss(np.array([[0.0]]), np.array([[40.0]], dtype=dtype)) == 40.0
    assert loss.backward()[0, 0] == 1.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_of_equal_minus_1e4_logits_is_one_third_each(dtype: type) -> None:
    x = np.array([[-1e4, -1e4, -1e4]], dtype=dtype)
    third = dtype(1.0) / dtype(3.0)
    np.testing.assert_array_equal(_numerics.softmax(x), third)
    y = tn.activations.Softmax(dtype=dtype)(x)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, third)


# ---------------------------------------------------------------------------- _numerics against references
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, function, reference", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_functions_match_references_over_the_grid(dtype, name, function, reference) -> None:
    """sigmoid, softplus, log_sigmoid: finite, dtype kept, within a few ulps of the exact value."""
    z = np.array(GRID, dtype=dtype)
    got = function(z)
    assert got.dtype == dtype and np.isfinite(got).all()
    assert_within_ulps(got, [reference(v) for v in z], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", ROWS, ids=range(len(ROWS)))
def test_softmax_matches_the_reference(dtype: type, row: list[float]) -> None:
    z = np.array([row], dtype=dtype)
    got = _numerics.softmax(z)
    assert got.dtype == dtype and np.isfinite(got).all()
    assert_within_ulps(got[0], ref_softmax(z[0]), dtype)
    assert got.sum() == pytest.approx(1.0, rel=float(4 * np.finfo(dtype).eps * len(row)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", ROWS, ids=range(len(ROWS)))
def test_logsumexp_matches_the_reference(dtype: type, row: list[float]) -> None:
    """m + log(sum(exp(z - m))): within a few ulps of its two terms (the sum may cancel when m < 0)."""
    z = np.array([row, row[::-1]], dtype=dtype)
    got = _numerics.logsumexp(z)
    assert got.shape == (2, 1) and got.dtype == dtype and np.isfinite(got).all()
    assert _numerics.logsumexp(z, keepdims=False).shape == (2,)
    exact = ref_logsumexp(z[0])
    m = max(row)
    tolerance = 4 * float(np.finfo(dtype).eps) * (abs(m) + abs(exact - m))  # ulps of m and of log(s)
    assert abs(float(got[0, 0]) - exact) <= tolerance
    assert abs(float(got[1, 0]) - exact) <= tolerance
    # along another axis
    np.testing.assert_array_equal(_numerics.logsumexp(z.T, axis=0), got.T)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", ROWS, ids=range(len(ROWS)))
def test_log_softmax_is_finite_and_accurate_relative_to_the_logits(dtype: type, row: list[float]) -> None:
    """z - logsumexp(z): finite, dtype kept, within a few ulps of the largest |logit|."""
    z = np.array([row], dtype=dtype)
    got = _numerics.log_softmax(z)
    assert got.dtype == dtype and np.isfinite(got).all()
    exact = np.array(ref_log_softmax(z[0]))
    tolerance = 4 * float(np.finfo(dtype).eps) * max(1.0, max(abs(v) for v in row))
    np.testing.assert_allclose(got[0], exact, rtol=0, atol=tolerance)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_softmax_is_within_a_few_ulps_of_its_own_value(dtype: type) -> None:
    z = np.array([[1e4, 9999.0, 9998.5]], dtype=dtype)
    assert_within_ulps(_numerics.log_softmax(z)[0], ref_log_softmax(z[0]), dtype)


def test_crossentropy_with_large_close_logits_is_accurate_in_float32() -> None:
    """Logits [1e4, 1e4 - 1] against class 0: the loss log1p(exp(-1)) ~ 0.3133 to float32 precision."""
    loss = tn.losses.SparseCategoricalCrossentropy(from_logits=True)
    value = loss(np.array([0]), np.array([[1e4, 1e4 - 1.0]], dtype=np.float32))
    assert value == pytest.approx(float(np.log1p(np.exp(-1.0))), rel=1e-6)


# ---------------------------------------------------------------------------- activations at +-1e4
ACTIVATIONS: list[tuple[str, Callable[[], tn.Activation], list[float], list[float]]] = [
    # id, factory, forward at [-1e4, 1e4], derivative at [-1e4, 1e4]
    ("relu", tn.activations.ReLU, [0.0, 1e4], [0.0, 1.0]),
    ("leaky_relu", tn.activations.LeakyReLU, [-3000.0, 1e4], [0.3, 1.0]),
    ("elu", tn.activations.ELU, [-1.0, 1e4], [0.0, 1.0]),
    ("gelu", tn.activations.GELU, [0.0, 1e4], [0.0, 1.0]),
    ("gelu_tanh", lambda: tn.activations.GELU(approximate=True), [0.0, 1e4], [0.0, 1.0]),
    ("sigmoid", tn.activations.Sigmoid, [0.0, 1.0], [0.0, 0.0]),
    ("tanh", tn.activations.Tanh, [-1.0, 1.0], [0.0, 0.0]),
    ("softplus", tn.activations.Softplus, [0.0, 1e4], [0.0, 1.0]),
    ("silu", tn.activations.SiLU, [0.0, 1e4], [0.0, 1.0]),
    ("linear", tn.activations.Linear, [-1e4, 1e4], [1.0, 1.0]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, make, forward, derivative", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activations_are_finite_and_saturate_correctly_at_1e4(dtype, name, make, forward, derivative) -> None:
    """Forward and backward at +-1e4 (and at moderate values) are finite, of the input's dtype, and exact."""
    layer = make().astype(dtype)
    x = np.array([[-1e4, 1e4], [-40.0, 40.0], [-88.0, 88.0], [-710.0, 710.0]], dtype=dtype)
    y = layer(x)
    upstream = np.random.default_rng(0).normal(size=y.shape).astype(dtype)
    dx = layer.backward(upstream)
    assert y.dtype == dx.dtype == dtype
    assert np.isfinite(y).all() and np.isfinite(dx).all()
    np.testing.assert_allclose(y[0], forward, rtol=1e-6, atol=0)
    np.testing.assert_allclose(dx[0], upstream[0] * np.array(derivative, dtype=dtype), rtol=1e-6, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_activation_is_finite_at_1e4(dtype: type) -> None:
    """Softmax forward and its vector-Jacobian product stay finite and exact at +-1e4."""
    layer = tn.activations.Softmax().astype(dtype)
    x = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, -1e4]], dtype=dtype)
    y = layer(x)
    np.testing.assert_array_equal(y, np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], dtype=dtype))
    upstream = np.array([[1.0, 2.0, 3.0], [1.0, 3.0, 5.0]], dtype=dtype)
    dx = layer.backward(upstream)
    assert dx.dtype == dtype and np.isfinite(dx).all()
    # dx = y * (grad - sum(grad * y)): row 0 is 0; row 1 is [0.5 * (1 - 2), 0.5 * (3 - 2), 0]
    np.testing.assert_array_equal(dx, np.array([[0.0, 0.0, 0.0], [-0.5, 0.5, 0.0]], dtype=dtype))


# ---------------------------------------------------------------------------- losses at +-1e4
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_with_logits_at_1e4_is_exact(dtype: type) -> None:
    """z = +-1e4 against both labels: loss (1e4 + 1e4 + 0 + 0) / 4 and gradient (sigmoid(z) - y) / 4."""
    loss = tn.losses.BinaryCrossentropy(from_logits=True)
    z = np.array([[1e4], [-1e4], [1e4], [-1e4]], dtype=dtype)
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    assert loss(y, z) == 5000.0
    grad = loss.backward()
    assert grad.dtype == dtype
    np.testing.assert_array_equal(grad, np.array([[0.25], [-0.25], [0.0], [0.0]], dtype=dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True])
def test_categorical_crossentropy_with_logits_at_1e4_is_exact(dtype: type, sparse: bool) -> None:
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    labels = np.array([1, 1, 2])
    if sparse:
        loss, y_true = tn.losses.SparseCategoricalCrossentropy(from_logits=True), labels
    else:
        loss, y_true = tn.losses.CategoricalCrossentropy(from_logits=True), np.eye(3)[labels]
    expected = (2e4 + 0.0 + (2e4 + np.log(2.0))) / 3
    assert loss(y_true, z) == pytest.approx(expected, rel=4 * float(np.finfo(dtype).eps))
    grad = loss.backward()
    assert grad.dtype == dtype and np.isfinite(grad).all()
    expected_grad = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 0.0], [0.5, 0.5, -1.0]]) / 3
    np.testing.assert_allclose(grad, expected_grad, rtol=4 * float(np.finfo(dtype).eps), atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_crossentropy_on_probabilities_of_exactly_0_and_1_stays_finite(dtype: type) -> None:
    """Probabilities exactly 0 or 1 are clipped to [eps, 1 - eps]: a finite loss, a finite (zero) gradient."""
    loss = tn.losses.BinaryCrossentropy()
    y_pred = np.array([[0.0], [1.0], [0.0], [1.0]], dtype=dtype)
    y_true = np.array([[0.0], [1.0], [1.0], [0.0]])
    value = loss(y_true, y_pred)
    low, high = dtype(1e-7), dtype(1.0 - 1e-7)  # the clip bounds as the dtype holds them
    expected = (-np.log(low) - np.log1p(-high) - np.log(high) - np.log1p(-low)) / 4
    assert np.isfinite(value) and value == pytest.approx(float(expected), rel=1e-5)
    grad = loss.backward()
    assert grad.dtype == dtype and np.isfinite(grad).all()
    np.testing.assert_array_equal(grad, 0.0)  # the clip is active everywhere: zero gradient, as documented


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sparse", [False, True])
def test_categorical_crossentropy_on_one_hot_probabilities_stays_finite(dtype: type, sparse: bool) -> None:
    """Rows that are exactly one-hot (some entries 0, one 1), right and wrong: finite loss and gradient."""
    y_pred = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=dtype)
    labels = np.array([0, 2])
    if sparse:
        loss, y_true = tn.losses.SparseCategoricalCrossentropy(), labels
    else:
        loss, y_true = tn.losses.CategoricalCrossentropy(), np.eye(3)[labels]
    value = loss(y_true, y_pred)
    assert np.isfinite(value) and value == pytest.approx(-np.log(1e-7) / 2, rel=1e-3)
    grad = loss.backward()
    assert grad.dtype == dtype and np.isfinite(grad).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_outputs_of_1e4_logits_feed_binary_crossentropy_finitely(dtype: type) -> None:
    """The unfused path: Sigmoid saturates to exactly 0 and 1, and the clipped loss stays finite."""
    sigmoid = tn.activations.Sigmoid().astype(dtype)
    p = sigmoid(np.array([[1e4], [-1e4]], dtype=dtype))
    loss = tn.losses.BinaryCrossentropy()
    assert np.isfinite(loss(np.array([[0.0], [1.0]]), p))
    dx = sigmoid.backward(loss.backward())
    assert np.isfinite(dx).all()


# Logit losses at +-1e4: (id, loss, y_true, logits, loss value, dL/dlogits), all exact. Rows: the wrong side
# (loss 1e4 per entry), the right side (0), and label smoothing, which moves the target off 0 and 1.
LOGIT_LOSSES_AT_1E4 = [
    ("bce_smoothed", lambda: tn.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
     [[0.0], [1.0]], [[1e4], [1e4]], (0.9e4 + 0.1e4) / 2, [[0.45], [0.05]]),
    ("cce_smoothed", lambda: tn.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2),
     [[0.0, 1.0]], [[1e4, -1e4]], 0.9 * 2e4, [[0.9, -0.9]]),
    ("binary_focal", lambda: tn.losses.BinaryFocalCrossentropy(from_logits=True),
     [[0.0], [1.0], [1.0], [0.0]], [[1e4], [-1e4], [1e4], [-1e4]], (1e4 + 1e4) / 4, [[0.25], [-0.25], [0.0], [0.0]]),
    ("binary_focal_balanced", lambda: tn.losses.BinaryFocalCrossentropy(True, alpha=0.25, gamma=0.5, from_logits=True),
     [[0.0], [1.0]], [[1e4], [-1e4]], (0.75e4 + 0.25e4) / 2, [[0.375], [-0.125]]),
    ("categorical_focal", lambda: tn.losses.CategoricalFocalCrossentropy(from_logits=True, alpha=0.5),
     [[0.0, 1.0], [1.0, 0.0]], [[1e4, -1e4], [1e4, -1e4]], 0.5 * 2e4 / 2, [[0.25, -0.25], [0.0, 0.0]]),
    ("categorical_focal_gamma_0.5", lambda: tn.losses.CategoricalFocalCrossentropy(gamma=0.5, from_logits=True),
     [[0.0, 0.0, 1.0]], [[1e4, 1e4, -1e4]], 0.25 * (2e4 + np.log(2.0)), [[0.125, 0.125, -0.25]]),
]  # fmt: skip


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("name", "make", "y_true", "logits", "value", "grad"), LOGIT_LOSSES_AT_1E4, ids=[c[0] for c in LOGIT_LOSSES_AT_1E4]
)
def test_logit_losses_at_1e4_are_exact(dtype: type, name, make, y_true, logits, value, grad) -> None:
    """Focal and label-smoothed cross-entropies from logits of +-1e4: exact loss and gradient, no warning."""
    loss = make()
    assert loss(np.array(y_true), np.array(logits, dtype=dtype)) == pytest.approx(
        value, rel=4 * float(np.finfo(dtype).eps)
    )
    dz = loss.backward()
    assert dz.dtype == dtype
    np.testing.assert_allclose(dz, np.array(grad, dtype=dtype), rtol=4 * float(np.finfo(dtype).eps), atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_cosh_is_finite_and_linear_at_1e4(dtype: type) -> None:
    """log(cosh(e)) = |e| - log 2 for large |e| (cosh itself overflows past ~710); the slope is sign(e)."""
    loss = tn.losses.LogCosh()
    assert loss(np.zeros((2, 1)), np.array([[1e4], [-1e4]], dtype=dtype)) == pytest.approx(1e4 - np.log(2.0))
    np.testing.assert_array_equal(loss.backward(), np.array([[0.5], [-0.5]], dtype=dtype))


def test_an_all_zero_probability_row_is_refused_or_finite() -> None:
    loss = tn.losses.CategoricalCrossentropy()
    try:
        value = loss(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))
    except tn.errors.InvalidValueError:
        return
    assert np.isfinite(value) and np.isfinite(loss.backward()).all()


# ---------------------------------------------------------------------------- pinned kink subgradients
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_backward_at_exactly_zero_is_zero(dtype: type) -> None:
    relu = tn.activations.ReLU().astype(dtype)
    relu(np.array([[0.0, -0.0, 1.0, -1.0]], dtype=dtype))
    np.testing.assert_array_equal(relu.backward(np.full((1, 4), 5.0, dtype=dtype)), [[0.0, 0.0, 5.0, 0.0]])


@pytest.mark.parametrize("slope", [0.3, 0.1, 0.0])
def test_leaky_relu_backward_at_exactly_zero_uses_the_negative_slope(slope: float) -> None:
    layer = tn.activations.LeakyReLU(negative_slope=slope).astype("float64")
    y = layer(np.array([[0.0, 2.0, -2.0]]))
    np.testing.assert_array_equal(y, [[0.0, 2.0, -2.0 * slope]])
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), [[slope, 1.0, slope]])


def test_elu_backward_at_exactly_zero_follows_its_documented_negative_branch() -> None:
    """dx = grad * (y + alpha) wherever x <= 0: alpha at x == 0."""
    layer = tn.activations.ELU(alpha=0.5).astype("float64")
    layer(np.array([[0.0]]))
    assert layer.backward(np.ones((1, 1)))[0, 0] == 0.5


# ---------------------------------------------------------------------------- column sums (bias gradients)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 1), (32, 50), (900, 25), (0, 3), (7, 1)])
def test_column_sums_equal_the_sum_over_the_first_axis(dtype: str, shape: tuple[int, int]) -> None:
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    sums = _numerics.column_sums(a)
    assert sums.dtype == a.dtype and sums.shape == (shape[1],)
    np.testing.assert_allclose(sums, a.astype(np.float64).sum(axis=0), rtol=1e-5 if dtype == "float32" else 1e-12,
                               atol=1e-5 if dtype == "float32" else 1e-12)  # fmt: skip


def test_column_sums_return_a_fresh_array_and_keep_their_ones_intact() -> None:
    a = np.ones((4, 2), dtype=np.float32)
    first = _numerics.column_sums(a)
    first[:] = -1.0
    np.testing.assert_array_equal(_numerics.column_sums(a), [4.0, 4.0])


@pytest.mark.parametrize("m, k, n", [(25, 36864, 6), (9, 6400, 3), (150, 4096, 16), (3, 7, 2), (4, 1601, 2)])
def test_long_product_is_a_times_b_transposed(m: int, k: int, n: int) -> None:
    """Chunked (a small result over a long k) or one product (otherwise): the same numbers to rounding."""
    rng = np.random.default_rng(k)
    a, b = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    out = np.empty((m, n))
    assert _numerics.long_product(a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b.T, rtol=1e-12, atol=1e-10)
    single = _numerics.long_product(a.astype(np.float32), b.astype(np.float32))
    np.testing.assert_allclose(single, a @ b.T, rtol=1e-4, atol=1e-2)
