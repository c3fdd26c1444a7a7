"""``config.json``: what it holds and how it is built from a model; ``document_parse.py`` checks a parsed one.

Format version 1 (every key is always present; ``null`` / ``[]`` when it does not apply)::

    format            "tinynet"
    format_version    1
    kind              "model" (model.save) or "weights" (model.save_weights)
    tinynet_version   the version that wrote the file (informative only)
    model             {"class_name", "config"} of the model, or null in a weights file
    input_shape       the per-sample shape the model was built for
    layers            one {"class_name", "name", "input_shape"} per layer of model.walk()
    weights           one {"member", "layer", "name", "shape", "dtype"} per parameter, in get_weights() order
    compile           model.get_compile_config(): {"optimizer", "loss", "metrics"}, or null
    optimizer_state   {"iterations": member, "slots": [{"member", "parameter", "slot", "shape", "dtype"}]}, or null
    shuffle_rng       the state of fit's shuffling generator (from model.get_training_state()), or null
    generators        [{"layer", "attribute", "state"}]: each layer's random_generators() (Dropout's), by position

Members are named by position: ``weights/<layer index>_<parameter name>.npy``
(``layer`` counts along ``model.walk()``; a parameter name that is not a
plain identifier is replaced by ``<local index>-param``), and
``optimizer/<parameter index>_<slot>.npy`` plus ``optimizer/iterations.npy``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidValueError
from ..layer import Layer
from ..registry import serialize

__all__ = [
    "FORMAT_VERSION", "Document", "WeightEntry", "SlotEntry", "build_document", "weight_entries", "weight_member",
    "slot_member", "label", "check_saveable", "CONFIG_MEMBER", "ITERATIONS_MEMBER", "FLOAT_DTYPES",
]  # fmt: skip

FORMAT_VERSION = 1
CONFIG_MEMBER = "config.json"
ITERATIONS_MEMBER = "optimizer/iterations.npy"
FLOAT_DTYPES = ("float16", "float32", "float64")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True)
class WeightEntry:
    member: str
    layer: int
    name: str
    shape: tuple[int, ...]
    dtype: str

    def as_json(self) -> dict[str, Any]:
        return {"member": self.member, "layer": self.layer, "name": self.name, "shape": list(self.shape),
                "dtype": self.dtype}  # fmt: skip


@dataclass(frozen=True)
class SlotEntry:
    member: str
    parameter: int
    slot: str
    shape: tuple[int, ...]
    dtype: str


@dataclass(frozen=True)
class Document:
    """A checked ``config.json``: every field has the right type and the members it names are consistent."""

    kind: str
    model: dict[str, Any] | None
    input_shape: Any  # a per-sample shape, or a list of them
    layers: list[tuple[str, str, Any]]
    weights: list[WeightEntry]
    compile: dict[str, Any] | None
    slots: list[SlotEntry] | None
    shuffle_rng: dict[str, Any] | None
    generators: list[tuple[int, str, dict[str, Any]]]

    def members(self) -> set[str]:
        """Every member the archive must hold: no more, no fewer."""
        names = {CONFIG_MEMBER, *(w.member for w in self.weights)}
        if self.slots is not None:
            names |= {ITERATIONS_MEMBER, *(s.member for s in self.slots)}
        return names


# ---------------------------------------------------------------------------- building
def weight_member(layer: int, local: int, name: str) -> str:
    return f"weights/{layer:04d}_{name if _PLAIN_NAME.match(name) else f'{local}-param'}.npy"


def slot_member(parameter: int, slot: str) -> str:
    return f"optimizer/{parameter:04d}_{slot}.npy"


def weight_entries(model: Layer) -> list[WeightEntry]:
    """One entry per parameter of ``model`` in ``parameters()`` order, named by position."""
    entries = []
    for index, layer in enumerate(model.walk()):
        for local, p in enumerate(layer.own_parameters()):
            entries.append(WeightEntry(weight_member(index, local, p.name), index, p.name, p.shape, p.dtype.name))
    return entries


def build_document(model: Layer, kind: str, version: str) -> tuple[dict[str, Any], list[tuple[str, np.ndarray]]]:
    """``config.json``'s content and the weight members (in archive order) for ``model``.

    The training state (compile settings, optimizer, generators) is left empty:
    :func:`tinynet.saving.state.add_training_state` fills it in for a model file.
    """
    entries = weight_entries(model)
    parameters = model.parameters()
    members: list[tuple[str, np.ndarray]] = [(e.member, p.value) for e, p in zip(entries, parameters, strict=True)]
    document: dict[str, Any] = {
        "format": "tinynet",
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "tinynet_version": version,
        "model": serialize(model) if kind == "model" else None,
        "input_shape": list(model.input_shape or ()),
        "layers": [
            {
                "class_name": type(layer).__name__,
                "name": layer.name,
                "input_shape": None if layer.input_shape is None else list(layer.input_shape),
            }
            for layer in model.walk()
        ],  # fmt: skip
        "weights": [e.as_json() for e in entries],
        "compile": None,
        "optimizer_state": None,
        "shuffle_rng": None,
        "generators": [],
    }
    return document, members


def label(layer: Layer) -> str:
    """How messages name a layer or model: ``Dense 'dense_1'``."""
    return f"{type(layer).__name__} {layer.name!r}"


def check_saveable(model: Any, where: str) -> None:
    """Refuse a model whose parameters are not float16/32/64 (the dtypes a file may hold)."""
    for p in model.parameters():
        if p.dtype.name not in FLOAT_DTYPES:
            raise InvalidValueError(
                f"{where}: parameter {p.name!r} has dtype {p.dtype}; model files hold {', '.join(FLOAT_DTYPES)}."
            )
