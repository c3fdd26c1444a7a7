"""``SlotState``: an optimizer's slots — made on first use, flattened, cast — and its state (``Optimizer`` inherits it).

A parameter's slots are ``slots[p][name]``: the subclass's (``slot_names``), then
``"average"`` with ``use_ema`` and ``"gradient_accumulator"`` when accumulating.
For a model in flat buffers (:mod:`tinynet._flat`) they are views of flat slot arrays.

``get_state`` and ``set_state`` give the step count and slots as named arrays, and
back. The names are positional — ``"iterations"`` and ``"<i>/<slot>"``, ``i`` the
parameter's position in the list given — so that a model file holds them
without any process-wide name; ``set_state`` checks every name, shape and
dtype before it changes anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from .._flat import FlatParameters
from .._validation import float_dtype
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..parameter import Parameter
from ..utils import describe

__all__ = ["SlotState", "AVERAGE", "ACCUMULATOR"]

AVERAGE, ACCUMULATOR = "average", "gradient_accumulator"  # Keras's names of the base class's own arrays

Array = np.ndarray
_SLOT_KEY = re.compile(r"^(0|[1-9][0-9]*)/([A-Za-z_][A-Za-z0-9_]*)$")  # "3/m": slot "m" of parameter 3


class SlotState:
    """The slots of :class:`~tinynet.optimizers.Optimizer` (see the module docstring): made, flattened, cast, saved."""

    slots: dict[Parameter, dict[str, Array]]
    _steps: int

    if TYPE_CHECKING:
        use_ema: bool
        gradient_accumulation_steps: int | None
        _flat_state: tuple[FlatParameters, dict[str, Array], list[Any]] | None

        def slot_names(self) -> tuple[str, ...]: ...

        def new_slot(self, name: str, p: Parameter) -> Array: ...

        def parameter_slot_shape(self, name: str, p: Parameter) -> tuple[int, ...]: ...

        def _checked_parameters(self, parameters: Iterable[Parameter], method: str) -> list[Parameter]: ...

    # ------------------------------------------------------------ the slots of a parameter
    def all_slot_names(self) -> tuple[str, ...]:
        """``slot_names()``, then ``"average"`` with ``use_ema`` and ``"gradient_accumulator"`` when accumulating."""
        own = (AVERAGE,) if self.use_ema else ()
        return self.slot_names() + own + ((ACCUMULATOR,) if self.gradient_accumulation_steps else ())

    def _shape_of(self, name: str, p: Parameter) -> tuple[int, ...]:
        return p.shape if name in (AVERAGE, ACCUMULATOR) else self.parameter_slot_shape(name, p)

    def _slots_of(self, p: Parameter) -> dict[str, Array]:
        """``p``'s slot arrays, created on first use and kept in ``p``'s dtype."""
        names = self.all_slot_names()
        if not names:
            return {}
        slots = self.slots.setdefault(p, {})
        for name in names:
            array = slots.get(name)
            if array is None:
                slots[name] = np.zeros(p.shape, p.dtype) if name in (AVERAGE, ACCUMULATOR) else self.new_slot(name, p)
            elif array.dtype != p.dtype:  # the parameter was cast without the optimizer
                slots[name] = array.astype(p.dtype)
        return slots

    def astype(self, dtype: Any) -> Self:
        """Cast every slot array to the floating ``dtype`` (``Model.astype`` calls it) and return ``self``."""
        dtype = float_dtype(dtype, f"{type(self).__name__}.astype")
        for slots in self.slots.values():
            for name, array in slots.items():
                slots[name] = array.astype(dtype, copy=False)
        return self

    def _flat_slots(self, flat: FlatParameters) -> dict[str, Array]:
        """The slots of every parameter of ``flat`` as flat arrays, each parameter's slot a view of them.

        Made once (from the per-parameter slots, new or restored) and kept while
        every parameter's slot still is its view; ``set_state`` or ``astype``
        replacing a slot array makes them anew from the arrays now in place.
        """
        names = self.slot_names()
        kept = self._flat_state
        if kept is not None and kept[0] is flat and all(slot[name] is view for slot, name, view in kept[2]):
            return kept[1]
        per_parameter = [self._slots_of(p) for p in flat]
        buffers: dict[str, Array] = {}
        views: list[tuple[dict[str, Array], str, Array]] = []
        for name in names:
            buffer = np.empty_like(flat.values)
            start = 0
            for p, slot in zip(flat, per_parameter, strict=True):
                view = buffer[start : start + p.size].reshape(p.shape)
                view[...] = slot[name]
                slot[name] = view
                views.append((slot, name, view))
                start += p.size
            buffers[name] = buffer
        self._flat_state = (flat, buffers, views)
        return buffers

    # ------------------------------------------------------------ state
    def get_state(self, parameters: Iterable[Parameter]) -> dict[str, Array]:
        """The number of calls of :meth:`step` and copies of the slot arrays, named by position in ``parameters``.

        ``{"iterations": np.array(3), "0/m": ..., "0/v": ..., "1/m": ...}``; a
        parameter without slots yet (never stepped) has no entries.
        """
        params = self._checked_parameters(parameters, "get_state")
        state: dict[str, Array] = {"iterations": np.array(self._steps, dtype=np.int64)}  # Keras saves its calls too
        for i, p in enumerate(params):
            slots = self.slots.get(p, {})
            for name in self.all_slot_names():
                if name in slots:
                    state[f"{i}/{name}"] = slots[name].astype(p.dtype)  # a copy, in the parameter's dtype
        return state

    def set_state(self, parameters: Iterable[Parameter], state: Mapping[str, Any]) -> None:
        """Restore what :meth:`get_state` returned, after checking every name, shape and dtype.

        The slots of each parameter in ``parameters`` become exactly those in
        ``state`` (a parameter without entries starts afresh). On any error
        nothing changes.
        """
        where = f"{type(self).__name__}.set_state"
        params = self._checked_parameters(parameters, "set_state")
        if not isinstance(state, Mapping):
            raise InvalidTypeError(f"{where}: state must be a dict of arrays, received {describe(state)}.")
        iterations = _checked_iterations(where, state)
        names = self.all_slot_names()
        found: dict[int, dict[str, Array]] = {}
        for key, value in state.items():
            if key == "iterations":
                continue
            match = _SLOT_KEY.match(key) if isinstance(key, str) else None
            if match is None or int(match[1]) >= len(params) or match[2] not in names:
                raise InvalidValueError(
                    f"{where}: unexpected entry {key!r}. Expected 'iterations' and '<i>/<slot>' entries, i the "
                    f"position of one of the {len(params)} parameters given and slot one of {names}."
                )
            i, p = int(match[1]), params[int(match[1])]
            array, shape = np.asarray(value), self._shape_of(match[2], p)
            if array.shape != shape:
                expected = (
                    f"the shape of parameter {i} ({p.name!r}), {p.shape}"
                    if shape == p.shape
                    else f"shape {shape} (parameter {i}, {p.name!r}, has shape {p.shape})"
                )
                raise ShapeError(f"{where}: entry {key!r} must have {expected}; received shape {array.shape}.")
            if array.dtype != p.dtype:
                raise InvalidValueError(
                    f"{where}: entry {key!r} must have the dtype of parameter {i} ({p.name!r}), {p.dtype}; "
                    f"received {array.dtype}. Cast the model and optimizer with astype to match."
                )
            found.setdefault(i, {})[match[2]] = array
        for i, slots in found.items():
            missing = [name for name in names if name not in slots]
            if missing:
                raise InvalidValueError(
                    f"{where}: parameter {i} ({params[i].name!r}) has entries for {sorted(slots)} but not for "
                    f"{missing}; the slots of a parameter are restored all together."
                )
        self._steps = iterations
        for i, p in enumerate(params):
            if i in found:
                self.slots[p] = {name: found[i][name].copy() for name in names}
            else:
                self.slots.pop(p, None)
        self._flat_state = None  # new slot dicts: the flat slots are made anew from them at the next step


def _checked_iterations(where: str, state: Mapping[str, Any]) -> int:
    if "iterations" not in state:
        raise InvalidValueError(f"{where}: state has no 'iterations' entry (the step count).")
    iterations = np.asarray(state["iterations"])
    if iterations.shape != () or iterations.dtype.kind not in "iu" or iterations < 0:
        raise InvalidValueError(
            f"{where}: 'iterations' must be one integer >= 0, received {describe(state['iterations'])}."
        )
    return int(iterations)
