"""Noise layers: ``GaussianNoise``, ``GaussianDropout``, ``AlphaDropout``, ``SpatialDropout1D/2D/3D``.

Each draws from the layer's own seeded generator ``self.rng`` while training
(``training=True``), as :class:`~tinynet.layers.Dropout` does, and is the
identity at inference: it returns its input itself, with no copy and no
arithmetic. The draws are made in float32 whatever the layer's dtype, so a
float64 copy of a layer (the gradient checker's) sees the same noise.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import integer, real
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register
from ..utils import make_rng
from .dropout import Dropout

__all__ = [
    "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
]  # fmt: skip


def _rate(layer: Layer, rate: Any) -> float:
    """``rate`` as a float in ``[0, 1)``, or an error naming the layer."""
    value = real(rate, layer._label(), "rate", minimum=0.0)
    if value >= 1.0:
        raise InvalidValueError(f"{layer._label()}: rate must be in [0, 1), received {rate!r}.")
    return value


class _Noise(Layer):
    """What the noise layers share: a seed and its generator, any input shape, the mask kept."""

    accepts_any_shape = True

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = None if seed is None else integer(seed, self._label(), "seed", minimum=0)
        self.rng = make_rng(self.seed)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed}


@register
class GaussianNoise(_Noise):
    """While training, add zero-mean Gaussian noise of standard deviation ``stddev`` to every input.

    Math (noise ~ Normal(0, 1) drawn from ``self.rng`` with the shape of x; grad = dL/dy)::

        training    y = x + stddev * noise        dx = grad
        inference   y = x                         dx = grad       (the same arrays)

    Parameters
    ----------
    stddev : float
        The noise's standard deviation, in ``[0, 1]`` as Keras requires.
    seed : int, optional
        Seeds ``self.rng``; without it the generator comes from the stream
        :func:`tinynet.utils.set_random_seed` resets.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    any rank, ``(batch, ...)``; ``y`` has the shape of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = GaussianNoise(0.1, seed=0)
    >>> x = np.zeros((2, 3), dtype=np.float32)
    >>> layer(x) is x
    True
    >>> bool(np.all(np.abs(layer(x, training=True)) < 1.0))
    True
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        self.stddev = real(stddev, self._label(), "stddev", minimum=0.0)
        if self.stddev > 1.0:
            raise InvalidValueError(f"{self._label()}: stddev must be in [0, 1], received {stddev!r}.")

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(called=True)
        if not training or self.stddev == 0.0:
            return x
        noise = self.rng.standard_normal(x.shape, dtype=np.float32)
        return x + np.multiply(noise, self.stddev, dtype=x.dtype)

    def backward(self, grad: Array) -> Array:
        self.recall("called")
        return grad

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev}


