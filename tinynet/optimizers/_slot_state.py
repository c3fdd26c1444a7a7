"""``SlotState``: an optimizer's step count and slot arrays as named arrays, and back (``Optimizer`` inherits it).

The names are positional — ``"iterations"`` and ``"<i>/<slot>"``, ``i`` the
parameter's position in the list given — so that a model file holds them
without any process-wide name; ``set_state`` checks every name, shape and
dtype before it changes anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..parameter import Parameter
from ..utils import describe

__all__ = ["SlotState"]

Array = np.ndarray
_SLOT_KEY = re.compile(r"^(0|[1-9][0-9]*)/([A-Za-z_][A-Za-z0-9_]*)$")  # "3/m": slot "m" of parameter 3


class SlotState:
    """``get_state`` / ``set_state`` of :class:`~tinynet.optimizers.Optimizer`."""

    slots: dict[Parameter, dict[str, Array]]
    _steps: int

    if TYPE_CHECKING:

        def all_slot_names(self) -> tuple[str, ...]: ...

        def _shape_of(self, name: str, p: Parameter) -> tuple[int, ...]: ...

        def _checked_parameters(self, parameters: Iterable[Parameter], method: str) -> list[Parameter]: ...

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


def _checked_iterations(where: str, state: Mapping[str, Any]) -> int:
    if "iterations" not in state:
        raise InvalidValueError(f"{where}: state has no 'iterations' entry (the step count).")
    iterations = np.asarray(state["iterations"])
    if iterations.shape != () or iterations.dtype.kind not in "iu" or iterations < 0:
        raise InvalidValueError(
            f"{where}: 'iterations' must be one integer >= 0, received {describe(state['iterations'])}."
        )
    return int(iterations)
