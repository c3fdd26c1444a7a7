"""``GRUCell``: one step of :class:`~tinynet.layers.GRU`, Keras's layout, gate order and ``reset_after``."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from ..activation import Activation
from ..layer import Array, Shape
from ..registry import register
from .cells import KerasCell
from .recurrent import act_backward, act_forward

__all__ = ["GRUCell"]


@register
class GRUCell(KerasCell):
    """One step of :class:`~tinynet.layers.GRU`: the update gate mixes the previous state with a candidate.

    Math (zx_t = x_t @ kernel + bias_x, computed for every step at once by ``project``; rec =
    recurrent_activation; the 3 * units columns are the blocks u | r | c — Keras's z, r, hh;
    d_output, d_h = dL/d(the output), dL/d(the new h))::

        forward_step    zh = h_prev @ recurrent_kernel + bias_h       (reset_before: blocks u, r only)
                        u = rec(zx_u + zh_u)                         r = rec(zx_r + zh_r)
                        reset_after    s = zh_c                      zc = zx_c + r * s
                        reset_before   s = r * h_prev                zc = zx_c + s @ recurrent_kernel_c
                        cand = activation(zc)
                        h = u * h_prev + (1 - u) * cand               output h, states [h]
        backward_step   dh = d_output + d_h
                        du = dh * (h_prev - cand)    dzc = activation.backward(dh * (1 - u))    dh_prev = dh * u
                        reset_after    dr = dzc * s                  dzh_c = dzc * r
                        reset_before   ds = dzc @ recurrent_kernel_c.T    dr = ds * h_prev    dh_prev += ds * r
                        dzx_t = [rec.backward(du), rec.backward(dr), dzc]
                        dzh = [dzx_u, dzx_r, dzh_c]                   (reset_before: blocks u, r only)
                        drecurrent_kernel += h_prev.T @ dzh           (reset_before, block c: += s.T @ dzc)
                        dbias_h += dzh.sum(axis=0)
                        dh_prev += dzh @ recurrent_kernel.T
        after the loop  dkernel = x.T @ dzx    dbias_x = dzx.sum(axis=(0, 1))    dx = dzx @ kernel.T

    With ``reset_after=True`` (Keras 3's default) ``bias`` is ``(2, 3 * units)``: row 0 is ``bias_x``,
    row 1 ``bias_h``. With ``reset_after=False`` it is one row ``bias_x`` of ``(3 * units,)``.

    Parameters
    ----------
    units : int
        Size of the state and the output.
    activation, recurrent_activation : str, Activation or None
        ``"tanh"`` (for the candidate) and ``"sigmoid"`` (for the gates) by default; ``None`` means linear.
    reset_after : bool
        Apply the reset gate after the recurrent matmul (``True``, the default) or before it.
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer
        As for :class:`~tinynet.layers.cells.KerasCell` (Keras's names and defaults).
    **kwargs
        The regularizers and constraints (``kernel_regularizer``, ``recurrent_regularizer``,
        ``bias_regularizer``, ``kernel_constraint``, ``recurrent_constraint``, ``bias_constraint``)
        and ``name``, ``dtype``, ``trainable``, as for :class:`~tinynet.layers.cells.KerasCell`.

    Shape
    -----
    ``state_size = output_size = units``. Called on its own, one step: ``[x_t, h]`` gives
    ``[output, h]``. Parameters ``kernel (features, 3 * units)``, ``recurrent_kernel (units, 3 * units)``,
    ``bias (2, 3 * units)`` (``(3 * units,)`` when ``reset_after=False``): :class:`GRU`'s.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.RNN(tn.layers.GRUCell(4), return_sequences=True)
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 5, 4)
    >>> [p.shape for p in layer.parameters()]
    [(3, 12), (4, 12), (2, 12)]
    """

    gates = 3

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        reset_after: bool = True,
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
        self.reset_after = bool(reset_after)

    def bias_shape(self) -> Shape:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def input_bias(self, bias: Array) -> Array:
        return bias[0] if self.reset_after else bias

    def forward_step(self, x_t: Array, states: list[Array]) -> tuple[Array, list[Array]]:
        act, rec, n, after = self.activation, cast(Activation, self.recurrent_activation), self.units, self.reset_after
        (h_prev,) = states
        recurrent = self.recurrent_kernel.value
        zh = h_prev @ (recurrent if after else recurrent[:, : 2 * n])
        if after and self.bias is not None:
            zh += self.bias.value[1]
        u, mu = act_forward(rec, x_t[:, :n] + zh[:, :n])
        r, mr = act_forward(rec, x_t[:, n : 2 * n] + zh[:, n : 2 * n])
        if after:
            s = zh[:, 2 * n :]
            cand, mc = act_forward(act, x_t[:, 2 * n :] + r * s)
        else:
            s = r * h_prev
            cand, mc = act_forward(act, x_t[:, 2 * n :] + s @ recurrent[:, 2 * n :])
        h = u * h_prev + (1.0 - u) * cand
        self.remember_step(h_prev=h_prev, values=(u, r, s, cand), memories=(mu, mr, mc))
        return h, [h]

    def backward_step(self, d_output: Array, d_states: list[Array]) -> tuple[Array, list[Array]]:
        act, rec, n, after = self.activation, cast(Activation, self.recurrent_activation), self.units, self.reset_after
        h_prev, (u, r, s, cand), (mu, mr, mc) = self.recall_step("h_prev", "values", "memories")
        recurrent = self.recurrent_kernel.value
        recurrent_h = recurrent if after else recurrent[:, : 2 * n]  # the columns h_prev @ ... feeds
        dh = d_output + d_states[0]
        du = dh * (h_prev - cand)
        dzc = act_backward(act, mc, dh * (1.0 - u))
        dh_prev = dh * u
        dzx = np.empty((len(dh), 3 * n), dtype=dh.dtype)
        dzh = np.empty((len(dh), recurrent_h.shape[1]), dtype=dh.dtype)
        if after:
            dr = dzc * s
            dzh[:, 2 * n :] = dzc * r
        else:
            ds = dzc @ recurrent[:, 2 * n :].T
            dr = ds * h_prev
            dh_prev += ds * r
        dzx[:, :n] = dzh[:, :n] = act_backward(rec, mu, du)
        dzx[:, n : 2 * n] = dzh[:, n : 2 * n] = act_backward(rec, mr, dr)
        dzx[:, 2 * n :] = dzc
        dh_prev += dzh @ recurrent_h.T
        drecurrent = self.recurrent_kernel.grad
        drecurrent[:, : dzh.shape[1]] += h_prev.T @ dzh
        if not after:
            drecurrent[:, 2 * n :] += s.T @ dzc
        if after and self.bias is not None:
            self.bias.grad[1] += dzh.sum(axis=0)
        return dzx, [dh_prev]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "reset_after": self.reset_after}
