"""``ActivatedLayer``: a kernel, a bias and an activation around a linear part ``z``.

Dense and the convolutions share everything but their linear map: the
``kernel`` and ``bias`` parameters, their initializers, regularizers and constraints, the
optional ``activation`` sub-layer and the config of all of these. Each writes
``forward_linear`` and ``backward_linear``; this base applies the activation
around them. Keeping the activation a separate sub-layer is also what lets
``compile`` fuse a final sigmoid or softmax into a cross-entropy loss.
"""

from __future__ import annotations

from typing import Any, cast

from .. import activations, constraints, initializers, regularizers
from ..activation import Activation
from ..layer import Array, Layer, Shape
from ..registry import serialize

__all__ = ["ActivatedLayer"]


class ActivatedLayer(Layer):
    """Base of layers computing ``y = activation(forward_linear(x))`` with a ``kernel`` and an optional ``bias``.

    Math (grad = dL/dy)::

        forward    z = forward_linear(x)            y = activation(z)     (y = z when activation is None)
        backward   dz = activation.backward(grad)   dx = backward_linear(dz)

    Subclasses call ``build_kernel`` from ``build``, and write
    ``forward_linear``, which returns a new array ``z`` (not a view of ``x`` or
    of a parameter, nor anything it remembered: the activation runs in place on
    it), and ``backward_linear``, which sets the parameters' gradients and
    returns dL/dx — or ``None`` when ``self.needs_input_grad`` is false.

    Parameters
    ----------
    activation : str, Activation or None
        Applied to ``z``; ``None`` (the default) means linear. An
        ``Activation`` instance is copied (from its config): it remembers its
        last call, so two layers given the same one each get their own.
    use_bias : bool
        Whether to add ``bias``.
    kernel_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"`` and ``"zeros"`` by default, as in Keras.
    kernel_regularizer, bias_regularizer : str or regularizer, optional
        A penalty (``"l2"``, ``tn.regularizers.L1(0.01)``) training adds to the loss.
    kernel_constraint, bias_constraint : str or constraint, optional
        Applied to the parameter by the optimizer after each update
        (``"max_norm"``, ``tn.constraints.MaxNorm(2.0)``).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).
    """

    activation: Activation | None

    def __init__(
        self,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        if self.activation is not None and self.activation is activation:  # an instance: a copy of our own
            self.activation = cast(Activation, type(activation).from_config(activation.get_config()))
        if self.activation is not None:
            self.activation.astype(self.dtype)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build_kernel(self, kernel_shape: Shape, units: int) -> None:
        """Create ``kernel`` of ``kernel_shape`` and, with ``use_bias``, ``bias`` of shape ``(units,)``."""
        self.kernel = self.add_parameter(
            "kernel",
            kernel_shape,
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = (
            self.add_parameter(
                "bias",
                (units,),
                self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
            if self.use_bias
            else None
        )

    def forward(self, x: Array, training: bool = False) -> Array:
        z = self.forward_linear(x, training)
        return z if self.activation is None else self.activation.forward_in_place(z, training)  # z is ours

    def backward(self, grad: Array) -> Array | None:
        dz = grad if self.activation is None else self.activation.backward(grad)
        return self.backward_linear(dz)

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        """The pre-activation ``z``, a new array (the activation may overwrite it); remembers what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward_linear(x, training).")

    def backward_linear(self, dz: Array) -> Array | None:
        """Set the parameters' ``.grad`` from ``dz`` = dL/dz; return dL/dx (``None`` when not ``needs_input_grad``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward_linear(dz).")

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "activation": _serialize_optional(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": _serialize_optional(self.kernel_regularizer),
            "bias_regularizer": _serialize_optional(self.bias_regularizer),
            "kernel_constraint": _serialize_optional(self.kernel_constraint),
            "bias_constraint": _serialize_optional(self.bias_constraint),
        }


def _serialize_optional(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else serialize(obj)
