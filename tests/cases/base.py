"""What a catalogue case is: ``LayerCase``, ``LossCase``, and the helpers the family files share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinynet as tn
from tinynet.testing import strategies as tns

__all__ = ["Shape", "LayerCase", "LossCase", "seeded", "random_bias"]

Shape = tuple[int, ...]


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
