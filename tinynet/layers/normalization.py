"""``BatchNorm`` and ``LayerNorm``: inputs shifted and scaled to zero mean and unit variance, then ``gamma``, ``beta``.

Keras's names, ``BatchNormalization`` and ``LayerNormalization``, are the same classes.

Both compute their statistics with :func:`_moments`, in a numerically stable
form: the data are first shifted by one of their own values, so a float32
feature with mean 1e4 and standard deviation 1e-2 (where ``E[x^2] - E[x]^2``
cancels to noise, and even ``x - mean(x)`` loses the mean to float32's rounding
at 1e4) normalizes to a finite, correct output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import constraints, initializers, regularizers
from .._validation import integer, real
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register, serialize
from ..symbolic import is_symbolic

__all__ = ["BatchNorm", "LayerNorm", "BatchNormalization", "LayerNormalization"]


def _moments(x: Array, axes: tuple[int, ...]) -> tuple[Array, Array, Array]:
    """``(d, mean, var)`` over ``axes`` (kept as size-1 axes), in ``x``'s dtype, computed stably.

    Math::

        s    = x at index 0 of every reduced axis     (a value inside the data's own range)
        d0   = x - s                                  (exact for nearby values: Sterbenz)
        mean = s + mean(d0)                           d = d0 - mean(d0)  (= x - mean)
        var  = mean(d * d)                            (biased, and never E[x^2] - E[x]^2)

    Every intermediate has the size of the spread of ``x``, not of its offset,
    so float32 keeps all its digits for the part that matters.
    """
    s = x[tuple(slice(0, 1) if i in axes else slice(None) for i in range(x.ndim))]
    d = x - s
    shift = d.mean(axis=axes, keepdims=True)
    d -= shift
    return d, s + shift, np.mean(d * d, axis=axes, keepdims=True)


def _feature_axis(axis: int, ndim: int, label: str) -> int:
    """``axis`` (counted over the whole input, batch included) as a non-negative axis other than the batch axis."""
    if not -ndim <= axis < ndim or axis % ndim == 0:
        raise ShapeError(
            f"{label}: axis {axis} is not a feature axis of a {ndim}-D input (batch, ...): pick one of "
            f"1..{ndim - 1} or -{ndim - 1}..-1 (axis 0 is the batch)."
        )
    return axis % ndim


class _Normalization(Layer):
    """What BatchNorm and LayerNorm share: the options, ``gamma`` and ``beta``, and the config."""

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(
        self,
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
        """``gamma`` then ``beta`` (Keras's order), each ``(features,)``; the reshape that broadcasts them."""
        self._a = _feature_axis(self.axis, len(input_shape) + 1, self._label())
        features = input_shape[self._a - 1]
        self._broadcast = tuple(features if i == self._a else 1 for i in range(len(input_shape) + 1))
        self.gamma = (
            self.add_parameter(
                "gamma",
                (features,),
                self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )  # fmt: skip
            if self.scale
            else None
        )
        self.beta = (
            self.add_parameter(
                "beta",
                (features,),
                self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )  # fmt: skip
            if self.center
            else None
        )

    def _affine(self, xhat: Array) -> Array:
        """``y = xhat * gamma + beta`` (each term only if enabled); ``xhat`` itself is left unchanged."""
        y = xhat * self.gamma.value.reshape(self._broadcast) if self.gamma is not None else xhat.copy()
        if self.beta is not None:
            y += self.beta.value.reshape(self._broadcast)
        return y

    def _affine_grads(self, grad: Array, xhat: Array, axes: tuple[int, ...]) -> tuple[Array, Array]:
        """``dgamma = sum(grad * xhat)``, ``dbeta = sum(grad)`` over ``axes``, set on the parameters if present."""
        dgamma = np.sum(grad * xhat, axis=axes, keepdims=True)
        dbeta = np.sum(grad, axis=axes, keepdims=True)
        if self.gamma is not None:
            self.gamma.grad = dgamma.reshape(self.gamma.shape)
        if self.beta is not None:
            self.beta.grad = dbeta.reshape(self.beta.shape)
        return dgamma, dbeta

    def _gamma(self) -> Array | float:
        return 1.0 if self.gamma is None else self.gamma.value.reshape(self._broadcast)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize(self.beta_initializer),
            "gamma_initializer": serialize(self.gamma_initializer),
            "beta_regularizer": None if self.beta_regularizer is None else serialize(self.beta_regularizer),
            "gamma_regularizer": None if self.gamma_regularizer is None else serialize(self.gamma_regularizer),
            "beta_constraint": None if self.beta_constraint is None else serialize(self.beta_constraint),
            "gamma_constraint": None if self.gamma_constraint is None else serialize(self.gamma_constraint),
        }


@register
class BatchNorm(_Normalization):
    """Batch normalization: each feature scaled by statistics over the batch (and any spatial axes).

    Math (``axes``: every axis but the feature axis; ``m`` values per feature; grad = dL/dy)::

        forward    training:  d, mean, var = _moments(x, axes)       (stable; var biased)
                              moving_mean     = momentum * moving_mean     + (1 - momentum) * mean
                              moving_variance = momentum * moving_variance + (1 - momentum) * var
                   inference: d = x - moving_mean                    var = moving_variance
                   inv_std = 1 / sqrt(var + epsilon)    xhat = d * inv_std    y = xhat * gamma + beta
        backward   dgamma = sum(grad * xhat)            dbeta = sum(grad)
                   training:  dx = gamma * inv_std * (grad - (dbeta + xhat * dgamma) / m)
                   inference: dx = gamma * inv_std * grad

    The training line is the full derivative ``dx = inv_std / m * (m * dxhat -
    sum(dxhat) - xhat * sum(dxhat * xhat))`` with ``dxhat = grad * gamma``,
    using ``sum(dxhat) = gamma * dbeta`` and ``sum(dxhat * xhat) = gamma * dgamma``.

    Training mode is ``training=True`` on a layer that is ``trainable``: a
    frozen layer (``trainable=False``, set on it or on a model around it) runs
    in inference mode and leaves its moving statistics alone — the rule Keras
    settled on. Without ``gamma`` (``scale=False``) read ``gamma = 1``; without
    ``beta`` (``center=False``), ``beta = 0``.

    Parameters
    ----------
    axis : int
        The feature axis of the whole input (batch included); ``-1``, channels-last, by default.
    momentum : float
        In ``[0, 1]``: the weight the moving statistics keep at each training step (Keras: 0.99).
    epsilon : float
        Added to the variance (Keras: 1e-3).
    center, scale : bool
        Whether to learn ``beta`` and ``gamma``.
    beta_initializer, gamma_initializer, moving_mean_initializer, moving_variance_initializer
        ``"zeros"``, ``"ones"``, ``"zeros"``, ``"ones"``, as in Keras.
    beta_regularizer, gamma_regularizer : optional
        Penalties on ``beta`` and ``gamma``.
    beta_constraint, gamma_constraint : optional
        Constraints applied to ``beta`` and ``gamma`` after each update.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, ..., features, ...)``; output the same. Parameters ``gamma``,
    ``beta`` (trainable), then ``moving_mean``, ``moving_variance`` (non-trainable),
    each ``(features,)``: Keras's names and order.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.BatchNorm(momentum=0.5, epsilon=1e-6)
    >>> layer(np.array([[1.0], [3.0]]), training=True).round(4)
    array([[-1.],
           [ 1.]], dtype=float32)
    >>> [p.name for p in layer.parameters()], layer.moving_mean.value, layer.moving_variance.value
    (['gamma', 'beta', 'moving_mean', 'moving_variance'], array([1.], dtype=float32), array([1.], dtype=float32))

    Notes
    -----
    A batch of one sample (one value per feature) has no variance to learn
    from; training on it is refused, as in PyTorch. The moving variance
    averages the biased batch variance, as Keras 3 does (PyTorch uses the
    unbiased one).
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            axis, epsilon, center, scale, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
            beta_constraint, gamma_constraint, **kwargs,
        )  # fmt: skip
        self.momentum = real(momentum, self._label(), "momentum", minimum=0.0)
        if self.momentum > 1.0:
            raise InvalidValueError(f"{self._label()}: momentum must lie in [0, 1], received {momentum!r}.")
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape: Shape) -> None:
        super().build(input_shape)
        features = (input_shape[self._a - 1],)
        self.moving_mean = self.add_parameter("moving_mean", features, self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_parameter(
            "moving_variance", features, self.moving_variance_initializer, trainable=False
        )
        self._axes = tuple(i for i in range(len(input_shape) + 1) if i != self._a)

    def __call__(self, x: Any, training: bool = False, **options: Any) -> Any:
        """As :meth:`Layer.__call__`, but a batch too small to train on is refused before the layer is built."""
        if training and self.trainable and not is_symbolic(x):
            checked = self.validate_input(x)
            self._check_batch(checked.shape, _feature_axis(self.axis, checked.ndim, self._label()))
        return super().__call__(x, training, **options)

    def _check_batch(self, shape: Shape, a: int) -> None:
        m = int(np.prod(shape)) // max(shape[a], 1)
        if m < 2:
            raise InvalidValueError(
                f"{self._label()}: cannot compute batch statistics from {shape[0]} sample"
                f"{'' if shape[0] == 1 else 's'} ({m} value per feature, input of shape {tuple(shape)}); "
                "use inference mode (training=False) or a larger batch."
            )

    def check_batch_size(self, size: int, training: bool) -> None:
        if training and self.trainable and self.input_shape is not None:
            self._check_batch((size, *self.input_shape), self._a)

    def forward(self, x: Array, training: bool = False) -> Array:
        if training and self.trainable:
            self._check_batch(x.shape, self._a)
            d, mean, var = _moments(x, self._axes)
            momentum = self.momentum
            for moving, batch_stat in ((self.moving_mean.value, mean), (self.moving_variance.value, var)):
                moving *= momentum
                moving += (1.0 - momentum) * batch_stat.reshape(moving.shape)
        else:
            d = x - self.moving_mean.value.reshape(self._broadcast)
            var = self.moving_variance.value.reshape(self._broadcast)
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = np.multiply(d, inv_std, out=d)  # d is a fresh array: scale it in place
        self.remember(xhat=xhat, inv_std=inv_std, batch_stats=bool(training and self.trainable))
        return self._affine(xhat)

    def backward(self, grad: Array) -> Array:
        xhat, inv_std, batch_stats = self.recall("xhat", "inv_std", "batch_stats")
        dgamma, dbeta = self._affine_grads(grad, xhat, self._axes)
        if not batch_stats:
            return grad * (self._gamma() * inv_std)
        m = xhat.size // xhat.shape[self._a]
        return (self._gamma() * inv_std) * (grad - (dbeta + xhat * dgamma) * (1.0 / m))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "momentum": self.momentum,
            "moving_mean_initializer": serialize(self.moving_mean_initializer),
            "moving_variance_initializer": serialize(self.moving_variance_initializer),
        }


@register
class LayerNorm(_Normalization):
    """Layer normalization: each sample scaled by its own statistics over the feature axis.

    Math (statistics over ``axis`` of each sample, ``m`` = its length; grad = dL/dy)::

        forward    d, mean, var = _moments(x, axis)      (stable; var biased)
                   inv_std = 1 / sqrt(var + epsilon)    xhat = d * inv_std    y = xhat * gamma + beta
        backward   dgamma = sum(grad * xhat)            dbeta = sum(grad)      (over every other axis)
                   dxhat = grad * gamma
                   dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))   (means over axis)

    Training and inference compute the same thing. Without ``gamma``
    (``scale=False``) read ``gamma = 1``; without ``beta`` (``center=False``), ``beta = 0``.

    Parameters
    ----------
    axis : int
        The axis normalized (batch included in the count); the last, ``-1``, by default, as in Keras.
    epsilon : float
        Added to the variance (Keras: 1e-3).
    center, scale : bool
        Whether to learn ``beta`` and ``gamma``.
    beta_initializer, gamma_initializer : str or initializer
        ``"zeros"`` and ``"ones"``.
    beta_regularizer, gamma_regularizer : optional
        Penalties on ``beta`` and ``gamma``.
    beta_constraint, gamma_constraint : optional
        Constraints applied to ``beta`` and ``gamma`` after each update.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, ..., features, ...)`` of any rank; output the same. Parameters
    ``gamma`` and ``beta``, each ``(features,)`` for the normalized axis. With the
    default ``axis=-1`` a sequence ``(batch, steps, features)`` has each step
    normalized over its own features, as in a transformer.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.LayerNorm(epsilon=1e-6)
    >>> layer(np.array([[1.0, 3.0], [10.0, 20.0]])).round(4)
    array([[-1.,  1.],
           [-1.,  1.]], dtype=float32)
    >>> tn.layers.LayerNorm(epsilon=1e-6)(np.array([[[1.0, 3.0], [10.0, 20.0]]])).round(4)
    array([[[-1.,  1.],
            [-1.,  1.]]], dtype=float32)
    """

    def build(self, input_shape: Shape) -> None:
        super().build(input_shape)
        self._others = tuple(i for i in range(len(input_shape) + 1) if i != self._a)

    def forward(self, x: Array, training: bool = False) -> Array:
        d, _, var = _moments(x, (self._a,))
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = np.multiply(d, inv_std, out=d)  # d is a fresh array: scale it in place
        self.remember(xhat=xhat, inv_std=inv_std)
        return self._affine(xhat)

    def backward(self, grad: Array) -> Array:
        xhat, inv_std = self.recall("xhat", "inv_std")
        self._affine_grads(grad, xhat, self._others)
        dxhat = grad * self._gamma()
        mean_dxhat = dxhat.mean(axis=self._a, keepdims=True)
        mean_dxhat_xhat = np.mean(dxhat * xhat, axis=self._a, keepdims=True)
        return inv_std * (dxhat - mean_dxhat - xhat * mean_dxhat_xhat)


#: Keras's names: the same classes.
BatchNormalization = BatchNorm
LayerNormalization = LayerNorm
