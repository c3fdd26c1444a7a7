"""``RNN``: Keras's generic recurrent layer, running any cell over the steps of a sequence (and back)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._layer_entries import layer_from_entry
from .._shapes import checked_shape
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Shape
from ..registry import register, serialize
from .cell import RNNCell, flat_state_sizes
from .recurrent_call import RecurrentCall
from .stacked_cells import StackedRNNCells

__all__ = ["RNN"]

#: Keras arguments RNN does not support yet: no state is kept between calls, and the loop is never unrolled.
_NOT_YET = ("stateful", "unroll")


@register
class RNN(RecurrentCall):
    """Run a cell over every step of a sequence: the loop, masks, initial states and directions, for any cell.

    Math (x of shape (batch, timesteps, features), reversed in time first with go_backwards; states
    start at the initial states given, or the cell's ``get_initial_state`` (zeros); with a mask, keep_t
    says which samples hold data at step t; grad = dL/dy, and dL/d(final states) with return_state)::

        forward    zx = cell.project(x)                              (every step at once: x @ kernel + bias)
                   y = 0
                   for t = 0 .. T-1:
                       out, new = cell.forward_step(zx[:, t], states)
                       states = new                              masked: where(keep_t, new, states)
                       y = out                                   masked: where(keep_t, out, y), or
                                                                 out * keep_t with zero_output_for_mask
                       ys[:, t] = y
                   output ys (return_sequences) or y;            return_state: [output, *states]
        backward   dstates = dL/d(final states) (return_state) or 0    dy = 0
                   for t = T-1 .. 0:
                       dout = grad[:, t] (return_sequences), or grad at the last step and 0 before
                       masked: dout, dy = where(keep_t, dout + dy, 0), where(keep_t, 0, dout + dy)
                               (zero_output_for_mask: dout = dout * keep_t)
                               dstates, skip = where(keep_t, dstates, 0), where(keep_t, 0, dstates)
                       dzx[:, t], dstates = cell.backward_step(dout, dstates)   (adds to the cell's .grad)
                       dstates = dstates + skip                  (masked)
                   dx = cell.project_backward(x, dzx)            (dkernel, dbias; dx = dzx @ kernel.T)
                   dx = dx[:, ::-1]                              (go_backwards: back in the input's order)
                   returns dx, then d(initial states) when they were given

    At a masked step (padding) the states are carried over unchanged, so the step's input changes
    nothing and gets no gradient; the output repeats the previous step's (zeros before the first kept
    step), or is zeros with ``zero_output_for_mask`` — the semantics of ``LSTM``, ``GRU`` and ``SimpleRNN``.

    Parameters
    ----------
    cell : RNNCell or list of RNNCell
        ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``, ``StackedRNNCells`` or a cell of yours
        (see :class:`~tinynet.layers.RNNCell`); a list is stacked with ``StackedRNNCells``.
    return_sequences : bool
        Return every step's output ``(batch, timesteps, output_size)`` instead of the last ``(batch, output_size)``.
    return_state : bool
        Return the list ``[output, *final_states]``: every state of the cell after the last step, flat.
    go_backwards : bool
        Run the steps from the last to the first; a sequence output is then in that order too (Keras's).
    zero_output_for_mask : bool
        With a mask, a masked step outputs zeros instead of repeating the previous output.
    **kwargs
        ``name``, ``dtype`` (the cell's by default; the cell is cast to a ``dtype`` given), ``trainable``,
        ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, timesteps, features)``, or with ``layer(x, initial_state=states)`` the list
    ``[x, *states]``, one ``(batch, size)`` per state in the cell's ``state_size``, flattened (for a stack,
    Keras's nested ``[[h_0, c_0], h_1]`` is taken too); output as for :class:`~tinynet.layers.LSTM`.
    The parameters are the cell's.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.RNN(tn.layers.LSTMCell(4), return_sequences=True)
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 5, 4)
    >>> lstm = tn.layers.LSTM(4, return_sequences=True)
    >>> lstm.ensure_built((5, 3)); lstm.set_weights(layer.get_weights())
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3))
    >>> bool(np.allclose(layer(x), lstm(x), atol=1e-6))   # the same numbers as the LSTM layer
    True
    """

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        label = f"RNN {kwargs.get('name', 'rnn')!r}"
        unsupported = sorted(set(kwargs) & set(_NOT_YET))
        if unsupported:
            raise InvalidValueError(
                f"{label}: {', '.join(unsupported)} not supported yet: RNN keeps no state between calls "
                "and runs its loop in NumPy. Remove the argument(s)."
            )
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        if not isinstance(cell, RNNCell):
            raise InvalidTypeError(
                f"{label}: cell must be a cell (SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells or a subclass "
                f"of tn.layers.RNNCell with forward_step and backward_step) or a list of them, "
                f"received {type(cell).__name__}."
            )
        flat_state_sizes(cell.state_size, f"{label}: {type(cell).__name__}")  # a bad state_size fails here
        kwargs.setdefault("dtype", cell.dtype)
        super().__init__(**kwargs)
        self.cell = cell
        if cell.dtype != self.dtype:
            cell.astype(self.dtype)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)

    def state_shapes(self) -> list[Shape]:
        return self.cell.state_shapes()

    def __call__(self, x: Any, training: bool = False, initial_state: Any = None, **options: Any) -> Any:
        """As the recurrent layers' (``initial_state=`` or ``[x, *states]``); nested states are flattened."""
        if isinstance(initial_state, (list, tuple)):
            initial_state = _flat(initial_state)
        return super().__call__(x, training=training, initial_state=initial_state, **options)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 2 or (input_shape[0] is not None and input_shape[0] < 1):
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, timesteps, features) with timesteps >= 1 "
                f"(or None, any number), received per-sample shape {tuple(input_shape)}. "
                "For one feature per step pass x[..., None]; for a single sequence pass x[None]."
            )
        self.cell.ensure_built(tuple(input_shape[1:]))

    def compute_output_shape(self, input_shape: Any) -> Any:
        self.ensure_built(input_shape)
        timesteps = self.sequence_shape(self._check_shape(input_shape))[0]  # None: as many as the input has
        width = self.cell.output_width()
        output = (timesteps, width) if self.return_sequences else (width,)
        return [output, *self.state_shapes()] if self.return_state else output

    # ------------------------------------------------------------------ the loop and its mirror
    def forward(self, x: Any, training: bool = False, mask: Any = None) -> Any:
        cell = self.cell
        sequence, states = self.split_inputs(x)
        given = bool(states)
        keep = None
        if isinstance(mask, list):  # called on [x, *states]: the sequence's mask comes first
            mask = mask[0]
        if mask is not None:
            keep = np.asarray(mask, dtype=bool).reshape(*sequence.shape[:2], 1)
            keep = keep[:, ::-1] if self.go_backwards else keep
        if self.go_backwards:
            sequence = np.ascontiguousarray(sequence[:, ::-1])
        n, steps = sequence.shape[:2]
        states = states or cell.get_initial_state(n)
        zx = cell.project(sequence)
        cell.start_steps()
        width, zero_output = cell.output_width(), self.zero_output_for_mask
        ys = np.empty((n, steps, width), dtype=sequence.dtype) if self.return_sequences else None
        y = np.zeros((n, width), dtype=sequence.dtype)
        for t in range(steps):
            out, new = cell.run_step(zx[:, t], states)
            if keep is None:
                states, y = list(new), out
            else:
                kept = keep[:, t]
                states = [np.where(kept, s_new, s) for s_new, s in zip(new, states, strict=True)]
                y = out * kept if zero_output else np.where(kept, out, y)
            if ys is not None:
                ys[:, t] = y
        self.remember(sequence=sequence, keep=keep, given=given)
        output = ys if ys is not None else y.copy()  # a copy: y may be the cell's memory (SimpleRNN's h)
        return [output, *[s.copy() for s in states]] if self.return_state else output

    def backward(self, grad: Any) -> Any:
        cell = self.cell
        sequence, keep, given = self.recall("sequence", "keep", "given")
        n, steps = sequence.shape[:2]
        g_output, g_states = self.split_grads(grad, len(self.state_shapes()))
        zeros = np.zeros((n, cell.output_width()), dtype=sequence.dtype)
        d_states = [
            np.zeros((n, *shape), dtype=sequence.dtype) if g is None else g
            for g, shape in zip(g_states, self.state_shapes(), strict=True)
        ]
        for p in cell.parameters():
            p.grad = np.zeros_like(p.value)
        dzx: Any = None  # (batch, timesteps, ...) like zx: made at the last step, when dx_t's shape is known
        dy = zeros  # the gradient a masked step passes to the output it repeats
        for t in reversed(range(steps)):
            if g_output is None:
                d_out = zeros
            elif self.return_sequences:
                d_out = g_output[:, t]
            else:
                d_out = g_output if t == steps - 1 else zeros
            skips = None
            if keep is not None:
                kept = keep[:, t]
                if self.zero_output_for_mask:
                    d_out = d_out * kept
                else:
                    d_out = d_out + dy
                    d_out, dy = np.where(kept, d_out, 0.0), np.where(kept, 0.0, d_out)
                skips = [np.where(kept, 0.0, d) for d in d_states]
                d_states = [np.where(kept, d, 0.0) for d in d_states]
            dx_t, d_prev = cell.run_backward_step(t, d_out, d_states)
            d_states = list(d_prev) if skips is None else [d + s for d, s in zip(d_prev, skips, strict=True)]
            if dzx is None:
                dzx = np.empty((n, steps, *dx_t.shape[1:]), dtype=dx_t.dtype)
            dzx[:, t] = dx_t
        dx = cell.project_backward(sequence, dzx)
        if self.go_backwards:
            dx = np.ascontiguousarray(dx[:, ::-1])
        return [dx, *d_states] if given else dx

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "cell": serialize(self.cell),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "zero_output_for_mask": self.zero_output_for_mask,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> RNN:
        """A new, unbuilt layer around a cell made from ``config["cell"]`` by the registry (or ``custom_objects``)."""
        config = dict(config)
        cell = layer_from_entry(config.pop("cell", None), custom_objects, "RNN.from_config", "'cell'", "must be")
        if "input_shape" in config and config["input_shape"] is not None:
            config["input_shape"] = checked_shape(cls.__name__, config["input_shape"])
        return cls(cell, **config)


def _flat(states: Any) -> list[Any]:
    """Keras's nested initial states of a stack (``[[h_0, c_0], h_1]``) as one flat list."""
    return [s for part in states for s in (_flat(part) if isinstance(part, (list, tuple)) else [part])]
