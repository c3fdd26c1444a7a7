"""Stable elementwise and row-wise functions, written once and shared.

Activations, losses and (later) convolutions take their ``exp`` and ``log``
from here, each in the form that cannot overflow: no intermediate exceeds the
float range for any finite input, so logits of +-1e4 give exact, finite
results and no NumPy warning. Underflow to zero can happen and is harmless
(NumPy ignores it by default). Every function keeps its input's dtype.

Math::

    sigmoid(z)      = 1 / (1 + exp(-z))      computed from e = exp(-|z|) <= 1:
                      z >= 0: 1 / (1 + e)    z < 0: e / (1 + e)
    softplus(z)     = log(1 + exp(z))        = max(z, 0) + log1p(exp(-|z|))
    log_sigmoid(z)  = -softplus(-z)
    logsumexp(z)    = m + log(sum(exp(z - m))),   m = max(z) along the axis
    log_softmax(z)  = (z - m) - log(sum(exp(z - m)))    (not z - logsumexp(z): that rounds at |z|'s scale)
    softmax(z)      = exp(z - m) / sum(exp(z - m))
    column_sums(a)  = a.sum(axis=0) of a 2-D array, as ones @ a     (a bias gradient)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = [
    "sigmoid", "softplus", "log_sigmoid", "logsumexp", "log_softmax", "softmax",
    "column_sums", "row_sums", "long_product", "zeros",
]  # fmt: skip


def sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.maximum(e, z >= 0) / (1.0 + e)  # numerator 1 where z >= 0, else e (e <= 1): not the slower np.where


def softplus(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -softplus(-z)


def logsumexp(z: np.ndarray, axis: int = -1, keepdims: bool = True) -> np.ndarray:
    m = z.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = z - z.max(axis=axis, keepdims=True)  # exact for the largest entries: no rounding at |z|'s scale
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    e = z - z.max(axis=axis, keepdims=True)  # a new array, so the rest is in place: one allocation, not three
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def column_sums(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a.sum(axis=0)`` of a 2-D array as the product ``ones @ a`` (written into ``out`` when given).

    In float32 the product is faster than NumPy's reduction along the first
    axis, the more so the more rows (docs/benchmarks.md has the figures).
    The ones vector is cached, read-only, per length and dtype.
    """
    return np.matmul(_ones(len(a), a.dtype), a, out=out)


def row_sums(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a.sum(axis=1)`` of a 2-D array as the product ``a @ ones`` (written into ``out`` when given)."""
    return np.matmul(a, _ones(a.shape[1], a.dtype), out=out)


def long_product(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b.T`` for ``a`` of shape (m, k) and ``b`` of shape (n, k): a small result summed over a long ``k``.

    A convolution's kernel gradient is such a product: ``cols @ dzf.T``
    with ``k`` one column per output pixel of the batch (36,864 for LeNet's
    first layer at batch 64) and a result of only ``kh*kw*c x filters``
    (25 x 6). OpenBLAS runs that shape slowly; cut into chunks of ``k`` of
    about 400 or more, multiplied as one batch and summed, it took 0.20 ms
    instead of 0.58 (LeNet's first layer) and 0.82 instead of 1.35 (the
    MNIST convnet's, 9 x 86,528 x 32). Larger results gain nothing, so they
    are one product as usual.
    """
    (m, k), n = a.shape, b.shape[0]
    chunks = 1
    while chunks < 256 and k % (2 * chunks) == 0 and k // (2 * chunks) >= 400:
        chunks *= 2
    if m * n > 512 or chunks < 4:
        return np.matmul(a, b.T, out=out)
    parts = np.matmul(a.reshape(m, chunks, -1).transpose(1, 0, 2), b.reshape(n, chunks, -1).transpose(1, 2, 0))
    return np.sum(parts, axis=0, out=out)


@lru_cache(maxsize=16)
def zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A read-only array of zeros, cached per shape and dtype.

    ``np.maximum(x, zeros(x.shape, x.dtype))`` runs about twice as fast as
    ``np.maximum(x, 0)`` on a 1024x256 float32 batch: NumPy's loop over two
    arrays is vectorised, its loop against a broadcast scalar less so.
    """
    array = np.zeros(shape, dtype=dtype)
    array.flags.writeable = False
    return array


@lru_cache(maxsize=16)
def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    ones = np.ones(n, dtype=dtype)
    ones.flags.writeable = False
    return ones
