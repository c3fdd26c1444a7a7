"""``StackedRNNCells``: several cells run as one, each step's output the next cell's input (Keras's wrapper)."""

from __future__ import annotations

from typing import Any

from .._layer_entries import layer_from_entry
from ..errors import InvalidTypeError
from ..layer import Array, Shape
from ..registry import register, serialize
from .cell import RNNCell

__all__ = ["StackedRNNCells"]


@register
class StackedRNNCells(RNNCell):
    """A stack of cells that behaves as one cell: at every step, cell ``k`` reads cell ``k - 1``'s output.

    Math (cells c_0 .. c_{K-1}; the states are c_0's, then c_1's, ...; x_t is projected by
    c_0's ``project`` for every step at once, the later cells' inputs one step at a time)::

        forward_step    y_0, states_0 = c_0.forward_step(x_t, states_0)
                        y_k, states_k = c_k.forward_step(c_k.project(y_{k-1}), states_k)     k = 1 .. K-1
                        output y_{K-1}, states [*states_0, ..., *states_{K-1}]
        backward_step   dy = d_output
                        for k = K-1 .. 0:
                            dz_k, d_prev_states_k = c_k.backward_step(dy, d_states_k)
                            dy = c_k.project_backward(y_{k-1}, dz_k)                          k >= 1
                        dx_t = dz_0

    Parameters
    ----------
    cells : list of RNNCell
        The cells, from the one reading the input to the one whose output is the stack's.
    **kwargs
        ``name``, ``dtype`` (the first cell's by default; every cell is cast to it), ``trainable``.

    Shape
    -----
    ``state_size`` lists the cells' ``state_size`` (Keras's nesting: ``[[4, 4], 8]`` for an
    ``LSTMCell(4)`` under a ``GRUCell(8)``); ``RNN`` takes and returns the states flat, in that order:
    ``[h_0, c_0, h_1]``. ``output_size`` is the last cell's. ``get_weights()`` lists the first cell's
    parameters, then the next cell's, and so on.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> cells = tn.layers.StackedRNNCells([tn.layers.LSTMCell(4), tn.layers.GRUCell(8)])
    >>> cells.state_size, cells.output_size
    ([[4, 4], 8], 8)
    >>> output, h_0, c_0, h_1 = tn.layers.RNN(cells, return_state=True)(np.ones((2, 5, 3)))
    >>> output.shape, c_0.shape, h_1.shape
    ((2, 8), (2, 4), (2, 8))
    >>> tn.layers.RNN([tn.layers.SimpleRNNCell(4), tn.layers.SimpleRNNCell(2)])(np.ones((2, 5, 3))).shape
    (2, 2)
    """

    def __init__(self, cells: list[RNNCell], **kwargs: Any) -> None:
        label = f"StackedRNNCells {kwargs.get('name', 'stacked_rnn_cells')!r}"
        if not isinstance(cells, (list, tuple)) or not cells:
            raise InvalidTypeError(f"{label}: cells must be a non-empty list of cells, received {cells!r:.80}.")
        for index, cell in enumerate(cells):
            if not isinstance(cell, RNNCell):
                raise InvalidTypeError(
                    f"{label}: cell {index} must be a cell (SimpleRNNCell, LSTMCell, GRUCell or an RNNCell of "
                    f"yours), received {type(cell).__name__}."
                )
        kwargs.setdefault("dtype", cells[0].dtype)
        super().__init__(**kwargs)
        self.cells = list(cells)
        for cell in self.cells:
            if cell.dtype != self.dtype:
                cell.astype(self.dtype)
        self.state_size = [cell.state_size for cell in self.cells]
        self.output_size = self.cells[-1].output_width()

    def _spans(self) -> list[tuple[int, int]]:
        """Where each cell's states sit in the flat list of states."""
        spans, start = [], 0
        for cell in self.cells:
            count = len(cell.state_shapes())
            spans.append((start, start + count))
            start += count
        return spans

    def build(self, input_shape: Shape) -> None:
        for cell in self.cells:
            cell.ensure_built(input_shape)
            input_shape = (cell.output_width(),)

    def project(self, x: Array) -> Array:
        return self.cells[0].project(x)

    def project_backward(self, x: Array, dzx: Array) -> Array:
        return self.cells[0].project_backward(x, dzx)

    def start_steps(self, **arrays: Any) -> None:
        super().start_steps(**arrays)
        for cell in self.cells:
            cell.start_steps()

    def forward_step(self, x_t: Array, states: list[Array]) -> tuple[Array, list[Array]]:
        y, inputs, new_states = x_t, [], []
        for k, (cell, (a, b)) in enumerate(zip(self.cells, self._spans(), strict=True)):
            if k:
                inputs.append(y)
                y = cell.project(y[:, None])[:, 0]
            y, states_k = cell.run_step(y, states[a:b])
            new_states.extend(states_k)
        self.remember_step(inputs=inputs)
        return y, new_states

    def backward_step(self, d_output: Array, d_states: list[Array]) -> tuple[Array, list[Array]]:
        (inputs,) = self.recall_step("inputs")
        d_prev: list[Array] = list(d_states)
        dy = d_output
        for k in reversed(range(len(self.cells))):
            cell, (a, b) = self.cells[k], self._spans()[k]
            dz, d_prev[a:b] = cell.run_backward_step(self._step, dy, d_states[a:b])
            dy = cell.project_backward(inputs[k - 1][:, None], dz[:, None])[:, 0] if k else dz
        return dy, d_prev

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cells": [serialize(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> StackedRNNCells:
        """New, unbuilt cells from ``config["cells"]``, made through the registry (or ``custom_objects``) only."""
        config = dict(config)
        entries = config.pop("cells", None)
        if not isinstance(entries, list):
            raise InvalidTypeError(f"StackedRNNCells.from_config: 'cells' must be a list, received {entries!r:.80}.")
        cells: Any = [
            layer_from_entry(entry, custom_objects, "StackedRNNCells.from_config", "each entry of 'cells'")
            for entry in entries
        ]
        return cls(cells, **config)
