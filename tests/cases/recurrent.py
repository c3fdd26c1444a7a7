"""Catalogue cases for the recurrent layers: SimpleRNN, LSTM and GRU, with the ways a call can go.

Each layer returns the last state or every state; returns its final states too
(``return_state``: the gradient of ``h`` joins the output's at the last step, LSTM's
``c`` starts the backward loop); runs the steps backwards (``go_backwards``: the
gradient must reach the input step each state read); starts from given initial states
(a list of inputs ``[x, h0 (, c0)]``: their gradients are checked, and the recurrent
kernel's first step reads ``h0``); and all of these at once.

Sizes stay small (timesteps <= 4, features <= 3, units <= 3): every gradient check
loops over the time steps, and the ``ci`` profile runs 200 examples per case.
"""

from __future__ import annotations

from tinynet.initializers import RandomNormal
from tinynet.layers.gru import GRU
from tinynet.layers.lstm import LSTM
from tinynet.layers.simple_rnn import SimpleRNN

from .base import LayerCase, MultiInputCase, Shape, seeded

#: Per-sample shapes (timesteps, features).
SEQUENCES = ((3, 2), (1, 3), (4, 1))


def _bias() -> RandomNormal:
    """A non-zero bias, so that GRU's two bias rows and LSTM's gates start from distinct values."""
    return RandomNormal(stddev=0.5, seed=5)


def with_states(units: int, count: int) -> tuple[tuple[Shape, ...], ...]:
    """Each of ``SEQUENCES`` followed by ``count`` initial states of ``(units,)``."""
    return tuple((sequence, *[(units,)] * count) for sequence in SEQUENCES)


#: Every option at once: from given states, backwards, every step returned, and the final states.
ALL = {"go_backwards": True, "return_sequences": True, "return_state": True}

LAYER_CASES: list[LayerCase] = [
    LayerCase("simple_rnn", seeded(lambda: SimpleRNN(3, bias_initializer=_bias())), SEQUENCES),
    LayerCase("simple_rnn_sequences", seeded(lambda: SimpleRNN(2, return_sequences=True)), SEQUENCES),
    LayerCase("simple_rnn_state", seeded(lambda: SimpleRNN(3, return_state=True, bias_initializer=_bias())), SEQUENCES),
    LayerCase(
        "simple_rnn_backwards_sequences",
        seeded(lambda: SimpleRNN(2, go_backwards=True, return_sequences=True, bias_initializer=_bias())),
        SEQUENCES,
    ),
    MultiInputCase(
        "simple_rnn_initial_state",
        seeded(lambda: SimpleRNN(3, bias_initializer=_bias())),
        input_shapes=with_states(3, 1),
    ),
    MultiInputCase("simple_rnn_initial_state_all", seeded(lambda: SimpleRNN(2, **ALL)), input_shapes=with_states(2, 1)),
    LayerCase("lstm", seeded(lambda: LSTM(3, bias_initializer=_bias())), SEQUENCES),
    LayerCase("lstm_sequences", seeded(lambda: LSTM(2, return_sequences=True)), SEQUENCES),
    LayerCase("lstm_state", seeded(lambda: LSTM(3, return_state=True, bias_initializer=_bias())), SEQUENCES),
    LayerCase("lstm_sequences_state", seeded(lambda: LSTM(2, return_sequences=True, return_state=True)), SEQUENCES),
    LayerCase("lstm_backwards", seeded(lambda: LSTM(3, go_backwards=True, bias_initializer=_bias())), SEQUENCES),
    LayerCase("lstm_backwards_sequences", seeded(lambda: LSTM(2, go_backwards=True, return_sequences=True)), SEQUENCES),
    MultiInputCase(
        "lstm_initial_state", seeded(lambda: LSTM(3, bias_initializer=_bias())), input_shapes=with_states(3, 2)
    ),
    MultiInputCase(
        "lstm_initial_state_all",
        seeded(lambda: LSTM(2, bias_initializer=_bias(), **ALL)),
        input_shapes=with_states(2, 2),
    ),
    LayerCase("gru", seeded(lambda: GRU(3, bias_initializer=_bias())), SEQUENCES),
    LayerCase("gru_sequences", seeded(lambda: GRU(2, return_sequences=True, bias_initializer=_bias())), SEQUENCES),
    LayerCase(
        "gru_reset_before_sequences",
        seeded(lambda: GRU(3, reset_after=False, return_sequences=True, bias_initializer=_bias())),
        SEQUENCES,
    ),
    LayerCase("gru_state", seeded(lambda: GRU(3, return_state=True, bias_initializer=_bias())), SEQUENCES),
    LayerCase(
        "gru_backwards_sequences",
        seeded(lambda: GRU(2, go_backwards=True, return_sequences=True, bias_initializer=_bias())),
        SEQUENCES,
    ),
    MultiInputCase(
        "gru_initial_state", seeded(lambda: GRU(3, bias_initializer=_bias())), input_shapes=with_states(3, 1)
    ),
    MultiInputCase(  # reset before the matmul: h0 reaches the candidate through r * h0 too
        "gru_reset_before_initial_state_all",
        seeded(lambda: GRU(2, reset_after=False, bias_initializer=_bias(), **ALL)),
        input_shapes=with_states(2, 1),
    ),
    # padding masks (tinynet._masking) drawn with the input: a padded step carries every state over
    LayerCase(
        "simple_rnn_padded_sequences", seeded(lambda: SimpleRNN(2, return_sequences=True)), SEQUENCES, padded=True
    ),
    LayerCase("lstm_padded", seeded(lambda: LSTM(3, bias_initializer=_bias())), SEQUENCES, padded=True),
    LayerCase(
        "lstm_padded_backwards_sequences_state",
        seeded(lambda: LSTM(2, go_backwards=True, return_sequences=True, return_state=True, bias_initializer=_bias())),
        SEQUENCES,
        padded=True,
    ),
    LayerCase(
        "gru_padded_zero_output",
        seeded(lambda: GRU(2, return_sequences=True, zero_output_for_mask=True, bias_initializer=_bias())),
        SEQUENCES,
        padded=True,
    ),
    LayerCase(
        "gru_padded_backwards",
        seeded(lambda: GRU(3, go_backwards=True, bias_initializer=_bias())),
        SEQUENCES,
        padded=True,
    ),
    MultiInputCase(
        "lstm_padded_initial_state_all", seeded(lambda: LSTM(2, **ALL)), input_shapes=with_states(2, 2), padded=True
    ),
]
