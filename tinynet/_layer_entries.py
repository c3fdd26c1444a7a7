"""``layer_from_entry``: one layer of a config, made through the registry only.

Containers (``Sequential``, graph models) and wrappers (``TimeDistributed``,
``Bidirectional``) store each layer inside them as ``serialize(layer)`` gives
it, ``{"class_name", "config"}``; they all make it back here.
"""

from __future__ import annotations

import inspect
from typing import Any

from .errors import InvalidTypeError, InvalidValueError
from .layer import Layer
from .registry import get_registered_class

__all__ = ["layer_from_entry"]


def layer_from_entry(
    entry: Any,
    custom_objects: dict[str, type] | None,
    where: str = "from_config",
    what: str = "each entry of 'layers'",
    verb: str = "is",
) -> Layer:
    """The layer ``entry`` describes; an entry naming anything but a registered Layer is refused unmade.

    ``where`` and ``what`` name the caller and the config entry in messages (``what verb a ... dict``). A
    class whose ``from_config`` takes ``custom_objects`` (a model, a wrapper:
    it makes layers too) is given them.
    """
    if not isinstance(entry, dict) or set(entry) != {"class_name", "config"} or not isinstance(entry["config"], dict):
        raise InvalidValueError(
            f"{where}: {what} {verb} a {{'class_name', 'config'}} dict (as serialize(layer) gives), "
            f"received {entry!r:.80}."
        )
    layer_cls: Any = get_registered_class(entry["class_name"], custom_objects)
    if not (isinstance(layer_cls, type) and issubclass(layer_cls, Layer)):
        raise InvalidTypeError(f"{where}: {what} names the class {entry['class_name']!r}, which is not a Layer.")
    factory: Any = layer_cls.from_config
    if "custom_objects" in inspect.signature(factory).parameters:
        return factory(entry["config"], custom_objects=custom_objects)
    return factory(entry["config"])
