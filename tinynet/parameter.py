"""``Parameter``: a trainable array and its gradient, the seed's ``param_cache`` entry made an object.

Also :func:`parameter_budget`, a block within which ``Layer.add_parameter``
charges every new parameter's bytes against a limit before allocating it
(``load_model`` rebuilds a model from a file within the bytes the file holds).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InvalidTypeError, InvalidValueError, ShapeError

if TYPE_CHECKING:
    from .layer import Layer

__all__ = ["Parameter", "parameter_budget"]

_SETTINGS = frozenset({"trainable", "regularizer", "constraint"})


class Parameter:
    """A named array a layer learns, with the gradient ``backward`` computed for it.

    ``value`` and ``grad`` are two arrays of the same shape and dtype. ``grad``
    starts as zeros; ``backward`` overwrites it (it never accumulates). Both
    ``p.grad = g`` and ``p.grad[...] = g`` work: assignment refuses a shape that
    differs (no broadcasting) and casts to the parameter's dtype. Assigning
    ``value`` keeps the dtype too; :meth:`astype` is the one way to change it,
    and it keeps this same object, so optimizer slots keyed by it stay valid.

    Parameters
    ----------
    name : str
        Local to its layer: ``"kernel"``, ``"bias"``.
    value : array_like
        The initial value; its dtype becomes the parameter's dtype.
    trainable : bool
        Whether optimizers update it (BatchNorm's moving statistics are not).
    regularizer : callable, optional
        A :mod:`tinynet.regularizers` object whose penalty the model adds.
    constraint : callable, optional
        A :mod:`tinynet.constraints` object: after each update the optimizer
        sets ``value = constraint(value)`` (a trainable parameter only).

    Attributes
    ----------
    path : str
        ``"<layer name>/<name>"`` for a parameter a layer created (``"dense/kernel"``;
        Keras's ``variable.path`` without the names of enclosing models), ``name``
        otherwise. Optimizers that treat parameters differently by name read it (Muon).

    Examples
    --------
    >>> import numpy as np
    >>> p = Parameter("bias", np.zeros(3, dtype=np.float32))
    >>> p.grad = [1, 2, 3]
    >>> p.grad
    array([1., 2., 3.], dtype=float32)
    >>> p.grad = np.ones(4)
    Traceback (most recent call last):
    ...
    tinynet.errors.ShapeError: Parameter 'bias': gradient must have shape (3,), received shape (4,).
    """

    #: Counts the times any parameter was pinned into a flat buffer or left one (``pin``, ``astype``):
    #: while it stays put, every flat buffer is as it was made (see :mod:`tinynet._flat`).
    pin_changes: int = 0
    #: Counts the times any parameter's ``trainable``, ``regularizer`` or ``constraint`` was set: while it
    #: stays put, a check of them made before still holds (``FlatParameters.plain`` keeps its answer).
    setting_changes: int = 0

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SETTINGS:
            Parameter.setting_changes += 1
        object.__setattr__(self, name, value)

    def __init__(
        self, name: str, value: Any, trainable: bool = True, regularizer: Any = None, constraint: Any = None
    ) -> None:
        value = np.array(value)  # a private copy: the caller's array is not aliased
        if not np.issubdtype(value.dtype, np.floating):
            raise InvalidTypeError(
                f"Parameter {name!r}: value must be a floating-point array, received dtype {value.dtype}."
            )
        self.name = name
        self.path = name
        self.trainable = bool(trainable)
        self.regularizer = regularizer
        self.constraint = constraint
        self._value = value
        self._grad = np.zeros_like(value)
        self._pinned = False  # see pin()

    @property
    def value(self) -> np.ndarray:
        return self._value

    @value.setter
    def value(self, new: Any) -> None:
        checked = self._checked(new, "value")
        if self._pinned and checked is not self._value:
            self._value[...] = checked  # a pinned parameter keeps its place in the flat buffer
        else:
            self._value = checked

    @property
    def grad(self) -> np.ndarray:
        return self._grad

    @grad.setter
    def grad(self, new: Any) -> None:
        checked = self._checked(new, "gradient")
        if self._pinned and checked is not self._grad:
            self._grad[...] = checked
        else:
            self._grad = checked

    def pin(self, value: np.ndarray, grad: np.ndarray) -> None:
        """Move ``value`` and ``grad`` into the given arrays (views of a model's flat buffers) and keep them there.

        From then on, assigning ``value`` or ``grad`` copies into those arrays
        instead of rebinding, so the flat buffers always hold every parameter
        (see :mod:`tinynet._flat`). :meth:`astype` to another dtype unpins.
        """
        value[...] = self._value
        grad[...] = self._grad
        self._value, self._grad, self._pinned = value, grad, True
        Parameter.pin_changes += 1

    @property
    def shape(self) -> tuple[int, ...]:
        return self._value.shape

    @property
    def dtype(self) -> np.dtype:
        return self._value.dtype

    @property
    def size(self) -> int:
        return self._value.size

    def astype(self, dtype: Any) -> Parameter:
        """Cast ``value`` and ``grad`` to ``dtype`` in place (the same object) and return it."""
        value, grad = self._value.astype(dtype, copy=False), self._grad.astype(dtype, copy=False)
        if value is not self._value:
            self._pinned = False  # new arrays: no longer in a flat buffer
            Parameter.pin_changes += 1
        self._value, self._grad = value, grad
        return self

    def _checked(self, new: Any, what: str) -> np.ndarray:
        value = self._value
        if type(new) is np.ndarray and new.dtype == value.dtype and new.shape == value.shape:
            return new  # the common case, every training step: nothing to convert
        array = np.asarray(new, dtype=value.dtype)
        if array.shape != self._value.shape:
            raise ShapeError(
                f"Parameter {self.name!r}: {what} must have shape {self._value.shape}, received shape {array.shape}."
            )
        return array

    def __repr__(self) -> str:
        flag = "" if self.trainable else ", trainable=False"
        return f"Parameter({self.name!r}, shape={self.shape}, dtype={self.dtype}{flag})"


# ---------------------------------------------------------------------------- budgets
#: ``on_exceed(layer, parameter name, shape, bytes requested)`` returns the exception to raise.
OnExceed = Callable[["Layer", str, tuple[int, ...], int], BaseException]


class _Budget:
    def __init__(self, max_bytes: int, on_exceed: OnExceed | None, initialize: bool, outer: _Budget | None) -> None:
        self.max_bytes, self.left, self.on_exceed = max_bytes, max_bytes, on_exceed
        self.initialize, self.outer = initialize, outer

    def exceeded(self, layer: Layer, name: str, shape: tuple[int, ...], nbytes: int) -> BaseException:
        if self.on_exceed is not None:
            return self.on_exceed(layer, name, shape, nbytes)
        return InvalidValueError(
            f"{type(layer).__name__} {layer.name!r}: parameter {name!r} of shape {shape} needs {nbytes} bytes, "
            f"beyond the {self.left} bytes left of a parameter budget of {self.max_bytes} bytes; refused before "
            "allocating it."
        )


_budget: ContextVar[_Budget | None] = ContextVar("tinynet_parameter_budget", default=None)


@contextmanager
def parameter_budget(max_bytes: int, on_exceed: OnExceed | None = None, initialize: bool = True) -> Iterator[None]:
    """Within this block, ``Layer.add_parameter`` charges each new parameter's bytes to ``max_bytes`` before allocating.

    A parameter that would take the total beyond ``max_bytes`` is refused
    before its array exists, with the exception ``on_exceed(layer, name,
    shape, nbytes)`` returns (by default an
    :class:`~tinynet.errors.InvalidValueError` naming the layer, the
    parameter, its size and the budget). ``load_model`` rebuilds a model
    inside a budget of the bytes of weights its file holds, so that no config
    can make it allocate more. Blocks nest: a parameter is charged to every
    budget in force. The budget is per thread (a ``ContextVar``).

    Parameters
    ----------
    max_bytes : int
        The bytes of parameter values the block may create (the value arrays, in the layer's dtype).
    on_exceed : callable, optional
        ``on_exceed(layer, name, shape, nbytes)`` returns the exception to raise for a refused parameter.
    initialize : bool, default True
        ``False`` skips the initializers: every parameter starts as zeros. For a
        caller that sets every value right afterwards (``load_model``), it saves
        drawing random numbers (or an orthogonal decomposition) only to overwrite them.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> from tinynet.parameter import parameter_budget
    >>> with parameter_budget(1000):
    ...     tn.layers.Dense(10, name="wide")(np.ones((1, 100)))
    Traceback (most recent call last):
    ...
    tinynet.errors.InvalidValueError: Dense 'wide': parameter 'kernel' of shape (100, 10) needs 4000 bytes, ...
    >>> with parameter_budget(1000, initialize=False):
    ...     layer = tn.layers.Dense(10, name="narrow")
    ...     y = layer(np.ones((1, 4)))
    >>> float(np.abs(layer.kernel.value).sum())
    0.0
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes < 0:
        raise InvalidValueError(f"parameter_budget: max_bytes must be an int >= 0, received {max_bytes!r:.80}.")
    if on_exceed is not None and not callable(on_exceed):
        raise InvalidTypeError(f"parameter_budget: on_exceed must be callable or None, received {on_exceed!r:.80}.")
    if not isinstance(initialize, bool):
        raise InvalidTypeError(f"parameter_budget: initialize must be True or False, received {initialize!r:.80}.")
    outer = _budget.get()
    inherited = outer is None or outer.initialize
    token = _budget.set(_Budget(int(max_bytes), on_exceed, initialize and inherited, outer))
    try:
        yield
    finally:
        _budget.reset(token)


def charge_parameter(layer: Layer, name: str, shape: tuple[int, ...], dtype: np.dtype) -> bool:
    """Charge a parameter about to be created to every budget in force; whether to run its initializer.

    ``Layer.add_parameter`` calls it with the checked shape, before allocating
    anything; it raises when a budget would be exceeded, charging none.
    """
    budget = _budget.get()
    if budget is None:
        return True
    nbytes = math.prod(shape) * dtype.itemsize
    found: _Budget | None = budget
    while found is not None:
        if nbytes > found.left:
            raise found.exceeded(layer, name, shape, nbytes)
        found = found.outer
    found = budget
    while found is not None:
        found.left -= nbytes
        found = found.outer
    return budget.initialize
