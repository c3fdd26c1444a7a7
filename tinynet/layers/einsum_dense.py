"""``EinsumDense``: Keras's dense layer of any shape, written as an einsum equation of the input and the kernel."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import initializers
from .._einsum import analyze, einsum_grad, parse, sum_to_shape
from .._validation import integer
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Shape
from ..registry import register
from .activated import ActivatedLayer

__all__ = ["EinsumDense"]


@register
class EinsumDense(ActivatedLayer):
    """A dense layer whose product is ``np.einsum(equation, x, kernel)``, Keras's ``EinsumDense``.

    Math (``equation`` = ``"X,W->Y"``, its letters naming axes; grad = dL/dy)::

        forward    z = einsum("X,W->Y", x, kernel) + bias       y = activation(z)
        backward   dz = activation.backward(grad)               (dz = grad when linear)
                   dkernel = einsum("X,Y->W", x, dz)            dbias = dz summed to bias's shape
                   dx = einsum("Y,W->X", dz, kernel)            (skipped when not needs_input_grad)

    A letter of ``X`` in neither ``W`` nor ``Y`` is summed out by the forward, so ``dx`` is the same along
    it: the einsum leaves it out and the result is broadcast along it (:mod:`tinynet._einsum`). ``...`` is
    spelled as unused letters for the input's rank. A letter repeated within a term (a diagonal) cannot be
    differentiated this way and is refused.

    Parameters
    ----------
    equation : str
        ``"ab,bc->ac"``, ``"...ab,bc->...ac"`` or ``"ab...,bc->ac..."``: the input's letters (batch
        included), the kernel's, the output's.
    output_shape : int or tuple of int or None
        The output's sizes after the batch axis and the axes of ``...``; ``None`` where the input gives it.
    activation : str, Activation or None
        Applied to ``z``; ``None`` (the default) means linear.
    bias_axes : str, optional
        Output letters that get a bias; none by default, as in Keras.
    kernel_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"`` and ``"zeros"`` by default. A variance-scaling initializer (Glorot, He, Lecun)
        counts its fans as Keras does: the kernel axes the input feeds, and those that feed the output.
    kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint : optional
        As on :class:`Dense`.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, ...)`` with the rank ``equation`` says; output ``(batch, *output_shape)`` with the
    axes of ``...`` where the equation puts them. Parameters ``kernel`` (its letters' sizes) and ``bias``
    (the output's letters from the first of ``bias_axes`` on, 1 where a letter is not one of them), Keras's
    names and shapes.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de")
    >>> layer(np.ones((4, 5, 6))).shape, layer.kernel.shape, layer.bias.shape
    ((4, 5, 2, 3), (6, 2, 3), (2, 3))
    >>> tn.layers.EinsumDense("...x,xy->...y", output_shape=8)(np.ones((4, 5, 6, 7))).shape
    (4, 5, 6, 8)
    >>> tn.layers.EinsumDense("ab,bb->ab", output_shape=3)
    Traceback (most recent call last):
    ...
    tinynet.errors.InvalidValueError: EinsumDense ...: the einsum equation 'ab,bb->ab' repeats 'b' in its kernel ...
    """

    #: The output keeps the input's steps when the equation keeps them (Keras sets it too).
    supports_masking = True

    def __init__(
        self,
        equation: str,
        output_shape: Any,
        activation: Any = None,
        bias_axes: str | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            activation, bias_axes is not None, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, kernel_constraint, bias_constraint, **kwargs,
        )  # fmt: skip
        label = self._label()
        self._equation = parse(equation, label)
        self.equation = equation
        sizes = output_shape if isinstance(output_shape, (list, tuple)) else (output_shape,)
        self.partial_output_shape = tuple(
            None if n is None else integer(n, label, "output_shape", minimum=1) for n in sizes
        )
        if bias_axes is not None and not (isinstance(bias_axes, str) and bias_axes.isalpha()):
            raise InvalidValueError(f"{label}: bias_axes must be a string of output letters, received {bias_axes!r}.")
        self.bias_axes = bias_axes

    def _analyze(self, input_shape: Shape) -> tuple[Any, ...]:
        if isinstance(input_shape, list):
            raise ShapeError(f"{self._label()}: takes one input, received per-sample shapes {input_shape}.")
        return analyze(self._equation, self.bias_axes, (None, *input_shape), self.partial_output_shape, self._label())

    def build(self, input_shape: Shape) -> None:
        kernel_shape, bias_shape, _, input_axes, output_axes = self._analyze(input_shape)
        initializer = self.kernel_initializer
        if isinstance(initializer, initializers.VarianceScaling):  # Keras's fans: input axes in, output axes out
            fans = (math.prod(kernel_shape[i] for i in input_axes), math.prod(kernel_shape[i] for i in output_axes))
            initializer = _DrawnAs(initializer, fans)
        self.kernel = self.add_parameter(
            "kernel", kernel_shape, initializer, regularizer=self.kernel_regularizer, constraint=self.kernel_constraint
        )
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_parameter(
                "bias", bias_shape, self.bias_initializer, regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )  # fmt: skip

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        terms = self._equation.explicit(x.ndim)
        self.remember(x=x, terms=terms)
        z = np.einsum(f"{terms[0]},{terms[1]}->{terms[2]}", x, self.kernel.value, optimize=True)
        if self.bias is not None:
            z += self.bias.value
        return z  # einsum of two operands computes a new array: the activation may run in place on it

    def backward_linear(self, dz: Array) -> Array | None:
        x, (x_term, w_term, y_term) = self.recall("x", "terms")
        self.kernel.grad = einsum_grad(dz, x, (w_term, x_term, y_term), self.kernel.shape)
        if self.bias is not None:
            self.bias.grad = sum_to_shape(dz, self.bias.shape)
        if not self.needs_input_grad:
            return None
        return einsum_grad(dz, self.kernel.value, (x_term, w_term, y_term), x.shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return tuple(self._analyze(input_shape)[2][1:])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["use_bias"]  # bias_axes says it
        return {
            **config,
            "equation": self.equation,
            "output_shape": list(self.partial_output_shape),
            "bias_axes": self.bias_axes,
        }


class _DrawnAs(initializers.Initializer):
    """An i.i.d. initializer drawn for a matrix of ``fans`` and reshaped: its variance sees Keras's fans."""

    def __init__(self, inner: initializers.Initializer, fans: tuple[int, int]) -> None:
        self.inner, self.fans = inner, fans

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        return self.inner(self.fans, dtype).reshape(shape)
