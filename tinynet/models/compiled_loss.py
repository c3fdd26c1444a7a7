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
from typing import Any

import numpy as np

from .._validation import real
from ..activation import Activation
from ..activations import Linear, Sigmoid, Softmax
from ..errors import InvalidValueError
from ..layer import Array, Layer, Shape
from ..layers.activated import ActivatedLayer
from ..layers.activation_layers import Activation as ActivationLayer
from ..loss import Loss
from ..losses import BinaryCrossentropy, CategoricalCrossentropy
from ..losses import get as get_loss
from ..metrics import Mean

__all__ = ["CompiledLoss"]


class CompiledLoss:
    """The loss as ``compile`` sets it up: one :class:`OutputLoss` per model output, weighted and summed.

    ``forward(y_true, y_pred, sample_weight)`` gives the loss, ``backward()``
    dL/dy_pred. Built once by ``compile``; ``train_step`` and ``test_step``
    call it where they would call the loss itself. For a one-output model it
    is that output's loss (``loss`` is the user's loss object); for several
    outputs ``y_true`` and ``y_pred`` are lists in output order (a dict by
    output name is taken too), the loss is ``sum(weight_k * loss_k)``, and
    each output's loss is also tracked for the logs as ``<output>_loss``.

    Parameters
    ----------
    model : Layer
        The model; the activation that ends each output (a final sigmoid or
        softmax) is fused when it matches that output's loss.
    loss : Loss, str, or a list / dict of them
        One loss for every output, or one per output (a dict by output name).
    loss_weights : list or dict of float, optional
        A weight per output; 1 by default.
    """

    def __init__(self, model: Layer, loss: Any, loss_weights: Any = None) -> None:
        names = output_names(model)
        where = f"{type(model).__name__} {model.name!r}: compile"
        self.names = names
        losses = _per_output(where, "loss", loss, names, required=True)
        weights = _per_output(where, "loss_weights", loss_weights, names, required=False)
        endings = output_layers(model, len(names))
        self.outputs = [
            OutputLoss(_fresh(get_loss(item), i), ending)
            for i, (item, ending) in enumerate(zip(losses, endings, strict=True))
        ]
        self.weights = [1.0 if w is None else real(w, where, "loss_weights", minimum=0.0) for w in weights]
        self.loss: Any = self.outputs[0].loss if len(names) == 1 else [head.loss for head in self.outputs]
        self.metrics = [Mean(name=f"{name}_loss") for name in names] if len(names) > 1 else []

    @property
    def fused(self) -> bool:
        """Whether any output's loss is fused with the activation that ends it."""
        return any(head.fused for head in self.outputs)

    def forward(
        self, y_true: Any, y_pred: Any, sample_weight: Array | None = None, masks: list[Any] | None = None
    ) -> float:
        """The loss of one batch (one output's, or the weighted sum of every output's).

        ``masks`` holds each output's mask (``None`` for none): padded steps weigh 0 (:func:`masked_weights`).
        """
        masks = masks or [None] * len(self.outputs)
        if len(self.outputs) == 1:
            return self.outputs[0].forward(y_true, y_pred, masked_weights(sample_weight, masks[0], y_pred))
        y_true, y_pred = self.listed(y_true), self.listed(y_pred)
        total = 0.0
        for head, weight, tracker, target, prediction, mask in zip(
            self.outputs, self.weights, self.metrics, y_true, y_pred, masks, strict=True
        ):
            value = head.forward(target, prediction, masked_weights(sample_weight, mask, prediction))
            tracker.update_state(value, sample_weight=len(prediction))
            total += weight * value
        return total

    def backward(self) -> Any:
        """dL/dy_pred of the last ``forward``: an array, or a list in output order."""
        if len(self.outputs) == 1:
            return self.outputs[0].backward()
        return [head.backward(weight) for head, weight in zip(self.outputs, self.weights, strict=True)]

    def check(self, model: Layer, output_shape: Any) -> None:
        """Refuse a loss that cannot fit its output, with a message that says what would."""
        shapes = output_shape if len(self.outputs) > 1 else [output_shape]
        for head, shape, name in zip(self.outputs, shapes, self.names, strict=True):
            head.check(model, shape, name if len(self.outputs) > 1 else None)

    def listed(self, value: Any) -> list[Any]:
        """Per-output values (a list, or a dict keyed by output name) as a list in output order."""
        return [value[name] for name in self.names] if isinstance(value, dict) else list(value)


