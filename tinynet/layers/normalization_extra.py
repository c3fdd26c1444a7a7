"""``GroupNormalization``, ``UnitNormalization``, ``RMSNormalization``: per-sample normalizations beyond LayerNorm.

Each computes its statistics from one sample alone, so training and
inference compute the same thing, and any batch size works.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import constraints, initializers, regularizers
from .._validation import integer, real
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register, serialize
from .normalization import _feature_axis, _moments

__all__ = ["GroupNormalization", "UnitNormalization", "RMSNormalization"]


def _axes(layer: Layer, axis: Any) -> int | list[int]:
    """Keras's ``axis``: one int, or a list of ints (kept as given, for the config)."""
    if isinstance(axis, (list, tuple)):
        if not axis:
            raise InvalidValueError(f"{layer._label()}: axis must be an int or a non-empty list of ints, received [].")
        return [integer(a, layer._label(), "axis") for a in axis]
    if isinstance(axis, (str, bytes, float)) or axis is None:
        raise InvalidTypeError(f"{layer._label()}: axis must be an int or a list of ints, received {axis!r}.")
    return integer(axis, layer._label(), "axis")


def _resolved(layer: Layer, axis: int | list[int], ndim: int) -> tuple[int, ...]:
    """``axis`` as sorted, non-negative, distinct feature axes of a ``ndim``-D input (batch included)."""
    given = axis if isinstance(axis, list) else [axis]
    found = sorted({_feature_axis(a, ndim, layer._label()) for a in given})
    if len(found) != len(given):
        raise InvalidValueError(f"{layer._label()}: axis {axis} names an axis twice.")
    return tuple(found)


