"""``Identity`` and ``Lambda``: a layer that passes its input on, and one that applies a Python function.

tinynet has no autograd: a ``Lambda``'s ``backward`` cannot be derived from
its function. It is given as ``backward_function=`` (a tinynet extension),
or the layer runs forward only — enough for ``predict``, and for training
where no gradient has to pass through it (the first layer of a model,
whose input is the data). A ``Lambda`` holds code, which model files never
store (loading one runs nothing): its ``get_config`` refuses, and a model
holding one cannot be saved, only its weights.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..errors import CallOrderError, InvalidTypeError
from ..layer import Array, Layer, Shape
from ..registry import register

__all__ = ["Identity", "Lambda"]


@register
class Identity(Layer):
    """The identity: ``y = x``, ``dx = grad``; a placeholder where a model's structure wants a layer.

    Math (grad = dL/dy)::

        forward    y = x          backward   dx = grad

    Parameters
    ----------
    name, dtype, trainable, input_shape
        As for :class:`~tinynet.Layer`.

    Shape
    -----
    any rank; ``y`` is ``x`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.ones((2, 3), dtype=np.float32)
    >>> Identity()(x) is x
    True
    """

    accepts_any_shape = True

    #: The output is the input, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def forward(self, x: Array, training: bool = False) -> Array:
        self.remember(called=True)
        return x

    def backward(self, grad: Array) -> Array:
        self.recall("called")
        return grad

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)


@register
class Lambda(Layer):
    """Wraps a function of the input as a layer: ``Lambda(lambda x: x / 255.0)``.

    Math (f = ``function``, b = ``backward_function``; grad = dL/dy)::

        forward    y = f(x, **arguments)          (f(x, training=..., **arguments) if f takes ``training``)
        backward   dx = b(x, grad)                (refused without b, unless no input gradient is needed)

    Parameters
    ----------
    function : callable
        Takes the batch ``x`` (a list of arrays for a layer called on
        several inputs) and returns the output batch, with NumPy operations.
    output_shape : tuple of int, or callable, optional
        The per-sample output shape, or a function of the per-sample input
        shape returning it; without it, found by running ``function`` on zeros.
    arguments : dict, optional
        Keyword arguments passed to ``function`` at every call, as in Keras.
    backward_function : callable, optional
        A tinynet extension: ``backward_function(x, grad)`` returns dL/dx
        (a list for several inputs) given ``grad`` = dL/dy. Without it,
        ``backward`` raises a ``CallOrderError`` that says so — except when
        nobody needs the input gradient (the model's first layer), where it
        returns ``None``. ``tn.testing.check_gradients`` proves one as for any layer.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input any; output what ``function`` returns.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> square = Lambda(lambda x: x * x, backward_function=lambda x, grad: 2.0 * x * grad)
    >>> square(np.array([[3.0]]))
    array([[9.]], dtype=float32)
    >>> tn.testing.check_gradients(square, np.array([[0.5, -1.0]]))

    Notes
    -----
    ``get_config`` refuses: a function is code, and tinynet's model files
    hold data only. A model with a ``Lambda`` saves its weights
    (``save_weights``); to save the whole model, write the function as a
    layer (subclass :class:`~tinynet.Layer`, ``@tn.register``). Keras's
    ``mask=`` argument is not supported.
    """

    accepts_any_shape = True

    def __init__(
        self,
        function: Callable[..., Any],
        output_shape: Any = None,
        arguments: dict[str, Any] | None = None,
        backward_function: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for name, value in (("function", function), ("backward_function", backward_function)):
            if value is not None and not callable(value):
                raise InvalidTypeError(f"{self._label()}: {name} must be callable, received {value!r:.80}.")
        if function is None:
            raise InvalidTypeError(f"{self._label()}: function must be callable, received None.")
        if arguments is not None and not isinstance(arguments, dict):
            raise InvalidTypeError(f"{self._label()}: arguments must be a dict, received {arguments!r:.80}.")
        if output_shape is not None and not callable(output_shape):
            output_shape = self._check_shape(tuple(output_shape))
        self.function, self.backward_function = function, backward_function
        self.output_shape, self.arguments = output_shape, dict(arguments or {})
        try:
            self._takes_training = "training" in inspect.signature(function).parameters
        except (TypeError, ValueError):  # a builtin without a signature
            self._takes_training = False

    def forward(self, x: Any, training: bool = False) -> Any:
        self.remember(x=x)
        if self._takes_training:
            return self.function(x, training=training, **self.arguments)
        return self.function(x, **self.arguments)

    def backward(self, grad: Any) -> Any:
        (x,) = self.recall("x")
        if self.backward_function is not None:
            return self.backward_function(x, grad)
        if not self.needs_input_grad:
            return None
        raise CallOrderError(
            f"{self._label()}: backward needs the derivative of the Lambda's function, which tinynet cannot derive "
            "(it has no autograd). Pass backward_function=lambda x, grad: dL/dx, or write the function as a layer "
            "with forward and backward (subclass tn.Layer)."
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self.output_shape):
            return self.output_shape(input_shape)
        return self.output_shape

    def get_config(self) -> dict[str, Any]:
        raise InvalidTypeError(
            f"{self._label()}: a Lambda holds a Python function, which tinynet's configs and model files never "
            "store (loading a file runs no code). Save the weights (save_weights), or write the function as a layer "
            "(subclass tn.Layer and @tn.register) to save the model."
        )
