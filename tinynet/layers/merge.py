"""Merge layers: one output from a list of inputs. The element-wise ones live here (``Add`` ... ``Minimum``).

A merge layer is called on a list of arrays with one batch size,
``layer([a, b])``: ``build`` receives the list of per-sample shapes,
``forward`` the list of arrays, and ``backward`` returns one gradient per
input, in the inputs' order and shapes. ``Concatenate`` (concatenate.py) and
``Dot`` (dot.py) build on the same base. The lowercase functions (``add``,
``maximum``, ...) create the layer and call it on ``inputs`` at once, as
Keras's do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._masking import all_of
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register

__all__ = [
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    "add", "subtract", "multiply", "average", "maximum", "minimum",
]  # fmt: skip


class _Merge(Layer):
    """A layer called on a list of ``min_inputs`` or more (at most ``max_inputs``) arrays.

    Its ``forward(inputs, training=False)`` takes the list of arrays and
    returns one array; its ``backward(grad)`` returns the list of gradients,
    one per input.
    """

    min_inputs: int = 2
    max_inputs: int | None = None

    def _shapes(self, input_shape: Any) -> list[Shape]:
        """``input_shape`` as the list of per-sample shapes it must be, or a clear error."""
        wanted = f"exactly {self.min_inputs}" if self.max_inputs == self.min_inputs else f"at least {self.min_inputs}"
        if not isinstance(input_shape, list):
            raise InvalidTypeError(
                f"{self._label()}: takes a list of {wanted} arrays, [a, b], received one input of per-sample shape "
                f"{tuple(input_shape)}."
            )
        if len(input_shape) < self.min_inputs or (self.max_inputs is not None and len(input_shape) > self.max_inputs):
            raise InvalidValueError(
                f"{self._label()}: takes a list of {wanted} inputs, received {len(input_shape)}: {input_shape}."
            )
        return input_shape


class _Elementwise(_Merge):
    """A merge of inputs that all have one per-sample shape, which the output has too.

    The output's mask keeps the steps every input's mask keeps (inputs without a mask keep all).
    """

    creates_mask = False  # its compute_mask only combines the inputs' masks

    def compute_mask(self, x: Any, mask: Any) -> Any:
        return all_of(mask) if isinstance(mask, list) else None

    def build(self, input_shape: Any) -> None:
        shapes = self._shapes(input_shape)
        if any(shape != shapes[0] for shape in shapes):
            raise ShapeError(
                f"{self._label()}: expected every input to have the per-sample shape {shapes[0]} (input 0's), "
                f"received {shapes}. Reshape the inputs to one shape first."
            )

    def compute_output_shape(self, input_shape: Any) -> Shape:
        self.ensure_built(input_shape)
        return tuple(self._check_shape(input_shape)[0])


@register
class Add(_Elementwise):
    """The sum of two or more inputs of one shape.

    Math (grad = dL/dy)::

        forward    y = x_1 + x_2 + ... + x_k
        backward   dx_i = grad                         (a copy for each input)

    Shape
    -----
    input a list of ``k >= 2`` arrays ``(batch, *shape)``; output ``(batch, *shape)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Add()([np.ones((2, 3)), np.full((2, 3), 2.0)])
    array([[3., 3., 3.],
           [3., 3., 3.]], dtype=float32)
    """

    def forward(self, inputs: list[Array], training: bool = False) -> Array:
        self.remember(count=len(inputs))
        return np.add.reduce(inputs)

    def backward(self, grad: Array) -> list[Array]:
        (count,) = self.recall("count")
        return [grad.copy() for _ in range(count)]


@register
class Subtract(_Elementwise):
    """The difference ``a - b`` of exactly two inputs of one shape.

    Math (grad = dL/dy)::

        forward    y = a - b
        backward   da = grad                    db = -grad

    Shape
    -----
    input ``[a, b]``, both ``(batch, *shape)``; output ``(batch, *shape)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Subtract()([np.ones((1, 2)), np.array([[0.5, 2.0]])])
    array([[ 0.5, -1. ]], dtype=float32)
    """

    max_inputs = 2

    def forward(self, inputs: list[Array], training: bool = False) -> Array:
        self.remember(count=2)
        return inputs[0] - inputs[1]

    def backward(self, grad: Array) -> list[Array]:
        self.recall("count")
        return [grad.copy(), -grad]


@register
class Multiply(_Elementwise):
    """The element-wise product of two or more inputs of one shape.

    Math (grad = dL/dy)::

        forward    y = x_1 * x_2 * ... * x_k
        backward   dx_i = grad * (the product of every x_j but x_i)

    No division by ``x_i``: a zero input has an exact gradient too.

    Shape
    -----
    input a list of ``k >= 2`` arrays ``(batch, *shape)``; output ``(batch, *shape)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Multiply()([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])])
    array([[3., 8.]], dtype=float32)
    """

    def forward(self, inputs: list[Array], training: bool = False) -> Array:
        self.remember(inputs=list(inputs))
        return np.multiply.reduce(inputs)

    def backward(self, grad: Array) -> list[Array]:
        (inputs,) = self.recall("inputs")
        return [np.multiply.reduce([grad, *inputs[:i], *inputs[i + 1 :]]) for i in range(len(inputs))]


@register
class Average(_Elementwise):
    """The mean of two or more inputs of one shape.

    Math (grad = dL/dy)::

        forward    y = (x_1 + x_2 + ... + x_k) / k
        backward   dx_i = grad / k

    Shape
    -----
    input a list of ``k >= 2`` arrays ``(batch, *shape)``; output ``(batch, *shape)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Average()([np.array([[1.0, 2.0]]), np.array([[3.0, 6.0]])])
    array([[2., 4.]], dtype=float32)
    """

    def forward(self, inputs: list[Array], training: bool = False) -> Array:
        self.remember(count=len(inputs))
        return np.add.reduce(inputs) / len(inputs)

    def backward(self, grad: Array) -> list[Array]:
        (count,) = self.recall("count")
        return [grad / count for _ in range(count)]


class _Extreme(_Elementwise):
    """``Maximum`` and ``Minimum``: the gradient goes to the input holding the extreme, the first one on a tie."""

    _largest = True

    def forward(self, inputs: list[Array], training: bool = False) -> Array:
        stacked = np.stack(inputs)
        # argmax / argmin give the first index holding the extreme: a tie goes to the earliest input
        winner = (np.argmax if self._largest else np.argmin)(stacked, axis=0)[None]
        self.remember(winner=winner[0], count=len(inputs))
        return np.take_along_axis(stacked, winner, axis=0)[0]

    def backward(self, grad: Array) -> list[Array]:
        winner, count = self.recall("winner", "count")
        return [np.where(winner == i, grad, 0) for i in range(count)]


@register
class Maximum(_Extreme):
    """The element-wise maximum of two or more inputs of one shape.

    Math (grad = dL/dy)::

        forward    y = max(x_1, ..., x_k)                 (entry by entry)
        backward   dx_i = grad where x_i is the first input holding the maximum, 0 elsewhere

    On a tie the whole gradient goes to the earliest input, never to all of
    them (which would multiply it), as max-pooling does.

    Shape
    -----
    input a list of ``k >= 2`` arrays ``(batch, *shape)``; output ``(batch, *shape)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Maximum()([np.array([[1.0, 5.0]]), np.array([[3.0, 4.0]])])
    array([[3., 5.]], dtype=float32)
    """


@register
class Minimum(_Extreme):
    """The element-wise minimum of two or more inputs of one shape.

    Math (grad = dL/dy)::

        forward    y = min(x_1, ..., x_k)                 (entry by entry)
        backward   dx_i = grad where x_i is the first input holding the minimum, 0 elsewhere

    Shape
    -----
    input a list of ``k >= 2`` arrays ``(batch, *shape)``; output ``(batch, *shape)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Minimum()([np.array([[1.0, 5.0]]), np.array([[3.0, 4.0]])])
    array([[1., 4.]], dtype=float32)
    """

    _largest = False


# ---------------------------------------------------------------------------- Keras's functional spellings
def add(inputs: Any, **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``: the sum of a list of inputs."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Any, **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``: ``a - b`` for ``inputs = [a, b]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Any, **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``: the element-wise product of a list of inputs."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Any, **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``: the mean of a list of inputs."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Any, **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``: the element-wise maximum of a list of inputs."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Any, **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``: the element-wise minimum of a list of inputs."""
    return Minimum(**kwargs)(inputs)
