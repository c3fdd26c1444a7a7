"""The registry of classes that configs and model files may name.

A file or config names a class only by a plain string, its registered name;
the string is looked up here (or in the ``custom_objects`` a caller passes)
and nowhere else: no import, no attribute lookup, no code from a file is ever
run.

Registered names come in two forms, so that a user's class may share its
Python name with one of tinynet's:

- tinynet's own classes go by their bare class name: ``"Dense"``, ``"Linear"``;
- a user's class goes by ``"package>Name"``, Keras's form: ``"Custom>Linear"``
  by default, or the ``package`` (and ``name``) given to :func:`register`.

Both parts are plain identifiers (:data:`NAME`), so a name can never be a
module path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .errors import InvalidTypeError, InvalidValueError, UnknownIdentifierError

__all__ = [
    "register", "get_registered_class", "registered_name", "registered_names", "serialize", "resolve", "NAME",
]  # fmt: skip

T = TypeVar("T", bound=type)

#: What a registered name looks like: ``Name`` (tinynet's classes) or ``package>Name`` (a user's), each part
#: a plain identifier. Loading checks every ``class_name`` in a file against it before looking it up.
NAME = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]{0,99}>)?[A-Za-z_][A-Za-z0-9_]{0,199}$")
_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
DEFAULT_PACKAGE = "Custom"

_CLASSES: dict[str, type] = {}  # registered name -> class
_NAMES: dict[type, str] = {}  # class -> registered name


def _is_tinynet_class(cls: type) -> bool:
    return cls.__module__ == "tinynet" or cls.__module__.startswith("tinynet.")


@overload
def register(cls: T, *, package: str = ..., name: str | None = ...) -> T: ...
@overload
def register(cls: None = ..., *, package: str = ..., name: str | None = ...) -> Callable[[T], T]: ...
def register(cls: T | None = None, *, package: str = DEFAULT_PACKAGE, name: str | None = None) -> Any:
    """Class decorator: make ``cls`` loadable from configs and model files by its registered name.

    tinynet registers its own classes under their bare names. A class of
    yours is registered as ``"package>name"`` (``"Custom>" + cls.__name__``
    by default), which is what :func:`serialize`, ``get_config`` and model
    files then store as its ``class_name``. So a layer of yours may be called
    ``Linear`` like tinynet's activation: the two never collide.

    Parameters
    ----------
    cls : type, optional
        The class. Omit it to pass ``package`` or ``name``: ``@register(package="mylib")``.
    package : str, default "Custom"
        The first part of the registered name of a class that is not tinynet's.
    name : str, optional
        The second part; the class's ``__name__`` when omitted.

    Returns
    -------
    type
        ``cls`` itself (or, without ``cls``, a decorator that registers and returns its class).

    Raises
    ------
    InvalidTypeError
        ``cls`` is not a class.
    InvalidValueError
        ``package`` or ``name`` is not a plain identifier, or one of tinynet's
        own names is taken by another of tinynet's classes.

    Examples
    --------
    >>> import tinynet as tn
    >>> registered_name(tn.activations.Linear), registered_name(tn.layers.Dense)
    ('Linear', 'Dense')

    A user's ``@tn.register class Linear(tn.Layer)`` is ``"Custom>Linear"``,
    and ``@tn.register(package="mylib")`` makes it ``"mylib>Linear"``.
    """
    if cls is None:
        return lambda decorated: register(decorated, package=package, name=name)
    if not isinstance(cls, type):
        raise InvalidTypeError(f"register: expected a class, received {type(cls).__name__} {cls!r:.80}.")
    short = cls.__name__ if name is None else name
    for part, value in (("package", package), ("name", short)):
        if not isinstance(value, str) or not _PART.match(value):
            raise InvalidValueError(
                f"register: the {part} of {cls.__qualname__}'s registered name must be a plain identifier "
                f"(letters, digits, _), received {value!r:.80}."
            )
    if _is_tinynet_class(cls):
        key = short
        existing = _CLASSES.get(key)
        if existing is not None and existing is not cls and _is_tinynet_class(existing):
            raise InvalidValueError(
                f"register: the name {key!r} is taken by tinynet's own {existing.__module__}.{existing.__name__}."
            )
    else:
        key = f"{package}>{short}"
    _CLASSES[key] = cls
    _NAMES[cls] = key
    return cls


def registered_name(cls: type) -> str:
    """The name configs and files store for ``cls``: its registered name, or its ``__name__`` if it has none."""
    return _NAMES.get(cls, cls.__name__)


def get_registered_class(name: Any, custom_objects: dict[str, type] | None = None) -> type:
    """The class registered (or passed in ``custom_objects``) under ``name``.

    ``custom_objects`` may be keyed by the registered name (``"Custom>Linear"``)
    or by the class name alone (``"Linear"``). A bare name that is none of
    tinynet's finds a class of yours registered under exactly one package, so
    files saved before the class was registered, or under another package,
    still load.
    """
    if not isinstance(name, str):
        raise UnknownIdentifierError(f"A class name must be a string, received {type(name).__name__}.")
    short = name.rpartition(">")[2]
    if custom_objects:
        if name in custom_objects:
            return custom_objects[name]
        if short != name and short in custom_objects:
            return custom_objects[short]
    if name in _CLASSES:
        return _CLASSES[name]
    if short == name:
        matches = [cls for key, cls in _CLASSES.items() if key.rpartition(">")[2] == name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(sorted(key for key in _CLASSES if key.rpartition(">")[2] == name))
            raise UnknownIdentifierError(
                f"The class name {name!r} is ambiguous: registered as {names}. Pass custom_objects={{{name!r}: cls}}."
            )
    raise UnknownIdentifierError(
        f"Unknown class name {name!r}. Known: tinynet's registered classes; register your own with "
        "@tn.register or pass custom_objects={name: cls}."
    )


def registered_names() -> list[str]:
    """Every registered name, sorted."""
    return sorted(_CLASSES)


def serialize(obj: Any) -> dict[str, Any]:
    """``{"class_name": ..., "config": obj.get_config()}`` — what configs and files store for an object.

    ``class_name`` is the class's registered name (see :func:`registered_name`).
    """
    return {"class_name": registered_name(type(obj)), "config": obj.get_config()}


def resolve(
    identifier: Any,
    family: str,
    base: Any,
    aliases: dict[str, type],
    custom_objects: dict[str, type] | None = None,
) -> Any:
    """The object a ``get(identifier)`` of a family (activations, losses, ...) returns.

    ``identifier`` may be an instance of ``base`` (returned as is), a subclass
    of ``base`` (instantiated), a Keras string id from ``aliases``, or a
    ``{"class_name", "config"}`` dict from :func:`serialize`.
    """
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in aliases:
            return aliases[key]()
        if identifier in _CLASSES and issubclass(_CLASSES[identifier], base):
            return _CLASSES[identifier]()
        raise UnknownIdentifierError(
            f"Unknown {family} {identifier!r}. Known {family} ids: {', '.join(sorted(aliases))}; "
            f"or pass a {base.__name__} instance."
        )
    if isinstance(identifier, dict) and set(identifier) == {"class_name", "config"}:
        cls: Any = get_registered_class(identifier["class_name"], custom_objects)
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise UnknownIdentifierError(f"{identifier['class_name']!r} is not a {family} ({base.__name__}).")
        config = identifier["config"]
        if not isinstance(config, dict):
            raise UnknownIdentifierError(f"The config of {identifier['class_name']!r} must be a dict.")
        factory: Any = cls  # a registered subclass of base: it has from_config
        return factory.from_config(config)
    raise UnknownIdentifierError(
        f"Could not interpret {identifier!r} as a {family}: pass a string id, a {base.__name__} instance, "
        "or a {'class_name': ..., 'config': ...} dict."
    )
