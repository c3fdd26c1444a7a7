"""``ActivityRegularization``: the identity, with a penalty on the size of what passes through it.

The penalty is a term of the loss, so its gradient must reach the layers
below. A layer cannot add to the loss by itself; the model's
``compute_loss`` asks each such layer for the penalty of its last forward
(:meth:`ActivityRegularization.take_penalty`), and a penalty taken so has
its gradient added by the layer's next ``backward``. Without a taker (the
layer run by hand, or by a custom loop that computes a loss of its own),
the penalty counts nowhere and ``backward`` is the identity's: the gradient
that flows always belongs to the loss that was computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import real
from ..layer import Array, Layer, Shape
from ..registry import register

__all__ = ["ActivityRegularization"]


@register
class ActivityRegularization(Layer):
    """The identity, whose input adds ``l1 * sum(|x|) + l2 * sum(x * x)``, per sample, to the loss.

    Math (n = the batch size; grad = dL/dy)::

        forward    y = x                penalty = (l1 * sum(|x|) + l2 * sum(x * x)) / n
        backward   dx = grad + (l1 * sign(x) + 2 * l2 * x) / n     if the penalty was taken into a loss
                   dx = grad                                        otherwise

    Keras's scales: no factor 1/2 on the L2 term, and the sum divided by the
    batch size (what Keras 3 does with every activity regularizer), so the
    penalty's weight does not depend on the batch size.

    ``compile`` / ``fit`` / ``evaluate`` take the penalty: the loss they report
    and train on is the compiled loss plus every weight regularizer's
    penalty plus the penalty of each ``ActivityRegularization`` in the model
    (``Model.regularization_penalty``), and ``backward`` carries its gradient.
    Like Keras, it counts in ``evaluate`` too, not only while training.

    Parameters
    ----------
    l1, l2 : float
        The factors, ``>= 0``; ``0.0`` by default, as in Keras.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    any rank, ``(batch, ...)``; ``y`` is ``x`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> layer = ActivityRegularization(l1=0.1, l2=0.5)
    >>> x = np.array([[1.0, -2.0], [0.0, 1.0]], dtype=np.float32)
    >>> layer(x) is x
    True
    >>> layer.penalty  # (0.1 * 4 + 0.5 * 6) / 2
    1.7
    >>> layer.take_penalty(), layer.backward(np.zeros_like(x))  # taken: its gradient joins backward's
    (1.7, array([[ 0.55, -1.05],
           [ 0.  ,  0.55]], dtype=float32))

    Notes
    -----
    A layer called at several nodes of a graph (shared) gives the penalty of its last call only.
    """

    accepts_any_shape = True

    #: The output is the input, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    #: The penalty of the last forward (Keras's ``layer.losses``), 0.0 before any.
    penalty: float = 0.0

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.l1 = real(l1, self._label(), "l1", minimum=0.0)
        self.l2 = real(l2, self._label(), "l2", minimum=0.0)
        self._call: object = None  # a token for the last forward
        self._taken: object = None  # the token of the forward whose penalty a loss took

    def forward(self, x: Array, training: bool = False) -> Array:
        n = max(len(x), 1)
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.abs(x).sum())
        if self.l2:
            total += self.l2 * float(np.vdot(x, x))
        self.penalty = total / n
        self._call = call = object()
        self.remember(x=x, call=call)
        return x

    def take_penalty(self) -> float:
        """The penalty of the last forward, now counted in a loss: the next ``backward`` adds its gradient."""
        self._taken = self._call
        return self.penalty

    def backward(self, grad: Array) -> Array:
        x, call = self.recall("x", "call")
        if call is not self._taken or not (self.l1 or self.l2):
            return grad
        dx = grad.copy()
        n = max(len(x), 1)
        if self.l1:
            dx += (self.l1 / n) * np.sign(x)
        if self.l2:
            dx += (2.0 * self.l2 / n) * x
        return dx

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
