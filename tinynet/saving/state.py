"""The training state in a model file: compile settings, the optimizer's step count and slots, the generators.

A model is seen through its public methods only. One that can be compiled
has the four methods of :class:`Compilable` (``tn.Model`` has them):
``get_compile_config`` gives the ``compile`` entry of ``config.json`` and
``get_training_state`` the optimizer's members and ``shuffle_rng``;
``compile_from_config`` and ``set_training_state`` put them back. Every layer
lists its own random generators with ``Layer.random_generators()`` (the
``generators`` entry). Generators are stored as PCG64 states, their two
128-bit integers as decimal strings.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeGuard, runtime_checkable

import numpy as np

from ..layer import Layer
from .archive import ArchiveReader
from .document import ITERATIONS_MEMBER, Document, label, slot_member
from .rebuild import REBUILD_ERRORS

__all__ = ["Compilable", "add_training_state", "restore_compile", "restore_generators"]


@runtime_checkable
class Compilable(Protocol):
    """A model whose compile settings and training state a file holds (``tn.Model`` and its subclasses)."""

    def get_compile_config(self) -> dict[str, Any] | None: ...

    def compile_from_config(self, config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> None: ...

    def get_training_state(self) -> dict[str, Any] | None: ...

    def set_training_state(self, state: dict[str, Any]) -> None: ...


# ---------------------------------------------------------------------------- saving
def add_training_state(document: dict[str, Any], members: list[tuple[str, np.ndarray]], model: Layer) -> None:
    """Fill in ``compile``, ``optimizer_state``, ``shuffle_rng`` and ``generators``; append the optimizer's members."""
    document["generators"] = [
        {"layer": index, "attribute": attribute, "state": _to_json(dict(generator.bit_generator.state))}
        for index, layer in enumerate(model.walk())
        for attribute, generator in sorted(layer.random_generators().items())
        if _is_pcg64(generator)
    ]
    if not isinstance(model, Compilable):
        return
    settings, state = model.get_compile_config(), model.get_training_state()
    if settings is None or state is None:
        return
    document["compile"] = settings
    optimizer = dict(state["optimizer"])
    members.append((ITERATIONS_MEMBER, np.asarray(optimizer.pop("iterations"), dtype=np.int64)))
    slots = []
    for key, array in optimizer.items():
        position, slot = key.split("/")
        member = slot_member(int(position), slot)
        slots.append({"member": member, "parameter": int(position), "slot": slot, "shape": list(array.shape),
                      "dtype": array.dtype.name})  # fmt: skip
        members.append((member, array))
    document["optimizer_state"] = {"iterations": ITERATIONS_MEMBER, "slots": slots}
    shuffle = state["shuffle_rng"]
    if isinstance(shuffle, dict) and shuffle.get("bit_generator") == "PCG64":
        document["shuffle_rng"] = _to_json(shuffle)


def _is_pcg64(value: Any) -> TypeGuard[np.random.Generator]:
    return isinstance(value, np.random.Generator) and type(value.bit_generator) is np.random.PCG64


def _to_json(state: dict[str, Any]) -> dict[str, Any]:
    """A PCG64 ``bit_generator.state`` as JSON: its two 128-bit integers as decimal strings."""
    return {
        "bit_generator": "PCG64",
        "state": str(state["state"]["state"]),
        "inc": str(state["state"]["inc"]),
        "has_uint32": int(state["has_uint32"]),
        "uinteger": int(state["uinteger"]),
    }


def _from_json(state: dict[str, Any]) -> dict[str, Any]:
    """A checked :func:`_to_json` state back as NumPy's ``bit_generator.state`` dict."""
    return {
        "bit_generator": "PCG64",
        "state": {"state": int(state["state"]), "inc": int(state["inc"])},
        "has_uint32": state["has_uint32"],
        "uinteger": state["uinteger"],
    }


# ---------------------------------------------------------------------------- loading
def restore_compile(
    archive: ArchiveReader,
    model: Layer,
    document: Document,
    optimizer_state: dict[str, np.ndarray] | None,
    custom_objects: dict[str, type] | None,
) -> None:
    """Compile ``model`` from the file's settings and put back the optimizer's state and fit's shuffling."""
    assert document.compile is not None and optimizer_state is not None
    if not isinstance(model, Compilable):
        raise archive.fail(
            f"holds compile settings for a {type(model).__name__}, which is not a Model (it has no "
            "compile_from_config)."
        )
    shuffle = None if document.shuffle_rng is None else _from_json(document.shuffle_rng)
    try:
        model.compile_from_config(document.compile, custom_objects)
        model.set_training_state({"optimizer": optimizer_state, "shuffle_rng": shuffle})
    except REBUILD_ERRORS as error:
        raise archive.fail(
            f"holds compile settings or optimizer state that could not be restored: {type(error).__name__}: {error}"
        ) from error


def restore_generators(archive: ArchiveReader, model: Layer, document: Document) -> None:
    """Set each recorded generator of a layer (by position along ``walk()``) to its recorded state."""
    layers = list(model.walk())
    for index, attribute, state in document.generators:
        generator = layers[index].random_generators().get(attribute)
        if not _is_pcg64(generator):
            raise archive.fail(
                f"records a random generator {attribute!r} of layer {index} ({label(layers[index])}), which the "
                "rebuilt layer does not have."
            )
        generator.bit_generator.state = _from_json(state)
