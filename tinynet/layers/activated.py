"""``ActivatedLayer``: a layer whose output is ``activation(z)`` of a linear part ``z``.

Dense (and later the convolutions) compute ``z`` from their parameters, then
apply an optional activation sub-layer. Splitting the two lets ``compile``
fuse a final sigmoid or softmax into the loss: the training step runs
``forward_linear`` to get the logits ``z`` and starts the backward pass at
``backward_linear``, below the activation.
"""

from __future__ import annotations

from typing import cast

from ..activation import Activation
from ..layer import Array, Layer

__all__ = ["ActivatedLayer"]


class ActivatedLayer(Layer):
    """Base of layers computing ``y = activation(forward_linear(x))``.

    Math (grad = dL/dy)::

        forward    z = forward_linear(x)            y = activation(z)     (y = z when activation is None)
        backward   dz = activation.backward(grad)   dx = backward_linear(dz)

    Subclasses write ``forward_linear``, which returns a new array ``z`` (not a
    view of ``x`` or of a parameter, nor anything it remembered: the activation
    runs in place on it), and ``backward_linear``, and set ``self.activation``
    (an ``Activation`` sub-layer, or ``None``).
    ``backward_linear(dz, input_grad=False)`` sets the parameters' gradients
    and skips ``dx``: :meth:`backward_parameters` uses it for a model's first
    layer, where ``dx`` would be the gradient of the data.
    """

    activation: Activation | None

    def forward(self, x: Array, training: bool = False) -> Array:
        z = self.forward_linear(x, training)
        return z if self.activation is None else self.activation.forward_in_place(z, training)  # z is ours

    def backward(self, grad: Array) -> Array:
        dz = grad if self.activation is None else self.activation.backward(grad)
        return cast(Array, self.backward_linear(dz))  # dx: input_grad defaults to True

    def backward_parameters(self, grad: Array) -> None:
        dz = grad if self.activation is None else self.activation.backward(grad)
        self.backward_linear(dz, input_grad=False)

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        """The pre-activation ``z``, a new array (the activation may overwrite it); remembers what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward_linear(x, training).")

    def backward_linear(self, dz: Array, input_grad: bool = True) -> Array | None:
        """Set the parameters' ``.grad`` from ``dz`` = dL/dz; return dL/dx (``None`` when not ``input_grad``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward_linear(dz, input_grad=True).")
