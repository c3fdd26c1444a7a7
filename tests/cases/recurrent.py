"""Catalogue cases for the recurrent layers: SimpleRNN, LSTM and GRU, returning the last state or every state.

Sizes stay small (timesteps <= 4, features <= 3, units <= 3): every gradient check
loops over the time steps, and the ``ci`` profile runs 200 examples per case.
"""

from __future__ import annotations

from tinynet.initializers import RandomNormal
from tinynet.layers.gru import GRU
from tinynet.layers.lstm import LSTM
from tinynet.layers.simple_rnn import SimpleRNN

from .base import LayerCase, seeded

#: Per-sample shapes (timesteps, features).
SEQUENCES = ((3, 2), (1, 3), (4, 1))


def _bias() -> RandomNormal:
    """A non-zero bias, so that GRU's two bias rows and LSTM's gates start from distinct values."""
    return RandomNormal(stddev=0.5, seed=5)


LAYER_CASES: list[LayerCase] = [
    LayerCase("simple_rnn", seeded(lambda: SimpleRNN(3, bias_initializer=_bias())), SEQUENCES),
    LayerCase("simple_rnn_sequences", seeded(lambda: SimpleRNN(2, return_sequences=True)), SEQUENCES),
    LayerCase("lstm", seeded(lambda: LSTM(3, bias_initializer=_bias())), SEQUENCES),
    LayerCase("lstm_sequences", seeded(lambda: LSTM(2, return_sequences=True)), SEQUENCES),
    LayerCase("gru", seeded(lambda: GRU(3, bias_initializer=_bias())), SEQUENCES),
    LayerCase("gru_sequences", seeded(lambda: GRU(2, return_sequences=True, bias_initializer=_bias())), SEQUENCES),
    LayerCase(
        "gru_reset_before_sequences",
        seeded(lambda: GRU(3, reset_after=False, return_sequences=True, bias_initializer=_bias())),
        SEQUENCES,
    ),
]
