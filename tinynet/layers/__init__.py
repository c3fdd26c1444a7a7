"""Layers: the building blocks of a model, each owning its parameters, forward and backward."""

from __future__ import annotations

from .activated import ActivatedLayer
from .conv import Conv1D, Conv2D
from .dense import Dense
from .dropout import Dropout
from .embedding import Embedding
from .gru import GRU
from .input_layer import Input, InputLayer
from .lstm import LSTM
from .normalization import BatchNorm, LayerNorm
from .pooling import AvgPool2D, GlobalAvgPool2D, GlobalMaxPool2D, MaxPool2D
from .reshaping import Flatten, Reshape
from .simple_rnn import SimpleRNN

__all__ = [
    "ActivatedLayer", "AvgPool2D", "BatchNorm", "Conv1D", "Conv2D", "Dense", "Dropout", "Embedding", "Flatten",
    "GlobalAvgPool2D", "GlobalMaxPool2D", "GRU", "Input", "InputLayer", "LayerNorm", "LSTM", "MaxPool2D", "Reshape",
    "SimpleRNN",
]  # fmt: skip
