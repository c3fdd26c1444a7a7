"""Small helpers: reproducible randomness, readable descriptions of arrays, labels, and streamed data.

- :func:`set_random_seed`, :func:`make_rng`: the randomness below;
- :func:`to_categorical`: integer labels as one-hot rows;
- :class:`PyDataset` (alias ``Sequence``): data handed to ``fit`` one batch at a time.

Randomness
----------
Every random object in tinynet (initializers, dropout, shuffling in ``fit``)
takes ``seed=`` and owns a :class:`numpy.random.Generator`. An object created
without a seed draws its generator from one process-wide
:class:`numpy.random.SeedSequence`; :func:`set_random_seed` resets that
sequence, so objects created in the same order afterwards get the same
streams and two runs give bitwise-identical weights and histories. Nothing
reads or changes NumPy's global ``np.random`` state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import describe, number
from ..errors import InvalidValueError
from .numerical import to_categorical
from .py_dataset import PyDataset, Sequence

__all__ = [
    "set_random_seed", "make_rng", "describe", "unpack_x_y_sample_weight", "to_categorical", "PyDataset", "Sequence",
]  # fmt: skip

_root = np.random.SeedSequence()


def set_random_seed(seed: int) -> None:
    """Seed every tinynet object created from now on that was not given its own ``seed``.

    Keras's name for the same thing. It does not touch ``np.random``'s global state.

    Examples
    --------
    >>> import tinynet as tn
    >>> tn.utils.set_random_seed(0); a = tn.initializers.GlorotUniform()((2, 2))
    >>> tn.utils.set_random_seed(0); b = tn.initializers.GlorotUniform()((2, 2))
    >>> bool((a == b).all())
    True
    """
    global _root
    _root = np.random.SeedSequence(number(seed, "set_random_seed", "seed", 0, integral=True))


def make_rng(seed: int | None = None) -> np.random.Generator:
    """A fresh generator: from ``seed`` when given, otherwise the next stream of the process-wide sequence."""
    if seed is None:
        return np.random.Generator(np.random.PCG64(_root.spawn(1)[0]))
    return np.random.Generator(np.random.PCG64(number(seed, "make_rng", "seed", 0, integral=True)))


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from the ``data`` a step receives: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    Keras's name. The missing parts are ``None``.

    Examples
    --------
    >>> import tinynet as tn
    >>> tn.utils.unpack_x_y_sample_weight(("x", "y"))
    ('x', 'y', None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise InvalidValueError(
        "unpack_x_y_sample_weight: data must be (x,), (x, y) or (x, y, sample_weight), "
        f"received a tuple of {len(data)}."
    )
