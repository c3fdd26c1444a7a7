"""``layer_from_entry``: one layer of a model's config, made through the registry only."""

from __future__ import annotations

import inspect
from typing import Any

from ..errors import InvalidTypeError, InvalidValueError
from ..layer import Layer
from ..registry import get_registered_class

__all__ = ["layer_from_entry"]


def layer_from_entry(entry: Any, custom_objects: dict[str, type] | None) -> Layer:
    """One layer of ``from_config``'s ``layers``; an entry naming anything but a layer is refused before it is made."""
    if not isinstance(entry, dict) or set(entry) != {"class_name", "config"} or not isinstance(entry["config"], dict):
        raise InvalidValueError(
            f"from_config: each entry of 'layers' is a {{'class_name', 'config'}} dict (as "
            f"serialize(layer) gives), received {entry!r:.80}."
        )
    layer_cls: Any = get_registered_class(entry["class_name"], custom_objects)
    if not (isinstance(layer_cls, type) and issubclass(layer_cls, Layer)):
        raise InvalidTypeError(f"from_config: 'layers' names the class {entry['class_name']!r}, which is not a Layer.")
    if _takes_custom_objects(layer_cls):
        return layer_cls.from_config(entry["config"], custom_objects=custom_objects)  # type: ignore[call-arg]
    return layer_cls.from_config(entry["config"])


def _takes_custom_objects(cls: Any) -> bool:
    """A model's ``from_config`` (which makes the layers inside it) takes ``custom_objects`` too."""
    return "custom_objects" in inspect.signature(cls.from_config).parameters
