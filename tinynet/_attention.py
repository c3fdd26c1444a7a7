"""The array functions of ``MultiHeadAttention``: heads in and out of a projection, masks, softmax backward.

Each is a reshape and one matrix product (or a broadcast), never a loop over
samples, steps or heads. Shapes: ``b`` batch, ``t`` steps, ``d`` features,
``h`` heads, ``k`` the size of a head.
"""

from __future__ import annotations

import numpy as np

from ._numerics import column_sums
from .parameter import Parameter

__all__ = ["allowed_positions", "softmax_backward", "project", "project_backward", "merge_heads", "split_heads"]

Array = np.ndarray


def allowed_positions(
    mask: Array | None,
    causal: bool,
    steps: tuple[int, ...],
    query_mask: Array | None = None,
    key_mask: Array | None = None,
) -> Array | None:
    """Where query step t may attend to step s, ``(b, 1, t, s)`` or ``(t, s)``; ``None`` when everywhere.

    ``query_mask (b, t)`` and ``key_mask (b, s)`` are the sequences' own masks (padding): a padded
    query step attends to nothing, and no step attends to a padded key step.
    """
    allowed: Array | None = None if mask is None else (mask > 0.5)[:, None]
    if causal:
        lower = np.tri(*steps, dtype=np.bool_)  # s <= t
        allowed = lower if allowed is None else allowed & lower
    for step_mask, axis in ((query_mask, 3), (key_mask, 2)):
        if step_mask is not None:
            padded = np.expand_dims(np.asarray(step_mask, dtype=bool), (1, axis))  # (b, 1, t, 1) or (b, 1, 1, s)
            allowed = padded if allowed is None else allowed & padded
    return allowed


def softmax_backward(p: Array, dp: Array) -> Array:
    """dL/dz for ``p = softmax(z)`` along the last axis: ``p * (dp - sum(dp * p))``; 0 wherever ``p`` is 0."""
    return p * (dp - (dp * p).sum(axis=-1, keepdims=True))


def project(x: Array, kernel: Parameter, bias: Parameter | None) -> Array:
    """``x . kernel + bias`` per head: ``(b, t, d)`` and ``(d, h, k)`` give ``(b, h, t, k)`` (btd,dhk->bhtk)."""
    b, t, dim = x.shape
    y = x.reshape(b * t, dim) @ kernel.value.reshape(dim, -1)
    if bias is not None:
        y += bias.value.reshape(-1)
    return split_heads(y, (b, kernel.shape[1], t))


def project_backward(x: Array, kernel: Parameter, bias: Parameter | None, dy: Array, needed: bool) -> Array | None:
    """Set ``kernel.grad`` and ``bias.grad`` from ``dy`` = dL/d(``project``'s output); dL/dx when ``needed``."""
    b, t, dim = x.shape
    flat = merge_heads(dy)  # (b * t, h * k)
    kernel.grad = (x.reshape(b * t, dim).T @ flat).reshape(kernel.shape)
    if bias is not None:
        bias.grad = column_sums(flat).reshape(bias.shape)
    return (flat @ kernel.value.reshape(dim, -1).T).reshape(b, t, dim) if needed else None


def merge_heads(x: Array) -> Array:
    """``(b, h, t, k)`` as ``(b * t, h * k)``: the heads side by side, one row per sample and step."""
    b, h, t, k = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b * t, h * k)


def split_heads(x: Array, bht: tuple[int, ...]) -> Array:
    """``merge_heads`` undone: ``(b * t, h * k)`` as ``(b, h, t, k)``."""
    b, h, t = bht
    return x.reshape(b, t, h, -1).transpose(0, 2, 1, 3)
