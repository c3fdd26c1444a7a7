"""``Recurrent``: what SimpleRNN, LSTM and GRU share — arguments, parameters, the input projection, the states.

Each of the three layers lives in its own module (``simple_rnn.py``, ``lstm.py``,
``gru.py``) and writes its own ``forward`` and ``backward``: a loop over the time
steps and its mirror, backpropagation through time. What they share is here:

- the Keras arguments and ``get_config``; parameters ``kernel (features, gates * units)``,
  ``recurrent_kernel (units, gates * units)`` and ``bias`` in Keras's layout;
- ``project``: the input's share of every step's pre-activations, ``x @ kernel (+ bias)``,
  computed for all steps in one matmul before the loop, and its mirror
  ``project_backward``, which turns the stacked ``dzx`` of all steps into ``dkernel``
  and ``dx`` with one matmul each after the loop;
- ``start`` / ``finish`` and their mirrors ``step_grads`` / ``inputs_grad``: the
  sequence in the order the steps run (reversed with ``go_backwards``), the initial
  states (given, or zeros), the output with the final states (``return_state``), and
  on the way back the gradients of the final states and of the initial ones;
- masks (see :mod:`tinynet._masking`): ``forward(x, mask=...)`` with ``mask (batch,
  timesteps)``: at a masked step every state is carried over unchanged (``carry``), so
  the step's input changes nothing and gets no gradient; the step's output repeats the
  previous output (zeros before the first kept step), or is zeros with
  ``zero_output_for_mask``, as in Keras. On the way back ``through`` splits a step's
  state gradient into the cell's share and the share that skips a masked step;
- ``act_forward`` / ``act_backward``: an activation applied once per step. An
  ``Activation`` remembers only its last call, so ``act_forward`` returns each step's
  memory alongside the output and ``act_backward`` hands it back for that step's backward.

Inputs are ``(batch, timesteps, features)``, and optionally the initial states
(see :mod:`tinynet.layers.recurrent_call`). Outputs are the last state ``(batch, units)``,
or every state ``(batch, timesteps, units)`` with ``return_sequences=True``; with
``return_state=True``, followed by the final states. A layer is built for one
``(timesteps, features)``.
"""

from __future__ import annotations

import copy
from typing import Any, cast

import numpy as np

from .. import activations, initializers, regularizers
from .._validation import integer
from ..activation import Activation
from ..activations import Sigmoid, Tanh
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Shape
from ..registry import serialize
from .recurrent_call import RecurrentCall

__all__ = ["Recurrent", "act_forward", "act_backward"]

#: Keras arguments tinynet's recurrent layers do not support yet: no state is kept between calls, no dropout.
_NOT_YET = ("stateful", "unroll", "dropout", "recurrent_dropout")


def act_forward(activation: Activation, z: Array) -> tuple[Array, Any]:
    """``activation(z)`` for one time step, and that step's memory for :func:`act_backward`.

    Tanh and Sigmoid, the defaults, are computed here and differentiated from ``y`` alone; sigmoid
    in its tanh form ``0.5 * tanh(0.5 * z) + 0.5`` — the same function, bounded and overflow-free
    for every ``z``, in four passes over the array where ``_numerics.sigmoid`` makes seven. Its
    error is a rounding of 0.5 rather than relative to a tiny ``y``, which is all a gate
    multiplying bounded states needs. Any other activation runs its own ``forward``, and its
    memory is kept.
    """
    kind = type(activation)
    if kind is Tanh:
        y = np.tanh(z)
        return y, y
    if kind is Sigmoid:
        y = 0.5 * np.tanh(0.5 * z) + 0.5
        return y, y
    y = activation.forward(z)
    return y, activation._memory


def act_backward(activation: Activation, memory: Any, dy: Array) -> Array:
    """dL/dz of one time step, given dL/dy and the memory :func:`act_forward` returned for the step."""
    kind = type(activation)
    if kind is Tanh:
        return dy * (1.0 - memory * memory)
    if kind is Sigmoid:
        return dy * memory * (1.0 - memory)
    activation._memory = memory
    return activation.backward(dy)


