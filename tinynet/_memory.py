"""``remember`` / ``recall``: the seed's ``memory``, one per layer or loss.

Inference (``predict``, ``evaluate``, the shape probe) runs inside
:func:`inference`, where ``remember`` stores nothing: what a training
``forward`` remembered stays in place for its ``backward``, and no batch is
kept alive for a backward pass that will never come.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from .errors import CallOrderError

__all__ = ["Memory", "inference"]

_remembering: ContextVar[bool] = ContextVar("tinynet_remembering", default=True)


class inference:  # noqa: N801 - used as a function: ``with inference():``
    """Within this block ``remember`` keeps nothing, so ``forward`` changes no layer's memory.

    A class rather than a ``@contextmanager`` generator: it is cheaper to
    enter, and ``predict`` on one sample enters it every call.
    """

    def __enter__(self) -> None:
        self._token = _remembering.set(False)

    def __exit__(self, *exc_info: object) -> None:
        _remembering.reset(self._token)


class Memory:
    """What ``forward`` caches for ``backward``.

    ``remember`` replaces everything stored before, so nothing stale survives
    a second ``forward``; ``recall`` before any ``forward`` raises a
    ``CallOrderError`` that says so.
    """

    _memory: dict[str, Any]

    def _label(self) -> str:
        return type(self).__name__

    @property
    def remembering(self) -> bool:
        """Whether ``remember`` keeps what it is given: false under :func:`inference`, where no backward follows.

        A ``forward`` may skip work that only ``backward`` needs when it is false.
        """
        return _remembering.get()

    def remember(self, **arrays: Any) -> None:
        """Cache what ``backward`` needs, replacing everything cached before (nothing, under :func:`inference`)."""
        if _remembering.get():
            self._memory = arrays

    def recall(self, *names: str) -> tuple[Any, ...]:
        """The values ``forward`` remembered under ``names``, as a tuple."""
        try:
            memory = self._memory
            if len(names) == 1:  # the common case, every layer every step: no list to build
                return (memory[names[0]],)
            return tuple([memory[name] for name in names])
        except (AttributeError, KeyError):
            pass
        stored: dict[str, Any] = getattr(self, "_memory", {})
        if not stored:
            raise CallOrderError(
                f"{self._label()}: backward() was called before forward(). Run forward on a batch first."
            )
        missing = [n for n in names if n not in stored]
        raise CallOrderError(f"{self._label()}: recall{tuple(missing)} but forward() remembered only {sorted(stored)}.")

    def forget(self) -> None:
        """Drop what ``forward`` remembered (``backward`` then needs a new ``forward``)."""
        self._memory = {}
