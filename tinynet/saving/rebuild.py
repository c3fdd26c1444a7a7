"""Rebuilding a model from a checked ``config.json``: through the registry only, within the file's own size.

Every ``class_name`` anywhere in the model and compile configs must be a
registered name (a plain identifier, or ``package>Name`` for a user's class)
known to tinynet's registry or to ``custom_objects`` — checked before
anything is constructed. While the rebuilt layers build, each
``add_parameter`` is first charged against the bytes of weights the file
actually holds (:class:`Budget`), so a config cannot make the loader allocate
more than the file's size. The rebuilt model's layers and parameters must
then match the file's lists exactly, position by position.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import TinynetError, UnknownIdentifierError
from ..layer import Layer
from ..models.sequential import Sequential
from ..registry import NAME, get_registered_class
from .archive import ArchiveReader
from .document import CONFIG_MEMBER, Document, weight_entries
from .errors import ModelFileError

__all__ = ["REBUILD_ERRORS", "Budget", "check_class_names", "rebuild"]

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
        raise ModelFileError(
            f"{prefix} names the class {name!r} at {where}, which is neither registered nor in custom_objects. "
            f"If it is your own class, decorate it with @tn.register (or pass "
            f"custom_objects={{{name!r}: {name.rpartition('>')[2]}}}) "
            "before loading."
        ) from None


# ---------------------------------------------------------------------------- rebuilding
class Budget:
    """Charges every parameter the rebuilt layers create against the bytes of weights the file holds.

    ``guard(layer)`` shadows ``layer.add_parameter`` with an instance
    attribute that checks the requested size *before* delegating (with a
    ``"zeros"`` initializer: the values are overwritten from the file);
    ``release()`` removes every shadow.
    """

    def __init__(self, total: int, archive: ArchiveReader) -> None:
        self.total, self.left, self.archive = total, total, archive
        self.guarded: list[Layer] = []

    def guard(self, layer: Layer) -> None:
        if "add_parameter" in vars(layer):
            return
        real = layer.add_parameter

        def add_parameter(
            name: str, shape: Any, initializer: Any = "zeros", trainable: bool = True, regularizer: Any = None
        ) -> Any:
            self.spend(layer, name, shape)
            return real(name, shape, "zeros", trainable, regularizer)

        vars(layer)["add_parameter"] = add_parameter
        self.guarded.append(layer)

    def spend(self, layer: Layer, name: str, shape: Any) -> None:
        try:
            dims = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list)) else (shape,)))
        except (TypeError, ValueError):
            return  # not a shape: the real add_parameter refuses it
        size = math.prod(max(d, 0) for d in dims) * layer.dtype.itemsize
        if size > self.left:
            raise self.archive.fail(
                f"holds a config that builds {layer._label()} with a parameter {name!r} of shape {dims} "
                f"({size} bytes) beyond the {self.total} bytes of weights the file holds; refused before "
                "allocating it."
            )
        self.left -= size

    def release(self) -> None:
        for layer in self.guarded:
            vars(layer).pop("add_parameter", None)


def rebuild(
    archive: ArchiveReader, document: Document, custom_objects: dict[str, type] | None, arrays: list[np.ndarray]
) -> Layer:
    """The model from its config, built for the recorded input shape, matching the file's lists exactly."""
    budget = Budget(sum(a.nbytes for a in arrays), archive)
    try:
        assert document.model is not None
        model = _construct(archive, document.model, custom_objects, budget, "model")
        if not model.built:
            model.ensure_built(document.input_shape)
        _check_structure(archive, model, document)  # its walk() also refuses a layer instance met twice
    except ModelFileError:
        raise
    except REBUILD_ERRORS as error:
        raise archive.fail(
            f"holds a model config that could not be rebuilt: {type(error).__name__}: {error}"
        ) from error
    finally:
        budget.release()
    return model


def _construct(
    archive: ArchiveReader, entry: dict[str, Any], custom_objects: dict[str, type] | None, budget: Budget, where: str
) -> Layer:
    """One layer from ``{"class_name", "config"}``, every layer in it guarded before anything is built.

    A ``Sequential`` (not overriding ``from_config``) is assembled as its
    ``from_config`` would — empty, then its layers, built when the first one
    declares an input shape — so that each layer is guarded before it is
    built. The layers are appended directly: ``Sequential.add`` walks the whole
    model for reused layers on every call, quadratic in the number of layers;
    :func:`rebuild` walks the finished model once instead, refusing reuse.
    """
    if not isinstance(entry, dict) or set(entry) != {"class_name", "config"} or not isinstance(entry["config"], dict):
        raise archive.fail(
            f"has in {CONFIG_MEMBER} at {where} something other than a {{'class_name', 'config'}} object."
        )
    cls: Any = get_registered_class(entry["class_name"], custom_objects)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise archive.fail(
            f"has in {CONFIG_MEMBER} at {where} the class {entry['class_name']!r}, which is not a layer."
        )
    config = entry["config"]
    own_from_config = getattr(cls.from_config, "__func__", None) is not Sequential.from_config.__func__  # type: ignore[attr-defined]
    if issubclass(cls, Sequential) and not own_from_config:
        children = config.get("layers", [])
        if not isinstance(children, list):
            raise archive.fail(f"has in {CONFIG_MEMBER} at {where}.config.layers something other than a list.")
        model = cls.from_config({**config, "layers": []}, custom_objects=custom_objects)
        budget.guard(model)
        layers = [
            _construct(archive, c, custom_objects, budget, f"{where}.config.layers[{i}]")
            for i, c in enumerate(children)
        ]
        model.layers.extend(layers)  # add()'s effect without its whole-model walk per layer (quadratic in depth)
        if layers and layers[0]._declared_input_shape is not None:  # add()'s rule: a first layer's input_shape builds
            model.ensure_built(layers[0]._declared_input_shape)
        return model
    layer = (
        cls.from_config(config, custom_objects=custom_objects)
        if issubclass(cls, Sequential)
        else cls.from_config(config)
    )
    for inner in layer.walk():
        budget.guard(inner)
    return layer


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
