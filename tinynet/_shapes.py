"""Per-sample shapes and batches as a layer checks them: one input, or a list of inputs (a merge layer).

A per-sample shape is a tuple without the batch axis whose entries are
non-negative ints, or ``None`` for a dimension of unknown size (Keras's
convention: ``tn.Input(shape=(None, 8))`` is a sequence of any number of steps
of 8 features). A layer that takes several inputs has a list of them. These
helpers check, compare and describe both, so ``Layer`` reads as what it does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_float_array, as_index_array
from .errors import InvalidTypeError, InvalidValueError, ShapeError

__all__ = [
    "checked_shape", "shape_key", "shape_fits", "has_unknown", "filled", "unknown_where_different",
    "describe_shape", "is_list_of_inputs", "checked_batch",
]  # fmt: skip


def checked_shape(owner: str, shape: Any) -> Any:
    """One per-sample shape as a tuple of ints and ``None``s, or a list of them (a list whose items are sequences)."""
    if isinstance(shape, list) and shape and all(isinstance(s, (list, tuple)) for s in shape):
        return [checked_shape(owner, s) for s in shape]
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise InvalidTypeError(f"{owner}: a shape must be a tuple of ints, received {shape!r}.") from None
    if not all(d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0) for d in shape):
        raise InvalidValueError(
            f"{owner}: a shape must be a tuple of non-negative ints (None for a size not known in advance), "
            f"received {shape!r}."
        )
    return tuple(None if d is None else int(d) for d in shape)


def shape_key(shape: Any) -> Any:
    """A shape (or list of shapes) in the form a built layer keeps, for comparing."""
    return [tuple(s) for s in shape] if isinstance(shape, list) else tuple(shape)


def shape_fits(built: Any, received: Any) -> bool:
    """Whether per-sample ``received`` (or a list of them) is what ``built`` allows: ``None`` there takes any size.

    A known size in ``built`` takes that size only, and not ``None`` (a layer built for 7 steps
    cannot promise to run on sequences of any length).
    """
    if built == received:  # the common case (every check of predict's input): no loop over the sizes
        return True
    if isinstance(built, list) or isinstance(received, list):
        return (
            isinstance(built, list)
            and isinstance(received, list)
            and len(built) == len(received)
            and all(shape_fits(b, r) for b, r in zip(built, received, strict=True))
        )
    return len(built) == len(received) and all(b is None or b == r for b, r in zip(built, received, strict=True))


def has_unknown(shape: Any) -> bool:
    """Whether a per-sample shape (or any of a list of them) holds a ``None``."""
    return any(has_unknown(s) for s in shape) if isinstance(shape, list) else None in shape


def filled(shape: Any, size: int) -> Any:
    """``shape`` (or each of a list of them) with every ``None`` replaced by ``size``."""
    if isinstance(shape, list):
        return [filled(s, size) for s in shape]
    return tuple(size if d is None else d for d in shape)


def unknown_where_different(a: Any, b: Any) -> Any:
    """Two output shapes (or lists of them) of one rank, with ``None`` where they differ: a size that varies."""
    if isinstance(a, list):
        return [unknown_where_different(x, y) for x, y in zip(a, b, strict=True)]
    return tuple(d if d == e else None for d, e in zip(a, b, strict=True))


def describe_shape(shape: Any) -> str:
    """``(batch, 3)``, or ``[(batch, 3), (batch, 4)]`` for several inputs."""
    if isinstance(shape, list):
        return "[" + ", ".join(describe_shape(s) for s in shape) + "]"
    return "(batch" + "".join(f", {d}" for d in (shape or ())) + ")"


def is_list_of_inputs(x: Any) -> bool:
    """Several inputs come as a list (or tuple) of arrays; a nested list of numbers is one batch of data."""
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(item, np.ndarray) for item in x)


def checked_batch(x: Any, dtype: np.dtype, indices: bool, any_rank: bool, where: str, what: str) -> np.ndarray:
    """``x`` as a batch of ``dtype`` (integers when ``indices``), with a batch axis unless ``any_rank``."""
    x = as_index_array(x, where, what) if indices else as_float_array(x, dtype, where, what)
    if x.ndim < 2 and not any_rank:
        raise ShapeError(
            f"{where}: expected a batch of samples (batch axis first) as {what}, received shape {x.shape}. "
            "For a single sample pass x[None]."
        )
    return x
