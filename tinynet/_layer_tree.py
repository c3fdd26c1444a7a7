"""What a layer is as a tree of layers: its sub-layers, the walk over them, and the weights found on the way.

``Layer`` inherits :class:`LayerTree`. Sub-layers are plain public attributes — a
layer, or a list or tuple of them — found by a walk over ``vars(self)``; attributes
whose names start with ``_`` are private and never walked. The parameters, random
generators, weights and dtype of a model are read and set layer by layer along the walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ._validation import as_float_array, float_dtype
from .errors import InvalidValueError, LayerReuseError, ShapeError
from .parameter import Parameter

__all__ = ["LayerTree"]

Array = np.ndarray


class LayerTree:
    """The walk over a layer and the layers inside it (see the module docstring); ``Layer`` sets the state read here.

    A subclass holds ``_parameters`` (its own, in creation order), ``_trainable``,
    ``_dtype``, ``_memory``, and has ``_label()`` for messages.
    """

    _parameters: list[Parameter]
    _trainable: bool
    _dtype: np.dtype
    _memory: dict[str, Any]

    def _label(self) -> str:
        raise NotImplementedError

    def sublayers(self) -> list[Any]:
        """Direct sub-layers: public attributes that are a ``Layer`` or a list/tuple of them."""
        children: list[Any] = []
        for key, value in vars(self).items():
            if isinstance(value, LayerTree):
                if not key.startswith("_"):
                    children.append(value)
            elif isinstance(value, (list, tuple)) and not key.startswith("_"):
                children.extend(item for item in value if isinstance(item, LayerTree))
        return children

    def walk(self, skip_frozen: bool = False) -> Iterator[Any]:
        """This layer, then every layer inside it, depth first; a layer met twice is refused."""
        seen: set[int] = set()
        stack: list[Any] = [self]
        while stack:
            layer = stack.pop()
            if skip_frozen and not layer._trainable:
                continue
            if id(layer) in seen:
                raise LayerReuseError(
                    f"{self._label()}: the layer instance {layer._label()} appears twice. One instance can sit "
                    "in a model once (weight sharing is not supported yet); create a second layer."
                )
            seen.add(id(layer))
            yield layer
            stack.extend(reversed(layer.sublayers()))

    def own_parameters(self) -> list[Parameter]:
        """The parameters this layer created itself (``add_parameter``), in creation order; not its sub-layers'."""
        return list(self._parameters)

    def random_generators(self) -> dict[str, np.random.Generator]:
        """The generators (not copies) this layer holds in public attributes, by name; not its sub-layers'.

        Dropout's ``rng`` is one; model files record their states. A layer keeping one privately overrides this.
        """
        return {k: v for k, v in vars(self).items() if isinstance(v, np.random.Generator) and not k.startswith("_")}

    def parameters(self, trainable_only: bool = False) -> list[Parameter]:
        """Every ``Parameter`` of this layer and its sub-layers, in creation order, layer by layer.

        With ``trainable_only``, frozen layers and non-trainable parameters are left out.
        """
        return [
            p
            for layer in self.walk(skip_frozen=trainable_only)
            for p in layer._parameters
            if p.trainable or not trainable_only
        ]

    def trainable_parameters(self) -> list[Parameter]:
        """The parameters an optimizer should update: ``parameters(trainable_only=True)``."""
        return self.parameters(trainable_only=True)

    def count_params(self) -> int:
        return sum(p.size for p in self.parameters())

    def astype(self, dtype: Any) -> Any:
        """Cast this layer and its sub-layers to ``dtype`` in place, keeping the same ``Parameter`` objects.

        What ``forward`` remembered is dropped: run ``forward`` again before ``backward``.
        """
        dtype = float_dtype(dtype, self._label())
        for layer in self.walk():
            layer._dtype = dtype
            layer._memory = {}
            for parameter in layer._parameters:
                parameter.astype(dtype)
        return self

    def get_weights(self) -> list[Array]:
        """Copies of every parameter's value, in ``parameters()`` order (Keras's layout)."""
        return [p.value.copy() for p in self.parameters()]

    def set_weights(self, weights: list[Any]) -> None:
        """Set every parameter from a list shaped like ``get_weights()``; all are checked before any is set."""
        parameters = self.parameters()
        if not isinstance(weights, (list, tuple)) or len(weights) != len(parameters):
            count = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise InvalidValueError(
                f"{self._label()}: set_weights expects a list of {len(parameters)} arrays "
                f"({', '.join(p.name for p in parameters) or 'no parameters'}), received {count}."
            )
        arrays = []
        for index, (p, w) in enumerate(zip(parameters, weights, strict=True)):
            w = as_float_array(w, p.dtype, self._label(), f"weight {index} ({p.name!r})", batched=False)
            if w.shape != p.shape:
                raise ShapeError(
                    f"{self._label()}: weight {index} ({p.name!r}) must have shape {p.shape}, received {w.shape}."
                )
            arrays.append(np.array(w, dtype=p.dtype))
        for p, w in zip(parameters, arrays, strict=True):
            p.value = w
