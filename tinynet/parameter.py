"""``Parameter``: a trainable array and its gradient, the seed's ``param_cache`` entry made an object."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidTypeError, ShapeError

__all__ = ["Parameter"]


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

    def __init__(self, name: str, value: Any, trainable: bool = True, regularizer: Any = None) -> None:
        value = np.array(value)  # a private copy: the caller's array is not aliased
        if not np.issubdtype(value.dtype, np.floating):
            raise InvalidTypeError(
                f"Parameter {name!r}: value must be a floating-point array, received dtype {value.dtype}."
            )
        self.name = name
        self.trainable = bool(trainable)
        self.regularizer = regularizer
        self._value = value
        self._grad = np.zeros_like(value)

    @property
    def value(self) -> np.ndarray:
        return self._value

    @value.setter
    def value(self, new: Any) -> None:
        self._value = self._checked(new, "value")

    @property
    def grad(self) -> np.ndarray:
        return self._grad

    @grad.setter
    def grad(self, new: Any) -> None:
        self._grad = self._checked(new, "gradient")

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
        self._value = self._value.astype(dtype, copy=False)
        self._grad = self._grad.astype(dtype, copy=False)
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