@register
class GaussianDropout(_Noise):
    """While training, multiply every input by Gaussian noise of mean 1 and variance ``rate / (1 - rate)``.

    Math (noise ~ Normal(0, 1) drawn from ``self.rng`` with the shape of x; grad = dL/dy)::

        training    mask = 1 + sqrt(rate / (1 - rate)) * noise      y = x * mask
                    dx = grad * mask                                (the mask of the last forward)
        inference   y = x                                           dx = grad

    The variance matches that of :class:`~tinynet.layers.Dropout` with the
    same ``rate``, and the mean of ``y`` is ``x``.

    Parameters
    ----------
    rate : float
        In ``[0, 1)``; ``0`` makes the layer the identity.
    seed : int, optional
        Seeds ``self.rng`` (see :class:`GaussianNoise`).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    any rank, ``(batch, ...)``; ``y`` has the shape of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = GaussianDropout(0.5, seed=0)
    >>> x = np.ones((1, 4), dtype=np.float32)
    >>> layer(x) is x, layer(x, training=True).shape
    (True, (1, 4))
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        self.rate = _rate(self, rate)

    def forward(self, x: Array, training: bool = False) -> Array:
        if not training or self.rate == 0.0:
            self.remember(mask=None)
            return x
        noise = self.rng.standard_normal(x.shape, dtype=np.float32)
        mask = np.multiply(noise, math.sqrt(self.rate / (1.0 - self.rate)), dtype=x.dtype)
        mask += 1.0
        self.remember(mask=mask)
        return x * mask

    def backward(self, grad: Array) -> Array:
        (mask,) = self.recall("mask")
        return grad if mask is None else grad * mask

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate}


#: SELU's constants: alpha_p = -alpha * scale is the value SELU saturates to for large negative inputs.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@register
class AlphaDropout(Dropout):
    """Dropout that keeps a SELU network's mean and variance: dropped inputs go to SELU's floor, then rescale.

    Math (keep ~ Bernoulli(1 - rate) drawn from ``self.rng`` with shape
    ``noise_shape``, broadcast over x; alpha_p = -alpha * scale of SELU; grad = dL/dy)::

        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5       b = -a * alpha_p * rate
        training    y = a * (x * keep + alpha_p * (1 - keep)) + b
                    dx = grad * (a * keep)                          (the keep of the last forward)
        inference   y = x                                           dx = grad

    For inputs of zero mean and unit variance (what SELU keeps), ``y`` has
    zero mean and unit variance too.

    Parameters
    ----------
    rate : float
        The probability of dropping an input, in ``[0, 1)``.
    noise_shape : tuple of (int or None), optional
        The shape of ``keep`` (batch axis included; ``None`` for "as in x"), as in :class:`~tinynet.layers.Dropout`.
    seed : int, optional
        Seeds ``self.rng`` (see :class:`~tinynet.layers.Dropout`).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    any rank, ``(batch, ...)``; ``y`` has the shape of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = AlphaDropout(0.2, seed=0)
    >>> x = np.zeros((1, 4), dtype=np.float32)
    >>> layer(x) is x, layer(x, training=True).shape
    (True, (1, 4))
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, noise_shape=noise_shape, **kwargs)

    def forward(self, x: Array, training: bool = False) -> Array:
        if not training or self.rate == 0.0:
            self.remember(scaled_keep=None)
            return x
        rate, alpha_p = self.rate, -_SELU_ALPHA * _SELU_SCALE
        a = ((1.0 - rate) * (1.0 + rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * rate
        keep = self.rng.random(self._mask_shape(x.shape), dtype=np.float32) >= rate
        scaled_keep = np.multiply(keep, a, dtype=x.dtype)
        self.remember(scaled_keep=scaled_keep)
        return x * scaled_keep + np.where(keep, b, a * alpha_p + b).astype(x.dtype, copy=False)

    def backward(self, grad: Array) -> Array:
        (scaled_keep,) = self.recall("scaled_keep")
        return grad if scaled_keep is None else grad * scaled_keep


class _SpatialDropout(Dropout):
    """Dropout of whole channels: one draw per sample and channel, shared by every step or pixel."""

    rank: int = 3  # the rank of the input, batch included

    def __init__(self, rate: float, seed: int | None = None, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, **kwargs)
        if data_format is None:
            data_format = "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise InvalidValueError(
                f"{self._label()}: data_format must be 'channels_last' or 'channels_first', received {data_format!r}."
            )
        self.data_format = data_format

    def _mask_shape(self, x_shape: Shape) -> Shape:
        """``(batch, 1, ..., 1, channels)``, or ``(batch, channels, 1, ..., 1)`` channels-first."""
        if len(x_shape) != self.rank:
            raise ShapeError(
                f"{self._label()}: expected input of rank {self.rank} (batch included), received shape "
                f"{tuple(x_shape)}."
            )
        channel = 1 if self.data_format == "channels_first" else self.rank - 1
        return tuple(n if i in (0, channel) else 1 for i, n in enumerate(x_shape))

    def build(self, input_shape: Shape) -> None:
        self.check_input_shape(input_shape)

    def check_input_shape(self, input_shape: Any) -> None:
        if isinstance(input_shape, tuple) and len(input_shape) != self.rank - 1:
            raise ShapeError(
                f"{self._label()}: expected per-sample input of rank {self.rank - 1} (batch excluded), received "
                f"shape {input_shape}."
            )
        super().check_input_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["noise_shape"]
        if self.rank > 3:
            config["data_format"] = self.data_format
        return config


@register
class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole channels of a sequence: each sample's channel is dropped at every one of its steps or at none.

    Math (keep ~ Bernoulli(1 - rate) drawn from ``self.rng``, one per sample
    and channel, broadcast over the steps; grad = dL/dy)::

        training    mask = keep / (1 - rate)      y = x * mask       dx = grad * mask
        inference   y = x                         dx = grad

    Neighbouring steps are strongly correlated, so dropping single entries
    would barely regularize; this drops the channel instead (Tompson et al., 2014).

    Parameters
    ----------
    rate : float
        The probability of dropping a channel, in ``[0, 1)``.
    seed : int, optional
        Seeds ``self.rng`` (see :class:`~tinynet.layers.Dropout`).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, channels)``; output the same.

    Examples
    --------
    >>> import numpy as np
    >>> y = SpatialDropout1D(0.5, seed=0)(np.ones((1, 4, 3), dtype=np.float32), training=True)
    >>> bool(np.all(y == y[:, :1]))  # one draw along the steps
    True
    """

    rank = 3

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, **kwargs)


@register
class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole channels of an image: each sample's channel is dropped at every one of its pixels or at none.

    Math (keep ~ Bernoulli(1 - rate) drawn from ``self.rng``, one per sample
    and channel, broadcast over the pixels; grad = dL/dy)::

        training    mask = keep / (1 - rate)      y = x * mask       dx = grad * mask
        inference   y = x                         dx = grad

    Neighbouring pixels are strongly correlated, so dropping single entries
    would barely regularize; this drops the channel instead (Tompson et al., 2014).

    Parameters
    ----------
    rate : float
        The probability of dropping a channel, in ``[0, 1)``.
    data_format : {"channels_last", "channels_first"}, optional
        Where the channels are; ``None`` means channels-last, tinynet's layout.
    seed : int, optional
        Seeds ``self.rng`` (see :class:`~tinynet.layers.Dropout`).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)`` (channels-last); output the same.

    Examples
    --------
    >>> import numpy as np
    >>> y = SpatialDropout2D(0.5, seed=0)(np.ones((1, 2, 3, 4), dtype=np.float32), training=True)
    >>> bool(np.all(y == y[:, :1, :1]))  # one draw along the pixels
    True
    """

    rank = 4

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, data_format=data_format, **kwargs)