def masked_weights(sample_weight: Array | None, mask: Array | None, y_pred: Array) -> Array | None:
    """Per-step weights that leave padded steps out of the mean, as Keras does; ``sample_weight`` without a mask.

    Math (mask (n, s) of 0/1; w = sample_weight, ones when not given)::

        weights = w[:, None] * mask * (n * s) / kept      kept = sum(mask), at least 1

    The loss averages over ``n * s`` steps, so the padded ones weigh 0 and the mean runs
    over the ``kept`` ones. A mask that does not cover ``y_pred``'s leading axes is ignored.
    """
    mask = _step_mask(mask, y_pred)
    if mask is None:
        return sample_weight
    dtype = y_pred.dtype
    weights = np.asarray(mask, dtype=dtype) * dtype.type(mask.size / max(int(mask.sum()), 1))
    if sample_weight is not None:
        given = np.asarray(sample_weight, dtype=dtype)
        weights = weights * given.reshape(given.shape + (1,) * (weights.ndim - given.ndim))
    return weights


def _step_mask(mask: Array | None, y_pred: Any) -> Array | None:
    """``mask`` when it is a mask of ``y_pred``'s leading axes (its steps), else ``None``."""
    if mask is None or not isinstance(y_pred, np.ndarray) or mask.shape != y_pred.shape[: mask.ndim]:
        return None
    return mask


def kept_steps(y_true: Any, y_pred: Any, sample_weight: Any, mask: Array | None) -> tuple[Any, Any, Any]:
    """A metric's arguments with the padded steps left out: the kept steps become the samples.

    Without a usable mask (see :func:`masked_weights`) the arguments come back as they are.
    """
    mask = _step_mask(mask, y_pred)
    if mask is None:
        return y_true, y_pred, sample_weight
    y_true = np.asarray(y_true)
    if sample_weight is not None:
        given = np.asarray(sample_weight).reshape(len(mask), *[1] * (mask.ndim - 1))
        sample_weight = np.broadcast_to(given, mask.shape)[mask]
    return y_true[mask], y_pred[mask], sample_weight


class OutputLoss:
    """One output's loss, fused with the activation that ends the output where the two match.

    ``ending`` is the layer that produces the output (``None`` when the model
    does not say): its activation is fused, and a linear one is refused for a
    probability cross-entropy.
    """

    def __init__(self, loss: Loss, ending: Layer | None) -> None:
        self.loss = loss
        self.ending_activation = ending_activation(ending)
        self.ends_linear = _is_linear(ending)
        activation = self.ending_activation
        self.activation: Activation | None = activation if _fusable(activation, loss) else None
        self.fused_loss: Loss | None = None
        if self.activation is not None:
            self.fused_loss = copy.copy(loss)
            self.fused_loss.from_logits = True  # type: ignore[attr-defined]
            self.fused_loss.forget()
        self._last_fused = False

    @property
    def fused(self) -> bool:
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

    def backward(self, weight: float = 1.0) -> Array:
        """``weight`` times dL/dy_pred of the last ``forward`` — when fused, dL/dlogits, handed down."""
        if self._last_fused and self.activation is not None and self.fused_loss is not None:
            dz = self.fused_loss.backward()
            return self.activation.hand_down(dz if weight == 1.0 else dz * weight)
        grad = self.loss.backward()
        return grad if weight == 1.0 else grad * weight

    def check(self, model: Layer, output_shape: Shape, output: str | None = None) -> None:
        """Refuse a loss that cannot fit the model's output, with a message that says what would."""
        where = f"{type(model).__name__} {model.name!r}: compile(loss={self.loss.name!r})"
        if output is not None:
            where += f" for the output {output!r}"
        units = output_shape[-1] if output_shape else 1
        if isinstance(self.loss, CategoricalCrossentropy) and units is not None and units < 2:
            raise InvalidValueError(
                f"{where}: a categorical cross-entropy needs one output per class, but the model has {units} output "
                "unit. For two classes use binary_crossentropy with a 1-unit sigmoid output; for k classes give "
                "the last layer k units and activation='softmax'."
            )
        if not isinstance(self.loss, (BinaryCrossentropy, CategoricalCrossentropy)):
            return
        activation = self.ending_activation
        if self.loss.from_logits and isinstance(activation, (Sigmoid, Softmax)):
            raise InvalidValueError(
                f"{where}: the loss has from_logits=True but the model ends in {type(activation).__name__}, "
                "so it would receive probabilities. Drop from_logits (tinynet then fuses the pair exactly) "
                "or remove the final activation."
            )
        if not self.loss.from_logits and self.ends_linear:
            wanted = "sigmoid" if isinstance(self.loss, BinaryCrossentropy) else "softmax"
            raise InvalidValueError(
                f"{where}: the loss expects probabilities but the model's last layer is linear. Add "
                f"activation='{wanted}' to it, or pass the loss with from_logits=True."
            )


