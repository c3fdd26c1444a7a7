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

# The convolutions on 1 to 3 spatial axes: 3-D, transposed, depthwise and separable; Keras's long names too.
from .conv import Convolution1D, Convolution2D  # noqa: E402
from .conv3d import Conv3D, Convolution3D  # noqa: E402
from .conv_transpose import (  # noqa: E402
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
    Convolution1DTranspose,
    Convolution2DTranspose,
    Convolution3DTranspose,
)
from .depthwise import DepthwiseConv1D, DepthwiseConv2D  # noqa: E402
from .separable import SeparableConv1D, SeparableConv2D, SeparableConvolution1D, SeparableConvolution2D  # noqa: E402

__all__ += [
    "Conv1DTranspose", "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "Convolution1D", "Convolution1DTranspose",
    "Convolution2D", "Convolution2DTranspose", "Convolution3D", "Convolution3DTranspose", "DepthwiseConv1D",
    "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D",
]  # fmt: skip
