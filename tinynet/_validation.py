"""Checks shared by every public entry point: numeric, not ragged, finite; and model file names.

They are cheap by construction: finiteness is tested with one ``sum`` and an
exact scan only when that sum is not finite (a small array is scanned at
once: for it the scan is cheaper than the sum's warning guard), and a
correctly typed array is never copied.
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from .errors import InvalidTypeError, InvalidValueError, ShapeError

__all__ = [
    "as_float_array", "as_array", "as_index_array", "check_finite", "float_dtype", "real", "integer",
    "check_model_file_name", "KERAS_EXTENSIONS",
]  # fmt: skip

#: A model file name ending in one of these (in any case) is refused: the file would not be in Keras's format.
KERAS_EXTENSIONS = (".keras", ".h5", ".hdf5")

_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned int, float
_SCAN_DIRECTLY = 4096  # up to this many entries, np.isfinite(array).all() beats the guarded sum


def as_array(data: Any, where: str, what: str = "input", batched: bool = True) -> np.ndarray:
    """``np.asarray(data)`` with a clear error for ragged, non-numeric or (when ``batched``) batch-less data."""
    try:
        array = np.asarray(data)
    except (ValueError, TypeError) as error:  # numpy 2 refuses ragged nested lists
        raise InvalidTypeError(
            f"{where}: {what} must be a rectangular numeric array; converting it failed ({error})."
        ) from None
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise InvalidTypeError(
            f"{where}: {what} must be numeric (float, int or bool), received dtype {array.dtype}"
            + (" (a ragged or mixed sequence?)." if array.dtype == object else ".")
        )
    if batched and array.ndim == 0:
        raise ShapeError(
            f"{where}: {what} must have a batch axis first, received a scalar. "
            "Wrap a single sample as x[None] or np.array([x])."
        )
    return array


def check_finite(array: np.ndarray, where: str, what: str = "input") -> None:
    """Raise ``InvalidValueError`` naming the first NaN or Inf entry, if there is one."""
    if array.dtype.kind != "f" or array.size == 0:
        return
    if array.size <= _SCAN_DIRECTLY:
        if np.isfinite(array).all():
            return
    else:  # one sum, no boolean copy of a large array: it is finite when every entry is (and none is huge)
        with np.errstate(over="ignore", invalid="ignore"):
            total = array.sum()
        if np.isfinite(total):
            return
    bad = ~np.isfinite(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InvalidValueError(
            f"{where}: {what} contains {bad.sum()} NaN or Inf value(s), the first {array[index]} at index "
            f"{index}. Clean or impute the data before passing it."
        )


def as_float_array(data: Any, dtype: np.dtype, where: str, what: str = "input", batched: bool = True) -> np.ndarray:
    """Validate ``data`` (numeric, rectangular, finite, batch axis) and cast it to ``dtype``.

    A narrowing cast (float64 data for a float32 layer) is checked too: a
    finite value beyond the target's range is refused rather than turned into Inf.
    """
    array = as_array(data, where, what, batched)
    check_finite(array, where, what)
    dtype = np.dtype(dtype)
    if array.dtype == dtype:
        return array
    with np.errstate(over="ignore"):
        cast = array.astype(dtype)
    if array.dtype.kind == "f" and array.dtype.itemsize > dtype.itemsize:
        with np.errstate(over="ignore", invalid="ignore"):
            fits = np.isfinite(cast.sum()) or np.isfinite(cast).all()
        if not fits:
            raise InvalidValueError(
                f"{where}: {what} holds values beyond the range of {dtype} (largest magnitude "
                f"{np.abs(array).max():.3g}, {dtype} stops at {np.finfo(dtype).max:.3g}). Rescale the data, "
                f"or use a {array.dtype} model with astype('{array.dtype}')."
            )
    return cast


def _bound(kind: str, minimum: float | None, strict: bool) -> str:
    """'a positive float', 'a float >= 0', 'an int >= 2' — how messages name the expected value."""
    if minimum is None:
        return f"a finite {kind}" if kind == "float" else f"an {kind}"
    if minimum == 0 and strict or kind == "int" and minimum == 1:
        return f"a positive {kind}"
    article = "an" if kind == "int" else "a"
    return f"{article} {kind} {'>' if strict else '>='} {minimum:g}"


def as_index_array(data: Any, where: str, what: str = "input") -> np.ndarray:
    """``data`` as an integer array (indices for Embedding), or a clear error; never cast from floats."""
    array = as_array(data, where, what)
    if array.dtype.kind not in "iu":
        raise InvalidTypeError(
            f"{where}: {what} must hold integer indices, received dtype {array.dtype}. "
            "Cast whole-number data with x.astype(int)."
        )
    return array


def float_dtype(dtype: Any, where: str) -> np.dtype:
    """``dtype`` as a NumPy floating dtype (``"float32"``, ``np.float64``), or a clear error."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise InvalidTypeError(f"{where}: dtype must be a NumPy floating dtype, received {dtype!r}.") from None
    if dtype.kind != "f":
        raise InvalidTypeError(f"{where}: dtype must be a floating dtype (float32, float64), received {dtype}.")
    return dtype


def real(value: Any, where: str, name: str, minimum: float | None = None, strict: bool = False) -> float:
    """``value`` as a Python float — any real number, NumPy scalars included, not bool — or a clear error."""
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and bool(np.isfinite(float(value)))
    if ok and minimum is not None:
        ok = float(value) > minimum if strict else float(value) >= minimum
    if not ok:
        raise InvalidValueError(f"{where}: {name} must be {_bound('float', minimum, strict)}, received {value!r}.")
    return float(value)


def integer(value: Any, where: str, name: str, minimum: int | None = None) -> int:
    """``value`` as a Python int — NumPy integers included, not bool — or a clear error."""
    ok = not isinstance(value, bool) and isinstance(value, numbers.Integral)
    if ok and minimum is not None:
        ok = int(value) >= minimum
    if not ok:
        raise InvalidValueError(f"{where}: {name} must be {_bound('int', minimum, False)}, received {value!r}.")
    return int(value)


def check_model_file_name(path: str | os.PathLike[str], where: str) -> None:
    """Refuse a file name ending in one of Keras's extensions: tinynet's files are its own format.

    ``save_model`` / ``save_weights`` check every name, and ``ModelCheckpoint``
    its template when it is created, so that ``fit`` is not refused after an epoch.
    """
    name = os.fspath(path)
    stem, extension = os.path.splitext(name)
    if isinstance(extension, str) and extension.lower() in KERAS_EXTENSIONS:
        raise InvalidValueError(
            f"{where}: {name!r} ends in {extension!r}, an extension of Keras's formats, but tinynet files are "
            "tinynet's own zip format (config.json and .npy members), which Keras cannot read. Name the file with "
            f"'.npz', e.g. {os.path.basename(stem) + '.npz'!r}."
        )
