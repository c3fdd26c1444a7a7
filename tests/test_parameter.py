"""``Parameter``: a value and its gradient, always the same shape and dtype (one of tinynet's base classes)."""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError
from tinynet.parameter import parameter_budget


def make(shape: tuple[int, ...] = (2, 3), dtype: str = "float32") -> tn.Parameter:
    return tn.Parameter("kernel", np.arange(np.prod(shape), dtype=dtype).reshape(shape))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_value_and_grad_share_shape_and_dtype_and_grad_starts_at_zero(dtype: str) -> None:
    """grad mirrors value's shape and dtype and is all zeros before any backward."""
    p = make(dtype=dtype)
    assert p.value.shape == p.grad.shape == p.shape == (2, 3)
    assert p.value.dtype == p.grad.dtype == p.dtype == np.dtype(dtype)
    assert not p.grad.any()
    assert p.size == 6 and p.trainable and p.name == "kernel"


def test_grad_assignment_and_in_place_write_both_work() -> None:
    """``p.grad = g`` replaces the gradient, ``p.grad[...] = g`` writes into it; both keep shape and dtype."""
    p = make()
    g = np.full((2, 3), 2.5, dtype=np.float32)
    p.grad = g
    np.testing.assert_array_equal(p.grad, g)
    p.grad[...] = 7.0
    assert (p.grad == 7.0).all()
    assert p.grad.dtype == np.float32 and p.grad.shape == (2, 3)
    p.grad = [[1, 2, 3], [4, 5, 6]]  # nested lists are accepted and cast
    assert p.grad.dtype == np.float32 and p.grad[1, 2] == 6.0


@pytest.mark.parametrize("attribute", ["grad", "value"])
@pytest.mark.parametrize("bad_shape", [(3, 2), (2, 3, 1), (6,), ()])
def test_wrong_shape_assignment_is_a_shape_error_naming_both_shapes(attribute: str, bad_shape: tuple) -> None:
    """A wrong shape (even a would-be broadcast) raises ShapeError, a ValueError, naming the parameter."""
    p = make()
    before = getattr(p, attribute).copy()
    with pytest.raises(ShapeError, match=r"'kernel'.*\(2, 3\).*" + "received shape " + _re(bad_shape)) as info:
        setattr(p, attribute, np.ones(bad_shape))
    assert isinstance(info.value, ValueError)
    np.testing.assert_array_equal(getattr(p, attribute), before)


def _re(shape: tuple) -> str:
    return str(shape).replace("(", r"\(").replace(")", r"\)")


@pytest.mark.parametrize("attribute", ["grad", "value"])
def test_assignment_casts_to_the_parameter_dtype(attribute: str) -> None:
    """A float64 (or int) array assigned to a float32 parameter is stored as float32."""
    p = make(dtype="float32")
    setattr(p, attribute, np.full((2, 3), 0.1, dtype=np.float64))
    assert getattr(p, attribute).dtype == np.float32
    np.testing.assert_array_equal(getattr(p, attribute), np.float32(0.1))
    setattr(p, attribute, np.ones((2, 3), dtype=np.int64))
    assert getattr(p, attribute).dtype == np.float32


def test_astype_keeps_the_same_object_and_casts_value_and_grad() -> None:
    """astype changes dtype in place: optimizer slots keyed by the object stay valid."""
    p = make()
    p.grad = np.full((2, 3), 0.5)
    same = p.astype("float64")
    assert same is p
    assert p.value.dtype == p.grad.dtype == np.float64
    np.testing.assert_array_equal(p.grad, 0.5)
    np.testing.assert_array_equal(p.value, np.arange(6).reshape(2, 3))


@pytest.mark.parametrize(
    "value", [np.arange(3), np.array([True, False]), np.array([1 + 2j]), np.array(["a", "b"]), [1, 2]]
)
def test_non_float_initial_value_is_an_invalid_type_error(value: object) -> None:
    """Integers, booleans, complex numbers and strings are refused with InvalidTypeError (a TypeError)."""
    with pytest.raises(InvalidTypeError, match="'w'.*floating-point") as info:
        tn.Parameter("w", value)
    assert isinstance(info.value, TypeError)


