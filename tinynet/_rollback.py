"""``unchanged_on_error``: a block that, if it raises, leaves a layer and its sub-layers as they were.

Building and checking can fail halfway — a ``build`` that raises after
creating one parameter, a ``fit`` whose labels are refused after the model was
built to find its output shape. Every public entry point promises that a
refused call changes nothing; around such code it keeps the promise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .layer import Layer

__all__ = ["unchanged_on_error"]


@contextmanager
def unchanged_on_error(layer: Layer) -> Iterator[None]:
    """Run a block; if it raises, put ``layer`` and its sub-layers back as they were (attributes, parameters).

    Parameter *values* are not copied: use it around code that may build or
    check, not around code that trains.
    """
    snapshot = [(inner, dict(vars(inner)), inner.own_parameters()) for inner in layer.walk()]
    try:
        yield
    except BaseException:
        for inner, attributes, parameters in snapshot:
            inner.__dict__.clear()
            inner.__dict__.update(attributes)
            inner._parameters = parameters  # the list itself grew in place: put back a copy of the old one
        raise
