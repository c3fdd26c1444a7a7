"""Catalogue cases for the cell API: ``RNN`` around each cell, the cells alone (one step), ``StackedRNNCells``.

``RNN`` is run around SimpleRNNCell, LSTMCell and GRUCell (both ``reset_after``), a stack of
cells and a cell written here the way a user would (``MinimalCell``, no projection), through
the ways a call can go: the last output or every step's, the final states (``return_state``),
backwards, from given initial states, and with padding masks (``padded=True``: a padded step
carries every state over, the output repeats the previous one or is zero). Each cell is also a
layer of one step, ``[x_t, *states] -> [output, *new_states]``, checked on its own.

Sizes stay small (timesteps <= 4, features <= 3, units <= 3), as for the recurrent layers.
"""

from __future__ import annotations

import numpy as np

import tinynet as tn
from tinynet.initializers import RandomNormal
from tinynet.layers.cell import RNNCell
from tinynet.layers.cells import LSTMCell, SimpleRNNCell
from tinynet.layers.gru_cell import GRUCell
from tinynet.layers.rnn import RNN
from tinynet.layers.stacked_cells import StackedRNNCells

from .base import LayerCase, MultiInputCase, seeded
from .recurrent import ALL, SEQUENCES, with_states


def _bias() -> RandomNormal:
    return RandomNormal(stddev=0.5, seed=5)


@tn.register(package="Tests")
class MinimalCell(RNNCell):
    """A user's cell: ``h = tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)``, parameter grads added per step."""

    def __init__(self, units: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units = self.state_size = units

    def build(self, input_shape) -> None:
        self.kernel = self.add_parameter("kernel", (input_shape[-1], self.units), "glorot_uniform")
        self.recurrent_kernel = self.add_parameter("recurrent_kernel", (self.units, self.units), "orthogonal")
        self.bias = self.add_parameter("bias", (self.units,), _bias())

    def forward_step(self, x_t, states):
        (h_prev,) = states
        h = np.tanh(x_t @ self.kernel.value + h_prev @ self.recurrent_kernel.value + self.bias.value)
        self.remember_step(x_t=x_t, h_prev=h_prev, h=h)
        return h, [h]

    def backward_step(self, d_output, d_states):
        x_t, h_prev, h = self.recall_step("x_t", "h_prev", "h")
        dz = (d_output + d_states[0]) * (1.0 - h * h)
        self.kernel.grad += x_t.T @ dz
        self.recurrent_kernel.grad += h_prev.T @ dz
        self.bias.grad += dz.sum(axis=0)
        return dz @ self.kernel.value.T, [dz @ self.recurrent_kernel.value.T]

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units}


def _stack() -> StackedRNNCells:
    return StackedRNNCells([LSTMCell(2, bias_initializer=_bias()), GRUCell(3, bias_initializer=_bias())])


#: Per-sample shapes of one step's input, then its states.
STEP_INPUTS = ((2,), (1,), (3,))