def test_constructor_copies_the_callers_array() -> None:
    """Mutating the array given to the constructor does not change the parameter."""
    source = np.zeros(4, dtype=np.float32)
    p = tn.Parameter("bias", source)
    source[:] = 9.0
    assert not p.value.any()
    assert p.value.dtype == np.float32


def test_non_trainable_flag_and_repr() -> None:
    """``trainable=False`` is kept and shown."""
    p = tn.Parameter("moving_mean", np.zeros(2), trainable=False)
    assert p.trainable is False
    assert "trainable=False" in repr(p) and "moving_mean" in repr(p)


# ---------------------------------------------------------------------------- parameter_budget
class Recorded(Exception):
    pass


def test_a_budget_refuses_the_parameter_that_exceeds_it_before_allocating_and_leaves_the_layer_unbuilt() -> None:
    """4 x 3 float32 kernel (48 bytes) and bias (12 bytes): 59 bytes refuse the bias; the refusal is on_exceed's."""
    calls = []

    def on_exceed(layer: tn.Layer, name: str, shape: tuple[int, ...], nbytes: int) -> Exception:
        calls.append((layer.name, name, shape, nbytes))
        return Recorded("refused")

    layer = tn.layers.Dense(3, name="probe")
    with parameter_budget(59, on_exceed), pytest.raises(Recorded):
        layer(np.ones((1, 4)))
    assert calls == [("probe", "bias", (3,), 12)]
    assert not layer.built and layer.own_parameters() == []
    with parameter_budget(60):
        layer(np.ones((1, 4)))
    assert layer.built


def test_the_default_refusal_names_the_layer_the_parameter_and_the_budget() -> None:
    with parameter_budget(10), pytest.raises(InvalidValueError, match=r"Dense 'wide'.*'kernel'.*\(1000, 10\).*40000"):
        tn.layers.Dense(10, name="wide")(np.ones((1, 1000)))


def test_a_refused_huge_parameter_is_never_allocated() -> None:
    """A 4 TB kernel would fail with MemoryError if it were allocated; the budget refuses it first, cheaply."""
    with parameter_budget(2**20), pytest.raises(InvalidValueError, match="needs 4000000000000 bytes"):
        tn.layers.Dense(10**6, name="huge")(np.ones((1, 10**6), dtype=np.float32))


def test_budgets_nest_and_charge_every_budget_in_force() -> None:
    with parameter_budget(100, lambda *args: Recorded("outer")):
        tn.layers.Dense(4)(np.ones((1, 4)))  # 80 bytes of the outer 100
        with parameter_budget(1000), pytest.raises(Recorded, match="outer"):
            tn.layers.Dense(4)(np.ones((1, 4)))  # fits the inner 1000, not the outer 20 left


def test_initialize_false_starts_every_parameter_at_zeros_and_the_budget_ends_with_its_block() -> None:
    with parameter_budget(10**6, initialize=False):
        layer = tn.layers.Dense(3, kernel_initializer="ones", bias_initializer="ones")
        layer(np.ones((1, 2)))
        with parameter_budget(10**6):  # an inner block cannot turn the initializers back on
            inner = tn.layers.Dense(3, kernel_initializer="ones")
            inner(np.ones((1, 2)))
    assert all(not p.value.any() for p in (*layer.own_parameters(), *inner.own_parameters()))
    after = tn.layers.Dense(3, kernel_initializer="ones", bias_initializer="ones")
    after(np.ones((1, 2)))
    assert all(p.value.all() for p in after.own_parameters())


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"max_bytes": -1}, InvalidValueError), ({"max_bytes": 1.5}, InvalidValueError),
     ({"max_bytes": True}, InvalidValueError), ({"max_bytes": 1, "on_exceed": "raise"}, InvalidTypeError),
     ({"max_bytes": 1, "initialize": 0}, InvalidTypeError)],
)  # fmt: skip
def test_parameter_budget_checks_its_arguments(kwargs: dict, error: type) -> None:
    with pytest.raises(error, match="parameter_budget"), parameter_budget(**kwargs):
        pass
