"""What a catalogue case is: ``LayerCase``, ``LossCase``, and the helpers the family files share.

A case's input is one array, or a list of arrays for a layer that takes
several (``MultiInputCase``, the merge layers and attention). :func:`input_shape` and
:func:`each` let a property treat both alike. A case's ``options`` are the call's
options its properties pass to ``forward`` (attention's ``use_causal_mask``);
``options_for(x)`` adds, for a ``padded`` case, a padding mask drawn from ``x``
itself (see :func:`padding_mask`), so hypothesis varies the mask with the input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet.testing import strategies as tns

__all__ = [
    "Shape", "Inputs", "LayerCase", "MultiInputCase", "LossCase", "seeded", "random_bias", "input_shape", "each",
    "spread", "distinct_arrays",
]  # fmt: skip

Shape = tuple[int, ...]
#: A case's input: one array, or one array per input of a layer that takes several.
Inputs = Any


def input_shape(x: Inputs) -> Any:
    """What ``ensure_built`` takes for ``x``: its per-sample shape, or the list of them for several inputs."""
    return [a.shape[1:] for a in x] if isinstance(x, list) else x.shape[1:]


def each(function: Callable[[np.ndarray], Any], x: Inputs) -> Any:
    """``function`` applied to ``x``, or to each of its arrays when it is a list of inputs."""
    return [function(a) for a in x] if isinstance(x, list) else function(x)


def spread(order: np.ndarray, jitter: np.ndarray, low: float, high: float) -> np.ndarray:
    """Distinct values in ``[low, high)``: entry k sits at grid point ``order[k]`` plus ``jitter[k]`` (< 0.4) steps."""
    step = (high - low) / order.size
    return low + (order + jitter) * step


@st.composite
def distinct_arrays(draw: st.DrawFn, shape: Shape, low: float, high: float) -> np.ndarray:
    """Arrays whose values are a shuffled, jittered grid: no two closer than ~0.6 of a grid step (no ties)."""
    size = math.prod(shape)
    order = np.array(draw(st.permutations(range(size))), dtype=np.float64).reshape(shape)
    return spread(order, draw(tns.arrays(shape, 0.0, 0.4)), low, high)


@dataclass(frozen=True)
class LayerCase:
    id: str
    make: Callable[[], tn.Layer]
    feature_shapes: tuple[Shape, ...] = ((3,), (1,), (5,))
    kinks: tuple[float, ...] = ()
    low: float = -3.0
    high: float = 3.0
    training: bool = False
    #: For layers that take indices (Embedding): inputs are integers in [0, index_range).
    index_range: int | None = None
    #: The call's options, passed to every ``forward`` (and ``check_gradients``) of the case.
    options: dict[str, Any] = field(default_factory=dict)
    #: Call with a padding mask (``mask=``, see tinynet._masking) drawn from the input: :meth:`options_for`.
    padded: bool = False
    #: Whether the layer has a config to save: ``False`` for a ``Lambda``, which holds code (its config refuses).
    saves: bool = True

    def options_for(self, x: Inputs) -> dict[str, Any]:
        """The options of a call on ``x``: ``options``; a ``padded`` case adds the mask :func:`padding_mask` draws."""
        if not self.padded:
            return self.options
        mask = [padding_mask(a, self.low, self.high) for a in x] if isinstance(x, list) else padding_mask(
            x, self.low, self.high)  # fmt: skip
        return {**self.options, "mask": mask}

    def inputs(self) -> st.SearchStrategy[np.ndarray]:
        if self.index_range is not None:
            return hnp.arrays(
                np.int64, tns.batch_shapes(self.feature_shapes), elements=st.integers(0, self.index_range - 1)
            )
        return tns.arrays(tns.batch_shapes(self.feature_shapes), self.low, self.high, kinks=self.kinks)

    def fixed_input(self) -> np.ndarray:
        """A small deterministic input for entry-by-entry checks, clear of the kinks."""
        if self.index_range is not None:
            return np.random.default_rng(7).integers(0, self.index_range, size=(3, *self.feature_shapes[0]))
        x = np.random.default_rng(7).uniform(self.low, self.high, size=(3, *self.feature_shapes[0]))
        for kink in self.kinks:
            x = np.where(np.abs(x - kink) < 1e-2, kink + 0.25, x)
        return x


@dataclass(frozen=True)
class MultiInputCase(LayerCase):
    """A case for a layer called on a list of arrays (a merge layer).

    ``input_shapes`` lists configurations, each the per-sample shapes of the
    inputs; an example draws one configuration and one batch size for all its
    inputs. With ``distinct``, no two values in the inputs are closer than
    ~0.6 of a grid step, so Maximum and Minimum never meet a tie (their tie
    rule is pinned by explicit tests); the inputs then share one shape.
    Otherwise values keep at least ``margin`` from each of ``kinks``. The
    inputs at the positions in ``masks`` hold 0s and 1s (an attention mask,
    which has no gradient); the fixed input's first row of its first sample
    is all 0s.
    """

    input_shapes: tuple[tuple[Shape, ...], ...] = ()
    distinct: bool = False
    margin: float = 1e-3
    masks: tuple[int, ...] = ()

    def inputs(self) -> st.SearchStrategy[list[np.ndarray]]:
        return st.tuples(st.integers(1, 4), st.sampled_from(self.input_shapes)).flatmap(self._arrays)

    def _arrays(self, batch_and_shapes: tuple[int, tuple[Shape, ...]]) -> st.SearchStrategy[list[np.ndarray]]:
        batch, shapes = batch_and_shapes
        if self.distinct:
            together = distinct_arrays((len(shapes), batch, *shapes[0]), self.low, self.high)
            return together.map(list)
        arrays = [
            hnp.arrays(np.float64, (batch, *shape), elements=st.sampled_from([0.0, 1.0]))
            if i in self.masks
            else tns.arrays((batch, *shape), self.low, self.high, self.kinks, self.margin)
            for i, shape in enumerate(shapes)
        ]
        return st.tuples(*arrays).map(list)

    def fixed_input(self) -> list[np.ndarray]:
        rng = np.random.default_rng(7)
        shapes = self.input_shapes[0]
        if self.distinct:
            size = (len(shapes), 3, *shapes[0])
            order = rng.permutation(math.prod(size)).reshape(size).astype(np.float64)
            return list(spread(order, rng.uniform(0.0, 0.4, size=size), self.low, self.high))
        xs = [rng.uniform(self.low, self.high, size=(3, *shape)) for shape in shapes]
        for kink in self.kinks:
            xs = [np.where(np.abs(x - kink) < max(self.margin, 1e-2), kink + 0.25 + self.margin, x) for x in xs]
        for i in self.masks:
            xs[i] = rng.integers(0, 2, size=xs[i].shape).astype(np.float64)
            xs[i][0, 0] = 0.0
        return xs


def padding_mask(x: np.ndarray, low: float, high: float) -> np.ndarray | None:
    """A ``(batch, steps)`` mask for a sequence ``x`` (``None`` for an input of rank 2, an initial state).

    A step is padding where its first feature lies in the lowest quarter of ``[low, high)``: about a
    quarter of the steps, any of them (first, last, all of a sequence), decided by the drawn input.
    """
    if x.ndim < 3:
        return None
    return np.asarray(x[:, :, 0] >= low + 0.25 * (high - low))


def seeded(factory: Callable[[], tn.Layer]) -> Callable[[], tn.Layer]:
    def make() -> tn.Layer:
        tn.utils.set_random_seed(1234)
        return factory()

    return make


def random_bias() -> tn.initializers.Initializer:
    """A non-zero bias keeps pre-activations off the kink at 0 even when x is all zeros."""
    return tn.initializers.RandomNormal(stddev=1.0, seed=5)


@dataclass(frozen=True)
class LossCase:
    id: str
    make: Callable[[], tn.Loss]
    data: Callable[[], st.SearchStrategy[tuple[np.ndarray, np.ndarray, np.ndarray | None]]]
    #: A small deterministic ``(y_true, y_pred)`` of four samples for the fixed-data properties, when the
    #: generic one (0/1 targets, scores in [-4, 4] or probabilities) does not fit the loss.
    fixed: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None
    #: False for a loss that scores the batch as a whole (Circle, Dice over the batch): its mean over a
    #: batch is not the mean of its one-sample losses.
    per_sample: bool = True
