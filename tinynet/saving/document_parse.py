"""Checking a parsed ``config.json``: :func:`parse_document` turns untrusted JSON into a :class:`Document`.

Every field of the format (see :mod:`tinynet.saving.document`) is checked for
its type, its range and its agreement with the others: member names follow
from positions, weights come in layer order, each optimizer slot has its
parameter's dtype and shape (or that shape with axes removed), a generator
state is a PCG64 one. The first problem raises ``fail(message)`` with the path
of the offending value (long values cut short). Ranks, list lengths and
strings are bounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .document import (
    FLOAT_DTYPES,
    FORMAT_VERSION,
    ITERATIONS_MEMBER,
    Document,
    SlotEntry,
    WeightEntry,
    slot_member,
    weight_member,
)
from .errors import ModelFileError

__all__ = ["parse_document", "Fail"]

_KEYS = {
    "format", "format_version", "kind", "tinynet_version", "model", "input_shape", "layers", "weights", "compile",
    "optimizer_state", "shuffle_rng", "generators",
}  # fmt: skip
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
_DIGITS = re.compile(r"^(0|[1-9][0-9]{0,38})$")
_MAX_RANK = 32
_MAX_INPUTS = 1000
_MAX_LIST = 100_000

Fail = Callable[[str], ModelFileError]


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
