"""Gradient clipping, as every optimizer applies it before its update (Keras's three options).

Math (g = a parameter's gradient, c = the option's value; at most one option is set)::

    clipvalue         g = clip(g, -c, c)                             entry by entry
    clipnorm          g = g * (c / norm(g))        if norm(g) > c    each gradient on its own
    global_clipnorm   g = g * (c / global_norm)    if global_norm > c
                      global_norm = sqrt(sum over the gradients of norm(g)**2)

Norms are summed in float64, so a float32 gradient's cannot overflow.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["clipped"]


def clipped(
    gradients: list[np.ndarray], clipvalue: float | None, clipnorm: float | None, global_clipnorm: float | None
) -> list[np.ndarray]:
    """The gradients an update uses: new arrays where clipping changes them, the given arrays elsewhere.

    Examples
    --------
    >>> clipped([np.array([3.0, 4.0])], None, 1.0, None)[0]     # norm 5, scaled to 1
    array([0.6, 0.8])
    """
    if clipvalue is not None:
        return [np.clip(g, -clipvalue, clipvalue) for g in gradients]
    if clipnorm is not None:
        norms = [math.sqrt(_squared_norm(g)) for g in gradients]
        return [g * (clipnorm / norm) if norm > clipnorm else g for g, norm in zip(gradients, norms, strict=True)]
    if global_clipnorm is not None:
        norm = math.sqrt(sum(_squared_norm(g) for g in gradients))
        return [g * (global_clipnorm / norm) for g in gradients] if norm > global_clipnorm else gradients
    return gradients


def _squared_norm(g: np.ndarray) -> float:
    """``sum(g * g)`` accumulated in float64."""
    return float(np.sum(np.square(g, dtype=np.float64)))
