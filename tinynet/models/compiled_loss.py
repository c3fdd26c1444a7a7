"""``CompiledLoss``: the loss as ``compile`` sets it up — fused with the model's final activation, or plain.

This is the one place that decides. When a model ends in a sigmoid and the
loss is binary cross-entropy on probabilities — or in a softmax and a
categorical cross-entropy — the pair is *fused*: the model still runs to
the end and returns probabilities (metrics and ``predict`` see them), but
the loss is computed from the logits the activation recorded, with a copy of
the loss set to ``from_logits=True``, and its gradient is handed down through
the activation unchanged. The result is exact and finite for logits of any
size, where ``log(sigmoid(z))`` would have rounded to ``log(0)``.

Math (z = logits, y_pred = activation(z), y = y_true)::

    fused      L = loss_from_logits(y, z)     dz = loss_from_logits.backward()   activation.hand_down(dz)
    plain      L = loss(y, y_pred)            dy_pred = loss.backward()

Both paths give the same loss and gradients wherever the plain one is finite
(tests/models/test_compiled_loss.py checks it). The fused path is taken only
when ``y_pred`` is the very array the activation last returned; anything
else (a slice, a copy, another model's output) goes through the plain loss.
"""

from __future__ import annotations

import copy

from ..activation import Activation
from ..activations import Linear, Sigmoid, Softmax
from ..errors import InvalidValueError
from ..layer import Array, Layer, Shape
from ..layers.activated import ActivatedLayer
from ..loss import Loss
from ..losses import BinaryCrossentropy, CategoricalCrossentropy

__all__ = ["CompiledLoss"]


class CompiledLoss:
    """The compiled loss: ``forward(y_true, y_pred, sample_weight)`` gives the loss, ``backward()`` dL/dy_pred.

    Built once by ``compile``. ``train_step`` and ``test_step`` call it where
    they would call the loss itself; it is a :class:`~tinynet.Loss` in all but
    name, and ``loss`` is the user's loss object.

    Parameters
    ----------
    model : Layer
        The model; its ``output_activation()`` (a ``Sequential``'s final
        sigmoid or softmax) is fused when it matches the loss.
    loss : Loss
        The loss ``compile`` was given.
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
        self._last_fused = False

    @property
    def fused(self) -> bool:
        """Whether the loss is fused with the model's final activation."""
        return self.activation is not None

    def forward(self, y_true: Array, y_pred: Array, sample_weight: Array | None = None) -> float:
        """The loss of one batch: from the logits when ``y_pred`` is the fused activation's last output."""
        logits = None if self.activation is None else self.activation.logits_of(y_pred)
        self._last_fused = logits is not None
        if logits is not None and self.fused_loss is not None:
            value = self.fused_loss.forward(y_true, logits, sample_weight)
            self.fused_loss.reuse_probabilities(y_pred)  # type: ignore[attr-defined]  # y_pred = activation(logits)
            return value
        return self.loss.forward(y_true, y_pred, sample_weight)

    def backward(self) -> Array:
        """dL/dy_pred of the last ``forward`` — when fused, dL/dlogits, handed down through the activation."""
        if self._last_fused and self.activation is not None and self.fused_loss is not None:
            return self.activation.hand_down(self.fused_loss.backward())
        return self.loss.backward()

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
