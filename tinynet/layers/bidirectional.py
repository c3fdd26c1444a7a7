"""``Bidirectional``: a recurrent layer run over the sequence both ways, its two outputs merged (Keras's wrapper)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._layer_entries import layer_from_entry
from .._shapes import checked_shape
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Shape
from ..registry import register, serialize
from .recurrent import Recurrent
from .recurrent_call import RecurrentCall
from .rnn import RNN

__all__ = ["Bidirectional"]

#: How the two directions' outputs combine; ``None`` returns both.
MERGE_MODES = ("concat", "sum", "mul", "ave", None)


@register
class Bidirectional(RecurrentCall):
    """Run a recurrent layer forwards and a copy of it backwards over the same sequence, and merge the two outputs.

    Math (x of shape (batch, timesteps, features); grad = dL/dy)::

        forward    y_f = forward_layer(x)                       the steps from the first to the last
                   y_b = backward_layer(x)                      go_backwards: from the last to the first
                   y_b = y_b[:, ::-1]                           with return_sequences: back in the input's order
                   concat  y = [y_f, y_b] along the last axis   sum  y = y_f + y_b
                   ave     y = (y_f + y_b) / 2                  mul  y = y_f * y_b
                   None    y = [y_f, y_b]
        backward   concat  g_f, g_b = grad[..., :units_f], grad[..., units_f:]
                   sum     g_f = g_b = grad                     ave  g_f = g_b = grad / 2
                   mul     g_f = grad * y_b    g_b = grad * y_f
                   g_b = g_b[:, ::-1]                           with return_sequences
                   dx = forward_layer.backward(g_f) + backward_layer.backward(g_b)

    With ``return_sequences`` step ``t`` of the output has read the whole
    sequence: ``y_f[:, t]`` the steps up to ``t``, ``y_b[:, t]`` those from ``t``
    on. Without it, the two final states are merged: each has read every step.

    As in Keras, ``layer`` itself is not used: ``forward_layer`` is a copy made
    from its config (named ``"forward_" + layer.name``) and, unless
    ``backward_layer`` is given, ``backward_layer`` another with
    ``go_backwards=True`` (``"backward_" + layer.name``). Each has weights of its
    own, freshly initialized; ``get_weights()`` lists the forward layer's, then
    the backward layer's. ``return_sequences`` and ``return_state`` are
    ``layer``'s; with ``return_state`` the output is ``[y, *forward_states,
    *backward_states]`` (``[y_f, y_b, *states]`` when ``merge_mode=None``), and a
    call's ``initial_state`` lists the forward layer's states, then the backward
    layer's.

    Parameters
    ----------
    layer : SimpleRNN, LSTM, GRU or RNN
        The recurrent layer whose config both directions copy.
    merge_mode : {"concat", "sum", "mul", "ave", None}
        How to combine the two outputs; ``None`` returns both as a list.
    backward_layer : SimpleRNN, LSTM, GRU or RNN, optional
        The layer for the backward direction, used as given (Keras's
        semantics): its ``go_backwards`` must differ from ``layer``'s, its
        ``return_sequences`` and ``return_state`` match them.
    **kwargs
        ``name``, ``dtype`` (``layer``'s by default; both copies are cast to a
        ``dtype`` given), ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, timesteps, features)``; output the wrapped layer's, with
    ``units_f + units_b`` features for ``"concat"``. No parameters of its own.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.Bidirectional(tn.layers.LSTM(4, return_sequences=True))
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 5, 8)
    >>> [w.shape for w in layer.get_weights()]  # forward layer's, then backward layer's
    [(3, 16), (4, 16), (16,), (3, 16), (4, 16), (16,)]
    >>> layer.forward_layer.name.startswith("forward_"), layer.backward_layer.go_backwards
    (True, True)
    >>> tn.layers.Bidirectional(tn.layers.GRU(4), merge_mode="sum")(np.ones((2, 5, 3))).shape
    (2, 4)
    """

    def __init__(
        self,
        layer: Recurrent | RNN,
        merge_mode: str | None = "concat",
        backward_layer: Recurrent | RNN | None = None,
        **kwargs: Any,
    ) -> None:
        label = f"Bidirectional {kwargs.get('name', 'bidirectional')!r}"
        for what, given in (("layer", layer), ("backward_layer", backward_layer)):
            if given is not None and not isinstance(given, (Recurrent, RNN)):
                raise InvalidTypeError(
                    f"{label}: {what} must be a recurrent layer (SimpleRNN, LSTM, GRU, RNN), "
                    f"received {type(given).__name__}."
                )
        if merge_mode not in MERGE_MODES:
            raise InvalidValueError(
                f"{label}: merge_mode must be one of 'concat', 'sum', 'mul', 'ave' or None, received {merge_mode!r}."
            )
        kwargs.setdefault("dtype", layer.dtype)
        super().__init__(**kwargs)
        self.forward_layer = _copy(layer, "forward_", go_backwards=layer.go_backwards)
        self.backward_layer = _copy(layer, "backward_", go_backwards=True) if backward_layer is None else backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = self.forward_layer.return_sequences
        self.return_state = self.forward_layer.return_state
        self._check_directions()
        for inner in (self.forward_layer, self.backward_layer):
            if inner.dtype != self.dtype:
                inner.astype(self.dtype)
            # With a mask, a masked step's outputs are zeros in both directions (Keras forces this too):
            # repeating "the previous output" would mean different steps to the two directions.
            inner.zero_output_for_mask = inner.return_sequences

    def _check_directions(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise InvalidValueError(
                f"{self._label()}: the forward and backward layers both have go_backwards={forward.go_backwards}; "
                "the backward layer must run the other way."
            )
        for attribute in ("return_sequences", "return_state"):
            if getattr(forward, attribute) != getattr(backward, attribute):
                raise InvalidValueError(
                    f"{self._label()}: the forward layer has {attribute}={getattr(forward, attribute)} and the "
                    f"backward layer {attribute}={getattr(backward, attribute)}; they must agree."
                )

    def state_shapes(self) -> list[Shape]:
        return [*self.forward_layer.state_shapes(), *self.backward_layer.state_shapes()]

    # ------------------------------------------------------------------ building
    def build(self, input_shape: Shape) -> None:
        self.forward_layer.ensure_built(input_shape)
        self.backward_layer.ensure_built(input_shape)
        forward, backward = (
            self._output_shape(inner, input_shape) for inner in (self.forward_layer, self.backward_layer)
        )
        if self.merge_mode not in ("concat", None) and forward != backward:
            raise ShapeError(
                f"{self._label()}: merge_mode={self.merge_mode!r} needs outputs of one shape; the forward layer "
                f"gives {forward} and the backward layer {backward}. Give both the same units, or use 'concat'."
            )

    def _output_shape(self, inner: Recurrent | RNN, input_shape: Shape) -> Shape:
        shape = inner.compute_output_shape(input_shape)
        return tuple(shape[0] if self.return_state else shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        self.ensure_built(input_shape)
        sequence = self.input_shape or ()
        forward, backward = (
            self._output_shape(self.forward_layer, sequence),
            self._output_shape(self.backward_layer, sequence),
        )
        if self.merge_mode is None:
            outputs = [forward, backward]
        elif self.merge_mode == "concat":
            outputs = [(*forward[:-1], forward[-1] + backward[-1])]
        else:
            outputs = [forward]
        if self.return_state:
            return [*outputs, *self.state_shapes()]
        return outputs if self.merge_mode is None else outputs[0]

    # ------------------------------------------------------------------ running
    def forward(self, x: Any, training: bool = False, mask: Any = None) -> Any:
        sequence, states = self.split_inputs(x)
        forward, backward = self.forward_layer, self.backward_layer
        half = len(forward.state_shapes())
        # the sequence's mask, if any: each direction reads it in its own step order
        masked = {} if mask is None else {"mask": mask[0] if isinstance(mask, list) else mask}
        y_f = forward.forward(
            [sequence, *states[:half]] if states else sequence, training and forward.trainable, **masked
        )
        y_b = backward.forward(
            [sequence, *states[half:]] if states else sequence, training and backward.trainable, **masked
        )
        final: list[Array] = []
        if self.return_state:
            (y_f, *final_f), (y_b, *final_b) = y_f, y_b
            final = [*final_f, *final_b]
        if self.return_sequences:
            y_b = np.ascontiguousarray(y_b[:, ::-1])
        self.remember(y_f=y_f, y_b=y_b, given=bool(states))
        mode = self.merge_mode
        if mode is None:
            return [y_f, y_b, *final] if self.return_state else [y_f, y_b]
        if mode == "concat":
            y = np.concatenate([y_f, y_b], axis=-1)
        elif mode == "sum":
            y = y_f + y_b
        elif mode == "ave":
            y = (y_f + y_b) * 0.5
        else:
            y = y_f * y_b
        return self.pack_outputs(y, final)

    def backward(self, grad: Any) -> Any:
        y_f, y_b, given = self.recall("y_f", "y_b", "given")
        forward, backward = self.forward_layer, self.backward_layer
        merged = 2 if self.merge_mode is None else 1
        expected = merged + (len(self.state_shapes()) if self.return_state else 0)
        if expected == 1:
            parts = [grad]
        elif isinstance(grad, (list, tuple)) and len(grad) == expected:
            parts = list(grad)
        else:
            received = f"a list of {len(grad)}" if isinstance(grad, (list, tuple)) else type(grad).__name__
            raise InvalidTypeError(
                f"{self._label()}: backward takes a list of {expected} gradients, one per output, received {received}."
            )
        g_f, g_b = self._unmerge(parts[:merged], y_f, y_b)
        if self.return_sequences and g_b is not None:
            g_b = g_b[:, ::-1]
        half = len(forward.state_shapes())
        states = parts[merged:]
        dx_f = forward.backward([g_f, *states[:half]] if self.return_state else g_f)
        dx_b = backward.backward([g_b, *states[half:]] if self.return_state else g_b)
        if given:
            return [dx_f[0] + dx_b[0], *dx_f[1:], *dx_b[1:]]
        return dx_f + dx_b

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """As a recurrent layer's; with ``merge_mode=None`` each of the two outputs has the sequence's mask."""
        output_mask = super().compute_mask(x, mask)
        if self.merge_mode is not None:
            return output_mask
        parts = output_mask if self.return_state else [output_mask]
        return [parts[0], parts[0], *parts[1:]] if self.return_state else [parts[0], parts[0]]

    def _unmerge(self, grads: list[Any], y_f: Array, y_b: Array) -> tuple[Any, Any]:
        """The gradients of ``y_f`` and ``y_b`` (``y_b`` in the input's step order) from the merged output's."""
        mode = self.merge_mode
        if mode is None:
            return grads[0], grads[1]
        (g,) = grads
        if g is None:
            return None, None
        if mode == "concat":
            width = y_f.shape[-1]
            return g[..., :width], g[..., width:]
        if mode == "sum":
            return g, g
        if mode == "ave":
            return g * 0.5, g * 0.5
        return g * y_b, g * y_f

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "layer": serialize(self.forward_layer),
            "merge_mode": self.merge_mode,
            "backward_layer": serialize(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> Bidirectional:
        """A new, unbuilt wrapper around layers made from ``config["layer"]`` and ``config["backward_layer"]``.

        The layers are made through the registry only; ``custom_objects`` finds a layer class of yours.
        """
        config = dict(config)
        layer = layer_from_entry(
            config.pop("layer", None), custom_objects, "Bidirectional.from_config", "'layer'", "must be"
        )
        backward_entry = config.pop("backward_layer", None)
        if backward_entry is not None:
            config["backward_layer"] = layer_from_entry(
                backward_entry, custom_objects, "Bidirectional.from_config", "'backward_layer'", "must be"
            )
        if "input_shape" in config and config["input_shape"] is not None:
            config["input_shape"] = checked_shape(cls.__name__, config["input_shape"])
        return cls(layer, **config)  # type: ignore[arg-type]  # a Layer that is not recurrent is refused there


def _copy(layer: Recurrent | RNN, prefix: str, go_backwards: bool) -> Recurrent | RNN:
    """A new, unbuilt layer from ``layer``'s config, named ``prefix + name`` (once) and running as ``go_backwards``."""
    name = layer.name.removeprefix(prefix)
    copy: Any = type(layer).from_config({**layer.get_config(), "name": prefix + name, "go_backwards": go_backwards})
    return copy
