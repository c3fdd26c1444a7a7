"""One case per configuration of every public Layer, Activation and Loss, in one file per family.

``tests/test_contracts.py`` runs every case through the same properties
(gradients, zero upstream, repeated backward, float32, stale memory, config
round trip). A case builds its object from a fixed seed, so derandomized runs
repeat exactly.

A family's cases live in the module named for it (:data:`FAMILIES`), which
defines ``LAYER_CASES`` (``losses`` defines ``LOSS_CASES``); :func:`family`
says which module a class belongs in, and the guard in ``test_contracts.py``
checks that every public class has a case there.
"""

from __future__ import annotations

import importlib

from .base import LayerCase, LossCase, MultiInputCase, Shape, each, input_shape, random_bias, seeded

__all__ = [
    "FAMILIES", "LAYER_CASES", "LOSS_CASES", "CASE_FAMILY", "family", "LayerCase", "LossCase", "MultiInputCase",
    "Shape", "each", "input_shape", "random_bias", "seeded",
]  # fmt: skip

#: The case modules, one per family: the activations, the losses, the models, and each kind of layer.
FAMILIES = (
    "activations", "dense", "conv", "pooling", "reshaping", "dropout", "normalization", "embedding", "recurrent",
    "merge", "attention", "input_layer", "models", "losses", "sequence", "bidirectional",
    "rnn",
    "conv_nd",
    "noise", "activity", "normalization_extra", "activation_layers", "core_extra",
)  # fmt: skip
_MODULES = {name: importlib.import_module(f"{__name__}.{name}") for name in FAMILIES}

LAYER_CASES: list[LayerCase] = [case for module in _MODULES.values() for case in getattr(module, "LAYER_CASES", [])]
LOSS_CASES: list[LossCase] = list(_MODULES["losses"].LOSS_CASES)
#: The family (module) each case is defined in, by case id.
CASE_FAMILY: dict[str, str] = {
    case.id: name
    for name, module in _MODULES.items()
    for case in [*getattr(module, "LAYER_CASES", []), *getattr(module, "LOSS_CASES", [])]
}

#: Layer modules whose cases share one family file: the recurrent layers, and the merge layers.
_SHARED = {
    "simple_rnn": "recurrent", "lstm": "recurrent", "gru": "recurrent", "concatenate": "merge", "dot": "merge",
    "global_pooling1d": "pooling", "masking": "sequence",
    "pooling1d3d": "pooling", "global_pooling3d": "pooling", "adaptive_pooling": "pooling", "padding": "reshaping",
    "cropping": "reshaping", "upsampling": "reshaping", "permute": "reshaping",
    "cell": "rnn", "cells": "rnn", "gru_cell": "rnn", "stacked_cells": "rnn",
    "conv3d": "conv_nd", "conv_transpose": "conv_nd", "depthwise": "conv_nd", "separable": "conv_nd",
}  # fmt: skip


def family(cls: type) -> str:
    """The case module for one of tinynet's classes.

    Its subpackage for an activation, a loss or a model (``tinynet.activations.smooth.GELU``:
    ``"activations"``); its module for a layer (``tinynet.layers.conv.Conv2D``: ``"conv"``), the
    three recurrent layers sharing ``"recurrent"`` and the merge layers ``"merge"``.
    """
    parts = cls.__module__.split(".")
    if parts[1] != "layers":
        return parts[1]
    return _SHARED.get(parts[2], parts[2])


# attn14: the modules of Keras's further attention, dense and embedding layers share the families' case files
_SHARED.update(
    {"score_attention": "attention", "grouped_query_attention": "attention", "einsum_dense": "dense",
     "reversible_embedding": "embedding", "spectral_normalization": "normalization"}
)  # fmt: skip

# split: the global 2-D pools, moved out of pooling.py, keep their cases in the pooling family
_SHARED["global_pooling2d"] = "pooling"
