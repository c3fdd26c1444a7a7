"""``Dropout``: inverted dropout, drawn from the layer's own seeded generator."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import integer, real
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register
from ..utils import make_rng

__all__ = ["Dropout"]


@register
class Dropout(Layer):
    """While training, zero each input with probability ``rate`` and scale the rest by ``1 / (1 - rate)``.

    Math (keep ~ Bernoulli(1 - rate) drawn from ``self.rng`` with shape
    ``noise_shape``, broadcast over x; grad = dL/dy)::

        training    mask = keep / (1 - rate)      y = x * mask
                    dx = grad * mask              (the mask of the last forward)
        inference   y = x                         dx = grad       (the same arrays: no copy, no arithmetic)

    Inverted dropout: the scaling happens while training, so the expected
    value of ``y`` is ``x`` and inference needs nothing at all.

    Parameters
    ----------
    rate : float
        The probability of dropping an input, in ``[0, 1)``. With ``rate=0`` the layer is the identity.
    seed : int, optional
        Seeds the layer's generator ``self.rng``; without it the generator comes
        from the stream :func:`tinynet.utils.set_random_seed` resets. The global
        ``np.random`` state is never used.
    noise_shape : tuple of (int or None), optional
        Keras's: the shape of ``keep``, batch axis included, with ``1`` where
        one draw is shared along an axis and ``None`` for "as in x" — e.g.
        ``(None, 1, 1, channels)`` drops whole channels of an image.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    any rank, ``(batch, ...)``; ``y`` has the shape of ``x``. For a sequence
    ``(batch, steps, features)``, ``noise_shape=(None, 1, None)`` drops the same
    features at every step.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Dropout(0.5, seed=0)
    >>> x = np.ones((2, 4), dtype=np.float32)
    >>> layer(x) is x
    True
    >>> sorted(set(layer(x, training=True).ravel().tolist()))
    [0.0, 2.0]
    """

    accepts_any_shape = True

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(self, rate: float, seed: int | None = None, noise_shape: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = real(rate, self._label(), "rate", minimum=0.0)
        if self.rate >= 1.0:
            raise InvalidValueError(f"{self._label()}: rate must be in [0, 1), received {rate!r}.")
        self.noise_shape = None if noise_shape is None else self._check_noise_shape(noise_shape)
        self.seed = None if seed is None else integer(seed, self._label(), "seed", minimum=0)
        self.rng = make_rng(self.seed)

    def forward(self, x: Array, training: bool = False) -> Array:
        if not training or self.rate == 0.0:
            self.remember(mask=None)
            return x
        keep = self.rng.random(self._mask_shape(x.shape), dtype=np.float32) >= self.rate
        mask = np.multiply(keep, 1.0 / (1.0 - self.rate), dtype=x.dtype)
        self.remember(mask=mask)
        return x * mask

    def backward(self, grad: Array) -> Array:
        (mask,) = self.recall("mask")
        return grad if mask is None else grad * mask

    def _mask_shape(self, x_shape: Shape) -> Shape:
        """``noise_shape`` with its ``None`` entries filled from ``x_shape``; checked to broadcast over x."""
        if self.noise_shape is None:
            return x_shape
        shape = tuple(n if d is None else d for d, n in zip(self.noise_shape, x_shape, strict=False))
        if len(self.noise_shape) != len(x_shape) or any(d not in (1, n) for d, n in zip(shape, x_shape, strict=True)):
            raise ShapeError(
                f"{self._label()}: noise_shape {self.noise_shape} does not fit input of shape {tuple(x_shape)}: "
                "it needs one entry per axis of the input (batch axis included), each 1, None or the input's size."
            )
        return shape

    def _check_noise_shape(self, noise_shape: Any) -> tuple[int | None, ...]:
        if isinstance(noise_shape, (int, str, bytes)) or not hasattr(noise_shape, "__iter__"):
            raise InvalidTypeError(
                f"{self._label()}: noise_shape must be a tuple of ints or None (batch axis included), "
                f"received {noise_shape!r}."
            )
        dims = tuple(noise_shape)
        ok = all(d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 1) for d in dims)
        if not ok or not dims:
            raise InvalidValueError(
                f"{self._label()}: noise_shape entries must be positive ints or None, received {dims!r}."
            )
        return tuple(None if d is None else int(d) for d in dims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
        }
