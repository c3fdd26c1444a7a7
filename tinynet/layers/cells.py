"""Keras's recurrent cells: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell`` — one step each, for :class:`RNN`.

Each computes one step of the layer of the same name (``simple_rnn.py``, ``lstm.py``,
``gru.py``) with the same arguments, parameters (``kernel``, ``recurrent_kernel``,
``bias`` in Keras's layout and gate order) and numbers: ``RNN(LSTMCell(n))`` computes
what ``LSTM(n)`` computes, given the same weights. What they share is here in
``KerasCell``: the arguments, the parameters, and the input projection
``zx = x @ kernel + bias`` of every step in one matmul (``project``), with its mirror
``project_backward``. Each step adds its share of ``recurrent_kernel``'s gradient (and,
for GRU's ``reset_after``, of the recurrent bias row) in ``backward_step``.
"""

from __future__ import annotations

import copy
from typing import Any, cast

import numpy as np

from .. import activations, constraints, initializers, regularizers
from .._validation import integer
from ..activation import Activation
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Shape
from ..registry import register, serialize
from .cell import RNNCell
from .recurrent import act_backward, act_forward

__all__ = ["KerasCell", "SimpleRNNCell", "LSTMCell"]

#: Keras cell arguments tinynet does not support yet: no dropout (and so no seed for it).
_NOT_YET = ("dropout", "recurrent_dropout", "seed")


