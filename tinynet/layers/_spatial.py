"""Argument and shape checks shared by the 1-D and 3-D pools, adaptive pools, padding, cropping and upsampling.

These layers take channels-last inputs of one, two or three spatial axes,
``(batch, *sizes, channels)``, and Keras's forms of their arguments: an int for
every axis or one per axis (``int_tuple``); for padding and cropping also one
``(before, after)`` pair per axis (``pairs``). Each helper names the layer in
its error and changes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import integer
from ..errors import InvalidValueError, ShapeError
from ..layer import Layer, Shape

__all__ = ["LAYOUTS", "channels_last", "int_tuple", "pairs", "spatial_shape", "along"]

#: The input layout of each rank, as the errors and docstrings name it.
LAYOUTS = {
    1: "(batch, steps, features)",
    2: "(batch, height, width, channels)",
    3: "(batch, depth, height, width, channels)",
}


def channels_last(data_format: Any, where: str) -> None:
    """Accept Keras's ``data_format`` when it is ``None`` or ``"channels_last"``; refuse anything else clearly."""
    if data_format is None or data_format == "channels_last":
        return
    if data_format == "channels_first":
        raise InvalidValueError(
            f"{where}: data_format='channels_first' is not supported: tinynet's layers are channels-last. "
            "Move the channel axis last (x.transpose(0, 2, ..., 1)) and leave data_format unset."
        )
    raise InvalidValueError(
        f"{where}: data_format must be 'channels_last' (or None), received {data_format!r}. "
        "tinynet's layers are channels-last only."
    )


def int_tuple(value: Any, rank: int, where: str, name: str, minimum: int = 1) -> tuple[int, ...]:
    """An int ``k`` as ``(k,) * rank``, or a list/tuple of ``rank`` ints, each ``>= minimum``."""
    if isinstance(value, (list, tuple)):
        if len(value) != rank:
            raise InvalidValueError(f"{where}: {name} must be an int or a tuple of {rank} ints, received {value!r}.")
        return tuple(integer(v, where, name, minimum=minimum) for v in value)
    return (integer(value, where, name, minimum=minimum),) * rank


def pairs(value: Any, rank: int, where: str, name: str) -> tuple[tuple[int, int], ...]:
    """Keras's padding/cropping forms as one ``(before, after)`` pair of ints >= 0 per spatial axis.

    An int ``p`` is ``p`` on both sides of every axis. For one axis a pair
    ``(before, after)``; for two or three axes a tuple of ``rank`` entries,
    each an int (the same on both sides) or a pair.
    """
    form = "an int or a pair of ints" if rank == 1 else f"an int, or a tuple of {rank} ints or {rank} pairs of ints"
    if rank == 1:
        return (_pair(value, where, name, form),)
    if not isinstance(value, (list, tuple)):
        p = integer(value, where, name, minimum=0)
        return ((p, p),) * rank
    if len(value) != rank:
        raise InvalidValueError(f"{where}: {name} must be {form}, received {value!r}.")
    return tuple(_pair(v, where, name, form) for v in value)


def _pair(value: Any, where: str, name: str, form: str) -> tuple[int, int]:
    """An int ``p`` as ``(p, p)``, or a pair of ints >= 0."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise InvalidValueError(f"{where}: {name} must be {form}, received {value!r}.")
        return integer(value[0], where, name, minimum=0), integer(value[1], where, name, minimum=0)
    p = integer(value, where, name, minimum=0)
    return p, p


def spatial_shape(layer: Layer, input_shape: Shape, rank: int) -> tuple[tuple[Any, ...], Any]:
    """``(sizes, channels)`` of a per-sample shape of ``rank`` spatial axes, or a ``ShapeError`` naming the layer.

    A size may be ``None`` (not known in advance); a known one is at least 1.
    """
    shape = tuple(input_shape)
    if len(shape) != rank + 1 or any(d is not None and d < 1 for d in shape[:rank]):
        hint = " Add the channel axis with x[..., None]." if len(shape) == rank else ""
        raise ShapeError(
            f"{layer._label()}: expected input of shape {LAYOUTS[rank]} with sizes >= 1 (or None), received "
            f"per-sample shape {shape} (input (batch, {', '.join(map(str, shape))})). Inputs are channels-last.{hint}"
        )
    return shape[:rank], shape[rank]


def along(matrix: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """``y[..., i, ...] = sum_j matrix[i, j] * x[..., j, ...]`` along ``axis`` of ``x`` (a linear map of one axis).

    ``x`` has the channels last, so ``axis`` is moved next to them and one
    broadcast matrix product does the whole batch.
    """
    moved = np.moveaxis(x, axis, -2)
    return np.moveaxis(matrix @ moved, -2, axis)
