"""The shared checks of scalar arguments and sample weights: one rule, one wording, for every caller."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tinynet._validation import boolean, integer, number, per_sample_weights, real
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError


@pytest.mark.parametrize("value", [0.5, 2, np.float32(0.25), np.int64(3)])
def test_numbers_of_any_numeric_type_are_python_numbers(value: Any) -> None:
    assert type(number(value, "X", "a", 0.0)) is float
    assert type(real(value, "X", "a", minimum=0.0)) is float
    if isinstance(value, (int, np.integer)):
        assert type(number(value, "X", "a", 0, integral=True)) is int
        assert type(integer(value, "X", "a", minimum=0)) is int


@pytest.mark.parametrize(
    "value, kwargs, error, message",
    [
        ("0.5", {"low": 0.0}, InvalidTypeError, "X: a must be a float >= 0, received str '0.5'."),
        (True, {"low": 0.0}, InvalidTypeError, "X: a must be a float >= 0, received bool True."),
        (1.5, {"low": 0, "integral": True}, InvalidTypeError, "X: a must be an int >= 0, received float 1.5."),
        (-1, {"low": 0, "integral": True}, InvalidValueError, "X: a must be an int >= 0, received -1."),
        (float("nan"), {}, InvalidValueError, "X: a must be a finite float, received nan."),
        (0.0, {"low": 0.0, "low_open": True}, InvalidValueError, "X: a must be a finite float > 0, received 0.0."),
        (1.0, {"low": 0.0, "high": 1.0, "high_open": True}, InvalidValueError, "in [0, 1), received 1.0."),
    ],
)  # fmt: skip
def test_number_tells_a_wrong_kind_from_a_value_out_of_range(
    value: Any, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        number(value, "X", "a", **kwargs)
    assert str(raised.value).endswith(message)


@pytest.mark.parametrize(
    "check, message",
    [
        (lambda: real("1", "ELU", "alpha", minimum=0.0), "ELU: alpha must be a float >= 0, received '1'."),
        (lambda: real(0.0, "BN", "epsilon", minimum=0.0, strict=True), "BN: epsilon must be a positive float"),
        (lambda: integer(2.0, "Dense", "units", minimum=1), "Dense: units must be a positive int, received 2.0."),
        (lambda: integer(True, "Softmax", "axis"), "Softmax: axis must be an int, received True."),
    ],
)
def test_real_and_integer_refuse_everything_with_one_error_type(check: Any, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check()


def test_boolean_takes_only_true_and_false() -> None:
    assert boolean(np.bool_(True), "X", "flag") is True
    with pytest.raises(InvalidTypeError, match="X: flag must be True or False, received int 1"):
        boolean(1, "X", "flag")


def test_per_sample_weights_flattens_a_column_and_casts_on_request() -> None:
    weights = per_sample_weights(np.ones((3, 1), dtype=np.int64), 3, "X")
    assert weights.shape == (3,) and weights.dtype == np.int64
    assert per_sample_weights([1, 2, 3], 3, "X", dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(
    "weights, error, message",
    [
        (
            np.ones(4),
            ShapeError,
            r"X: sample_weight must have shape \(3,\), one weight per sample; received shape \(4,\)",
        ),
        ([1.0, -0.5, 1.0], InvalidValueError, r"X: sample_weight must be >= 0; received a negative weight, -0.5"),
        ([1.0, np.nan, 1.0], InvalidValueError, r"X: sample_weight contains 1 NaN or Inf"),
        (["a", "b", "c"], InvalidTypeError, r"X: sample_weight must be numeric"),
    ],
)
def test_per_sample_weights_refusals(weights: Any, error: type[Exception], message: str) -> None:
    for dtype in (None, np.float64):
        with pytest.raises(error, match=message):
            per_sample_weights(weights, 3, "X", dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("layout", ["contiguous", "strided", "flat"])
def test_check_finite_on_large_arrays_finds_nan_and_inf_and_passes_huge_finite_values(dtype: Any, layout: str) -> None:
    """Beyond 4,096 entries the check sums first (rows times ones, on BLAS): it must still see every bad entry."""
    from tinynet._validation import check_finite

    base = np.ones((300, 40), dtype=dtype)
    shape = {"contiguous": lambda a: a, "strided": lambda a: a[:, ::2], "flat": lambda a: a.reshape(-1)}[layout]
    check_finite(shape(base), "Dense 'd'")
    huge = base.copy()
    huge[::7] = np.finfo(dtype).max  # finite, though their sum overflows: refused by no one
    check_finite(shape(huge), "Dense 'd'")
    for bad in (np.nan, np.inf, -np.inf):
        broken = base.copy()
        broken[123, 20] = bad
        with pytest.raises(InvalidValueError, match=r"Dense 'd': input contains 1 NaN or Inf"):
            check_finite(shape(broken), "Dense 'd'")
