"""The per-layer converters: each turns one layer call into ONNX nodes, in one module per family of layers.

A converter is registered for exact classes with :func:`converts` (a subclass
of a layer writes its own ``forward``, so it is not assumed to compute the
same thing) and called through :func:`convert`, which also records the
per-sample shapes of what it returns and says, when a converter gives up,
which layer it was.

Signature: ``fn(b, layer, x)`` for a layer called on one tensor (``x`` a
tensor name, returning one); with ``many=True``, ``fn(b, layer, x, options)``
where ``x`` is a name or a list of names as the layer was called, and the
result is a name or a list of names as the layer returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..builder import GraphBuilder, Unsupported

__all__ = ["CONVERTERS", "FOR_SUBCLASSES", "Located", "converts", "convert", "convertible"]

Converter = Callable[[GraphBuilder, Any, Any, dict[str, Any]], Any]

#: Exact layer class -> its converter.
CONVERTERS: dict[type, Converter] = {}
#: Base class -> the converter of its subclasses that have none of their own (a ``tn.Model`` subclass: a graph).
FOR_SUBCLASSES: dict[type, Converter] = {}


class Located(Exception):
    """An ``Unsupported`` that knows its layer: the path of labels from the model down to it."""

    def __init__(self, path: list[str], reason: str) -> None:
        super().__init__(reason)
        self.path, self.reason = path, reason


def converts(*classes: type, many: bool = False) -> Callable[[Any], Any]:
    """Register the decorated function as the converter of ``classes`` (exact classes)."""

    def register(fn: Any) -> Any:
        def one(b: GraphBuilder, layer: Any, x: Any, options: dict[str, Any]) -> Any:
            if isinstance(x, list):
                raise Unsupported(f"takes one input; here it is called on a list of {len(x)}")
            return fn(b, layer, x)

        for cls in classes:
            CONVERTERS[cls] = fn if many else one
        return fn

    return register


def convertible(layer: Any) -> bool:
    """Whether a converter is registered for ``layer``'s exact class."""
    return type(layer) in CONVERTERS


def convert(b: GraphBuilder, layer: Any, x: Any, options: dict[str, Any] | None = None) -> Any:
    """The ONNX tensor(s) of ``layer`` called on tensor(s) ``x``; their per-sample shapes recorded in ``b``."""
    options = dict(options or {})
    fn = CONVERTERS.get(type(layer))
    if fn is None:
        fn = next((f for base, f in FOR_SUBCLASSES.items() if isinstance(layer, base)), None)
    try:
        if fn is None:
            raise Unsupported(
                f"there is no ONNX converter for {type(layer).__name__} (see the list of exportable layers in "
                "the ONNX guide)"
            )
        out = fn(b, layer, x, options)
        shape_in = [b.shapes[n] for n in x] if isinstance(x, list) else b.shapes[x]
        shape_out = layer.compute_output_shape(shape_in, **options) if options else layer.compute_output_shape(shape_in)
    except Located as inner:
        raise Located([layer._label(), *inner.path], inner.reason) from None
    except Unsupported as error:
        raise Located([layer._label()], str(error)) from None
    for name, shape in zip(out if isinstance(out, list) else [out], shape_out if isinstance(out, list) else [shape_out],
                           strict=True):  # fmt: skip
        b.shapes.setdefault(name, tuple(shape))
    return out


def _load() -> None:
    """Import the family modules, which register their converters."""
    from . import activations, core, extra, merge, models, normalization, recurrent, resizing, sequence, spatial  # noqa: F401


_load()
