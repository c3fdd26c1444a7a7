"""Keras's activation layers: ``Activation(name)``, ``Softmax`` with a mask, ``PReLU`` with a learned slope.

``tn.layers.ReLU``, ``LeakyReLU`` and ``ELU`` are the classes of
:mod:`tinynet.activations` themselves, whose arguments and defaults are
those of Keras's layers; they are re-exported by :mod:`tinynet.layers`.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from .. import _numerics, activations, constraints, initializers, regularizers
from .._validation import integer
from ..activation import Activation as _Activation
from ..activations import Linear
from ..activations import Softmax as _Softmax
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register, serialize

__all__ = ["Activation", "Softmax", "PReLU"]


@register
class Activation(Layer):
    """A layer that applies an activation: ``Activation("relu")`` is the layer form of ``activation="relu"``.

    Math (``f`` = ``self.activation``, a sub-layer; grad = dL/dy)::

        forward    y = f.forward(x)          backward   dx = f.backward(grad)

    A model ending in ``Activation("softmax")`` (or ``"sigmoid"``) has it
    fused with a matching cross-entropy by ``compile``, as for
    ``Dense(..., activation="softmax")``: exact for any logits.

    Parameters
    ----------
    activation : str, Activation or None
        A Keras string id (``"relu"``, ``"softmax"``, ...), an ``Activation``
        instance (copied from its config) or class; ``None`` is ``"linear"``.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    any rank; ``y`` has the shape of ``x``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Activation("relu")(np.array([[-1.0, 2.0]]))
    array([[0., 2.]], dtype=float32)
    """

    accepts_any_shape = True

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(activation, Layer) and not isinstance(activation, _Activation):
            raise InvalidTypeError(
                f"{self._label()}: activation must be an activation (a string id, a tn.activations object or "
                f"class), received the layer {activation._label()}."
            )
        found = Linear() if activation is None else activations.get(activation)
        if found is not None and found is activation:  # an instance: a copy of our own (it remembers its last call)
            found = cast(_Activation, type(found).from_config(found.get_config()))
        self.activation: _Activation = cast(_Activation, found)
        self.activation.astype(self.dtype)

    def forward(self, x: Array, training: bool = False) -> Array:
        return self.activation.forward(x, training)

    def backward(self, grad: Array) -> Array:
        return self.activation.backward(grad)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": serialize(self.activation)}


@register(name="SoftmaxLayer")
class Softmax(_Softmax):
    """Keras's ``Softmax`` layer: softmax along ``axis``, with an optional ``mask`` of the entries that take part.

    Math (keep = the mask, broadcast to x; grad = dL/dy; sums along ``axis``)::

        forward    z = x where keep, else -1e9          y = exp(z - max(z)) / sum(exp(z - max(z)))
        backward   dx = keep * y * (grad - sum(grad * y))

    Masked entries get (close to) zero probability and no gradient. Without a
    mask it is :class:`tinynet.activations.Softmax`; a model ending in it is
    fused with a categorical cross-entropy by ``compile`` in the same way.

    Parameters
    ----------
    axis : int
        The axis that sums to one; the last by default.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    any rank; ``y`` has the shape of ``x``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> tn.layers.Softmax()(np.array([[1.0, 1.0, 5.0]]), mask=np.array([[True, True, False]]))
    array([[0.5, 0.5, 0. ]], dtype=float32)

    Notes
    -----
    A call takes ``mask``: booleans (or numbers: kept where ``> 0.5``)
    that broadcast to ``x`` as NumPy (and Keras) broadcast, aligned on the
    last axis: an attention mask ``(batch, queries, keys)`` for scores
    ``(batch, heads, queries, keys)``, or ``(batch, steps)`` for scores
    ``(batch, steps)``.

    The containers pass a sequence's padding mask to any layer that takes
    ``mask``, as Keras does: a ``(batch, steps)`` padding mask cannot
    broadcast to ``(batch, steps, features)`` and is refused, as in Keras —
    unless ``steps == features``, where it broadcasts (over the wrong axes),
    as in Keras. After a masked sequence use ``tn.activations.Softmax``,
    which takes no mask and passes the padding mask on.
    """

    def forward(self, x: Array, training: bool = False, mask: Any = None) -> Array:
        keep = None if mask is None else self._keep(mask, x.shape, x.dtype)
        z = x if keep is None else np.where(keep > 0, x, np.asarray(-1e9, dtype=x.dtype))
        y = _numerics.softmax(z, axis=self.axis)
        self.remember(y=y, keep=keep)
        self.record_call(z, y)
        return y

    def backward(self, grad: Array) -> Array:
        y, keep = self.recall("y", "keep")
        if self.handed_down(grad):  # a fused loss computed dL/dz from the logits
            dx = grad
        else:
            dx = y * (grad - (grad * y).sum(axis=self.axis, keepdims=True))
        return dx if keep is None else dx * keep

    def _keep(self, mask: Any, shape: Shape, dtype: Any) -> Array:
        """The mask as 0.0 / 1.0 in ``dtype``, or an error if it does not broadcast to ``shape`` (changes nothing)."""
        mask = np.asarray(mask)
        fits = mask.ndim <= len(shape) and all(m in (1, n) for m, n in zip(mask.shape[::-1], shape[::-1], strict=False))
        if not fits or mask.dtype.kind not in "biuf":
            raise ShapeError(
                f"{self._label()}: mask must broadcast to the input, aligned on the last axis (each size 1 or the "
                f"input's), received mask of shape {mask.shape} ({mask.dtype}) for input of shape {tuple(shape)}. "
                "A sequence's padding mask (batch, steps) does not fit (batch, steps, features); "
                "tn.activations.Softmax takes no mask and passes it on."
            )
        keep = mask if mask.dtype == bool else mask > 0.5
        return keep.astype(dtype)

    def compute_output_shape(self, input_shape: Shape, **options: Any) -> Shape:
        return tuple(input_shape)


@register
class PReLU(Layer):
    """Parametric ReLU: a leaky ReLU whose negative slope ``alpha`` is learned, one per input entry.

    Math (neg = 1.0 where x <= 0, else 0.0; alpha broadcast over the batch
    and the ``shared_axes``; grad = dL/dy)::

        forward    slope = 1 + (alpha - 1) * neg         y = x * slope
        backward   dalpha = sum(grad * x * neg)          (over the batch and the shared axes)
                   dx = grad * slope                     (the slope at x = 0 is alpha)

    Parameters
    ----------
    alpha_initializer : str or initializer
        ``"zeros"`` by default, as in Keras: the layer starts as a ReLU.
    alpha_regularizer, alpha_constraint : optional
        A penalty on ``alpha``, and a constraint applied after each update.
    shared_axes : int or list of int, optional
        Axes (batch counted as 0; so 1 and up) along which one ``alpha`` is
        shared: ``[1, 2]`` for an image ``(batch, h, w, c)`` gives one per channel.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, ...)``; output the same. Parameter ``alpha`` has the
    per-sample input shape with a 1 on every shared axis (Keras's layout).

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = PReLU(alpha_initializer=tn.initializers.Constant(0.25))
    >>> layer(np.array([[-2.0, 3.0]]))
    array([[-0.5,  3. ]], dtype=float32)
    """

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(
        self,
        alpha_initializer: Any = "zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            given = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            self.shared_axes = [integer(a, self._label(), "shared_axes", minimum=1) for a in given]

    def build(self, input_shape: Shape) -> None:
        shared = self.shared_axes or []
        if any(a > len(input_shape) for a in shared):
            raise InvalidValueError(
                f"{self._label()}: shared_axes {self.shared_axes} must be axes 1..{len(input_shape)} of an input of "
                f"per-sample shape {input_shape} (axis 0 is the batch)."
            )
        shape = tuple(1 if i + 1 in shared else n for i, n in enumerate(input_shape))
        self._sum_axes = (0, *sorted(set(shared)))
        self.alpha = self.add_parameter(
            "alpha", shape, self.alpha_initializer, regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )  # fmt: skip

    def forward(self, x: Array, training: bool = False) -> Array:
        neg = (x <= 0).astype(x.dtype)
        slope = 1.0 + (self.alpha.value - 1.0) * neg
        self.remember(x=x, neg=neg, slope=slope)
        return x * slope

    def backward(self, grad: Array) -> Array:
        x, neg, slope = self.recall("x", "neg", "slope")
        self.alpha.grad = np.sum(grad * x * neg, axis=self._sum_axes, keepdims=True).reshape(self.alpha.shape)
        return grad * slope

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": serialize(self.alpha_initializer),
            "alpha_regularizer": None if self.alpha_regularizer is None else serialize(self.alpha_regularizer),
            "alpha_constraint": None if self.alpha_constraint is None else serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
