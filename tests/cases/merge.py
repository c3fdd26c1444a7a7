"""Catalogue cases for the merge layers: Add ... Minimum, Concatenate and Dot, on lists of two or three inputs.

Maximum and Minimum have a kink wherever two inputs tie: their cases draw
distinct values (``MultiInputCase(distinct=True)``), never closer than ~0.6 of
a grid step, and the tie rule is pinned in ``tests/layers/test_merge.py``.
``Dot(normalize=True)`` has no kink but where a vector's norm is 1e-7, yet
``x / |x|`` curves sharply where ``|x|`` is small: at ``|x| = 1e-3`` the
central difference's own error (``(eps / |x|)**2`` of the gradient) passes the
tolerance. Its cases keep every entry at least 0.1 from 0.
"""

from __future__ import annotations

from tinynet.layers.concatenate import Concatenate
from tinynet.layers.dot import Dot
from tinynet.layers.merge import Add, Average, Maximum, Minimum, Multiply, Subtract

from .base import LayerCase, MultiInputCase, Shape

SHAPES: tuple[Shape, ...] = ((3,), (1,), (2, 4))
TWO = tuple((shape, shape) for shape in SHAPES)
THREE = tuple((shape, shape, shape) for shape in SHAPES)


def elementwise(name: str, cls: type, distinct: bool = False) -> list[LayerCase]:
    """``cls`` on two inputs and on three, of each of ``SHAPES``."""
    return [
        MultiInputCase(f"{name}_2", cls, input_shapes=TWO, distinct=distinct),
        MultiInputCase(f"{name}_3", cls, input_shapes=THREE, distinct=distinct),
    ]


LAYER_CASES: list[LayerCase] = [
    *elementwise("add", Add),
    MultiInputCase("subtract", Subtract, input_shapes=TWO),
    *elementwise("multiply", Multiply),
    *elementwise("average", Average),
    *elementwise("maximum", Maximum, distinct=True),
    *elementwise("minimum", Minimum, distinct=True),
    MultiInputCase("concatenate_last", Concatenate, input_shapes=(((3,), (2,)), ((2, 3), (2, 1)), ((1,), (1,), (4,)))),
    MultiInputCase(
        "concatenate_axis1",
        lambda: Concatenate(axis=1),
        input_shapes=(((2, 3), (1, 3)), ((3, 2, 2), (1, 2, 2), (2, 2, 2)), ((2,), (3,))),
    ),
    MultiInputCase(
        "concatenate_axis_minus2", lambda: Concatenate(axis=-2), input_shapes=(((2, 3, 2), (2, 1, 2), (2, 2, 2)),)
    ),
    MultiInputCase("dot_vectors", lambda: Dot(axes=1), input_shapes=(((3,), (3,)), ((1,), (1,)), ((5,), (5,)))),
    MultiInputCase(
        "dot_vectors_normalize",
        lambda: Dot(axes=1, normalize=True),
        input_shapes=(((3,), (3,)), ((2,), (2,))),
        kinks=(0.0,),
        margin=0.1,
    ),
    MultiInputCase(
        "dot_matrices", lambda: Dot(axes=(2, 1)), input_shapes=(((2, 3), (3, 4)), ((1, 2), (2, 1)), ((3, 1), (1, 2)))
    ),
    MultiInputCase(
        "dot_matrices_normalize",
        lambda: Dot(axes=(2, 1), normalize=True),
        input_shapes=(((2, 3), (3, 4)), ((3, 2), (2, 2))),
        kinks=(0.0,),
        margin=0.1,
    ),
    MultiInputCase("dot_axes1_3d", lambda: Dot(axes=1), input_shapes=(((3, 2), (3, 4)), ((2, 2), (2, 1)))),
    MultiInputCase(
        "dot_last_of_3d_and_2d_normalize",
        lambda: Dot(axes=-1, normalize=True),
        input_shapes=(((2, 3), (3,)), ((4, 2), (2,))),
        kinks=(0.0,),
        margin=0.1,
    ),
]
