"""``InputLayer`` and ``Input``: where a graph's data enters."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import float_dtype
from ..errors import InvalidTypeError
from ..layer import Array, Layer, Shape
from ..registry import register
from ..symbolic import Node, SymbolicTensor, is_symbolic

__all__ = ["InputLayer", "Input"]


@register
class InputLayer(Layer):
    """The layer behind ``tn.Input``: it holds the input's shape, dtype and name, and computes nothing.

    Math::

        forward    y = x
        backward   dx = grad

    Parameters
    ----------
    shape : tuple of int or None
        The per-sample shape (no batch axis); ``None`` for a size not known in advance.
    dtype : str or numpy dtype, optional
        float32 by default; an integer dtype for indices (an ``Embedding`` next).
    name : str, optional
        The input's name: the key of its array when ``fit`` / ``predict`` take a dict.

    Examples
    --------
    >>> import tinynet as tn
    >>> layer = tn.layers.InputLayer(shape=(3,), name="features")
    >>> layer.output
    <SymbolicTensor 'features' shape=(None, 3) dtype=float32>
    """

    def __init__(self, shape: Any, dtype: Any = None, name: str | None = None, **kwargs: Any) -> None:
        input_dtype = np.dtype("float32") if dtype is None else _checked_dtype(dtype)
        super().__init__(name=name, dtype="float32" if input_dtype.kind in "iu" else input_dtype, **kwargs)
        self.input_dtype = input_dtype
        self.ensure_built(_checked_shape(shape))
        node = Node(self, [], takes_list=False)
        self.output = SymbolicTensor(self.input_shape or (), input_dtype, node, 0, self.name)
        node.outputs = [self.output]

    def __call__(self, x: Any, training: bool = False, **options: Any) -> Any:
        """On arrays, the identity; a graph starts at an ``InputLayer`` and cannot pass through one."""
        if is_symbolic(x):
            raise InvalidTypeError(
                f"{self._label()}: an InputLayer starts a graph and takes no symbolic tensor; use its tensor "
                "(tn.Input(...), or layer.output) as a model's input instead."
            )
        return super().__call__(x, training, **options)

    @property
    def takes_indices(self) -> bool:  # type: ignore[override]
        return self.input_dtype.kind in "iu"

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(called=True)  # a graph never runs it: it reads its inputs' slots directly
        return x

    def backward(self, grad: Array) -> Array:
        self.recall("called")
        return grad

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"shape": list(self.input_shape or ()), "dtype": self.input_dtype.name, "name": self.name}


def Input(shape: Any, dtype: Any = None, name: str | None = None) -> SymbolicTensor:  # noqa: N802 - Keras's name
    """A symbolic tensor that stands for a model's input: a batch of samples of per-sample ``shape``.

    Call layers on it to describe a graph, then make the model with
    ``tn.Model(inputs, outputs)``; or put it first in a ``Sequential``.

    Parameters
    ----------
    shape : tuple of int or None
        The per-sample shape, without the batch axis (``shape=(28, 28, 1)`` for images). ``None`` stands
        for a size not known in advance, as in Keras: ``shape=(None, 8)`` is a sequence of any number of
        steps of 8 features, and the layers called on it take any number of steps.
    dtype : str or numpy dtype, optional
        float32 by default; an integer dtype for indices.
    name : str, optional
        The input's name: the key of its array when ``fit`` / ``predict`` take a dict.

    Examples
    --------
    >>> import tinynet as tn
    >>> tn.Input(shape=(32,), name="features")
    <SymbolicTensor 'features' shape=(None, 32) dtype=float32>
    >>> tn.layers.LSTM(4, return_sequences=True)(tn.Input(shape=(None, 8))).shape
    (None, None, 4)
    """
    return InputLayer(shape, dtype, name).output


def _checked_shape(shape: Any) -> tuple[int | None, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise InvalidTypeError(f"Input: shape must be a tuple of ints, received {shape!r}.") from None
    if not all(d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0) for d in dims):
        raise InvalidTypeError(
            f"Input: shape must be a tuple of non-negative ints (None for a size not known in advance) without "
            f"the batch axis, received {shape!r}."
        )
    return tuple(None if d is None else int(d) for d in dims)


def _checked_dtype(dtype: Any) -> np.dtype:
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise InvalidTypeError(f"Input: dtype must be a numpy dtype, received {dtype!r}.") from None
    return resolved if resolved.kind in "iu" else float_dtype(resolved, "Input")
