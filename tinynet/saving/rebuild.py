"""Rebuilding a model from a checked ``config.json``: through the registry only, within the file's own size.

Every ``class_name`` anywhere in the model and compile configs must be a
registered name (a plain identifier, or ``package>Name`` for a user's class)
known to tinynet's registry or to ``custom_objects`` — checked
before anything is constructed. The model's class then makes it with its own
``from_config`` inside a :func:`~tinynet.parameter.parameter_budget` of the
bytes of weights the file actually holds, so a config cannot make the loader
allocate more than the file's size: ``Layer.add_parameter`` refuses a
parameter beyond it before its array exists. The parameters start as zeros
(the file's values overwrite them, so no initializer runs). The rebuilt
model's layers and parameters must then match the file's lists exactly,
position by position.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import TinynetError, UnknownIdentifierError
from ..layer import Layer
from ..metrics import metric_named_like_a_loss
from ..parameter import parameter_budget
from ..registry import NAME, get_registered_class
from .archive import ArchiveReader
from .document import CONFIG_MEMBER, Document, label, weight_entries
from .errors import ModelFileError

__all__ = ["REBUILD_ERRORS", "check_class_names", "rebuild"]

#: What rebuilding from a (checked) config may raise: a bad argument value or type in some layer's config.
REBUILD_ERRORS = (
    TinynetError, ValueError, TypeError, LookupError, AttributeError, RecursionError, OverflowError, MemoryError,
    NotImplementedError,
)  # fmt: skip


def check_class_names(archive: ArchiveReader, document: Document, custom_objects: dict[str, type] | None) -> None:
    """Every ``class_name`` in the model and compile configs is a plain, known identifier — checked before any
    object is made; and the model config names no more layers than the file's layer list holds (each becomes one).
    """
    for root, name in ((document.model, "model"), (document.compile, "compile")):
        layers = 0
        for class_name, path in _class_names(root, name):
            cls = _check_class_name(archive, class_name, path, custom_objects)
            layers += isinstance(cls, type) and issubclass(cls, Layer)
        if name == "model" and layers > len(document.layers):
            raise ModelFileError(
                f"{archive.label}: {CONFIG_MEMBER} has a model config naming {layers} layers, but its list of "
                f"layers holds {len(document.layers)}."
            )


def _class_names(root: Any, name: str) -> Iterator[tuple[Any, str]]:
    """Each ``class_name`` value under ``root`` with its path, depth first; memory grows with the depth only."""
    stack: list[tuple[Iterator[tuple[Any, Any]], Any]] = [(iter([(name, root)]), None)]
    while stack:
        entry = next(stack[-1][0], None)
        if entry is None:
            stack.pop()
            continue
        key, value = entry
        if isinstance(value, dict):
            if "class_name" in value:
                keys = [k for _, k in stack[1:]] + [key]
                yield value["class_name"], "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys)[1:]
            stack.append((iter(value.items()), key))
        elif isinstance(value, list):
            stack.append((iter(enumerate(value)), key))


def _check_class_name(archive: ArchiveReader, name: Any, where: str, custom_objects: dict[str, type] | None) -> Any:
    prefix = f"{archive.label}: {CONFIG_MEMBER}"
    if not isinstance(name, str):
        raise ModelFileError(f"{prefix} has {where}.class_name = {name!r:.60}; a class name is a string.")
    if not NAME.match(name):
        raise ModelFileError(
            f"{prefix} names the class {name!r:.100} at {where}. A class is named by a plain identifier (or "
            "package>Name) looked up in tinynet's registry or custom_objects; tinynet never imports modules or "
            "follows dotted paths named in a file."
        )
    try:
        return get_registered_class(name, custom_objects)
    except UnknownIdentifierError:
        metric = metric_named_like_a_loss(name)  # a metric whose name the registry keeps for a loss
        if metric is not None:
            return metric
        raise ModelFileError(
            f"{prefix} names the class {name!r} at {where}, which is neither registered nor in custom_objects. "
            f"If it is your own class, decorate it with @tn.register (or pass "
            f"custom_objects={{{name!r}: {name.rpartition('>')[2]}}}) "
            "before loading."
        ) from None


# ---------------------------------------------------------------------------- rebuilding
def rebuild(
    archive: ArchiveReader, document: Document, custom_objects: dict[str, type] | None, arrays: list[np.ndarray]
) -> Layer:
    """The model from its config, built for the recorded input shape, matching the file's lists exactly."""
    assert document.model is not None
    name, config = document.model["class_name"], document.model["config"]
    cls: Any = get_registered_class(name, custom_objects)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise archive.fail(f"has in {CONFIG_MEMBER} at model the class {name!r}, which is not a layer.")
    total = sum(a.nbytes for a in arrays)

    def refuse(layer: Layer, parameter: str, shape: tuple[int, ...], nbytes: int) -> ModelFileError:
        return archive.fail(
            f"holds a config that builds {label(layer)} with a parameter {parameter!r} of shape {shape} "
            f"({nbytes} bytes) beyond the {total} bytes of weights the file holds; refused before allocating it."
        )

    try:
        with parameter_budget(total, refuse, initialize=False):
            model = _from_config(cls, config, custom_objects)
            if not model.built:
                model.ensure_built(document.input_shape)
        _check_structure(archive, model, document)  # its walk() also refuses a layer instance met twice
    except ModelFileError:
        raise
    except REBUILD_ERRORS as error:
        raise archive.fail(
            f"holds a model config that could not be rebuilt: {type(error).__name__}: {error}"
        ) from error
    return model


def _from_config(cls: Any, config: dict[str, Any], custom_objects: dict[str, type] | None) -> Layer:
    """``cls.from_config(config)``, given ``custom_objects`` too when it takes them (as ``Sequential``'s does)."""
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config, custom_objects=custom_objects)
    return cls.from_config(config)


def _check_structure(archive: ArchiveReader, model: Layer, document: Document) -> None:
    """The rebuilt layers (class, build shape) and parameters (position, name, shape, dtype) match the file's lists.

    Layer names are not compared: a Model subclass names the sub-layers it creates itself, afresh.
    """
    prefix = f"{archive.label}: the model config rebuilds"
    found = [(type(layer).__name__, layer.input_shape) for layer in model.walk()]
    if len(found) != len(document.layers):
        raise ModelFileError(f"{prefix} {len(found)} layers, but {CONFIG_MEMBER} lists {len(document.layers)}.")
    for i, (got, want) in enumerate(zip(found, document.layers, strict=True)):
        if got != (want[0], want[2]):
            raise ModelFileError(
                f"{prefix} {got[0]} (input shape {got[1]}) as layer {i}, but {CONFIG_MEMBER} lists {want[0]} "
                f"{want[1]!r} (input shape {want[2]})."
            )
    entries = weight_entries(model)
    if len(entries) != len(document.weights):
        raise ModelFileError(f"{prefix} {len(entries)} parameters, but the file holds {len(document.weights)} weights.")
    for i, (got_entry, want_entry) in enumerate(zip(entries, document.weights, strict=True)):
        if got_entry != want_entry:
            raise ModelFileError(
                f"{prefix} parameter {i} as {got_entry.name!r} of layer {got_entry.layer} with shape "
                f"{got_entry.shape} and dtype {got_entry.dtype}, but the file holds {want_entry.name!r} of layer "
                f"{want_entry.layer} with shape {want_entry.shape} and dtype {want_entry.dtype}."
            )
