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

__all__ = [
    "ActivatedLayer", "Add", "Average", "AvgPool2D", "BatchNorm", "Bidirectional", "Concatenate", "Conv1D", "Conv2D",
    "Dense", "Dot", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling1D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPooling1D", "GRU", "Input",
    "InputLayer", "LayerNorm", "LSTM", "Masking", "Maximum", "MaxPool2D", "Minimum", "MultiHeadAttention", "Multiply",
    "PositionEmbedding", "RepeatVector", "Reshape", "SimpleRNN", "Subtract", "TimeDistributed",
    # Keras's functional spellings of the merge layers: create the layer and call it on a list of inputs
    "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract",
]  # fmt: skip

# attn14: Keras's attention without projections, grouped-query attention, EinsumDense, ReversibleEmbedding,
# SpectralNormalization
from .score_attention import AdditiveAttention, Attention  # noqa: E402

__all__ += ["AdditiveAttention", "Attention"]
from .grouped_query_attention import GroupedQueryAttention, GroupQueryAttention  # noqa: E402

__all__ += ["GroupedQueryAttention", "GroupQueryAttention"]
from .einsum_dense import EinsumDense  # noqa: E402

__all__ += ["EinsumDense"]
from .reversible_embedding import ReversibleEmbedding  # noqa: E402

__all__ += ["ReversibleEmbedding"]
from .spectral_normalization import SpectralNormalization  # noqa: E402

__all__ += ["SpectralNormalization"]