def output_names(model: Layer) -> list[str]:
    """The names of a model's outputs: a graph's output names, else one ``"output"``."""
    names = getattr(model, "output_names", None)
    return list(names) if names else ["output"]


def output_layers(model: Layer, count: int) -> list[Layer | None]:
    """The layer that produces each output (a Sequential's last, a graph's output nodes'); ``None`` where unknown."""
    finder = getattr(model, "output_layers", None)
    found = list(finder()) if callable(finder) else []
    return found if len(found) == count else [None] * count


def ending_activation(layer: Layer | None) -> Activation | None:
    """The activation ending a layer's output: the layer itself, or the ``activation`` of a Dense, conv, Activation."""
    if isinstance(layer, Activation):
        return layer
    if isinstance(layer, (ActivatedLayer, ActivationLayer)):
        return layer.activation
    return None


def _is_linear(layer: Layer | None) -> bool:
    """True when a layer visibly outputs unbounded values: ``Linear``, or a Dense or conv with no activation."""
    if isinstance(layer, Linear) or (isinstance(layer, ActivationLayer) and isinstance(layer.activation, Linear)):
        return True
    return isinstance(layer, ActivatedLayer) and (layer.activation is None or isinstance(layer.activation, Linear))


def _per_output(where: str, what: str, given: Any, names: list[str], required: bool) -> list[Any]:
    """``given`` as one entry per output: one value for all, a list in output order, or a dict by output name."""
    if isinstance(given, dict) and not (len(names) == 1 and set(given) == {"class_name", "config"}):
        unknown = sorted(set(given) - set(names))
        missing = [name for name in names if name not in given]
        if unknown or (missing and required):
            raise InvalidValueError(
                f"{where}: {what} is a dict with keys {sorted(given)}, but the model's outputs are {names}"
                + (f" (unknown: {unknown})" if unknown else "")
                + (f" (missing: {missing})" if missing and required else "")
                + "."
            )
        return [given.get(name) for name in names]
    if isinstance(given, (list, tuple)):
        if len(given) != len(names):
            raise InvalidValueError(
                f"{where}: {what} has {len(given)} entries, but the model has {len(names)} outputs {names}; give "
                "one per output, or one for all."
            )
        return list(given)
    return [given] * len(names)


def _fresh(loss: Loss, index: int) -> Loss:
    """Each output gets a loss object of its own: a loss keeps the memory of its last call."""
    return loss if index == 0 else copy.deepcopy(loss)


def _fusable(activation: Activation | None, loss: Loss) -> bool:
    if getattr(loss, "from_logits", True):
        return False
    if isinstance(activation, Sigmoid):
        return isinstance(loss, BinaryCrossentropy)
    if isinstance(activation, Softmax):
        return activation.axis == -1 and isinstance(loss, CategoricalCrossentropy)
    return False
