"""``config.json``: what it holds, how it is built from a model, and how a parsed one is checked.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidValueError
from ..layer import Layer
from ..registry import serialize
from .errors import ModelFileError

__all__ = [
    "FORMAT_VERSION", "Document", "WeightEntry", "SlotEntry", "build_document", "parse_document",
    "weight_entries", "slot_member", "label", "CONFIG_MEMBER", "ITERATIONS_MEMBER", "FLOAT_DTYPES",
]  # fmt: skip

FORMAT_VERSION = 1
CONFIG_MEMBER = "config.json"
ITERATIONS_MEMBER = "optimizer/iterations.npy"
FLOAT_DTYPES = ("float16", "float32", "float64")
_KEYS = {
    "format", "format_version", "kind", "tinynet_version", "model", "input_shape", "layers", "weights", "compile",
    "optimizer_state", "shuffle_rng", "generators",
}  # fmt: skip
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_DIGITS = re.compile(r"^(0|[1-9][0-9]{0,38})$")
_MAX_RANK = 32
_MAX_INPUTS = 1000
_MAX_LIST = 100_000

Fail = Callable[[str], ModelFileError]


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


# ---------------------------------------------------------------------------- checking
def parse_document(data: Any, fail: Fail) -> Document:
    """Check a parsed ``config.json`` field by field; raise ``fail(message)`` at the first problem."""
    c = _Checker(fail)
    if not isinstance(data, dict):
        raise fail(f"must hold a JSON object, found {_kind(data)}.")
    version = data.get("format_version")
    if data.get("format") != "tinynet" or "format_version" not in data:
        raise fail("is not a tinynet config: it lacks 'format': 'tinynet' and a format_version.")
    if type(version) is not int or version != FORMAT_VERSION:
        raise fail(
            f"has format_version {version!r:.40}; this tinynet reads format_version {FORMAT_VERSION}. A file from "
            "a newer tinynet needs that version to load."
        )
    c.keys(data, "the top level", _KEYS)
    kind = data["kind"]
    if kind not in ("model", "weights"):
        raise fail(f"has kind {kind!r:.40}; expected 'model' or 'weights'.")
    if not isinstance(data["tinynet_version"], str):
        raise fail("has a tinynet_version that is not a string.")
    layers = [
        (
            c.identifier(entry["class_name"], f"layers[{i}].class_name"),
            c.string(entry["name"], f"layers[{i}].name"),
            None if entry["input_shape"] is None else c.input_shape(entry["input_shape"], f"layers[{i}].input_shape"),
        )
        for i, entry in enumerate(c.entries(data["layers"], "layers", {"class_name", "name", "input_shape"}))
    ]
    weights = _weights(c, data["weights"], len(layers))
    model = None if data["model"] is None else c.serialized(data["model"], "model")
    compile_settings = None if data["compile"] is None else _compile(c, data["compile"])
    slots = None if data["optimizer_state"] is None else _slots(c, data["optimizer_state"], weights)
    shuffle = None if data["shuffle_rng"] is None else c.generator(data["shuffle_rng"], "shuffle_rng")
    generators = []
    seen: set[tuple[int, str]] = set()
    for i, entry in enumerate(c.entries(data["generators"], "generators", {"layer", "attribute", "state"})):
        key = (c.integer(entry["layer"], f"generators[{i}].layer", len(layers) - 1),
               c.identifier(entry["attribute"], f"generators[{i}].attribute"))  # fmt: skip
        if key in seen:
            raise fail(f"lists the generator {key[1]!r} of layer {key[0]} twice.")
        seen.add(key)
        generators.append((*key, c.generator(entry["state"], f"generators[{i}].state")))
    if kind == "weights" and (model, compile_settings, slots, shuffle, generators) != (None, None, None, None, []):
        raise fail("is a weights file but also holds a model, compile settings or training state.")
    if kind == "model" and model is None:
        raise fail("is a model file without a model config ('model' is null).")
    if (compile_settings is None) != (slots is None):
        raise fail("must hold compile settings and optimizer_state together, or neither.")
    return Document(kind, model, c.input_shape(data["input_shape"], "input_shape"), layers, weights, compile_settings,
                    slots, shuffle, generators)  # fmt: skip


def _weights(c: _Checker, value: Any, layer_count: int) -> list[WeightEntry]:
    weights: list[WeightEntry] = []
    seen: set[tuple[int, str]] = set()
    local: dict[int, int] = {}
    for i, entry in enumerate(c.entries(value, "weights", {"member", "layer", "name", "shape", "dtype"})):
        where = f"weights[{i}]"
        layer = c.integer(entry["layer"], f"{where}.layer", layer_count - 1)
        name = c.string(entry["name"], f"{where}.name")
        if weights and layer < weights[-1].layer:
            raise c.fail(f"lists weights out of layer order at {where}.")
        if (layer, name) in seen:
            raise c.fail(f"lists the weight {name!r} of layer {layer} twice.")
        seen.add((layer, name))
        local[layer] = local.get(layer, -1) + 1
        member = weight_member(layer, local[layer], name)
        if entry["member"] != member:
            raise c.fail(f"names the member of {where} {entry['member']!r:.80}; by position it must be {member!r}.")
        shape = c.shape(entry["shape"], f"{where}.shape")
        weights.append(WeightEntry(member, layer, name, shape, c.dtype(entry["dtype"], f"{where}.dtype")))
    return weights


def _compile(c: _Checker, value: Any) -> dict[str, Any]:
    """One model output: a loss and a list of metrics. Several: a list of losses, a list of metric lists per
    output, and ``loss_weights``, a list of numbers."""
    several = isinstance(value, dict) and "loss_weights" in value
    c.keys(
        value,
        "compile",
        {"optimizer", "loss", "metrics", "loss_weights"} if several else {"optimizer", "loss", "metrics"},
    )
    if not isinstance(value["metrics"], list) or len(value["metrics"]) > 1000:
        raise c.fail("has compile.metrics that is not a list of metric configs.")
    checked: dict[str, Any] = {"optimizer": c.serialized(value["optimizer"], "compile.optimizer")}
    if not several:
        checked["loss"] = c.serialized(value["loss"], "compile.loss")
        checked["metrics"] = [c.serialized(m, f"compile.metrics[{i}]") for i, m in enumerate(value["metrics"])]
        return checked
    losses, weights, metrics = value["loss"], value["loss_weights"], value["metrics"]
    outputs = len(losses) if isinstance(losses, list) else -1
    if not 1 < outputs <= 1000 or not isinstance(weights, list) or len(weights) != outputs or len(metrics) != outputs:
        raise c.fail("has compile settings for several outputs whose loss, loss_weights and metrics lists differ.")
    if not all(type(w) in (int, float) and 0 <= w < 1e300 for w in weights):
        raise c.fail("has compile.loss_weights that are not all non-negative numbers.")
    checked["loss"] = [c.serialized(entry, f"compile.loss[{i}]") for i, entry in enumerate(losses)]
    checked["loss_weights"] = weights
    checked["metrics"] = []
    for i, entries in enumerate(metrics):
        if not isinstance(entries, list) or len(entries) > 1000:
            raise c.fail(f"has compile.metrics[{i}] that is not a list of metric configs.")
        checked["metrics"].append([c.serialized(m, f"compile.metrics[{i}][{j}]") for j, m in enumerate(entries)])
    return checked


def _slots(c: _Checker, value: Any, weights: list[WeightEntry]) -> list[SlotEntry]:
    c.keys(value, "optimizer_state", {"iterations", "slots"})
    if value["iterations"] != ITERATIONS_MEMBER:
        raise c.fail(f"has optimizer_state.iterations {value['iterations']!r:.80}; expected {ITERATIONS_MEMBER!r}.")
    slots, seen = [], set()
    keys = {"member", "parameter", "slot", "shape", "dtype"}
    for i, entry in enumerate(c.entries(value["slots"], "optimizer_state.slots", keys)):
        where = f"optimizer_state.slots[{i}]"
        parameter = c.integer(entry["parameter"], f"{where}.parameter", len(weights) - 1)
        slot = c.identifier(entry["slot"], f"{where}.slot")
        if (parameter, slot) in seen:
            raise c.fail(f"lists the slot {slot!r} of parameter {parameter} twice.")
        seen.add((parameter, slot))
        if entry["member"] != slot_member(parameter, slot):
            raise c.fail(
                f"names the member of {where} {entry['member']!r:.80}; expected {slot_member(parameter, slot)!r}."
            )
        shape, dtype = c.shape(entry["shape"], f"{where}.shape"), c.dtype(entry["dtype"], f"{where}.dtype")
        weight = weights[parameter]
        if dtype != weight.dtype or not _axes_of(shape, weight.shape):
            raise c.fail(
                f"gives {where} shape {shape} and dtype {dtype}, but its parameter {parameter} ({weight.name!r}) has "
                f"shape {weight.shape} and dtype {weight.dtype} (a slot has the parameter's dtype, and its shape "
                "or that shape with some axes removed)."
            )
        slots.append(SlotEntry(slot_member(parameter, slot), parameter, slot, shape, dtype))
    return slots


def _axes_of(shape: tuple[int, ...], full: tuple[int, ...]) -> bool:
    """Whether ``shape`` is ``full`` with zero or more axes removed (so never more entries than ``full``)."""
    i = 0
    for size in full:
        if i < len(shape) and shape[i] == size:
            i += 1
    return i == len(shape)


class _Checker:
    """Small typed accessors that raise ``fail`` with the path of the offending value."""

    def __init__(self, fail: Fail) -> None:
        self.fail = fail

    def keys(self, value: Any, where: str, keys: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"has {where} as {_kind(value)}; expected an object with keys {sorted(keys)}.")
        if set(value) != keys:
            missing, unknown = sorted(keys - set(value)), [key[:40] for key in sorted(set(value) - keys)][:10]
            problems = ([f"lacks the keys {missing}"] if missing else []) + (
                [f"has the unknown keys {unknown}"] if unknown else []
            )
            raise self.fail(f"is not as expected at {where}: it {' and '.join(problems)}.")
        return value

    def entries(self, value: Any, where: str, keys: set[str]) -> list[dict[str, Any]]:
        if not isinstance(value, list) or len(value) > _MAX_LIST:
            raise self.fail(f"has {where} as {_kind(value)}; expected a list of at most {_MAX_LIST} objects.")
        return [self.keys(entry, f"{where}[{i}]", keys) for i, entry in enumerate(value)]

    def integer(self, value: Any, where: str, maximum: int) -> int:
        if type(value) is not int or not 0 <= value <= maximum:
            raise self.fail(f"has {where} = {value!r:.40}; expected an integer in [0, {maximum}].")
        return value

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not 0 < len(value) <= 1000:
            raise self.fail(f"has {where} = {value!r:.40}; expected a non-empty string.")
        return value

    def identifier(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not IDENTIFIER.match(value):
            raise self.fail(f"has {where} = {value!r:.80}; expected a plain identifier.")
        return value

    def shape(self, value: Any, where: str) -> tuple[int, ...]:
        if (not isinstance(value, list) or len(value) > _MAX_RANK
                or not all(type(d) is int and 0 <= d < 2**62 for d in value)):  # fmt: skip
            raise self.fail(f"has {where} = {value!r:.80}; expected a list of non-negative integers.")
        return tuple(value)

    def sample_shape(self, value: Any, where: str) -> tuple[int | None, ...]:
        """A per-sample shape: like a weight's, with ``null`` allowed for a size unknown (``tn.Input((None, 8))``)."""
        if (not isinstance(value, list) or len(value) > _MAX_RANK
                or not all(d is None or (type(d) is int and 0 <= d < 2**62) for d in value)):  # fmt: skip
            raise self.fail(f"has {where} = {value!r:.80}; expected a list of non-negative integers or nulls.")
        return tuple(value)

    def input_shape(self, value: Any, where: str) -> Any:
        """A per-sample shape, or a list of them (a layer or model that takes several inputs)."""
        if isinstance(value, list) and value and all(isinstance(item, list) for item in value):
            if len(value) > _MAX_INPUTS:
                raise self.fail(f"has {where} with {len(value)} shapes; at most {_MAX_INPUTS} inputs are read.")
            return [self.sample_shape(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return self.sample_shape(value, where)

    def dtype(self, value: Any, where: str) -> str:
        if value not in FLOAT_DTYPES:
            raise self.fail(f"has {where} = {value!r:.40}; expected one of {', '.join(FLOAT_DTYPES)}.")
        return str(value)

    def serialized(self, value: Any, where: str) -> dict[str, Any]:
        self.keys(value, where, {"class_name", "config"})
        if not isinstance(value["config"], dict):
            raise self.fail(f"has {where}.config as {_kind(value['config'])}; expected an object.")
        return value

    def generator(self, value: Any, where: str) -> dict[str, Any]:
        self.keys(value, where, {"bit_generator", "state", "inc", "has_uint32", "uinteger"})
        ok = (
            value["bit_generator"] == "PCG64"
            and all(isinstance(value[k], str) and _DIGITS.match(value[k]) and int(value[k]) < 2**128
                    for k in ("state", "inc"))
            and value["has_uint32"] in (0, 1) and type(value["has_uint32"]) is int
            and type(value["uinteger"]) is int and 0 <= value["uinteger"] < 2**32
        )  # fmt: skip
        if not ok:
            raise self.fail(
                f"has {where} that is not a PCG64 state (bit_generator 'PCG64', 'state' and 'inc' as decimal "
                "strings below 2**128, has_uint32 0 or 1, uinteger below 2**32)."
            )
        return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def check_saveable(model: Any, where: str) -> None:
    """Refuse a model whose parameters are not float16/32/64 (the dtypes a file may hold)."""
    for p in model.parameters():
        if p.dtype.name not in FLOAT_DTYPES:
            raise InvalidValueError(
                f"{where}: parameter {p.name!r} has dtype {p.dtype}; model files hold {', '.join(FLOAT_DTYPES)}."
            )
