"""``RecurrentCall``: how a recurrent layer is called with initial states and returns its final ones.

SimpleRNN, LSTM, GRU and Bidirectional share Keras's call convention:

- ``layer(x)`` runs from zero states; ``layer(x, initial_state=[h0, c0])`` (or
  ``layer([x, h0, c0])``, the same call) from the given ones. ``__call__``
  packs the states with the sequence into one list of inputs, so the call
  works alike on arrays and on symbolic tensors: in a graph the states are
  inputs of the node, and their gradients flow back to whatever made them;
- ``return_state=True`` makes the output a list ``[output, *final_states]``,
  and ``backward`` then takes a list of gradients, one per output (``None``
  for an output that reaches no loss);
- ``backward`` returns ``dx`` for a call on the sequence alone, and the list
  ``[dx, *d_initial_states]`` for a call with initial states.

A layer is built for the sequence's shape alone: the same layer may be called
with or without initial states, which must have the shapes ``state_shapes()``
names.
"""

from __future__ import annotations

from typing import Any

from .._shapes import describe_shape
from ..errors import InvalidTypeError, ShapeError
from ..layer import Array, Layer, Shape

__all__ = ["RecurrentCall"]


class RecurrentCall(Layer):
    """Base of the layers called on a sequence and, optionally, its initial states (see the module docstring).

    A subclass sets ``return_state`` and writes ``state_shapes``; its ``forward``
    reads its input with :meth:`split_inputs` and its ``backward`` its gradient
    with :meth:`split_grads`.
    """

    #: Whether the output is ``[output, *final_states]`` rather than ``output`` alone.
    return_state: bool = False
    #: Whether the output is every step's, ``(batch, timesteps, units)``, rather than the last step's.
    return_sequences: bool = False
    #: Its compute_mask passes the sequence's mask on, or ends it; it never makes one.
    creates_mask = False

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """A sequence output keeps the sequence's mask (Keras's rule); a last-step output and the states have none."""
        sequence_mask = mask[0] if isinstance(mask, list) else mask
        output_mask = sequence_mask if self.return_sequences else None
        return [output_mask] + [None] * len(self.state_shapes()) if self.return_state else output_mask

    def state_shapes(self) -> list[Shape]:
        """The per-sample shapes of the states the layer starts from (and returns with ``return_state``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement state_shapes().")

    def __call__(self, x: Any, training: bool = False, initial_state: Any = None, **options: Any) -> Any:
        """Keras's ``layer(x, initial_state=states)``: ``layer([x, *states])``; without states, ``layer(x)``."""
        if initial_state is not None:
            if isinstance(x, (list, tuple)):
                raise InvalidTypeError(
                    f"{self._label()}: pass the initial states once, either as initial_state= or after the "
                    "sequence in a list [x, *states], not both."
                )
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            x = [x, *states]
        return super().__call__(x, training=training, **options)

    # ------------------------------------------------------------------ shapes: the sequence's builds the layer
    def sequence_shape(self, input_shape: Any) -> Shape:
        """The sequence's per-sample shape; in a list of shapes, the others are checked against ``state_shapes()``."""
        if not isinstance(input_shape, list):
            return tuple(input_shape)
        wanted = self.state_shapes()
        states = [tuple(shape) for shape in input_shape[1:]]
        if states != wanted:
            raise ShapeError(
                f"{self._label()}: takes a sequence and {len(wanted)} initial state(s) of per-sample shapes "
                f"{describe_shape(wanted)}, received {describe_shape(states)} after the sequence. "
                "Pass initial_state=[...] with one (batch, units) array per state."
            )
        return tuple(input_shape[0])

    def ensure_built(self, input_shape: Any) -> None:
        """Build for the sequence's shape; the initial states' shapes, if any, are checked first."""
        super().ensure_built(self.sequence_shape(self._check_shape(input_shape)))

    def check_input_shape(self, input_shape: Any) -> None:
        super().check_input_shape(self.sequence_shape(input_shape))

    # ------------------------------------------------------------------ what forward and backward read
    @staticmethod
    def split_inputs(x: Any) -> tuple[Array, list[Array]]:
        """The sequence and the list of initial states (empty when none were given)."""
        if isinstance(x, (list, tuple)):
            return x[0], list(x[1:])
        return x, []

    def pack_outputs(self, output: Array, states: list[Array]) -> Any:
        """``[output, *states]`` with ``return_state``, else ``output``."""
        return [output, *states] if self.return_state else output

    def split_grads(self, grad: Any, count: int) -> tuple[Array | None, list[Array | None]]:
        """dL/d(output) and dL/d(each of ``count`` final states) from ``grad``; ``None`` where there is none."""
        if not self.return_state:
            return grad, [None] * count
        parts = list(grad) if isinstance(grad, (list, tuple)) else [grad]
        if len(parts) != 1 + count:
            raise InvalidTypeError(
                f"{self._label()}: with return_state=True backward takes a list of {1 + count} gradients "
                f"(the output's, then each final state's), received {len(parts)}."
            )
        return parts[0], parts[1:]