@register
class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole channels of a volume: each sample's channel is dropped at every one of its voxels or at none.

    Math (keep ~ Bernoulli(1 - rate) drawn from ``self.rng``, one per sample
    and channel, broadcast over the voxels; grad = dL/dy)::

        training    mask = keep / (1 - rate)      y = x * mask       dx = grad * mask
        inference   y = x                         dx = grad

    Neighbouring voxels are strongly correlated, so dropping single entries
    would barely regularize; this drops the channel instead (Tompson et al., 2014).

    Parameters
    ----------
    rate : float
        The probability of dropping a channel, in ``[0, 1)``.
    data_format : {"channels_last", "channels_first"}, optional
        Where the channels are; ``None`` means channels-last, tinynet's layout.
    seed : int, optional
        Seeds ``self.rng`` (see :class:`~tinynet.layers.Dropout`).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, depth, height, width, channels)`` (channels-last); output the same.

    Examples
    --------
    >>> import numpy as np
    >>> y = SpatialDropout3D(0.5, seed=0)(np.ones((1, 2, 2, 2, 3), dtype=np.float32), training=True)
    >>> bool(np.all(y == y[:, :1, :1, :1]))  # one draw along the voxels
    True
    """

    rank = 5

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(rate, seed=seed, data_format=data_format, **kwargs)
