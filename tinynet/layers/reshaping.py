"""``Flatten`` and ``Reshape``: new shapes for the same values, per sample (the batch axis stays)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register

__all__ = ["Flatten", "Reshape"]


@register
class Flatten(Layer):
    """Flatten each sample to one axis: ``(batch, d1, d2, ...)`` becomes ``(batch, d1 * d2 * ...)``.

    Math (grad = dL/dy)::

        forward    y = x.reshape(n, d1 * d2 * ...)
        backward   dx = grad.reshape(x.shape)

    Row-major (C) order, as Keras's channels-last ``Flatten``. ``y`` is a view
    of ``x`` when ``x`` is contiguous: no data is copied.

    Shape
    -----
    input ``(batch, d1, ..., dk)``; output ``(batch, d1 * ... * dk)``, of unknown size
    (``None``) when any ``d`` is: a ``Dense`` after it then cannot be built.

    Examples
    --------
    >>> import numpy as np
    >>> Flatten()(np.zeros((2, 3, 4, 5))).shape
    (2, 60)
    """

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(x_shape=x.shape)
        return x.reshape(x.shape[0], math.prod(x.shape[1:]))

    def backward(self, grad: Array) -> Array:
        (x_shape,) = self.recall("x_shape")
        return grad.reshape(x_shape)

    def compute_output_shape(self, input_shape: Shape) -> tuple[int | None, ...]:
        self.ensure_built(input_shape)
        return (None,) if None in input_shape else (math.prod(input_shape),)


@register
class Reshape(Layer):
    """Give each sample the shape ``target_shape``; one entry may be ``-1``, inferred from the size.

    Math (grad = dL/dy)::

        forward    y = x.reshape(n, *target_shape)
        backward   dx = grad.reshape(x.shape)

    Parameters
    ----------
    target_shape : tuple of int
        The per-sample output shape (no batch axis), as in Keras. Entries are
        positive; at most one is ``-1``, which takes whatever size the others leave.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, *in_shape)``; output ``(batch, *target_shape)`` with the
    ``-1`` resolved. ``in_shape`` and ``target_shape`` hold the same number of values.
    An ``in_shape`` with a size unknown (``None``) needs a ``-1`` in ``target_shape``,
    which is then unknown too until data flows.

    Examples
    --------
    >>> import numpy as np
    >>> Reshape((3, -1))(np.zeros((2, 12))).shape
    (2, 3, 4)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(target_shape, (int, str, bytes)) or not hasattr(target_shape, "__iter__"):
            raise InvalidTypeError(
                f"{self._label()}: target_shape must be a tuple of ints (per sample, no batch axis), "
                f"received {target_shape!r}."
            )
        dims = tuple(target_shape)
        ints = all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims)
        if not ints or not all(d >= 1 or d == -1 for d in dims) or dims.count(-1) > 1:
            raise InvalidValueError(
                f"{self._label()}: target_shape entries must be positive ints, with at most one -1; received {dims!r}."
            )
        self.target_shape = tuple(int(d) for d in dims)

    def build(self, input_shape: Shape) -> None:
        self._output_shape(input_shape)

    def _output_shape(self, input_shape: Shape) -> Shape:
        """``target_shape`` with its ``-1`` resolved for ``input_shape``, or a ``ShapeError`` naming both."""
        if None in input_shape:
            if -1 not in self.target_shape:
                raise ShapeError(
                    f"{self._label()}: per-sample input of shape {tuple(input_shape)} has a size unknown (None), so "
                    f"its number of values cannot be checked against target_shape {self.target_shape}. Put -1 in "
                    "target_shape for the axis that varies, or give the input's sizes in tn.Input(shape=...)."
                )
            return tuple(None if d == -1 else d for d in self.target_shape)  # type: ignore[misc]  # known at run time
        size, known = math.prod(input_shape), math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape and size % known == 0:
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if -1 not in self.target_shape and size == known:
            return self.target_shape
        raise ShapeError(
            f"{self._label()}: cannot reshape per-sample input of shape {tuple(input_shape)} ({size} values) "
            f"into target_shape {self.target_shape} "
            + (f"(a multiple of {known} values)" if -1 in self.target_shape else f"({known} values)")
            + ". Choose a target_shape with the same number of values per sample (the batch axis is not part of it)."
        )

    def forward(self, x: Array, training: bool = False) -> Array:
        shape = self._output_shape(x.shape[1:])
        self.remember(x_shape=x.shape)
        return x.reshape(x.shape[0], *shape)

    def backward(self, grad: Array) -> Array:
        (x_shape,) = self.recall("x_shape")
        return grad.reshape(x_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return self._output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}
