"""``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``: a model to one archive and back, exactly.

Loading reads and checks everything in the file — the archive's directory,
``config.json``, every class name, every array header against the config and
against the member's real size — before it constructs anything; then
:mod:`tinynet.saving.rebuild` rebuilds the model through the registry only,
within the file's own size, and checks it against the file's lists. Only then
are the weights assigned and the optimizer, its step count and the random
generators restored (:mod:`tinynet.saving.state`).

A model is seen through its public methods only (``get_config``,
``parameters``, ``walk``, ``input_shape``; ``get_compile_config`` and
``get_training_state`` for a compiled one): nothing here imports
:mod:`tinynet.models`.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._rollback import unchanged_on_error
from .._validation import check_model_file_name
from ..errors import CallOrderError, InvalidTypeError
from ..layer import Layer
from .archive import ArchiveReader, describe_members, write_archive
from .config import MAX_CONFIG_BYTES, dumps, loads
from .document import (
    CONFIG_MEMBER,
    ITERATIONS_MEMBER,
    Document,
    build_document,
    check_saveable,
    label,
    weight_entries,
)
from .document_parse import parse_document
from .errors import ModelFileError
from .rebuild import REBUILD_ERRORS, check_class_names, rebuild
from .state import add_training_state, restore_compile, restore_generators

__all__ = ["save_model", "load_model", "save_weights", "load_weights"]


# ---------------------------------------------------------------------------- saving
def save_model(model: Layer, path: str | os.PathLike[str]) -> None:
    """Write ``model`` — architecture, weights, compile settings, optimizer state — to one ``.npz`` archive.

    The file is written to a temporary file in the same folder and moved over
    ``path`` with ``os.replace``: on any failure ``path`` keeps its previous
    content and no temporary file is left. Saving the same model twice gives
    byte-identical files. The model must be built (so that its weights
    exist); an unbuilt model raises :class:`~tinynet.errors.CallOrderError`.
    Name the file ``.npz``: a name ending in one of Keras's extensions
    (``.keras``, ``.h5``, ``.hdf5``) raises
    :class:`~tinynet.errors.InvalidValueError`, as Keras could not read it.

    Examples
    --------
    >>> import pathlib, tempfile, numpy as np, tinynet as tn
    >>> from tinynet.saving import save_model, load_model
    >>> model = tn.Sequential([tn.layers.Dense(3, activation="relu", input_shape=(2,)), tn.layers.Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "model.npz"
    >>> save_model(model, path)
    >>> clone = load_model(path)
    >>> x = np.ones((4, 2))
    >>> bool((clone.predict(x) == model.predict(x)).all()), type(clone.optimizer).__name__
    (True, 'Adam')
    >>> folder.cleanup()
    """
    _write(model, path, "model", "save_model")


def save_weights(model: Layer, path: str | os.PathLike[str]) -> None:
    """Write only the weights of ``model`` (and the layer list they belong to) to one archive, atomically.

    The same rules as :func:`save_model`: a built model, and not a Keras extension.
    """
    _write(model, path, "weights", "save_weights")


def _write(model: Any, path: Any, kind: str, what: str) -> None:
    if not isinstance(model, Layer):
        raise InvalidTypeError(f"{what}: expected a tinynet Layer or Model, received {type(model).__name__}.")
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidTypeError(f"{what}: path must be a str or a path, received {type(path).__name__}.")
    check_model_file_name(path, f"{label(model)}: {what}")
    if not model.built:
        raise CallOrderError(
            f"{label(model)}: {what}() needs a built model, whose weights exist. Give the first layer "
            "input_shape=(...), or call the model on a batch (or fit it) first."
        )
    check_saveable(model, f"{label(model)}: {what}")
    from .. import __version__

    document, arrays = build_document(model, kind, __version__)
    if kind == "model":
        add_training_state(document, arrays, model)
    payload = dumps(document, where=f"{label(model)}: {what}: the config")  # fails before any file is touched
    write_archive(path, [(CONFIG_MEMBER, payload), *arrays])


# ---------------------------------------------------------------------------- loading
def load_model(
    path: str | os.PathLike[str], custom_objects: dict[str, type] | None = None, compile: bool = True
) -> Layer:
    """Read a model written by :func:`save_model`: the same architecture, weights and (if ``compile``) training state.

    Class names in the file are looked up in tinynet's registry (classes
    decorated with :func:`tinynet.register`) and in ``custom_objects`` —
    nowhere else: nothing named in the file is imported or executed, and
    arrays are read with ``allow_pickle=False`` after their headers were
    checked. With ``compile=True`` (the default) a model that was compiled is
    compiled again with the same optimizer, loss and metrics, and the
    optimizer's slots, its step count and ``fit``'s shuffling generator are
    restored, so training continues exactly as if it had never stopped.

    ``custom_objects`` resolves the classes of the model, of the layers of a
    ``Sequential`` and of the compile settings; a class nested inside a
    layer's own config (an activation or initializer object) must be
    registered.

    Raises
    ------
    ModelFileError
        (a ``ValueError``) for a corrupt, truncated, inconsistent or hostile
        file; the message names the file and what is wrong with it.
    """
    custom_objects = _checked_custom_objects(custom_objects)
    if not isinstance(compile, bool):
        raise InvalidTypeError(f"load_model: compile must be True or False, received {compile!r}.")
    with ArchiveReader(path) as archive:
        document = read_document(archive)
        if document.kind != "model":
            raise archive.fail(
                "is a weights file (written by save_weights): it holds no architecture. Build the model, then "
                "call model.load_weights(path)."
            )
        assert document.model is not None
        check_class_names(archive, document, custom_objects)
        arrays = _read_weights(archive, document)
        state = _read_optimizer_state(archive, document)
    model = rebuild(archive, document, custom_objects, arrays)
    for p, array in zip(model.parameters(), arrays, strict=True):
        p.value = array
    if compile and document.compile is not None:
        restore_compile(archive, model, document, state, custom_objects)
    restore_generators(archive, model, document)
    return model


def load_weights(model: Layer, path: str | os.PathLike[str]) -> None:
    """Set the weights of ``model`` from a file of :func:`save_weights` (or :func:`save_model`).

    Every weight in the file must match the model's parameter at the same
    position — same layer position, name and shape — and every check runs
    before any weight is set: on an error the model is unchanged. An unbuilt
    model is first built for the input shape the file records. Weights of
    another float dtype are cast to the model's (refused if a value would
    overflow). The optimizer is left as it is.
    """
    if not isinstance(model, Layer):
        raise InvalidTypeError(f"load_weights: expected a tinynet Layer or Model, received {type(model).__name__}.")
    with ArchiveReader(path, "file") as archive:
        document = read_document(archive)
        arrays = _read_weights(archive, document)
    with unchanged_on_error(model):
        if not model.built:
            try:
                model.ensure_built(document.input_shape)
            except REBUILD_ERRORS as error:
                raise archive.fail(
                    f"records the input shape {document.input_shape}, for which {label(model)} could not be "
                    f"built: {error}"
                ) from error
        found = weight_entries(model)
        if len(found) != len(document.weights):
            raise archive.fail(
                f"holds {len(document.weights)} weights but {label(model)} has {len(found)} parameters "
                f"({', '.join(f'{e.name} {e.shape}' for e in found[:8])}{', ...' if len(found) > 8 else ''})."
            )
        for i, (got, want) in enumerate(zip(found, document.weights, strict=True)):
            if (got.layer, got.name, got.shape) != (want.layer, want.name, want.shape):
                raise archive.fail(
                    f"holds, as weight {i}, {want.name!r} of layer {want.layer} with shape {want.shape}; "
                    f"{label(model)} has {got.name!r} of layer {got.layer} with shape {got.shape} there."
                )
        parameters = model.parameters()
        values = [
            _cast(archive, array, p.dtype, i) for i, (p, array) in enumerate(zip(parameters, arrays, strict=True))
        ]
    for p, value in zip(parameters, values, strict=True):
        p.value = value


# ---------------------------------------------------------------------------- reading the file
def read_document(archive: ArchiveReader) -> Document:
    """``config.json``, parsed strictly and checked; the archive must hold exactly the members it lists."""
    if CONFIG_MEMBER not in archive.members:
        raise archive.fail(
            f"has no {CONFIG_MEMBER} member, so it is not a tinynet model file (members: "
            f"{describe_members(list(archive.members)[:10])})."
        )
    where = f"{archive.label}: {CONFIG_MEMBER}"
    data = loads(archive.read_bytes(CONFIG_MEMBER, MAX_CONFIG_BYTES), where)
    document = parse_document(data, lambda message: ModelFileError(f"{where} {message}"))
    expected, present = document.members(), set(archive.members)
    if expected - present:
        raise archive.fail(f"lacks the member(s) {describe_members(expected - present)} that {CONFIG_MEMBER} lists.")
    if present - expected:
        raise archive.fail(
            f"has unexpected member(s) {describe_members(sorted(present - expected)[:10])}; a tinynet file holds "
            f"{CONFIG_MEMBER} and the members it lists, nothing else."
        )
    return document


def _read_weights(archive: ArchiveReader, document: Document) -> list[np.ndarray]:
    return [
        archive.read_array(w.member, w.shape, np.dtype(w.dtype), f"{CONFIG_MEMBER} (weights[{i}])")
        for i, w in enumerate(document.weights)
    ]


def _read_optimizer_state(archive: ArchiveReader, document: Document) -> dict[str, np.ndarray] | None:
    if document.slots is None:
        return None
    where = f"{CONFIG_MEMBER} (optimizer_state)"
    state = {"iterations": archive.read_array(ITERATIONS_MEMBER, (), np.dtype(np.int64), where)}
    for s in document.slots:
        state[f"{s.parameter}/{s.slot}"] = archive.read_array(s.member, s.shape, np.dtype(s.dtype), where)
    return state


def _cast(archive: ArchiveReader, array: np.ndarray, dtype: np.dtype, index: int) -> np.ndarray:
    if array.dtype == dtype:
        return array
    with np.errstate(over="ignore", invalid="ignore"):
        cast = array.astype(dtype)
        overflow = bool(np.isfinite(array).all()) and not bool(np.isfinite(cast).all())
    if overflow:
        raise archive.fail(f"holds weight {index} with values beyond the range of the model's {dtype}.")
    return cast


def _checked_custom_objects(custom_objects: Any) -> dict[str, type] | None:
    if custom_objects is None:
        return None
    if not isinstance(custom_objects, dict):
        raise InvalidTypeError(
            f"custom_objects must be a dict of class names to classes, received {type(custom_objects).__name__}."
        )
    for name, cls in custom_objects.items():
        if not isinstance(name, str) or not isinstance(cls, type):
            raise InvalidTypeError(f"custom_objects maps class names (str) to classes; received {name!r}: {cls!r:.80}.")
    return dict(custom_objects)