class KerasCell(RNNCell):
    """Base of :class:`SimpleRNNCell`, :class:`LSTMCell` and :class:`GRUCell`: Keras's arguments and parameters.

    Parameters
    ----------
    units : int
        Size of the state ``h`` (and of the output).
    activation, recurrent_activation : str, Activation or None
        ``"tanh"`` and (gated cells) ``"sigmoid"`` by default; ``None`` means linear.
    use_bias : bool
    kernel_initializer, recurrent_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"``, ``"orthogonal"`` and ``"zeros"`` by default, as in Keras.
    kernel_regularizer, recurrent_regularizer, bias_regularizer : str or regularizer, optional
    kernel_constraint, recurrent_constraint, bias_constraint : str or constraint, optional
    **kwargs
        ``name``, ``dtype``, ``trainable`` (see :class:`~tinynet.Layer`).
    """

    #: Blocks of ``units`` columns in ``kernel`` and ``recurrent_kernel``: 1 (SimpleRNN), 4 (LSTM), 3 (GRU).
    gates: int = 1

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        unsupported = sorted(set(kwargs) & set(_NOT_YET))
        if unsupported:
            raise InvalidValueError(
                f"{type(self).__name__}: {', '.join(unsupported)} not supported yet: cells apply no dropout. "
                "Remove the argument(s)."
            )
        super().__init__(**kwargs)
        self.units = integer(units, self._label(), "units", minimum=1)
        self.activation = self._activation(activation)
        self.recurrent_activation = None if recurrent_activation is None else self._activation(recurrent_activation)
        if self.recurrent_activation is self.activation:  # one instance passed twice: give each role its own
            self.recurrent_activation = copy.deepcopy(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.state_size: Any = self.units
        self.output_size = self.units

    def _activation(self, identifier: Any) -> Activation:
        activation = cast(Activation, activations.get(identifier) if identifier is not None else activations.Linear())
        activation.astype(self.dtype)
        return activation

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 1 or input_shape[0] is None:
            raise ShapeError(
                f"{self._label()}: expected a step's input of per-sample shape (features,), received "
                f"{tuple(input_shape)}. Run the cell over (batch, timesteps, features) with RNN(cell)."
            )
        width = self.gates * self.units
        self.kernel = self.add_parameter(
            "kernel", (input_shape[0], width), self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )  # fmt: skip
        self.recurrent_kernel = self.add_parameter(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
        )  # fmt: skip
        self.bias = (
            self.add_parameter(
                "bias",
                self.bias_shape(),
                self.bias_init(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )  # fmt: skip
            if self.use_bias
            else None
        )

    def bias_shape(self) -> Shape:
        return (self.gates * self.units,)

    def bias_init(self) -> Any:
        return self.bias_initializer

    def input_bias(self, bias: Array) -> Array:
        """The part of ``bias`` (or of its gradient) added to ``x @ kernel``: all of it, but for GRU's reset_after."""
        return bias

    def project(self, x: Array) -> Array:
        """``zx = x @ kernel + bias`` for every step at once: ``(batch, timesteps, gates * units)``."""
        n, t, f = x.shape
        zx = (x.reshape(n * t, f) @ self.kernel.value).reshape(n, t, -1)
        if self.bias is not None:
            zx += self.input_bias(self.bias.value)
        return zx

    def project_backward(self, x: Array, dzx: Array) -> Array:
        """Add ``x.T @ dzx`` to ``kernel.grad`` and ``dzx``'s sum to the bias's; return ``dx = dzx @ kernel.T``."""
        n, t, f = x.shape
        dzx2 = dzx.reshape(n * t, -1)
        self.kernel.grad += x.reshape(n * t, f).T @ dzx2
        if self.bias is not None:
            dbias = self.input_bias(self.bias.grad)
            dbias += dzx2.sum(axis=0)
        return (dzx2 @ self.kernel.value.T).reshape(n, t, f)

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "units": self.units,
            "activation": serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize(self.kernel_initializer),
            "recurrent_initializer": serialize(self.recurrent_initializer),
            "bias_initializer": serialize(self.bias_initializer),
        }
        for key in (
            "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
            "kernel_constraint", "recurrent_constraint", "bias_constraint",
        ):  # fmt: skip
            value = getattr(self, key)
            config[key] = None if value is None else serialize(value)
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = serialize(self.recurrent_activation)
        return config


@register
class SimpleRNNCell(KerasCell):
    """One step of :class:`~tinynet.layers.SimpleRNN`: ``h = activation(x_t @ kernel + h_prev @ recurrent_kernel + b)``.

    Math (zx_t = x_t @ kernel + bias, computed for every step at once by ``project``;
    d_h = dL/d(the new state h), d_output = dL/d(the output, also h))::

        forward_step    z = zx_t + h_prev @ recurrent_kernel
                        h = activation(z)                           output h, states [h]
        backward_step   dz = activation.backward(d_output + d_h)
                        drecurrent_kernel += h_prev.T @ dz
                        dzx_t = dz                                  dh_prev = dz @ recurrent_kernel.T
        after the loop  dkernel = x.T @ dzx    dbias = dzx.sum(axis=(0, 1))    dx = dzx @ kernel.T

    Parameters
    ----------
    units : int
        Size of the state and the output.
    activation : str, Activation or None
        ``"tanh"`` by default; ``None`` means linear.
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer
        As for :class:`~tinynet.layers.cells.KerasCell` (Keras's names and defaults).
    **kwargs
        The regularizers and constraints (``kernel_regularizer``, ``recurrent_regularizer``,
        ``bias_regularizer``, ``kernel_constraint``, ``recurrent_constraint``, ``bias_constraint``)
        and ``name``, ``dtype``, ``trainable``, as for :class:`~tinynet.layers.cells.KerasCell`.

    Shape
    -----
    ``state_size = output_size = units``. Run by :class:`~tinynet.layers.RNN` over
    ``(batch, timesteps, features)``; called on its own, one step: ``[x_t, h]`` of ``(batch, features)``
    and ``(batch, units)`` gives ``[output, h]``. Parameters ``kernel (features, units)``,
    ``recurrent_kernel (units, units)``, ``bias (units,)``: :class:`SimpleRNN`'s.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.RNN(tn.layers.SimpleRNNCell(4))
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 4)
    >>> [p.shape for p in layer.parameters()]
    [(3, 4), (4, 4), (4,)]
    >>> cell = tn.layers.SimpleRNNCell(4)
    >>> [a.shape for a in cell([np.ones((2, 3)), np.zeros((2, 4))])]   # one step: output, new h
    [(2, 4), (2, 4)]
    """

    gates = 1

    def forward_step(self, x_t: Array, states: list[Array]) -> tuple[Array, list[Array]]:
        (h_prev,) = states
        h, memory = act_forward(self.activation, x_t + h_prev @ self.recurrent_kernel.value)
        self.remember_step(h_prev=h_prev, memory=memory)
        return h, [h]

    def backward_step(self, d_output: Array, d_states: list[Array]) -> tuple[Array, list[Array]]:
        h_prev, memory = self.recall_step("h_prev", "memory")
        dz = act_backward(self.activation, memory, d_output + d_states[0])
        self.recurrent_kernel.grad += h_prev.T @ dz
        return dz, [dz @ self.recurrent_kernel.value.T]


@register
class LSTMCell(KerasCell):
    """One step of :class:`~tinynet.layers.LSTM`: gates i | f | g | o (Keras's i, f, c, o) and the cell state ``c``.

    Math (zx_t = x_t @ kernel + bias, computed for every step at once by ``project``; rec =
    recurrent_activation; d_output, d_h, d_c = dL/d(the output), dL/d(the new h), dL/d(the new c))::

        forward_step    z = zx_t + h_prev @ recurrent_kernel
                        i = rec(z_i)    f = rec(z_f)    g = activation(z_g)    o = rec(z_o)
                        c = f * c_prev + i * g
                        a = activation(c)
                        h = o * a                                   output h, states [h, c]
        backward_step   dh = d_output + d_h
                        do = dh * a
                        dc = d_c + activation.backward(dh * o)      (through a = activation(c))
                        di = dc * g    df = dc * c_prev    dg = dc * i    dc_prev = dc * f
                        dz = [rec.backward(di), rec.backward(df), activation.backward(dg), rec.backward(do)]
                        drecurrent_kernel += h_prev.T @ dz
                        dzx_t = dz                                  dh_prev = dz @ recurrent_kernel.T
        after the loop  dkernel = x.T @ dzx    dbias = dzx.sum(axis=(0, 1))    dx = dzx @ kernel.T

    Parameters
    ----------
    units : int
        Size of the states ``h`` and ``c`` and of the output.
    activation, recurrent_activation : str, Activation or None
        ``"tanh"`` (for ``g`` and ``c``) and ``"sigmoid"`` (for the gates) by default; ``None`` means linear.
    unit_forget_bias : bool
        Start the forget gate's block of ``bias`` at ones (Keras's default).
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer
        As for :class:`~tinynet.layers.cells.KerasCell` (Keras's names and defaults).
    **kwargs
        The regularizers and constraints (``kernel_regularizer``, ``recurrent_regularizer``,
        ``bias_regularizer``, ``kernel_constraint``, ``recurrent_constraint``, ``bias_constraint``)
        and ``name``, ``dtype``, ``trainable``, as for :class:`~tinynet.layers.cells.KerasCell`.

    Shape
    -----
    ``state_size = [units, units]`` (``h``, ``c``), ``output_size = units``. Called on its own, one
    step: ``[x_t, h, c]`` gives ``[output, h, c]``. Parameters ``kernel (features, 4 * units)``,
    ``recurrent_kernel (units, 4 * units)``, ``bias (4 * units,)``: :class:`LSTM`'s, in Keras's gate order.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> cell = tn.layers.LSTMCell(4)
    >>> cell.state_size, cell.output_size
    ([4, 4], 4)
    >>> output, h, c = tn.layers.RNN(cell, return_state=True)(np.ones((2, 5, 3)))
    >>> output.shape, h.shape, c.shape
    ((2, 4), (2, 4), (2, 4))
    >>> cell.bias.value.reshape(4, 4)[:, 0]  # i, f, g, o: the forget gate starts open
    array([0., 1., 0., 0.], dtype=float32)
    """

    gates = 4

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            recurrent_activation="linear" if recurrent_activation is None else recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def bias_init(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        n, initializer = self.units, self.bias_initializer

        def forget_gate_open(shape: tuple[int, ...], dtype: Any = "float32") -> Array:
            bias = np.array(initializer(shape, dtype=dtype), dtype=dtype)
            bias[n : 2 * n] = 1.0
            return bias

        return forget_gate_open

    def forward_step(self, x_t: Array, states: list[Array]) -> tuple[Array, list[Array]]:
        act, rec, n = self.activation, cast(Activation, self.recurrent_activation), self.units  # set by __init__
        h_prev, c_prev = states
        z = x_t + h_prev @ self.recurrent_kernel.value
        i, mi = act_forward(rec, z[:, :n])
        f, mf = act_forward(rec, z[:, n : 2 * n])
        g, mg = act_forward(act, z[:, 2 * n : 3 * n])
        o, mo = act_forward(rec, z[:, 3 * n :])
        c = f * c_prev + i * g
        a, ma = act_forward(act, c)
        h = o * a
        self.remember_step(h_prev=h_prev, c_prev=c_prev, gates=(i, f, g, o, a), memories=(mi, mf, mg, mo, ma))
        return h, [h, c]

    def backward_step(self, d_output: Array, d_states: list[Array]) -> tuple[Array, list[Array]]:
        act, rec, n = self.activation, cast(Activation, self.recurrent_activation), self.units  # set by __init__
        h_prev, c_prev, (i, f, g, o, a), (mi, mf, mg, mo, ma) = self.recall_step(
            "h_prev", "c_prev", "gates", "memories"
        )
        d_h, d_c = d_states
        dh = d_output + d_h
        do = dh * a
        dc = d_c + act_backward(act, ma, dh * o)
        di, df, dg, dc_prev = dc * g, dc * c_prev, dc * i, dc * f
        dz = np.empty((len(dh), 4 * n), dtype=dh.dtype)
        dz[:, :n] = act_backward(rec, mi, di)
        dz[:, n : 2 * n] = act_backward(rec, mf, df)
        dz[:, 2 * n : 3 * n] = act_backward(act, mg, dg)
        dz[:, 3 * n :] = act_backward(rec, mo, do)
        self.recurrent_kernel.grad += h_prev.T @ dz
        return dz, [dz @ self.recurrent_kernel.value.T, dc_prev]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}
