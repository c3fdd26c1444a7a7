"""Masks: which steps of a sequence hold data, carried from layer to layer by the containers.

A mask is a boolean array of shape ``(batch, steps)``: ``True`` where a step holds
data, ``False`` where it is padding. ``Embedding(mask_zero=True)`` and ``Masking``
make one; the containers (``Sequential`` and graph models) carry it on, as Keras does:

- a layer whose ``forward`` has a ``mask`` argument receives the mask of its input
  (for a layer called on a list of inputs, the list of their masks, ``None`` where an
  input has none): the recurrent layers, attention and the global 1-D poolings use
  it so that a padded step changes no output and gets no gradient;
- the mask of a layer's output is ``layer.compute_mask(x, mask)``: the input's mask
  for a layer that keeps the steps as they are (``supports_masking``: Dense, the
  activations, Dropout, the normalizations), a new one for a layer that makes one,
  ``None`` for a layer that ends the sequence (a recurrent layer returning its last
  state, a global pooling);
- a layer that neither keeps, takes nor makes masks drops the mask with a warning
  (once per layer), as Keras 3 does: the layers after it see none.

A model remembers the masks of its outputs, so ``compile``'s loss and metrics skip
the padded steps of a per-step target (see ``Model.output_mask``).

The containers take the slower path that carries masks only when a layer in them
can make one (``creates_mask``); without, they run as if masks did not exist.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np

__all__ = ["MaskProtocol", "takes_mask", "run_masked", "all_of", "any_mask", "step_weights"]


class MaskProtocol:
    """What a layer says about masks; ``Layer`` inherits it (see the module docstring)."""

    #: A layer that keeps its input's steps in place (Dense, activations, Dropout, LayerNorm) sets this:
    #: its output has its input's mask.
    supports_masking: bool = False

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """The mask of the output for input ``x`` whose mask is ``mask`` (``None``: no mask).

        The default passes ``mask`` on when ``supports_masking`` is set and
        otherwise returns ``None``. Layers that make a mask (Embedding with
        ``mask_zero``, Masking), combine several (the merge layers) or end the
        steps (a recurrent layer returning its last state) override it. It is
        called after ``forward`` on the same ``x``.
        """
        return mask if self.supports_masking else None

    @property
    def creates_mask(self) -> bool:
        """Whether the layer may return a mask from an input without one; a layer overriding
        ``compute_mask`` is taken to (set ``creates_mask = False`` on a class whose override only passes masks on)."""
        return type(self).compute_mask is not MaskProtocol.compute_mask


_takes_mask: dict[type, bool] = {}


def takes_mask(layer: Any) -> bool:
    """Whether ``layer.forward`` has a ``mask`` argument (decided once per class)."""
    kind = type(layer)
    known = _takes_mask.get(kind)
    if known is None:
        known = _takes_mask[kind] = "mask" in inspect.signature(kind.forward).parameters
    return known


def any_mask(mask: Any) -> bool:
    """Whether ``mask`` (one mask, ``None``, or a list of them) holds any mask."""
    if isinstance(mask, list):
        return any(m is not None for m in mask)
    return mask is not None


def run_masked(layer: Any, x: Any, training: bool, mask: Any, options: dict[str, Any]) -> tuple[Any, Any]:
    """``layer.forward(x)`` given the input's ``mask``, and the output's mask.

    The layer receives ``mask`` when its ``forward`` takes one; a layer that would
    drop a mask it cannot use warns once (see the module docstring).
    """
    has_mask = any_mask(mask)
    if has_mask and takes_mask(layer):
        y = layer.forward(x, training, mask=mask, **options)
    else:
        y = layer.forward(x, training, **options)
    if (
        has_mask
        and not layer.supports_masking
        and not takes_mask(layer)
        and type(layer).compute_mask is MaskProtocol.compute_mask
        and not vars(layer).get("_mask_dropped")
    ):
        layer._mask_dropped = True  # warned once: see the module docstring
        warnings.warn(
            f"{layer._label()} does not support masking, but its input has a mask; the mask is dropped here, "
            "and the layers after it see none (padded steps count from here on). Keep masked sequences to "
            "layers that carry masks (Dense, the recurrent layers, attention, GlobalAveragePooling1D, ...).",
            UserWarning,
            stacklevel=3,
        )
    return y, layer.compute_mask(x, mask if has_mask else None)


def all_of(masks: list[Any]) -> Any:
    """The steps every given mask keeps (``None`` entries ignored); ``None`` when no mask is given."""
    given = [m for m in masks if m is not None]
    if not given:
        return None
    out = given[0]
    for m in given[1:]:
        out = out & m
    return out


def step_weights(mask: Any, dtype: Any) -> Any:
    """The mask as weights in ``dtype`` with a trailing axis, ``(batch, steps, 1)``, for ``x * w``."""
    return np.asarray(mask, dtype=dtype)[..., None]
