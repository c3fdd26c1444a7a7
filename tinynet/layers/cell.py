"""``RNNCell``: one step of a recurrent network, forward and backward; :class:`~tinynet.layers.rnn.RNN` runs the steps.

A cell is what Keras calls an RNN cell: the computation of a single time step,
``(x_t, states) -> (output, new_states)``, with ``state_size`` and ``output_size``.
In tinynet a cell also owns that step's derivative. The contract:

- ``state_size``: an int (one state ``(batch, state_size)``) or a list of them
  (LSTM's ``[units, units]`` for ``h`` and ``c``); ``output_size`` (default: the
  first state's size).
- ``forward_step(x_t, states) -> (output, new_states)`` computes one step and
  remembers what its backward needs with ``self.remember_step(...)``.
- ``backward_step(d_output, d_states) -> (dx_t, d_prev_states)`` undoes the step
  whose memory ``self.recall_step(...)`` returns: given dL/d(output) and
  dL/d(each new state) it returns dL/d(x_t) and dL/d(each previous state), and
  **adds** the step's share to each parameter's ``.grad`` (whoever runs the cell
  sets the gradients to zero before the last step's backward).
- optionally ``project(x) -> zx`` and ``project_backward(x, dzx) -> dx``: the
  input's share of every step at once, ``x @ kernel + bias`` for
  ``(batch, timesteps, features)`` in one matmul before the loop, and its mirror
  after the loop (adding to the kernel's ``.grad``). ``forward_step`` then receives
  ``zx[:, t]`` instead of ``x[:, t]``, and ``dx_t`` is dL/d(zx[:, t]). By default
  there is no projection: ``project`` returns ``x`` and ``project_backward`` ``dzx``.

``RNN(cell)`` calls ``start_steps`` before the first step, ``run_step`` for each
step in order and ``run_backward_step(t, ...)`` for each in reverse (the two
drivers keep one memory per step, so ``recall_step`` reads the step being undone).

Called on its own, a cell is a layer of one step: ``cell([x_t, *states])``
returns ``[output, *new_states]`` (a cell called on ``x_t`` alone starts from
zero states), and its ``backward`` takes one gradient per output and returns
``[dx_t, *d_states]`` (``dx_t`` alone for a call on ``x_t``), so
``tn.testing.check_gradients`` proves a cell by itself, or inside ``RNN``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._shapes import describe_shape
from ..errors import CallOrderError, InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape

__all__ = ["RNNCell", "flat_state_sizes"]


def flat_state_sizes(state_size: Any, owner: str = "RNN") -> list[int]:
    """The size of each state, in order: ``4`` gives ``[4]``, ``[[4, 4], 8]`` (a stack of cells) ``[4, 4, 8]``."""
    if isinstance(state_size, (list, tuple)):
        return [size for part in state_size for size in flat_state_sizes(part, owner)]
    if isinstance(state_size, (int, np.integer)) and not isinstance(state_size, bool) and state_size >= 1:
        return [int(state_size)]
    raise InvalidValueError(
        f"{owner}: a cell's state_size must be a positive int or a list of them (one per state), "
        f"received {state_size!r}."
    )


class RNNCell(Layer):
    """Base of a recurrent cell: one time step and its backward (see the module docstring for the contract).

    Subclass it, set ``self.state_size`` (and ``self.output_size`` if the output is not
    the first state) in ``__init__``, create parameters in ``build(input_shape)`` (the
    per-sample shape of one step's input, ``(features,)``), and write ``forward_step``
    and ``backward_step``; :class:`~tinynet.layers.rnn.RNN` does the rest.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> class MinimalRNNCell(tn.layers.RNNCell):
    ...     '''h = tanh(x_t @ kernel + h_prev @ recurrent_kernel): output and state.'''
    ...     def __init__(self, units, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.units = self.state_size = units
    ...     def build(self, input_shape):
    ...         self.kernel = self.add_parameter("kernel", (input_shape[-1], self.units), "glorot_uniform")
    ...         self.recurrent_kernel = self.add_parameter("recurrent_kernel", (self.units, self.units), "orthogonal")
    ...     def forward_step(self, x_t, states):
    ...         (h_prev,) = states
    ...         h = np.tanh(x_t @ self.kernel.value + h_prev @ self.recurrent_kernel.value)
    ...         self.remember_step(x_t=x_t, h_prev=h_prev, h=h)
    ...         return h, [h]
    ...     def backward_step(self, d_output, d_states):
    ...         x_t, h_prev, h = self.recall_step("x_t", "h_prev", "h")
    ...         dz = (d_output + d_states[0]) * (1.0 - h * h)
    ...         self.kernel.grad += x_t.T @ dz
    ...         self.recurrent_kernel.grad += h_prev.T @ dz
    ...         return dz @ self.kernel.value.T, [dz @ self.recurrent_kernel.value.T]
    >>> layer = tn.layers.RNN(MinimalRNNCell(4), return_sequences=True)
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 5, 4)
    >>> tn.testing.check_gradients(layer, np.random.default_rng(0).normal(size=(2, 5, 3)))
    """

    #: The size of each state: an int, or a list of ints (one per state). Set by a subclass.
    state_size: Any = None
    #: The size of a step's output; ``None``: the first state's (see :meth:`output_width`).
    output_size: int | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._step = 0  # the step run_backward_step is undoing: recall_step reads its memory

    def output_width(self) -> int:
        """The size of a step's output: ``output_size`` when set, else the first state's size (Keras's rule)."""
        if self.output_size is not None:
            return int(self.output_size)
        return flat_state_sizes(self.state_size, self._label())[0]

    def state_shapes(self) -> list[Shape]:
        """The per-sample shape of each state, ``[(size,), ...]``."""
        return [(size,) for size in flat_state_sizes(self.state_size, self._label())]

    def get_initial_state(self, batch_size: int) -> list[Array]:
        """The states a run starts from when none are given: zeros, ``(batch_size, size)`` each (Keras's name)."""
        return [np.zeros((batch_size, *shape), dtype=self.dtype) for shape in self.state_shapes()]

    # ------------------------------------------------------------------ what a subclass writes
    def project(self, x: Array) -> Array:
        """The input's share of every step, ``(batch, timesteps, ...)``, before the loop; default: ``x`` itself."""
        return x

    def project_backward(self, x: Array, dzx: Array) -> Array:
        """Mirror of :meth:`project` after the loop: add its parameters' gradients, return dL/dx; default: ``dzx``."""
        return dzx

    def forward_step(self, x_t: Array, states: list[Array]) -> tuple[Array, list[Array]]:
        """One step: ``(output, new_states)`` from the step's (projected) input and the states before it."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward_step(x_t, states).")

    def backward_step(self, d_output: Array, d_states: list[Array]) -> tuple[Array, list[Array]]:
        """Undo one step: ``(dx_t, d_prev_states)``; add the step's share to each parameter's ``.grad``."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward_step(d_output, d_states).")

    # ------------------------------------------------------------------ one memory per step
    def start_steps(self, **arrays: Any) -> None:
        """Forget earlier steps before a run's first (keeping ``arrays`` with them); called by whoever runs the cell."""
        self.remember(steps=[], **arrays)

    def run_step(self, x_t: Array, states: list[Array]) -> tuple[Array, list[Array]]:
        """``forward_step`` with a fresh memory for the step (none under inference)."""
        if self.remembering:
            self._memory["steps"].append({})
        return self.forward_step(x_t, states)

    def run_backward_step(self, t: int, d_output: Array, d_states: list[Array]) -> tuple[Array, list[Array]]:
        """``backward_step`` of step ``t`` (0 the first step of the run): ``recall_step`` reads that step's memory."""
        self._step = t
        return self.backward_step(d_output, d_states)

    def remember_step(self, **arrays: Any) -> None:
        """Keep what the current step's ``backward_step`` needs (nothing under inference)."""
        if self.remembering:
            self._memory["steps"][-1].update(arrays)

    def recall_step(self, *names: str) -> tuple[Any, ...]:
        """What ``forward_step`` remembered for the step being undone, under ``names``."""
        (steps,) = self.recall("steps")
        memory = steps[self._step] if self._step < len(steps) else {}
        missing = [name for name in names if name not in memory]
        if missing:
            raise CallOrderError(
                f"{self._label()}: recall_step{tuple(missing)} for step {self._step}, but its forward_step "
                f"remembered only {sorted(memory)}. Call self.remember_step(...) in forward_step."
            )
        return tuple(memory[name] for name in names)

    # ------------------------------------------------------------------ called on its own: one step
    def ensure_built(self, input_shape: Any) -> None:
        """Build for one step's input shape; the states' shapes after it, if any, are checked first."""
        super().ensure_built(self._step_shape(self._check_shape(input_shape)))

    def check_input_shape(self, input_shape: Any) -> None:
        super().check_input_shape(self._step_shape(input_shape))

    def _step_shape(self, input_shape: Any) -> Shape:
        if not isinstance(input_shape, list):
            return tuple(input_shape)
        wanted, states = self.state_shapes(), [tuple(shape) for shape in input_shape[1:]]
        if states != wanted:
            raise ShapeError(
                f"{self._label()}: a step takes its input and {len(wanted)} state(s) of per-sample shapes "
                f"{describe_shape(wanted)}, received {describe_shape(states)} after the input."
            )
        return tuple(input_shape[0])

    def compute_output_shape(self, input_shape: Any) -> Any:
        self.ensure_built(input_shape)
        return [(self.output_width(),), *self.state_shapes()]

    def forward(self, x: Any, training: bool = False) -> Any:
        x_t, states = (x[0], list(x[1:])) if isinstance(x, (list, tuple)) else (x, [])
        given = bool(states)
        states = states or self.get_initial_state(len(x_t))
        zx = self.project(x_t[:, None])[:, 0]
        self.start_steps(x=x_t, given=given)
        output, new_states = self.run_step(zx, states)
        return [output, *[s.copy() if s is output else s for s in new_states]]

    def backward(self, grad: Any) -> Any:
        x_t, given = self.recall("x", "given")
        count = len(self.state_shapes())
        if not isinstance(grad, (list, tuple)) or len(grad) != 1 + count:
            raise InvalidTypeError(
                f"{self._label()}: backward takes a list of {1 + count} gradients (the output's, then each new "
                f"state's), received {len(grad) if isinstance(grad, (list, tuple)) else type(grad).__name__}."
            )
        d_output = np.zeros((len(x_t), self.output_width()), dtype=self.dtype) if grad[0] is None else grad[0]
        d_states = [
            np.zeros((len(x_t), *shape), dtype=self.dtype) if g is None else g
            for g, shape in zip(grad[1:], self.state_shapes(), strict=True)
        ]
        for p in self.parameters():
            p.grad = np.zeros_like(p.value)
        dzx, d_prev = self.run_backward_step(0, d_output, d_states)
        dx = self.project_backward(x_t[:, None], dzx[:, None])[:, 0]
        return [dx, *d_prev] if given else dx
