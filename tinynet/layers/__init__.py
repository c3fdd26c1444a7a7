"""Layers: the building blocks of a model, each owning its parameters, forward and backward."""

from __future__ import annotations

from .activated import ActivatedLayer
from .attention import MultiHeadAttention
from .bidirectional import Bidirectional
from .concatenate import Concatenate, concatenate
from .conv import Conv1D, Conv2D
from .dense import Dense
from .dot import Dot, dot
from .dropout import Dropout
from .embedding import Embedding, PositionEmbedding
from .global_pooling1d import GlobalAveragePooling1D, GlobalAvgPool1D, GlobalMaxPool1D, GlobalMaxPooling1D
from .gru import GRU
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
from .sequence import RepeatVector, TimeDistributed
from .simple_rnn import SimpleRNN

# isort: split
# Keras breadth (misc14): Keras's ReLU, LeakyReLU and ELU layers are the activation classes themselves
from ..activations import ELU, LeakyReLU, ReLU
from .activation_layers import Activation, PReLU, Softmax
from .activity import ActivityRegularization
from .core_extra import Identity, Lambda
from .noise import AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from .normalization import BatchNormalization, LayerNormalization
from .normalization_extra import GroupNormalization, RMSNormalization, UnitNormalization

__all__ = [
    "ActivatedLayer", "Add", "Average", "AvgPool2D", "BatchNorm", "Bidirectional", "Concatenate", "Conv1D", "Conv2D",
    "Dense", "Dot", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling1D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPooling1D", "GRU", "Input",
    "InputLayer", "LayerNorm", "LSTM", "Masking", "Maximum", "MaxPool2D", "Minimum", "MultiHeadAttention", "Multiply",
    "PositionEmbedding", "RepeatVector", "Reshape", "SimpleRNN", "Subtract", "TimeDistributed",
    # Keras's functional spellings of the merge layers: create the layer and call it on a list of inputs
    "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract",
    # Keras breadth: noise and regularization, normalizations, activation layers, Identity and Lambda
    "ActivityRegularization", "AlphaDropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D",
    "SpatialDropout2D", "SpatialDropout3D", "BatchNormalization", "LayerNormalization", "GroupNormalization",
    "RMSNormalization", "UnitNormalization", "Activation", "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax",
    "Identity", "Lambda",
]  # fmt: skip
