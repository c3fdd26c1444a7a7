"""Flat buffers: a model's trainable parameters as views of one array of values and one of gradients.

An optimizer then updates every parameter at once, ``update_step(values, grads, slots, lr)`` on
the two flat arrays, instead of once per parameter: on a small network the per-parameter
Python calls cost more than the arithmetic (a careful NumPy loop keeps its weights this way).

:class:`FlatParameters` is the list ``Model.trainable_parameters`` returns when every
trainable parameter has one dtype. Building it *pins* each parameter (``Parameter.pin``):
its ``value`` and ``grad`` become views of the buffers, and assigning either copies into
the view. ``intact()`` says whether every parameter still is a view (``astype`` to another
dtype unpins); an optimizer takes the flat path only then.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

import numpy as np

from .parameter import Parameter

__all__ = ["FlatParameters"]

_TRAINABLE, _REGULARIZER, _CONSTRAINT = attrgetter("trainable"), attrgetter("regularizer"), attrgetter("constraint")


class FlatParameters(list):  # a list of Parameter, as trainable_parameters returns
    """A list of parameters whose values and gradients are views of ``values`` and ``grads`` (one dtype)."""

    def __init__(self, parameters: Iterable[Parameter]) -> None:
        super().__init__(parameters)
        dtype = self[0].dtype
        sizes = [p.size for p in self]
        self.values = np.empty(sum(sizes), dtype=dtype)
        self.grads = np.empty(sum(sizes), dtype=dtype)
        start = 0
        views = []
        for p, size in zip(self, sizes, strict=True):
            value = self.values[start : start + size].reshape(p.shape)
            grad = self.grads[start : start + size].reshape(p.shape)
            p.pin(value, grad)
            views.append((value, grad))
            start += size
        self._views: list[tuple[np.ndarray, np.ndarray]] | None = views
        self._checked_at = Parameter.pin_changes
        self._plain: tuple[int, bool] | None = None

    @staticmethod
    def of(parameters: list[Parameter]) -> list[Parameter]:
        """``parameters`` pinned into flat buffers when they share one dtype and none is listed twice."""
        if (
            not parameters
            or len({p.dtype for p in parameters}) != 1
            or len({id(p) for p in parameters}) != len(parameters)
        ):
            return parameters
        return FlatParameters(parameters)

    def plain(self) -> bool:
        """Whether every parameter trains and carries no regularizer and no constraint.

        Checked at C speed, and kept until ``Parameter.setting_changes`` moves (one of those
        three attributes of any parameter was set): an optimizer asks at every step.
        """
        kept = self._plain
        if kept is not None and kept[0] == Parameter.setting_changes:
            return kept[1]
        n = len(self)
        answer = (
            sum(map(_TRAINABLE, self)) == n
            and list(map(_REGULARIZER, self)).count(None) == n
            and list(map(_CONSTRAINT, self)).count(None) == n
        )
        self._plain = (Parameter.setting_changes, answer)
        return answer

    def __setstate__(self, state: dict[str, object]) -> None:
        """A pickled or deep-copied list is never intact: its parameters hold copies, not views of its buffers."""
        self.__dict__.update(state)
        self._views = None
        self._plain = None  # the counter it was kept against belongs to another process

    def intact(self) -> bool:
        """Whether every parameter's value and grad still are the views this list made.

        Only ``Parameter.pin`` and ``Parameter.astype`` move them, and both count in
        ``Parameter.pin_changes``: while it stays where it was at the last check, nothing moved.
        """
        if self._views is None:  # a copy: see __setstate__
            return False
        if self._checked_at == Parameter.pin_changes:
            return True
        if all(p._value is value and p._grad is grad for p, (value, grad) in zip(self, self._views, strict=True)):
            self._checked_at = Parameter.pin_changes
            return True
        return False
