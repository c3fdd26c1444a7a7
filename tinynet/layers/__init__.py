"""Layers: the building blocks of a model, each owning its parameters, forward and backward."""

from __future__ import annotations

from .activated import ActivatedLayer
from .attention import MultiHeadAttention
from .bidirectional import Bidirectional
from .cell import RNNCell
from .cells import LSTMCell, SimpleRNNCell
from .concatenate import Concatenate, concatenate
from .conv import Conv1D, Conv2D
from .dense import Dense
from .dot import Dot, dot
from .dropout import Dropout
from .embedding import Embedding, PositionEmbedding
from .global_pooling1d import GlobalAveragePooling1D, GlobalAvgPool1D, GlobalMaxPool1D, GlobalMaxPooling1D
from .gru import GRU
from .gru_cell import GRUCell
from .input_layer import Input, InputLayer
from .lstm import LSTM
from .masking import Masking
from .merge import (
    Add,
    Average,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .normalization import BatchNorm, LayerNorm
from .pooling import AvgPool2D, GlobalAvgPool2D, GlobalMaxPool2D, MaxPool2D
from .reshaping import Flatten, Reshape
from .rnn import RNN
from .sequence import RepeatVector, TimeDistributed
from .simple_rnn import SimpleRNN
from .stacked_cells import StackedRNNCells

__all__ = [
    "ActivatedLayer", "Add", "Average", "AvgPool2D", "BatchNorm", "Bidirectional", "Concatenate", "Conv1D", "Conv2D",
    "Dense", "Dot", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling1D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPooling1D", "GRU", "Input",
    "InputLayer", "LayerNorm", "LSTM", "Masking", "Maximum", "MaxPool2D", "Minimum", "MultiHeadAttention", "Multiply",
    "PositionEmbedding", "RepeatVector", "Reshape", "SimpleRNN", "Subtract", "TimeDistributed",
    # Keras's functional spellings of the merge layers: create the layer and call it on a list of inputs
    "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract",
]  # fmt: skip
# the cell API of the recurrent layers: RNN(cell) runs any cell over the steps
__all__ += ["GRUCell", "LSTMCell", "RNN", "RNNCell", "SimpleRNNCell", "StackedRNNCells"]
