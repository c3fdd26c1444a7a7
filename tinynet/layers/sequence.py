"""``RepeatVector`` and ``TimeDistributed``: layers that make a sequence of steps, or work step by step."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._layer_entries import layer_from_entry
from .._shapes import checked_shape
from .._validation import integer
from ..errors import InvalidTypeError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register, serialize

__all__ = ["RepeatVector", "TimeDistributed"]


@register
class RepeatVector(Layer):
    """Repeat each sample ``n`` times along a new steps axis: ``(batch, features)`` becomes ``(batch, n, features)``.

    Math (grad = dL/dy)::

        forward    y[:, t, :] = x                 for every step t < n
        backward   dx = grad.sum(axis=1)          (each step's gradient reaches the one x it copied)

    Keras's ``RepeatVector``: the bridge from a vector (an encoder's last
    state) to a sequence a recurrent decoder or a ``TimeDistributed`` layer reads.

    Parameters
    ----------
    n : int
        The number of steps, at least 1.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, features)``; output ``(batch, n, features)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.RepeatVector(3)(np.array([[1.0, 2.0]]))
    array([[[1., 2.],
            [1., 2.],
            [1., 2.]]], dtype=float32)
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = integer(n, self._label(), "n", minimum=1)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 1:
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, features), received per-sample shape "
                f"{input_shape}. RepeatVector repeats a vector; for a sequence, flatten it first."
            )

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(repeated=True)
        return np.repeat(x[:, None, :], self.n, axis=1)

    def backward(self, grad: Array) -> Array:
        self.recall("repeated")
        return grad.sum(axis=1)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return (self.n, *input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}


@register
class TimeDistributed(Layer):
    """Apply ``layer`` to every step of a sequence: the same layer, the same parameters, at each step.

    Math (x of shape ``(n, steps, *step_shape)``; grad = dL/dy)::

        forward    h = layer.forward(x.reshape(n * steps, *step_shape))     y = h.reshape(n, steps, *h.shape[1:])
        backward   dh = layer.backward(grad.reshape(n * steps, *h.shape[1:]))
                   dx = dh.reshape(x.shape)

    The steps are folded into the batch axis, so ``layer`` runs once on all
    of them (no loop over steps), and its parameter gradients sum over the
    batch and the steps. ``layer`` is a sub-layer (``self.layer``): its
    parameters are trained, saved and loaded with the model's, and freezing
    the wrapper freezes it. It is built for the shape of one step.

    Parameters
    ----------
    layer : Layer
        The layer to apply at each step; any layer that takes one array.
    **kwargs
        ``name``, ``dtype`` (``layer``'s by default; ``layer`` is cast to a
        ``dtype`` given), ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, *step_shape)``; output ``(batch, steps, *out)`` where
    ``layer`` maps ``(batch, *step_shape)`` to ``(batch, *out)``. No parameters of its own.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.TimeDistributed(tn.layers.Dense(4))
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 5, 4)
    >>> [p.name for p in layer.parameters()], layer.layer.kernel.shape
    (['kernel', 'bias'], (3, 4))
    """

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            name = kwargs.get("name", "time_distributed")
            raise InvalidTypeError(
                f"TimeDistributed {name!r}: layer must be a tinynet Layer, received {type(layer).__name__}."
            )
        kwargs.setdefault("dtype", layer.dtype)
        super().__init__(**kwargs)
        self.layer = layer
        if layer.dtype != self.dtype:
            layer.astype(self.dtype)

    @property
    def takes_indices(self) -> bool:  # type: ignore[override]
        """A wrapped layer that takes indices (Embedding) makes the wrapper take them."""
        return self.layer.takes_indices

    def build(self, input_shape: Shape) -> None:
        if isinstance(input_shape, list) or len(input_shape) < 2:
            raise ShapeError(
                f"{self._label()}: expected one input of shape (batch, steps, ...), received per-sample shape "
                f"{input_shape}. Each step needs a shape of its own, at least (features,)."
            )
        self.layer.ensure_built(input_shape[1:])

    def check_input_values(self, x: Array) -> None:
        self.layer.check_input_values(_fold(x))

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(steps=x.shape[:2])
        h = self.layer.forward(_fold(x), training and self.layer.trainable)
        return h.reshape(*x.shape[:2], *h.shape[1:])

    def backward(self, grad: Array) -> Array | None:
        (steps,) = self.recall("steps")
        layer = self.layer
        if not self.needs_input_grad:  # nobody reads dx: neither does the layer inside need to compute it
            layer.needs_input_grad = False
            try:
                layer.backward(_fold(grad))
            finally:
                del layer.needs_input_grad  # back to the class's default
            return None
        dh = layer.backward(_fold(grad))
        return None if dh is None else dh.reshape(*steps, *dh.shape[1:])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return (input_shape[0], *self.layer.compute_output_shape(input_shape[1:]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> TimeDistributed:
        """A new, unbuilt wrapper around a new layer made from ``config["layer"]``, through the registry only.

        ``custom_objects`` finds a layer class of yours (and reaches a model's ``from_config`` inside).
        """
        config = dict(config)
        layer = layer_from_entry(
            config.pop("layer", None), custom_objects, "TimeDistributed.from_config", "'layer'", "must be"
        )
        if "input_shape" in config and config["input_shape"] is not None:
            config["input_shape"] = checked_shape(cls.__name__, config["input_shape"])
        return cls(layer, **config)


def _fold(a: Array) -> Array:
    """``(n, steps, *rest)`` as ``(n * steps, *rest)``: every step a sample of its own (a view when it can be)."""
    return a.reshape(a.shape[0] * a.shape[1], *a.shape[2:])
