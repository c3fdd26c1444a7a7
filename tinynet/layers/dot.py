"""``Dot``: the dot product of two inputs along an axis of each, sample by sample (optionally of unit vectors)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._shapes import describe_shape
from .._validation import boolean, integer
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Shape
from ..registry import register
from .merge import _Merge

__all__ = ["Dot", "dot"]

#: ``normalize=True`` divides by ``max(norm, _EPSILON)``, Keras's backend epsilon: a zero vector stays zero.
_EPSILON = 1e-7


@register
class Dot(_Merge):
    """The dot product of two inputs along ``axes``, sample by sample (Keras's ``Dot``, a batched matrix product).

    Math (grad = dL/dy; x, z the inputs, a, b their axes)::

        forward    y[n, i, j] = sum_k x[n, i, k] * z[n, k, j]   (i: x's other axes, j: z's, k: along a and b)
        backward   dx[n, i, k] = sum_j grad[n, i, j] * z[n, k, j]
                   dz[n, k, j] = sum_i x[n, i, k] * grad[n, i, j]
        normalize  u = x / max(|x|, 1e-7) along a, w = z / max(|z|, 1e-7) along b; y and du, dw as above
                   dx = (du - u * sum(du * u, a)) / |x|  where |x| > 1e-7, du / 1e-7 elsewhere (dz likewise)

    ``normalize=True`` makes ``y`` the cosine similarity of ``x`` and ``z``
    (Keras's cosine proximity). The norm is taken as at least ``1e-7``, as
    Keras does, so a zero vector gives ``0``, and a finite gradient.

    Parameters
    ----------
    axes : int or pair of int
        The axis of each input to sum over, counting the batch axis as Keras
        does (``1`` is the first per-sample axis, ``-1`` the last); an int is
        the same axis for both. The batch axis ``0`` is refused.
    normalize : bool
        L2-normalize each input along its axis first.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``[x, z]`` with ``x.shape[a] == z.shape[b]``; output ``x``'s other
    per-sample axes then ``z``'s: ``(batch, n)`` and ``(batch, n)`` with
    ``axes=1`` give ``(batch, 1)``; ``(batch, m, n)`` and ``(batch, n, p)`` with
    ``axes=(2, 1)`` give ``(batch, m, p)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Dot(axes=1)([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])])
    array([[11.]], dtype=float32)
    >>> tn.layers.Dot(axes=(2, 1))([np.ones((4, 2, 3)), np.ones((4, 3, 5))]).shape
    (4, 2, 5)
    """

    max_inputs = 2

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise InvalidValueError(f"{self._label()}: axes must be an int or a pair of ints, received {axes!r}.")
            first, second = (integer(axis, self._label(), "axes") for axis in axes)
            self.axes: int | tuple[int, int] = (first, second)
        else:
            self.axes = integer(axes, self._label(), "axes")
        if 0 in self._pair():
            raise InvalidValueError(
                f"{self._label()}: axes={axes!r} names the batch axis 0; take the dot along per-sample axes (1, 2, "
                "... or -1)."
            )
        self.normalize = boolean(normalize, self._label(), "normalize")

    def _pair(self) -> tuple[int, int]:
        return self.axes if isinstance(self.axes, tuple) else (self.axes, self.axes)

    def _axes(self, ranks: tuple[int, int]) -> tuple[int, int]:
        """``axes`` for batches of per-sample ``ranks``, as non-negative axes, never the batch axis."""
        a, b = (axis + rank + 1 if axis < 0 else axis for axis, rank in zip(self._pair(), ranks, strict=True))
        if not (1 <= a <= ranks[0] and 1 <= b <= ranks[1]):
            raise ShapeError(
                f"{self._label()}: axes={self.axes!r} are not per-sample axes of inputs with {ranks[0]} and "
                f"{ranks[1]} per-sample axes (the batch axis 0 cannot be summed over)."
            )
        return a, b

    def build(self, input_shape: Any) -> None:
        x, z = self._shapes(input_shape)
        a, b = self._axes((len(x), len(z)))
        if x[a - 1] != z[b - 1]:
            raise ShapeError(
                f"{self._label()}: the axes summed over must have one size, received {x[a - 1]} (axis {a} of "
                f"{describe_shape(x)}) and {z[b - 1]} (axis {b} of {describe_shape(z)})."
            )

    def forward(self, inputs: list[Array], training: bool = False) -> Array:
        x, z = inputs
        a, b = self._axes((x.ndim - 1, z.ndim - 1))
        x_scale = z_scale = None
        if self.normalize:
            x, x_scale = _l2_normalize(x, a)
            z, z_scale = _l2_normalize(z, b)
        n, k = len(x), x.shape[a]
        xm, zm = np.moveaxis(x, a, -1), np.moveaxis(z, b, 1)  # (n, *i, k) and (n, k, *j)
        x3, z3 = xm.reshape(n, math.prod(xm.shape[1:-1]), k), zm.reshape(n, k, math.prod(zm.shape[2:]))
        self.remember(x3=x3, z3=z3, xm_shape=xm.shape, zm_shape=zm.shape, axes=(a, b), scales=(x_scale, z_scale))
        y = (x3 @ z3).reshape(n, *xm.shape[1:-1], *zm.shape[2:])
        return y if y.ndim > 1 else y[:, None]

    def backward(self, grad: Array) -> list[Array]:
        x3, z3, xm_shape, zm_shape, (a, b), (x_scale, z_scale) = self.recall(
            "x3", "z3", "xm_shape", "zm_shape", "axes", "scales"
        )
        g3 = grad.reshape(len(x3), x3.shape[1], z3.shape[2])
        dx = np.moveaxis((g3 @ z3.transpose(0, 2, 1)).reshape(xm_shape), -1, a)
        dz = np.moveaxis((x3.transpose(0, 2, 1) @ g3).reshape(zm_shape), 1, b)
        if self.normalize:
            dx = _l2_normalize_backward(dx, np.moveaxis(x3.reshape(xm_shape), -1, a), x_scale, a)
            dz = _l2_normalize_backward(dz, np.moveaxis(z3.reshape(zm_shape), 1, b), z_scale, b)
        return [dx, dz]

    creates_mask = False

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """No mask: a dot product sums over steps or features (Keras's rule too)."""
        return None

    def compute_output_shape(self, input_shape: Any) -> Shape:
        self.ensure_built(input_shape)
        x, z = self._check_shape(input_shape)
        a, b = self._axes((len(x), len(z)))
        shape = (*x[: a - 1], *x[a:], *z[: b - 1], *z[b:])
        return shape or (1,)

    def get_config(self) -> dict[str, Any]:
        axes = list(self.axes) if isinstance(self.axes, tuple) else self.axes
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}


def _l2_normalize(x: Array, axis: int) -> tuple[Array, Array]:
    """``(x / max(|x|, 1e-7), max(|x|, 1e-7))`` with ``|x|`` the L2 norm along ``axis``."""
    scale = np.maximum(np.sqrt(np.sum(x * x, axis=axis, keepdims=True)), _EPSILON)
    return x / scale, scale


def _l2_normalize_backward(du: Array, u: Array, scale: Array, axis: int) -> Array:
    """dL/dx for ``u = x / max(|x|, 1e-7)``: the norm's own derivative counts only where the norm is above 1e-7."""
    return (du - (scale > _EPSILON) * u * np.sum(du * u, axis=axis, keepdims=True)) / scale


# ---------------------------------------------------------------------------- Keras's functional spelling
def dot(inputs: Any, axes: Any, normalize: bool = False, **kwargs: Any) -> Any:
    """``Dot(axes, normalize, **kwargs)(inputs)``: the dot product of ``inputs = [x, z]`` along ``axes``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
