"""Catalogue cases for Bidirectional: each merge mode, the last state or every step, final and initial states.

Every case wraps a small recurrent layer (units <= 3, timesteps <= 4) with a
non-zero bias. ``"mul"`` multiplies the two directions' outputs, so its backward
needs each one's values; ``None`` returns both as a list of outputs;
``return_state`` adds the four (LSTM) or two final states; a case with initial
states passes the forward layer's, then the backward layer's, and checks the
gradient of each. One case gives a backward layer of another kind and width.
"""

from __future__ import annotations

from tinynet.initializers import RandomNormal
from tinynet.layers.bidirectional import Bidirectional
from tinynet.layers.cells import LSTMCell
from tinynet.layers.gru import GRU
from tinynet.layers.gru_cell import GRUCell
from tinynet.layers.lstm import LSTM
from tinynet.layers.rnn import RNN
from tinynet.layers.simple_rnn import SimpleRNN

from .base import LayerCase, MultiInputCase, seeded
from .recurrent import SEQUENCES, with_states


def _bias() -> RandomNormal:
    return RandomNormal(stddev=0.5, seed=5)


LAYER_CASES: list[LayerCase] = [
    LayerCase("bidirectional_lstm_concat", seeded(lambda: Bidirectional(LSTM(3, bias_initializer=_bias()))), SEQUENCES),
    LayerCase(
        "bidirectional_gru_concat_sequences",
        seeded(lambda: Bidirectional(GRU(2, return_sequences=True, bias_initializer=_bias()))),
        SEQUENCES,
    ),
    LayerCase(
        "bidirectional_simple_rnn_sum_sequences",
        seeded(lambda: Bidirectional(SimpleRNN(2, return_sequences=True, bias_initializer=_bias()), merge_mode="sum")),
        SEQUENCES,
    ),
    LayerCase(
        "bidirectional_lstm_mul_sequences",
        seeded(lambda: Bidirectional(LSTM(2, return_sequences=True, bias_initializer=_bias()), merge_mode="mul")),
        SEQUENCES,
    ),
    LayerCase(
        "bidirectional_gru_ave",
        seeded(lambda: Bidirectional(GRU(3, bias_initializer=_bias()), merge_mode="ave")),
        SEQUENCES,
    ),
    LayerCase(
        "bidirectional_lstm_none_sequences",
        seeded(lambda: Bidirectional(LSTM(2, return_sequences=True, bias_initializer=_bias()), merge_mode=None)),
        SEQUENCES,
    ),
    LayerCase(
        "bidirectional_gru_state",
        seeded(lambda: Bidirectional(GRU(3, return_state=True, bias_initializer=_bias()))),
        SEQUENCES,
    ),
    MultiInputCase(
        "bidirectional_lstm_initial_state_sequences_state",
        seeded(
            lambda: Bidirectional(LSTM(2, return_sequences=True, return_state=True, bias_initializer=_bias()), "ave")
        ),
        input_shapes=with_states(2, 4),
    ),
    LayerCase(
        "bidirectional_lstm_with_a_gru_backward_layer",
        seeded(
            lambda: Bidirectional(
                LSTM(2, return_sequences=True, bias_initializer=_bias()),
                backward_layer=GRU(3, return_sequences=True, go_backwards=True, bias_initializer=_bias()),
            )
        ),
        SEQUENCES,
    ),
    LayerCase(
        "bidirectional_gru_padded_sequences",
        seeded(lambda: Bidirectional(GRU(2, return_sequences=True, bias_initializer=_bias()))),
        SEQUENCES,
        padded=True,
    ),
    LayerCase(
        "bidirectional_lstm_padded_sum",
        seeded(lambda: Bidirectional(LSTM(3, bias_initializer=_bias()), merge_mode="sum")),
        SEQUENCES,
        padded=True,
    ),
    LayerCase(  # Keras's cell API inside: the two copies' cells share a name, their weights are their own
        "bidirectional_rnn_gru_cell_padded_sequences",
        seeded(lambda: Bidirectional(RNN(GRUCell(2, bias_initializer=_bias()), return_sequences=True))),
        SEQUENCES,
        padded=True,
    ),
    LayerCase(
        "bidirectional_rnn_lstm_cell_sum",
        seeded(lambda: Bidirectional(RNN(LSTMCell(3, bias_initializer=_bias())), merge_mode="sum")),
        SEQUENCES,
    ),
]
