"""``Head``: where a model's output meets its loss — fused into logits, or plain.

This is the one place that decides. When a model ends in a sigmoid and the
loss is binary cross-entropy on probabilities — or in a softmax and a
categorical cross-entropy — the pair is *fused*: the training and test steps
run the model up to the logits, hand them to a copy of the loss with
``from_logits=True``, and start ``backward`` below the activation. The result
is exact and finite for logits of any size, where ``log(sigmoid(z))`` would
have rounded to ``log(0)``. Metrics and ``predict`` still see probabilities:
the activation is applied to the logits for them.

Math (z = logits, y = y_true)::

    fused      L = loss_from_logits(y, z)              dz = loss_from_logits.backward()
               y_pred = activation(z)                  model.backward_logits(dz, input_grad=False)
    plain      y_pred = model(x)   L = loss(y, y_pred)  model.backward_parameters(loss.backward())

Both paths give the same loss and gradients wherever the plain one is finite
(tests/models/test_head.py checks it).
"""

from __future__ import annotations

import copy
from typing import Any

from ..activation import Activation
from ..activations import Linear, Sigmoid, Softmax
from ..errors import InvalidValueError
from ..layer import Array, Layer, Shape
from ..layers.activated import ActivatedLayer
from ..loss import Loss
from ..losses import BinaryCrossentropy, CategoricalCrossentropy

__all__ = ["Head"]


class Head:
    """The loss as a model sees it: ``forward`` gives the loss and the predictions, ``backward`` the gradients.

    Parameters
    ----------
    model : Layer
        The model; a ``Sequential`` can be fused, other models train plain.
    loss : Loss
        The compiled loss.
    """

    def __init__(self, model: Layer, loss: Loss) -> None:
        self.loss = loss
        activation = _output_activation(model)
        self.activation: Activation | None = activation if _fusable(activation, loss) else None
        self.fused_loss: Loss | None = None
        if self.activation is not None:
            self.fused_loss = copy.copy(loss)
            self.fused_loss.from_logits = True  # type: ignore[attr-defined]
            self.fused_loss.forget()

    @property
    def fused(self) -> bool:
        return self.activation is not None

    def forward(
        self, model: Any, x: Array, y: Array, sample_weight: Array | None, training: bool, predictions: bool = True
    ) -> tuple[float, Array | None]:
        """The loss value and the predictions (probabilities when fused) for one batch.

        A fused head computes the probabilities only when ``predictions`` is true (metrics need them).
        """
        if self.fused_loss is not None and self.activation is not None:
            logits = model.forward_logits(x, training)
            value = self.fused_loss.forward(y, logits, sample_weight)
            return value, self.activation.forward(logits, training) if predictions else None
        y_pred = model.forward(x, training)
        return self.loss.forward(y, y_pred, sample_weight), y_pred

    def backward(self, model: Any) -> None:
        """Backpropagate the last ``forward``'s loss through the model, setting every parameter's ``.grad``.

        Nothing needs the gradient of the data, so the model's first layer skips it.
        """
        if self.fused_loss is not None:
            model.backward_logits(self.fused_loss.backward(), input_grad=False)
        else:
            model.backward_parameters(self.loss.backward())

    def check(self, model: Layer, output_shape: Shape) -> None:
        """Refuse a loss that cannot fit the model's output, with a message that says what would."""
        where = f"{type(model).__name__} {model.name!r}: compile(loss={self.loss.name!r})"
        units = output_shape[-1] if output_shape else 1
        if isinstance(self.loss, CategoricalCrossentropy) and units < 2:
            raise InvalidValueError(
                f"{where}: a categorical cross-entropy needs one output per class, but the model has {units} output "
                "unit. For two classes use binary_crossentropy with a 1-unit sigmoid output; for k classes give "
                "the last layer k units and activation='softmax'."
            )
        if not isinstance(self.loss, (BinaryCrossentropy, CategoricalCrossentropy)):
            return
        activation = _output_activation(model)
        if self.loss.from_logits and isinstance(activation, (Sigmoid, Softmax)):
            raise InvalidValueError(
                f"{where}: the loss has from_logits=True but the model ends in {type(activation).__name__}, "
                "so it would receive probabilities. Drop from_logits (tinynet then fuses the pair exactly) "
                "or remove the final activation."
            )
        if not self.loss.from_logits and _ends_linear(model):
            wanted = "sigmoid" if isinstance(self.loss, BinaryCrossentropy) else "softmax"
            raise InvalidValueError(
                f"{where}: the loss expects probabilities but the model's last layer is linear. Add "
                f"activation='{wanted}' to it, or pass the loss with from_logits=True."
            )


def _output_activation(model: Layer) -> Activation | None:
    finder = getattr(model, "output_activation", None)
    return finder() if callable(finder) else None


def _fusable(activation: Activation | None, loss: Loss) -> bool:
    if getattr(loss, "from_logits", True):
        return False
    if isinstance(activation, Sigmoid):
        return isinstance(loss, BinaryCrossentropy)
    if isinstance(activation, Softmax):
        return activation.axis == -1 and isinstance(loss, CategoricalCrossentropy)
    return False


def _ends_linear(model: Layer) -> bool:
    """True when the model visibly ends in a layer with no activation (so its outputs are unbounded)."""
    layers = getattr(model, "layers", None)
    if not layers:
        return False
    last = layers[-1]
    if isinstance(last, Linear):
        return True
    return isinstance(last, ActivatedLayer) and (last.activation is None or isinstance(last.activation, Linear))
