"""The equation of ``EinsumDense``: parsed, checked, sized as Keras sizes it, and differentiated.

``y = einsum("X,W->Y", x, w)`` is linear in each operand, so each gradient is an einsum of the other operand
and the output gradient: ``dx = einsum("Y,W->X", grad, w)`` and ``dw = einsum("X,Y->W", x, grad)``. Two
things need care:

- an axis of ``x`` whose letter is in neither ``W`` nor ``Y`` is summed out by the forward: every entry
  along it gets the same gradient, so ``dx`` is computed without that letter and broadcast along it
  (likewise for ``w``; Keras refuses such a kernel axis, and so does :func:`analyze`);
- ``...`` stands for axes known only once ``x`` is seen: :meth:`Equation.explicit` spells them as letters
  the equation does not use, for the input's rank.

A letter repeated within one term (a diagonal, ``"aa,ab->b"``) has a gradient that is not an einsum of
this form; such an equation is refused when the layer is created.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import InvalidValueError, ShapeError

__all__ = ["Equation", "parse", "analyze", "einsum_grad", "sum_to_shape"]

_TERM = r"(?:\.\.\.)?[a-zA-Z]*(?:\.\.\.)?"


@dataclass(frozen=True)
class Equation:
    """``x,w->y`` as strings of letters, and where ``x`` and ``y`` have their ``...`` (``""``, left or right)."""

    x: str
    w: str
    y: str
    ellipsis: str

    def explicit(self, ndim: int) -> tuple[str, str, str]:
        """The three terms with ``...`` spelled as unused letters, for an input of rank ``ndim`` (batch included)."""
        extra = ndim - len(self.x)
        free = [c for c in string.ascii_letters if c not in self.x + self.w + self.y][:extra]
        dots = "".join(free)
        if self.ellipsis == "left":
            return dots + self.x, self.w, dots + self.y
        if self.ellipsis == "right":
            return self.x + dots, self.w, self.y + dots
        return self.x, self.w, self.y


def parse(equation: Any, where: str) -> Equation:
    """``equation`` checked to be one EinsumDense can run and differentiate, or a clear error."""
    hint = "Equations have the form 'ab,bc->ac', '...ab,bc->...ac' or 'ab...,bc->ac...'"
    if not isinstance(equation, str) or not re.fullmatch(f"{_TERM},[a-zA-Z]+->{_TERM}", equation.replace(" ", "")):
        raise InvalidValueError(f"{where}: invalid einsum equation {equation!r}. {hint}.")
    inputs, y = equation.replace(" ", "").split("->")
    x, w = inputs.split(",")
    sides = {"left" if t.startswith("...") else "right" if t.endswith("...") else "" for t in (x, y)}
    if len(sides) != 1 or x.count("...") > 1 or (x.startswith("...") and x.endswith("...") and x != "..."):
        raise InvalidValueError(
            f"{where}: invalid einsum equation {equation!r}: '...' must stand on the same side of the input and "
            f"the output. {hint}."
        )
    ellipsis = sides.pop()
    x, y = x.replace("...", ""), y.replace("...", "")
    for name, term in (("input", x), ("kernel", w), ("output", y)):
        repeated = sorted({c for c in term if term.count(c) > 1})
        if repeated:
            raise InvalidValueError(
                f"{where}: the einsum equation {equation!r} repeats {', '.join(map(repr, repeated))} in its {name} "
                "term (a diagonal): its gradient is not an einsum of the other operand and the output's gradient, "
                "so EinsumDense cannot differentiate it. Use each letter once per term."
            )
    for letter in y:
        if letter not in x + w:
            raise InvalidValueError(
                f"{where}: the output letter {letter!r} of {equation!r} is in neither the input {x!r} nor the "
                f"kernel {w!r}."
            )
    for letter in w:
        if letter not in x + y:
            raise InvalidValueError(
                f"{where}: the kernel letter {letter!r} of {equation!r} is in neither the input {x!r} nor the "
                f"output {y!r}, so its size is unknown; the kernel must be fully specified (as in Keras)."
            )
    if not ellipsis and (not x or not y):
        raise InvalidValueError(f"{where}: invalid einsum equation {equation!r}: no batch axis. {hint}.")
    return Equation(x, w, y, ellipsis)


def analyze(
    eq: Equation, bias_axes: str | None, input_shape: tuple[Any, ...], output_shape: tuple[Any, ...], where: str
) -> tuple[tuple[Any, ...], tuple[int, ...] | None, tuple[Any, ...], list[int], list[int]]:
    """Keras's sizes for an input of ``input_shape`` (batch axis included, ``None`` there):
    ``(kernel_shape, bias_shape, full_output_shape, input_axes, output_axes)``, the last two the kernel axes
    fed by the input and feeding the output (the fans of an initializer)."""
    elided = len(input_shape) - len(eq.x)
    if elided < 0 or (elided and not eq.ellipsis):
        raise ShapeError(
            f"{where}: the equation's input term {eq.x!r} has {len(eq.x)} axes (batch included), but the input "
            f"has {len(input_shape)}: per-sample shape {tuple(input_shape[1:])}."
        )
    lead = max(elided, 1) if eq.ellipsis == "left" else 1  # the batch, and the axes of a '...' on the left
    if eq.ellipsis == "left":
        x_sizes, full = input_shape[elided:], [*input_shape[:lead], *output_shape]
        y_sizes = full[elided:]
    else:
        x_sizes = input_shape[: len(eq.x)]
        full = [input_shape[0], *output_shape, *input_shape[len(input_shape) - elided :]]
        y_sizes = full[: len(eq.y)]
    if len(full) != len(eq.y) + elided:
        raise InvalidValueError(
            f"{where}: output_shape must have {len(eq.y) + elided - lead} size(s), one per output letter after "
            f"the batch and the axes of '...' (None where the input gives it), received {tuple(output_shape)}."
        )
    x_size = dict(zip(eq.x, x_sizes, strict=True))
    y_size = dict(zip(eq.y, y_sizes, strict=True))
    for letter, size in y_size.items():
        known = x_size.get(letter)
        if letter in x_size and size is not None and known is not None and size != known:
            raise ShapeError(
                f"{where}: the input and output_shape disagree on the size of {letter!r}: the input has "
                f"{known}, output_shape {size}."
            )
        if size is None and letter in x_size:
            y_size[letter] = known
    offset = elided if eq.ellipsis == "left" else 0
    full = [y_size[eq.y[i - offset]] if 0 <= i - offset < len(eq.y) else s for i, s in enumerate(full)]
    kernel_shape = tuple(y_size[c] if c in y_size else x_size[c] for c in eq.w)
    unknown = [c for c, n in zip(eq.w, kernel_shape, strict=True) if n is None]
    if unknown:
        raise ShapeError(
            f"{where}: the size of kernel axis {unknown[0]!r} is unknown (None) for input shape "
            f"{tuple(input_shape[1:])} and output_shape {tuple(output_shape)}: give it in output_shape or the input."
        )
    input_axes = [i for i, c in enumerate(eq.w) if c not in y_size]
    output_axes = [i for i, c in enumerate(eq.w) if c in y_size]
    bias_shape = None
    if bias_axes is not None:
        outside = [c for c in bias_axes if c not in eq.y]
        if outside or not bias_axes:
            raise InvalidValueError(
                f"{where}: bias_axes {bias_axes!r} must be letters of the output term {eq.y!r}, received "
                f"{', '.join(map(repr, outside)) or 'none'}."
            )
        first = min(eq.y.index(c) for c in bias_axes)
        bias_shape = tuple(y_size[c] if c in bias_axes else 1 for c in eq.y[first:])
        bias_shape += (1,) * (elided if eq.ellipsis == "right" else 0)
    return kernel_shape, bias_shape, tuple(full), input_axes, output_axes


@lru_cache(maxsize=64)
def _gradient_equation(operand: str, other: str, y: str) -> tuple[str, str]:
    """For ``y = einsum(operand, other)``: ``(equation of the gradient of operand, the letters it keeps)``.

    The letters of ``operand`` found in neither ``other`` nor ``y`` were summed out: the einsum leaves them
    out and :func:`einsum_grad` broadcasts its result along them.
    """
    kept = "".join(c for c in operand if c in other + y)
    return f"{y},{other}->{kept}", kept


def einsum_grad(grad: Array, other: Array, terms: tuple[str, str, str], shape: tuple[int, ...]) -> Array:
    """dL/d(operand) for ``y = einsum(f"{operand},{other}->{y}")`` (either order), ``terms`` =
    ``(operand, other, y)``; ``shape`` is the operand's."""
    operand, other_term, y = terms
    equation, kept = _gradient_equation(operand, other_term, y)
    d = np.einsum(equation, grad, other, optimize=True)
    if kept == operand:
        return d
    expanded = d.reshape([shape[i] if c in kept else 1 for i, c in enumerate(operand)])
    return np.ascontiguousarray(np.broadcast_to(expanded, shape))


def sum_to_shape(a: Array, shape: tuple[int, ...]) -> Array:
    """``a`` summed over its leading axes and over the axes where ``shape`` has 1: the gradient of a broadcast add."""
    a = a.sum(axis=tuple(range(a.ndim - len(shape)))) if a.ndim > len(shape) else a
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and a.shape[i] != 1)
    return a.sum(axis=ones, keepdims=True) if ones else a


Array = np.ndarray