def step_with_states(*sizes: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    return tuple((step, *[(size,) for size in sizes]) for step in STEP_INPUTS)


LAYER_CASES: list[LayerCase] = [
    # RNN around each cell
    LayerCase("rnn_simple_rnn_cell", seeded(lambda: RNN(SimpleRNNCell(3, bias_initializer=_bias()))), SEQUENCES),
    LayerCase(
        "rnn_lstm_cell_sequences",
        seeded(lambda: RNN(LSTMCell(2, bias_initializer=_bias()), return_sequences=True)),
        SEQUENCES,
    ),  # fmt: skip
    LayerCase("rnn_lstm_cell_state", seeded(lambda: RNN(LSTMCell(3), return_state=True)), SEQUENCES),
    LayerCase(
        "rnn_gru_cell_backwards_sequences",
        seeded(lambda: RNN(GRUCell(2, bias_initializer=_bias()), go_backwards=True, return_sequences=True)),
        SEQUENCES,
    ),
    LayerCase(
        "rnn_gru_cell_reset_before_state",
        seeded(lambda: RNN(GRUCell(3, reset_after=False, bias_initializer=_bias()), return_state=True)),
        SEQUENCES,
    ),
    LayerCase("rnn_minimal_cell_sequences", seeded(lambda: RNN(MinimalCell(3), return_sequences=True)), SEQUENCES),
    LayerCase("rnn_stacked_cells_state", seeded(lambda: RNN(_stack(), return_state=True)), SEQUENCES),
    LayerCase(
        "rnn_list_of_cells_backwards_sequences",
        seeded(lambda: RNN([SimpleRNNCell(2), MinimalCell(3)], go_backwards=True, return_sequences=True)),
        SEQUENCES,
    ),
    # from given initial states (their gradients are checked), everything at once
    MultiInputCase(
        "rnn_lstm_cell_initial_state_all",
        seeded(lambda: RNN(LSTMCell(2, bias_initializer=_bias()), **ALL)),
        input_shapes=with_states(2, 2),
    ),
    MultiInputCase("rnn_gru_cell_initial_state", seeded(lambda: RNN(GRUCell(3))), input_shapes=with_states(3, 1)),
    MultiInputCase(
        "rnn_stacked_cells_initial_state_all",
        seeded(lambda: RNN(_stack(), **ALL)),
        input_shapes=tuple((sequence, (2,), (2,), (3,)) for sequence in SEQUENCES),
    ),
    # padding masks drawn with the input: a padded step carries every state over
    LayerCase(
        "rnn_simple_rnn_cell_padded_sequences",
        seeded(lambda: RNN(SimpleRNNCell(2, bias_initializer=_bias()), return_sequences=True)),
        SEQUENCES,
        padded=True,
    ),
    LayerCase(
        "rnn_lstm_cell_padded", seeded(lambda: RNN(LSTMCell(3, bias_initializer=_bias()))), SEQUENCES, padded=True
    ),
    LayerCase(
        "rnn_gru_cell_padded_zero_output",
        seeded(lambda: RNN(GRUCell(2, bias_initializer=_bias()), return_sequences=True, zero_output_for_mask=True)),
        SEQUENCES,
        padded=True,
    ),
    LayerCase(
        "rnn_stacked_cells_padded_backwards_sequences_state",
        seeded(lambda: RNN(_stack(), go_backwards=True, return_sequences=True, return_state=True)),
        SEQUENCES,
        padded=True,
    ),
    LayerCase(
        "rnn_minimal_cell_padded", seeded(lambda: RNN(MinimalCell(2), go_backwards=True)), SEQUENCES, padded=True
    ),
    MultiInputCase(
        "rnn_lstm_cell_padded_initial_state_all",
        seeded(lambda: RNN(LSTMCell(2), **ALL)),
        input_shapes=with_states(2, 2),
        padded=True,
    ),
    # each cell alone: one step, [x_t, *states] -> [output, *new_states]
    MultiInputCase(
        "simple_rnn_cell_step",
        seeded(lambda: SimpleRNNCell(3, bias_initializer=_bias())),
        input_shapes=step_with_states(3),
    ),
    MultiInputCase(
        "lstm_cell_step", seeded(lambda: LSTMCell(2, bias_initializer=_bias())), input_shapes=step_with_states(2, 2)
    ),
    MultiInputCase(
        "gru_cell_step", seeded(lambda: GRUCell(3, bias_initializer=_bias())), input_shapes=step_with_states(3)
    ),
    MultiInputCase(
        "gru_cell_reset_before_step",
        seeded(lambda: GRUCell(2, reset_after=False, bias_initializer=_bias())),
        input_shapes=step_with_states(2),
    ),
    MultiInputCase("stacked_rnn_cells_step", seeded(_stack), input_shapes=step_with_states(2, 2, 3)),
]
