"""tinynet: a small object-oriented neural-network framework on NumPy.

Every piece of a network is an object that owns its ``forward`` and
``backward``; ``tinynet.testing.check_gradients`` proves any of them against
finite differences.
"""

from __future__ import annotations

from . import (
    activations,
    callbacks,
    constraints,
    datasets,
    errors,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
    saving,
    testing,
    utils,
)
from .activation import Activation
from .layer import Layer
from .layers import Input
from .loss import Loss
from .models import Model, Sequential
from .parameter import Parameter
from .registry import register
from .saving import load_model

__version__ = "0.1.0"

__all__ = [
    "Activation", "Input", "Layer", "Loss", "Model", "Parameter", "Sequential", "load_model", "register",
    "activations", "callbacks", "constraints", "datasets", "errors", "initializers", "layers", "losses", "metrics",
    "optimizers", "regularizers", "saving", "testing", "utils",
]  # fmt: skip
