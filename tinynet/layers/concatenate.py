"""``Concatenate``: a list of inputs joined along one per-sample axis; backward splits the gradient back."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._masking import all_of
from .._validation import integer
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Shape
from ..registry import register
from .merge import _Merge

__all__ = ["Concatenate", "concatenate"]


@register
class Concatenate(_Merge):
    """Two or more inputs joined along ``axis``; their shapes agree on every other axis.

    Math (grad = dL/dy)::

        forward    y = concatenate([x_1, ..., x_k], axis)
        backward   dx_i = the slice of grad along axis where x_i went (grad split at the inputs' sizes)

    Parameters
    ----------
    axis : int
        The axis to join along, counting the batch axis as Keras does: ``1``
        is the first per-sample axis, ``-1`` (the default) the last. ``0``,
        the batch axis, is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input a list of ``k >= 2`` arrays of one rank, ``(batch, ..., d_i, ...)``
    with ``d_i`` at ``axis``; output ``(batch, ..., d_1 + ... + d_k, ...)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Concatenate()([np.zeros((2, 3)), np.ones((2, 1))])
    array([[0., 0., 0., 1.],
           [0., 0., 0., 1.]], dtype=float32)
    >>> tn.layers.Concatenate(axis=1)([np.zeros((2, 3, 4)), np.ones((2, 5, 4))]).shape
    (2, 8, 4)
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = integer(axis, self._label(), "axis")
        if self.axis == 0:
            raise InvalidValueError(
                f"{self._label()}: axis=0 is the batch axis; concatenate along a per-sample axis (1, 2, ... or -1)."
            )

    def _axis(self, rank: int) -> int:
        """``axis`` as a non-negative axis of a batch of per-sample ``rank``; never the batch axis."""
        axis = self.axis + rank + 1 if self.axis < 0 else self.axis
        if not 1 <= axis <= rank:
            raise ShapeError(
                f"{self._label()}: axis={self.axis} is not a per-sample axis of inputs of shape (batch, ...) with "
                f"{rank} per-sample axes; choose one of 1..{rank} or -{rank}..-1."
            )
        return axis

    def build(self, input_shape: Any) -> None:
        shapes = self._shapes(input_shape)
        if len({len(shape) for shape in shapes}) > 1:
            raise ShapeError(f"{self._label()}: expected inputs of one rank, received per-sample shapes {shapes}.")
        axis = self._axis(len(shapes[0])) - 1
        others = [shape[:axis] + shape[axis + 1 :] for shape in shapes]
        if any(other != others[0] for other in others):
            raise ShapeError(
                f"{self._label()}: expected per-sample shapes equal except on axis {self.axis}, like "
                f"{shapes[0][:axis] + ('*',) + shapes[0][axis + 1 :]}, received {shapes}."
            )

    def forward(self, inputs: list[Array], training: bool = False) -> Array:
        axis = self._axis(inputs[0].ndim - 1)
        self.remember(axis=axis, ends=np.cumsum([x.shape[axis] for x in inputs[:-1]]))
        return np.concatenate(inputs, axis=axis)

    def backward(self, grad: Array) -> list[Array]:
        axis, ends = self.recall("axis", "ends")
        return np.split(grad, ends, axis=axis)

    creates_mask = False  # its compute_mask only combines the inputs' masks

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """Joined along the features: the steps every mask keeps; along the steps (axis 1): the masks joined."""
        if not isinstance(mask, list) or all(m is None for m in mask):
            return None
        if self._axis(x[0].ndim - 1) != 1:
            return all_of(mask)
        return np.concatenate(
            [np.ones(xi.shape[:2], bool) if m is None else m for xi, m in zip(x, mask, strict=True)], axis=1
        )

    def compute_output_shape(self, input_shape: Any) -> Shape:
        self.ensure_built(input_shape)
        shapes = self._check_shape(input_shape)
        axis = self._axis(len(shapes[0])) - 1
        sizes = [shape[axis] for shape in shapes]
        joined = None if None in sizes else sum(sizes)  # unknown if any part is
        return (*shapes[0][:axis], joined, *shapes[0][axis + 1 :])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


# ---------------------------------------------------------------------------- Keras's functional spelling
def concatenate(inputs: Any, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis, **kwargs)(inputs)``: a list of inputs joined along ``axis``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.concatenate([np.zeros((2, 3)), np.ones((2, 2))]).shape
    (2, 5)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
