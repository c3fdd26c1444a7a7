"""Global pooling over the steps of a sequence ``(batch, steps, features)``, skipping padded steps.

Both layers take the mask a container carries (see :mod:`tinynet._masking`): a
padded step counts in neither the mean nor the maximum, and its gradient is zero.
A sequence with no kept step pools to zeros (never NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import boolean
from ..errors import ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register
from ._spatial import channels_last

__all__ = ["GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAvgPool1D", "GlobalMaxPool1D"]


class _GlobalPool1D(Layer):
    """Shared by the two: the input check, the output shape, ``keepdims`` and the mask as weights."""

    creates_mask = False  # its compute_mask ends the mask

    def __init__(self, keepdims: bool = False, data_format: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        channels_last(data_format, self._label())
        self.keepdims = boolean(keepdims, self._label(), "keepdims")

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 2:
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, steps, features), received per-sample shape "
                f"{tuple(input_shape)}. For one feature per step pass x[..., None]."
            )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        features = tuple(input_shape)[-1]
        return (1, features) if self.keepdims else (features,)

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """No mask: the steps are pooled away."""
        return None

    def shaped(self, y: Array) -> Array:
        """``y (batch, features)`` with the pooled axis kept when ``keepdims``."""
        return y[:, None, :] if self.keepdims else y

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}


@register
class GlobalAveragePooling1D(_GlobalPool1D):
    """The mean over the kept steps, per sample and feature.

    Math (x of shape (n, t, f); w = mask as 0/1 of shape (n, t, 1), all ones without a mask;
    grad = dL/dy, shape (n, f))::

        forward    count = max(sum_t w, 1)                    (n, 1, 1): a sequence of padding alone pools to 0
                   y = sum_t(x * w) / count
        backward   dx = grad[:, None, :] * w / count          (zero at padded steps)

    Parameters
    ----------
    keepdims : bool
        Keep the steps axis: output ``(batch, 1, features)``. ``False`` by default, as in Keras.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)``, with a mask ``(batch, steps)``; output ``(batch, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[1.0], [3.0], [8.0]]])
    >>> GlobalAveragePooling1D()(x)
    array([[4.]], dtype=float32)
    >>> GlobalAveragePooling1D()(x, mask=np.array([[True, True, False]]))  # the last step is padding
    array([[2.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False, mask: Any = None) -> Array:
        if mask is None:
            w, count = None, np.asarray(x.shape[1], dtype=x.dtype)
            y = x.mean(axis=1)
        else:
            w = np.asarray(mask, dtype=x.dtype)[..., None]
            count = np.maximum(w.sum(axis=1, keepdims=True), 1.0)
            y = (x * w).sum(axis=1) / count[:, 0]
        self.remember(w=w, count=count, x_shape=x.shape, dtype=x.dtype)
        return self.shaped(y)

    def backward(self, grad: Array) -> Array:
        w, count, x_shape, dtype = self.recall("w", "count", "x_shape", "dtype")
        g = grad.reshape(x_shape[0], 1, x_shape[2])
        dx = np.empty(x_shape, dtype=dtype)
        dx[...] = g / count if w is None else g * w / count
        return dx


@register
class GlobalMaxPooling1D(_GlobalPool1D):
    """The maximum over the kept steps, per sample and feature.

    Math (x of shape (n, t, f); kept = the mask, (n, t, 1), all true without one; grad = dL/dy)::

        forward    xk = where(kept, x, lowest)                (a padded step never wins)
                   first = xk.argmax(axis=1)                  (the first maximum)
                   y = x[:, first, :] where the sequence has a kept step, else 0
        backward   dx[:, first, :] = grad (times "has a kept step"); zero elsewhere

    Keras's ``GlobalMaxPooling1D`` ignores masks; this one skips padded steps, so
    that padding changes no output, as everywhere else in tinynet. Ties go to the
    first maximum, as in :class:`GlobalMaxPool2D`.

    Parameters
    ----------
    keepdims : bool
        Keep the steps axis: output ``(batch, 1, features)``. ``False`` by default, as in Keras.
    data_format : {None, "channels_last"}
        Channels-last only; ``"channels_first"`` is refused.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)``, with a mask ``(batch, steps)``; output ``(batch, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[1.0], [3.0], [8.0]]])
    >>> GlobalMaxPooling1D()(x)
    array([[8.]], dtype=float32)
    >>> GlobalMaxPooling1D()(x, mask=np.array([[True, True, False]]))
    array([[3.]], dtype=float32)
    """

    def forward(self, x: Array, training: bool = False, mask: Any = None) -> Array:
        any_kept = None
        if mask is None:
            first = x.argmax(axis=1)[:, None, :]
        else:
            kept = np.asarray(mask, dtype=bool)[..., None]
            first = np.where(kept, x, np.finfo(x.dtype).min).argmax(axis=1)[:, None, :]
            any_kept = kept.any(axis=1).astype(x.dtype)  # (n, 1)
        y = np.take_along_axis(x, first, axis=1)[:, 0]
        if any_kept is not None:
            y = y * any_kept
        self.remember(first=first, any_kept=any_kept, x_shape=x.shape, dtype=x.dtype)
        return self.shaped(y)

    def backward(self, grad: Array) -> Array:
        first, any_kept, x_shape, dtype = self.recall("first", "any_kept", "x_shape", "dtype")
        g = grad.reshape(x_shape[0], x_shape[2])
        if any_kept is not None:
            g = g * any_kept
        dx = np.zeros(x_shape, dtype=dtype)
        np.put_along_axis(dx, first, g[:, None, :], axis=1)
        return dx


#: Keras's shorter spellings.
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
