"""Layers: the building blocks of a model, each owning its parameters, forward and backward."""

from __future__ import annotations

from .activated import ActivatedLayer
from .adaptive_pooling import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
from .attention import MultiHeadAttention
from .bidirectional import Bidirectional
from .cell import RNNCell
from .cells import LSTMCell, SimpleRNNCell
from .concatenate import Concatenate, concatenate
from .conv import Conv1D, Conv2D
from .cropping import Cropping1D, Cropping2D, Cropping3D
from .dense import Dense
from .dot import Dot, dot
from .dropout import Dropout
from .embedding import Embedding, PositionEmbedding
from .global_pooling1d import GlobalAveragePooling1D, GlobalAvgPool1D, GlobalMaxPool1D, GlobalMaxPooling1D
from .global_pooling2d import GlobalAveragePooling2D, GlobalAvgPool2D, GlobalMaxPool2D, GlobalMaxPooling2D
from .global_pooling3d import GlobalAveragePooling3D, GlobalAvgPool3D, GlobalMaxPool3D, GlobalMaxPooling3D
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
from .padding import ZeroPadding1D, ZeroPadding2D, ZeroPadding3D
from .permute import Permute
from .pooling import AveragePooling2D, AvgPool2D, MaxPool2D, MaxPooling2D
from .pooling1d3d import (
    AveragePooling1D,
    AveragePooling3D,
    AvgPool1D,
    AvgPool3D,
    MaxPool1D,
    MaxPool3D,
    MaxPooling1D,
    MaxPooling3D,
)
from .reshaping import Flatten, Reshape
from .rnn import RNN
from .sequence import RepeatVector, TimeDistributed
from .simple_rnn import SimpleRNN
from .stacked_cells import StackedRNNCells
from .upsampling import UpSampling1D, UpSampling2D, UpSampling3D

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

# Keras's pooling and reshaping layers beyond the 2-D ones: 1-D and 3-D pools, adaptive pools, padding, cropping,
# upsampling, Permute; and Keras's longer spellings of the 2-D pools
__all__ += [
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "AvgPool1D", "AvgPool3D", "Cropping1D", "Cropping2D", "Cropping3D", "GlobalAveragePooling2D",
    "GlobalAveragePooling3D", "GlobalAvgPool3D", "GlobalMaxPool3D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "MaxPool1D", "MaxPool3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Permute", "UpSampling1D",
    "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
]  # fmt: skip
# the cell API of the recurrent layers: RNN(cell) runs any cell over the steps
__all__ += ["GRUCell", "LSTMCell", "RNN", "RNNCell", "SimpleRNNCell", "StackedRNNCells"]
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

# attn14: Keras's attention without projections, grouped-query attention, EinsumDense, ReversibleEmbedding,
# SpectralNormalization
from .einsum_dense import EinsumDense  # noqa: E402
from .grouped_query_attention import GroupedQueryAttention, GroupQueryAttention  # noqa: E402
from .reversible_embedding import ReversibleEmbedding  # noqa: E402
from .score_attention import AdditiveAttention, Attention  # noqa: E402
from .spectral_normalization import SpectralNormalization  # noqa: E402

__all__ += [
    "AdditiveAttention", "Attention", "EinsumDense", "GroupedQueryAttention", "GroupQueryAttention",
    "ReversibleEmbedding", "SpectralNormalization",
]  # fmt: skip
