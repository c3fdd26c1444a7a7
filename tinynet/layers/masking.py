"""``Masking``: marks the steps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import real
from ..layer import Array, Layer
from ..registry import register

__all__ = ["Masking"]


@register
class Masking(Layer):
    """Marks padding in a sequence of feature vectors: a step whose features all equal ``mask_value``.

    The output's mask (see :mod:`tinynet._masking`) is ``kept``; the recurrent
    layers, attention and global pooling after it skip the padded steps. The
    output itself is ``x`` with the padded steps set to zero, as in Keras.

    Math (x of shape (batch, steps, features); grad = dL/dy)::

        forward    kept = any(x != mask_value, axis=-1)      (batch, steps): the output's mask
                   y = x * kept[..., None]
        backward   dx = grad * kept[..., None]               (zero at padded steps)

    Parameters
    ----------
    mask_value : float
        The value that fills a padded step. ``0.0`` by default, as in Keras.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)`` (any rank: the last axis is the features); output the same,
    with a mask of the input's shape without its last axis.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    >>> layer = tn.layers.Masking(mask_value=0.0)
    >>> layer.compute_mask(x, None)
    array([[ True, False,  True]])
    """

    accepts_any_shape = True
    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = real(mask_value, self._label(), "mask_value")

    def forward(self, x: Array, training: bool = False) -> Array:
        kept = self.compute_mask(x, None)[..., None]
        self.remember(kept=kept)
        return x * kept

    def backward(self, grad: Array) -> Array:
        (kept,) = self.recall("kept")
        return grad * kept

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """``any(x != mask_value, axis=-1)``, and'ed with the input's own mask when it has one."""
        kept = np.any(np.asarray(x) != self.mask_value, axis=-1)
        return kept if mask is None else kept & mask

    @property
    def creates_mask(self) -> bool:
        return True

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