class Recurrent(RecurrentCall):
    """Base of :class:`SimpleRNN`, :class:`LSTM` and :class:`GRU`; subclasses set ``gates`` and write the loops.

    Parameters
    ----------
    units : int
        Size of the state ``h`` (and of the output).
    activation, recurrent_activation : str, Activation or None
        Keras's defaults ``"tanh"`` and ``"sigmoid"``; ``None`` means linear. Each becomes a
        sub-layer (``self.activation``, ``self.recurrent_activation``), applied step by step.
    use_bias : bool
    kernel_initializer, recurrent_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"``, ``"orthogonal"`` and ``"zeros"`` by default, as in Keras.
    kernel_regularizer, recurrent_regularizer, bias_regularizer : str or regularizer, optional
    return_sequences : bool
        Return every step's state ``(batch, timesteps, units)`` instead of the last ``(batch, units)``.
    return_state : bool
        Return the list ``[output, *final_states]``: ``h`` (and LSTM's ``c``) after the last step.
    go_backwards : bool
        Run the steps from the last to the first; a sequence output is then in that order too (Keras's).
    zero_output_for_mask : bool
        With a mask, a masked step outputs zeros instead of repeating the previous output (Keras's option).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).
    """

    #: Blocks of ``units`` columns in ``kernel`` and ``recurrent_kernel``: 1 (SimpleRNN), 4 (LSTM), 3 (GRU).
    gates: int = 1
    #: The states a step carries to the next, each ``(batch, units)``: ``h`` (and LSTM's ``c``).
    state_names: tuple[str, ...] = ("h",)

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        unsupported = sorted(set(kwargs) & set(_NOT_YET))
        if unsupported:
            raise InvalidValueError(
                f"{type(self).__name__}: {', '.join(unsupported)} not supported yet: recurrent layers keep no state "
                "between calls and apply no dropout. Remove the argument(s)."
            )
        super().__init__(**kwargs)
        self.units = integer(units, self._label(), "units", minimum=1)
        self.activation = self._activation(activation)
        self.recurrent_activation = None if recurrent_activation is None else self._activation(recurrent_activation)
        if self.recurrent_activation is self.activation:  # one instance passed twice: give each role its own
            self.recurrent_activation = copy.deepcopy(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)

    def _activation(self, identifier: Any) -> Activation:
        activation = cast(Activation, activations.get(identifier) if identifier is not None else activations.Linear())
        activation.astype(self.dtype)
        return activation

    # ------------------------------------------------------------------ parameters
    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 2 or (input_shape[0] is not None and input_shape[0] < 1):
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, timesteps, features) with timesteps >= 1 "
                "(or None, any number), "
                f"received per-sample shape {tuple(input_shape)} (a batch of rank {len(input_shape) + 1}). "
                "For one feature per step pass x[..., None]; for a single sequence pass x[None]."
            )
        width = self.gates * self.units
        self.kernel = self.add_parameter(
            "kernel", (input_shape[1], width), self.kernel_initializer, regularizer=self.kernel_regularizer
        )
        self.recurrent_kernel = self.add_parameter(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer, regularizer=self.recurrent_regularizer
        )
        self.bias = (
            self.add_parameter("bias", self.bias_shape(), self.bias_init(), regularizer=self.bias_regularizer)
            if self.use_bias
            else None
        )

    def bias_shape(self) -> Shape:
        return (self.gates * self.units,)

    def bias_init(self) -> Any:
        return self.bias_initializer

    def state_shapes(self) -> list[Shape]:
        return [(self.units,)] * len(self.state_names)

    def compute_output_shape(self, input_shape: Any) -> Any:
        self.ensure_built(input_shape)
        timesteps = self.sequence_shape(self._check_shape(input_shape))[0]  # None: as many as the input has
        output = (timesteps, self.units) if self.return_sequences else (self.units,)
        return [output, *self.state_shapes()] if self.return_state else output

    # ------------------------------------------------------------------ shared halves of forward and backward
    def project(self, x: Array, bias: Array | None) -> Array:
        """``zx = x @ kernel + bias`` for every step at once: ``(batch, timesteps, gates * units)``."""
        n, t, f = x.shape
        zx = (x.reshape(n * t, f) @ self.kernel.value).reshape(n, t, -1)
        if bias is not None:
            zx += bias
        return zx

    def project_backward(self, x: Array, dzx: Array) -> Array:
        """Set ``kernel.grad = x.T @ dzx`` (summed over batch and time) and return ``dx = dzx @ kernel.T``."""
        n, t, f = x.shape
        dzx2 = dzx.reshape(n * t, -1)
        self.kernel.grad = x.reshape(n * t, f).T @ dzx2
        return (dzx2 @ self.kernel.value.T).reshape(n, t, f)

    def start(self, x: Any, mask: Any = None) -> tuple[Array, list[Array], bool, Array | None]:
        """The sequence in the order the steps run, the initial states (zeros unless given), whether given,
        and the mask in that order as ``(batch, timesteps, 1)`` booleans (``None`` without a mask)."""
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
        if not states:
            zeros = np.zeros((sequence.shape[0], self.units), dtype=sequence.dtype)
            states = [zeros] * len(self.state_names)
        return sequence, states, given, keep

    @staticmethod
    def carry(keep: Array | None, t: int, new: Array, old: Array) -> Array:
        """A state after step ``t``: ``new`` where the step is kept, ``old`` (carried over) where masked."""
        return new if keep is None else np.where(keep[:, t], new, old)

    @staticmethod
    def through(keep: Array | None, t: int, grad: Array) -> tuple[Array, Array | None]:
        """dL/d(state after step t) split: the cell's share (kept samples) and the share that skips the step."""
        if keep is None:
            return grad, None
        return np.where(keep[:, t], grad, 0.0), np.where(keep[:, t], 0.0, grad)

    def shown(self, keep: Array | None, dtype: Any) -> Array | None:
        """Which steps' states the outputs show, as 0/1 in ``dtype`` (``None`` without a mask): the steps at or
        after the first kept one (a masked step repeats the previous output, zeros before any), or with
        ``zero_output_for_mask`` the kept steps alone."""
        if keep is None:
            return None
        return (keep if self.zero_output_for_mask else np.logical_or.accumulate(keep, axis=1)).astype(dtype)

    def finish(self, hs: Array, *others: Array, shown: Array | None = None) -> Any:
        """Every step's output with ``return_sequences``, else the last; with ``return_state``, then h and ``others``.

        Without a mask the outputs are the states ``hs``; with one, ``hs * shown`` (see :meth:`shown`).
        """
        if self.return_sequences:
            output = hs if shown is None else hs * shown
        else:
            output = hs[:, -1].copy() if shown is None else hs[:, -1] * shown[:, -1]
        return [output, hs[:, -1].copy(), *others] if self.return_state else output

    def step_grads(self, grad: Any, hs: Array, shown: Array | None = None) -> tuple[Array, list[Array | None]]:
        """dL/dh of every step (the output's gradient, plus the final h's at the last step); the other states'."""
        g_output, g_states = self.split_grads(grad, len(self.state_names))
        if g_output is not None and shown is not None:
            g_output = g_output * (shown if self.return_sequences else shown[:, -1])
        if self.return_sequences and g_output is not None:
            dhs = g_output
        else:
            dhs = np.zeros_like(hs)
            if g_output is not None:
                dhs[:, -1] = g_output
        if g_states[0] is not None:
            dhs = dhs.copy() if dhs is g_output else dhs  # never write into the caller's gradient
            dhs[:, -1] += g_states[0]
        return dhs, g_states[1:]

    def inputs_grad(self, x: Array, dzx: Array, d_initial: list[Array], given: bool) -> Any:
        """``dx`` (in the input's step order) from ``dzx``, then the initial states' gradients when they were given."""
        dx = self.project_backward(x, dzx)
        if self.go_backwards:
            dx = np.ascontiguousarray(dx[:, ::-1])
        return [dx, *d_initial] if given else dx

    @staticmethod
    def previous(hs: Array, h0: Array) -> Array:
        """``h_{t-1}`` for every step, ``(batch * timesteps, units)``: the initial state, then ``hs[:, :-1]``."""
        n, t, units = hs.shape
        return np.concatenate([h0[:, None], hs[:, :-1]], axis=1).reshape(n * t, units)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "units": self.units,
            "activation": serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "recurrent_initializer": serialize(self.recurrent_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "kernel_regularizer": _optional(self.kernel_regularizer),
            "recurrent_regularizer": _optional(self.recurrent_regularizer),
            "bias_regularizer": _optional(self.bias_regularizer),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "zero_output_for_mask": self.zero_output_for_mask,
        }
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = serialize(self.recurrent_activation)
        return config


def _optional(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else serialize(obj)