def _optional(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else serialize(obj)


@register
class GroupNormalization(Layer):
    """Group normalization: the channels cut into ``groups``, each group of each sample scaled by its own statistics.

    Math (x viewed with the channel axis split into ``(groups, channels // groups)``;
    statistics over every axis of a group but the batch: its channels and
    any spatial axes, ``m`` values; grad = dL/dy)::

        forward    d, mean, var = _moments(x, group axes)     (stable; var biased)
                   inv_std = 1 / sqrt(var + epsilon)   xhat = d * inv_std     y = xhat * gamma + beta
        backward   dgamma = sum(grad * xhat)           dbeta = sum(grad)      (over every axis but the channel)
                   dxhat = grad * gamma
                   dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))   (means over group axes)

    ``groups=1`` normalizes each sample over all its channels and positions;
    ``groups=-1`` (one group per channel) is instance normalization.

    Parameters
    ----------
    groups : int
        The number of groups, dividing the number of channels; ``-1`` for one per channel. Keras's default 32.
    axis : int
        The channel axis (batch included in the count); ``-1``, channels-last, by default.
    epsilon : float
        Added to the variance (Keras: 1e-3).
    center, scale : bool
        Whether to learn ``beta`` and ``gamma``.
    beta_initializer, gamma_initializer
        ``"zeros"`` and ``"ones"``.
    beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint : optional
        Penalties on, and constraints applied after each update to, ``beta`` and ``gamma``.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, ..., channels)`` of rank 2 or more, the channels' size
    known; output the same. Parameters ``gamma`` then ``beta``, each ``(channels,)``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = GroupNormalization(groups=2, epsilon=1e-6)
    >>> layer(np.array([[1.0, 3.0, 10.0, 30.0]])).round(4)
    array([[-1.,  1., -1.,  1.]], dtype=float32)
    """

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.groups = integer(groups, self._label(), "groups", minimum=-1)
        if self.groups == 0:
            raise InvalidValueError(f"{self._label()}: groups must be a positive int or -1, received 0.")
        self.axis = integer(axis, self._label(), "axis")
        self.epsilon = real(epsilon, self._label(), "epsilon", minimum=0.0, strict=True)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape) + 1
        self._a = a = _feature_axis(self.axis, ndim, self._label())
        channels = input_shape[a - 1]
        if channels is None:
            raise ShapeError(f"{self._label()}: the channel axis {self.axis} of input {input_shape} has unknown size.")
        self._groups = channels if self.groups == -1 else self.groups
        if self._groups > channels or channels % self._groups:
            raise InvalidValueError(
                f"{self._label()}: groups={self.groups} must divide the {channels} channels of axis {self.axis} "
                f"(input of per-sample shape {input_shape}) and be at most {channels}."
            )
        # x grouped: the channel axis a becomes (groups, channels // groups) at axes a, a + 1
        self._param = tuple((self._groups, channels // self._groups) if i == a else (1,) for i in range(ndim))
        self._param_shape = tuple(n for part in self._param for n in part)
        self._stats = tuple(i for i in range(1, ndim + 1) if i != a)  # in the grouped view
        add = self.add_parameter
        self.gamma = (
            add("gamma", (channels,), self.gamma_initializer, regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint)
            if self.scale else None
        )  # fmt: skip
        self.beta = (
            add("beta", (channels,), self.beta_initializer, regularizer=self.beta_regularizer,
                constraint=self.beta_constraint)
            if self.center else None
        )  # fmt: skip

    def _grouped(self, x: Array) -> Array:
        a = self._a
        return x.reshape(*x.shape[:a], self._groups, x.shape[a] // self._groups, *x.shape[a + 1 :])

    def forward(self, x: Array, training: bool = False) -> Array:
        d, _, var = _moments(self._grouped(x), self._stats)
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = np.multiply(d, inv_std, out=d)  # d is a fresh array: scale it in place
        self.remember(xhat=xhat, inv_std=inv_std)
        y = xhat * self.gamma.value.reshape(self._param_shape) if self.gamma is not None else xhat.copy()
        if self.beta is not None:
            y += self.beta.value.reshape(self._param_shape)
        return y.reshape(x.shape)

    def backward(self, grad: Array) -> Array:
        xhat, inv_std = self.recall("xhat", "inv_std")
        grad = self._grouped(grad)
        if self.gamma is not None:
            self.gamma.grad = np.sum(grad * xhat, axis=self._others_grouped()).reshape(self.gamma.shape)
        if self.beta is not None:
            self.beta.grad = np.sum(grad, axis=self._others_grouped()).reshape(self.beta.shape)
        dxhat = grad * self.gamma.value.reshape(self._param_shape) if self.gamma is not None else grad
        mean_dxhat = dxhat.mean(axis=self._stats, keepdims=True)
        mean_dxhat_xhat = np.mean(dxhat * xhat, axis=self._stats, keepdims=True)
        dx = inv_std * (dxhat - mean_dxhat - xhat * mean_dxhat_xhat)
        return dx.reshape(*dx.shape[: self._a], -1, *dx.shape[self._a + 2 :])

    def _others_grouped(self) -> tuple[int, ...]:
        """Every axis of the grouped view but the two the channels were split into."""
        return tuple(i for i in range(len(self._param_shape)) if i not in (self._a, self._a + 1))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, "beta_initializer": serialize(self.beta_initializer),
            "gamma_initializer": serialize(self.gamma_initializer),
            "beta_regularizer": _optional(self.beta_regularizer),
            "gamma_regularizer": _optional(self.gamma_regularizer),
            "beta_constraint": _optional(self.beta_constraint), "gamma_constraint": _optional(self.gamma_constraint),
        }  # fmt: skip


@register
class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm along ``axis``.

    Math (s = sum(x * x) over ``axis``; grad = dL/dy)::

        forward    inv_norm = 1 / sqrt(max(s, 1e-24))       y = x * inv_norm
        backward   dx = inv_norm * (grad - y * sum(grad * y))     where s > 1e-24
                   dx = inv_norm * grad                           where the floor holds (a vector near 0)

    The floor is Keras's (and PyTorch's ``F.normalize``): the norm is taken
    at least ``1e-12``, so a zero vector gives zeros, never NaN.

    Parameters
    ----------
    axis : int or list of int
        The axis (or axes) normalized, batch included in the count; the last by default.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    any rank ``(batch, ...)``; output the same.

    Examples
    --------
    >>> import numpy as np
    >>> UnitNormalization()(np.array([[3.0, 4.0], [0.0, 0.0]]))
    array([[0.6, 0.8],
           [0. , 0. ]], dtype=float32)
    """

    accepts_any_shape = True

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(self, axis: int | list[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _axes(self, axis)

    def forward(self, x: Array, training: bool = False) -> Array:
        axes = _resolved(self, self.axis, x.ndim)
        s = np.sum(x * x, axis=axes, keepdims=True)
        floored = s <= 1e-24
        inv_norm = 1.0 / np.sqrt(np.maximum(s, 1e-24))
        y = x * inv_norm
        self.remember(y=y, inv_norm=inv_norm, floored=floored, axes=axes)
        return y

    def backward(self, grad: Array) -> Array:
        y, inv_norm, floored, axes = self.recall("y", "inv_norm", "floored", "axes")
        along = np.sum(grad * y, axis=axes, keepdims=True)
        along[floored] = 0.0  # on the floor inv_norm is a constant: no term through the norm
        return inv_norm * (grad - y * along)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _resolved(self, self.axis, len(input_shape) + 1)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


@register
class RMSNormalization(Layer):
    """Root-mean-square normalization: each sample divided by its RMS along ``axis``, then scaled by ``scale``.

    Math (ms = mean(x * x) over ``axis``, ``m`` values; grad = dL/dy)::

        forward    inv_rms = 1 / sqrt(ms + epsilon)     xhat = x * inv_rms     y = xhat * scale
        backward   dscale = sum(grad * xhat)            (over every other axis)
                   dxhat = grad * scale
                   dx = inv_rms * (dxhat - xhat * mean(dxhat * xhat))          (mean over axis)

    LayerNorm without the mean subtracted and without ``beta``.

    Parameters
    ----------
    axis : int or list of int
        The axis (or axes) normalized, batch included in the count; the last by default.
    epsilon : float
        Added to the mean square (Keras: 1e-6).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, ...)``, the normalized axes' sizes known; output the same.
    Parameter ``scale`` (Keras's name), of the normalized axes' sizes, initialized to ones.

    Examples
    --------
    >>> import numpy as np
    >>> RMSNormalization(epsilon=0.0)(np.array([[3.0, -3.0, 3.0, -3.0]]))
    array([[ 1., -1.,  1., -1.]], dtype=float32)
    """

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = _axes(self, axis)
        self.epsilon = real(epsilon, self._label(), "epsilon", minimum=0.0)

    def build(self, input_shape: Shape) -> None:
        ndim = len(input_shape) + 1
        self._axes = _resolved(self, self.axis, ndim)
        self._others = tuple(i for i in range(ndim) if i not in self._axes)
        self._broadcast = tuple(input_shape[i - 1] if i in self._axes else 1 for i in range(ndim))
        self.scale = self.add_parameter("scale", tuple(input_shape[i - 1] for i in self._axes), "ones")

    def forward(self, x: Array, training: bool = False) -> Array:
        inv_rms = 1.0 / np.sqrt(np.mean(x * x, axis=self._axes, keepdims=True) + self.epsilon)
        xhat = x * inv_rms
        self.remember(xhat=xhat, inv_rms=inv_rms)
        return xhat * self.scale.value.reshape(self._broadcast)

    def backward(self, grad: Array) -> Array:
        xhat, inv_rms = self.recall("xhat", "inv_rms")
        self.scale.grad = np.sum(grad * xhat, axis=self._others).reshape(self.scale.shape)
        dxhat = grad * self.scale.value.reshape(self._broadcast)
        return inv_rms * (dxhat - xhat * np.mean(dxhat * xhat, axis=self._axes, keepdims=True))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
