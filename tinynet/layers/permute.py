"""``Permute``: reorder the axes of each sample (the batch axis stays first)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register

__all__ = ["Permute"]


@register
class Permute(Layer):
    """Reorder the per-sample axes: axis ``k`` of the output is axis ``dims[k - 1]`` of the input.

    Math (axes numbered from 1, the batch axis 0 left in place; inverse = the
    permutation that undoes ``(0, *dims)``; grad = dL/dy)::

        forward    y = x.transpose(0, *dims)
        backward   dx = grad.transpose(inverse)

    Parameters
    ----------
    dims : tuple of int
        A permutation of ``1 .. rank`` (Keras's numbering: ``1`` is the first
        axis after the batch), e.g. ``(2, 1)`` swaps steps and features.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, d1, ..., dk)``; output ``(batch, d_dims[0], ..., d_dims[k-1])``, sizes possibly unknown (``None``).

    Examples
    --------
    >>> import numpy as np
    >>> Permute((2, 1))(np.zeros((4, 10, 64))).shape
    (4, 64, 10)

    Notes
    -----
    ``y`` is a transposed view of ``x``, as NumPy's ``transpose`` gives: no data is copied.
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(dims, (int, str, bytes)) or not hasattr(dims, "__iter__"):
            raise InvalidTypeError(f"{self._label()}: dims must be a tuple of ints (axes from 1), received {dims!r}.")
        dims = tuple(dims)
        ints = all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims)
        if not ints or sorted(dims) != list(range(1, len(dims) + 1)):
            raise InvalidValueError(
                f"{self._label()}: dims must be a permutation of 1 .. {len(dims)} (axes numbered from 1 after the "
                f"batch axis), received {dims!r}."
            )
        self.dims = tuple(int(d) for d in dims)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != len(self.dims):
            raise ShapeError(
                f"{self._label()}: dims {self.dims} permute {len(self.dims)} axes, but the per-sample input shape "
                f"{tuple(input_shape)} has {len(input_shape)}. Give one entry in dims per axis after the batch axis."
            )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return tuple(input_shape[d - 1] for d in self.dims)

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(ndim=x.ndim)
        return x.transpose(0, *self.dims)

    def backward(self, grad: Array) -> Array:
        self.recall("ndim")
        return grad.transpose(np.argsort((0, *self.dims)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": list(self.dims)}
