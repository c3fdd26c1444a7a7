"""tinynet._special.erf / erfc against Python's math.erf / math.erfc.

Relative errors are measured against ``max(|reference|, tiny)`` with ``tiny`` the
smallest normal float64 (2.2e-308): a result in the subnormal range (erfc(x) for
x > ~26.55, erf(x) for |x| < ~2e-308) has fewer than 53 significant bits, so a
relative bound cannot hold there for any implementation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinynet._special import erf, erfc, erfc_float32

ERF_RTOL = 1e-14
ERFC_RTOL = 1e-13
TINY = np.finfo(np.float64).tiny


def strict() -> np.errstate:
    """Any floating-point overflow, division by zero or invalid operation raises; underflow is allowed."""
    return np.errstate(all="raise", under="ignore")


# Region boundaries of the implementation: series / trapezoidal rule at 0.5, the pole
# term switched off at pi/h = 2*pi, the clip at 30; erfc leaves the normal range near 26.55.
BOUNDARIES = [0.5, 2.0 * math.pi, 30.0, 26.55, 27.0, 27.3]


def around(points: list[float], n: int = 4) -> np.ndarray:
    """Each point, its n float64 neighbours on either side, and the mirrored values."""
    out = []
    for p in points:
        v = np.float64(p)
        lo = hi = v
        out.append(v)
        for _ in range(n):
            lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
            out += [lo, hi]
        out += [v * (1 - 1e-9), v * (1 + 1e-9), v * (1 - 1e-6), v * (1 + 1e-6)]
    a = np.array(out, dtype=np.float64)
    return np.concatenate([a, -a])


def grid() -> np.ndarray:
    tiny = np.array([5e-324, 1e-310, TINY, 1e-300, 1e-200, 1e-100, 1e-30, 1e-16, 1e-10, 1e-5, 1e-3, 0.1])
    return np.concatenate(
        [
            np.linspace(-30.0, 30.0, 20001),
            np.linspace(-7.0, 7.0, 7001),
            around(BOUNDARIES),
            tiny,
            -tiny,
            [0.0, -0.0],
        ]
    )


def math_erf(x: np.ndarray) -> np.ndarray:
    return np.array([math.erf(float(v)) for v in np.ravel(x)]).reshape(np.shape(x))


def math_erfc(x: np.ndarray) -> np.ndarray:
    return np.array([math.erfc(float(v)) for v in np.ravel(x)]).reshape(np.shape(x))


def rel_err(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    return np.abs(got - ref) / np.maximum(np.abs(ref), TINY)


# ---------------------------------------------------------------------------- accuracy
def test_erf_matches_math_on_dense_grid() -> None:
    x = grid()
    with strict():
        got = erf(x)
    err = rel_err(got, math_erf(x))
    assert err.max() <= ERF_RTOL, f"max rel err {err.max():.3g} at x={x[err.argmax()]!r}"


def test_erfc_matches_math_on_dense_grid() -> None:
    x = grid()
    x = x[(x >= -30.0) & (x <= 27.0)]
    with strict():
        got = erfc(x)
    err = rel_err(got, math_erfc(x))
    assert err.max() <= ERFC_RTOL, f"max rel err {err.max():.3g} at x={x[err.argmax()]!r}"


@pytest.mark.parametrize("x", [3.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 25.0, 26.5])
def test_erfc_keeps_full_relative_precision_in_the_tail(x: float) -> None:
    ref = math.erfc(x)
    got = float(erfc(np.array(x)))
    assert got > 0.0
    assert abs(got - ref) <= ERFC_RTOL * ref
    assert abs(float(erfc(np.array(-x))) - (2.0 - ref)) <= 1e-15


def test_erfc_of_ten() -> None:
    assert float(erfc(np.array(10.0))) == pytest.approx(2.088487583762545e-45, rel=ERFC_RTOL)


def test_erfc_underflows_to_zero_far_right() -> None:
    x = np.array([27.3, 27.5, 28.0, 30.0, 31.0, 100.0, 1e4, 1e300, np.finfo(np.float64).max])
    with strict():
        got = erfc(x)
    np.testing.assert_array_equal(got, 0.0)


def test_erf_is_exactly_odd_and_zero_at_zero() -> None:
    x = np.abs(grid())
    with strict():
        np.testing.assert_array_equal(erf(-x), -erf(x))
        z = erf(np.array([0.0, -0.0]))
    np.testing.assert_array_equal(z, [0.0, 0.0])
    assert not np.signbit(z[0]) and np.signbit(z[1])


def test_erfc_reflection() -> None:
    x = grid()
    with strict():
        np.testing.assert_allclose(erfc(-x) + erfc(x), 2.0, rtol=0, atol=4.5e-16)


def test_float32_accuracy() -> None:
    x64 = np.linspace(-12.0, 12.0, 4801)
    x32 = x64.astype(np.float32)
    xr = x32.astype(np.float64)
    with strict():
        e, c = erf(x32), erfc(x32)
    ref_e = math_erf(xr).astype(np.float32)
    ref_c = math_erfc(xr).astype(np.float32)
    np.testing.assert_allclose(e, ref_e, rtol=2e-7, atol=0)
    ok = ref_c >= np.finfo(np.float32).tiny
    np.testing.assert_allclose(c[ok], ref_c[ok], rtol=2e-7, atol=0)
    np.testing.assert_allclose(c[~ok], ref_c[~ok], rtol=0, atol=2 * float(np.finfo(np.float32).smallest_subnormal))


# ---------------------------------------------------------------------------- dtypes and shapes
@pytest.mark.parametrize("func", [erf, erfc])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_is_preserved(func, dtype) -> None:
    x = np.array([-3.0, -0.25, 0.0, 0.4, 1.5, 7.0], dtype=dtype)
    y = func(x)
    assert isinstance(y, np.ndarray)
    assert y.dtype == dtype
    assert y.shape == x.shape


@pytest.mark.parametrize("func", [erf, erfc])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_and_bool_input_gives_float64(func, dtype) -> None:
    x = np.array([0, 1, 2], dtype=dtype) if dtype is not np.bool_ else np.array([False, True])
    y = func(x)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, func(x.astype(np.float64)), rtol=0, atol=0)


@pytest.mark.parametrize("func", [erf, erfc])
def test_complex_input_is_rejected(func) -> None:
    with pytest.raises(TypeError):
        func(np.array([1.0 + 1.0j]))


@pytest.mark.parametrize("func", [erf, erfc])
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (1,), (3, 4, 5), (2, 1, 7)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes(func, shape, dtype) -> None:
    n = math.prod(shape)
    x = np.linspace(-6.0, 6.0, n).reshape(shape).astype(dtype)
    x_before = x.copy()
    y = func(x)
    assert isinstance(y, np.ndarray)
    assert y.shape == shape
    assert y.dtype == dtype
    np.testing.assert_array_equal(x, x_before)  # input untouched
    np.testing.assert_array_equal(y.ravel(), func(x.ravel()))


def test_0d_values() -> None:
    assert round(float(erf(np.array(0.5))), 12) == round(math.erf(0.5), 12)
    assert float(erfc(np.array(-1.0))) == pytest.approx(math.erfc(-1.0), rel=ERFC_RTOL)


def test_non_contiguous_input() -> None:
    x = np.linspace(-5.0, 5.0, 60).reshape(6, 10)[:, ::3].T
    np.testing.assert_array_equal(erf(x), erf(np.ascontiguousarray(x)))
    np.testing.assert_array_equal(erfc(x), erfc(np.ascontiguousarray(x)))


# ---------------------------------------------------------------------------- special values
BIG = np.finfo(np.float64).max


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_values_without_warnings(dtype) -> None:
    fmax = float(np.finfo(dtype).max)
    values = [0.0, -0.0, np.inf, -np.inf, 1e4, -1e4, 1e30, -1e30, fmax, -fmax]
    if dtype is np.float64:
        values += [1e300, -1e300, 1e-300, -1e-300, 5e-324]
    x = np.array(values, dtype=dtype)
    with strict():
        e, c = erf(x), erfc(x)
    expected_e = np.where(np.isinf(x) | (np.abs(x) >= 1e4), np.sign(x), 0.0)
    expected_c = np.where(x > 0, 0.0, np.where(x < 0, 2.0, 1.0))
    big = np.abs(x) >= 1e4
    np.testing.assert_array_equal(e[big], expected_e[big])
    np.testing.assert_array_equal(c[big], expected_c[big])
    np.testing.assert_array_equal(erf(np.array([np.inf, -np.inf], dtype=dtype)), [1.0, -1.0])
    np.testing.assert_array_equal(erfc(np.array([np.inf, -np.inf], dtype=dtype)), [0.0, 2.0])
    np.testing.assert_array_equal(erfc(np.array([0.0, -0.0], dtype=dtype)), [1.0, 1.0])
    assert np.all(np.isfinite(e)) and np.all(np.isfinite(c))


def test_nan_propagates_without_warnings() -> None:
    x = np.array([np.nan, 1.0, -np.nan, -40.0, 0.1])
    with strict():
        e, c = erf(x), erfc(x)
    assert np.isnan(e[[0, 2]]).all() and np.isnan(c[[0, 2]]).all()
    np.testing.assert_allclose(e[[1, 3, 4]], [math.erf(1.0), -1.0, math.erf(0.1)], rtol=ERF_RTOL)
    np.testing.assert_allclose(c[[1, 3, 4]], [math.erfc(1.0), 2.0, math.erfc(0.1)], rtol=ERFC_RTOL)


def test_only_one_region_in_the_array() -> None:
    small = np.linspace(-0.49, 0.49, 99)
    large = np.linspace(0.5, 30.0, 99)
    with strict():
        for x in (small, large, -large):
            assert rel_err(erf(x), math_erf(x)).max() <= ERF_RTOL
            assert rel_err(erfc(x), math_erfc(x)).max() <= ERFC_RTOL


# ---------------------------------------------------------------------------- properties
finite = st.floats(min_value=-40.0, max_value=40.0, allow_nan=False, allow_infinity=False)


@given(finite)
def test_property_matches_math(x: float) -> None:
    a = np.array(x)
    with strict():
        e, c = float(erf(a)), float(erfc(a))
    assert abs(e - math.erf(x)) <= ERF_RTOL * max(abs(math.erf(x)), TINY)
    if x <= 27.0:
        assert abs(c - math.erfc(x)) <= ERFC_RTOL * max(math.erfc(x), TINY)
    else:  # erfc is subnormal from about 26.6 and rounds to 0 from about 27.3: an absolute bound
        assert abs(c - math.erfc(x)) <= 1e-321
    assert abs((e + c) - 1.0) <= 1e-15


@given(st.lists(finite, max_size=40))
def test_property_arrays_mixing_regions(xs: list[float]) -> None:
    x = np.array(xs, dtype=np.float64)
    with strict():
        e, c = erf(x), erfc(x)
    assert e.shape == c.shape == x.shape
    assert np.all(rel_err(e, math_erf(x)) <= ERF_RTOL)
    ok = x <= 27.0
    assert np.all(rel_err(c[ok], math_erfc(x[ok])) <= ERFC_RTOL)
    assert np.all(np.abs(c[~ok] - math_erfc(x[~ok])) <= 1e-321)  # subnormal, then 0: an absolute bound
    assert np.all(np.abs((e + c) - 1.0) <= 1e-15)
    np.testing.assert_array_equal(erf(-x), -e)


# ---------------------------------------------------------------------------- the float32 erfc
def test_erfc_float32_is_within_a_few_float32_ulps_of_the_double_precision_erfc() -> None:
    for limit, bound in ((4.0, 2e-6), (9.0, 1e-5)):
        x = np.linspace(-limit, limit, 100_001).astype(np.float32)
        with strict():
            got = erfc_float32(x)
        want = erfc(x.astype(np.float64))
        assert got.dtype == np.float32
        assert float(np.max(np.abs(got - want) / want)) <= bound


def test_erfc_float32_reaches_its_limits_without_a_warning() -> None:
    x = np.array([0.0, 1e4, -1e4, 3e38, -3e38, np.inf, -np.inf], dtype=np.float32)
    with strict():
        got = erfc_float32(x)
    assert got[0] == 1.0 and got[2] == 2.0 and got[4] == 2.0 and got[6] == 2.0
    assert got[1] == 0.0 and got[3] == 0.0 and got[5] == 0.0


def test_gelu_in_float32_follows_the_exact_value_to_float32_precision() -> None:
    """Within 2e-6 relative for |x| <= 4, and 1e-5 in the negative tail beyond (where |y| < 1e-4)."""
    from tinynet.activations import GELU

    x = np.linspace(-8, 8, 100_001).astype(np.float32)
    with strict():
        y = GELU()(x[None])[0]
    exact = x.astype(np.float64) * 0.5 * erfc(-x.astype(np.float64) / np.sqrt(2.0))
    nonzero = exact != 0
    relative = np.abs(y - exact)[nonzero] / np.abs(exact[nonzero])
    near = np.abs(x[nonzero]) <= 4.0
    assert float(relative[near].max()) <= 2e-6 and float(relative.max()) <= 1e-5
