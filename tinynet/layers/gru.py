"""``GRU``: the gated recurrent unit (Cho et al., 2014), Keras's layout, gate order and ``reset_after``."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from ..activation import Activation
from ..layer import Shape
from ..registry import register
from .recurrent import Recurrent, act_backward, act_forward

__all__ = ["GRU"]


@register
class GRU(Recurrent):
    """Recurrent layer whose update gate mixes the previous state with a candidate state.

    Math (x of shape (batch, timesteps, features), reversed in time first with go_backwards; h starts
    at h0, the initial state given or zeros; rec = recurrent_activation; the 3 * units columns of kernel,
    recurrent_kernel and bias are the blocks u | r | c — Keras's update (Keras's z), reset (r) and
    candidate (Keras's hh) — in that order; with return_state dL/dh_T is the final state's gradient)::

        forward    zx = x @ kernel + bias_x                       (every step at once)
                   h = h0
                   for t = 0 .. T-1:
                       zh = h @ recurrent_kernel + bias_h          (reset_before: blocks u, r only)
                       u = rec(zx_u + zh_u)                         r = rec(zx_r + zh_r)
                       reset_after    s = zh_c                      zc = zx_c + r * s
                       reset_before   s = r * h                     zc = zx_c + s @ recurrent_kernel_c
                       cand = activation(zc)
                       h = u * h + (1 - u) * cand                  hs[:, t] = h
                   y = hs, or hs[:, -1] unless return_sequences   return_state: [y, hs[:, -1]]
        backward   dhs = grad, or grad at the last step and zeros before
                   dhs[:, -1] += dL/dh_T                          (return_state)
                   dh = 0
                   for t = T-1 .. 0:
                       dh = dhs[:, t] + dh
                       du = dh * (h_prev - cand)     dzc = activation.backward(dh * (1 - u))     dh = dh * u
                       reset_after    dr = dzc * s                  dzh_c = dzc * r
                       reset_before   ds = dzc @ recurrent_kernel_c.T    dr = ds * h_prev    dh += ds * r
                       dzx[:, t] = [rec.backward(du), rec.backward(dr), dzc]
                       dzh[:, t] = [dzx_u, dzx_r, dzh_c]           (reset_before: blocks u, r only)
                       dh += dzh[:, t] @ recurrent_kernel.T
                   dh0 = dh                                        (returned after dx when h0 was given)
                   drecurrent_kernel = hs_prev.T @ dzh             (hs_prev[:, 0] = h0; reset_before, block c:
                                                                    s.T @ dzx_c)
                   dbias_x = dzx.sum(axis=(0, 1))    dbias_h = dzh.sum(axis=(0, 1))
                   dkernel = x.T @ dzx               dx = dzx @ kernel.T
                   dx = dx[:, ::-1]                                (go_backwards: back in the input's order)

    With ``reset_after=True`` (Keras 3's default, cuDNN's form) ``bias`` is ``(2, 3 * units)``: row 0 is
    ``bias_x``, row 1 ``bias_h``. With ``reset_after=False`` (the original form) it is one row
    ``bias_x`` of ``(3 * units,)`` and there is no ``bias_h``.

    Parameters
    ----------
    units : int
        Size of the state and the output.
    activation, recurrent_activation : str, Activation or None
        ``"tanh"`` (for the candidate) and ``"sigmoid"`` (for the gates) by default; ``None`` means linear.
    reset_after : bool
        Apply the reset gate after the recurrent matmul (``True``, the default) or before it.
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer, kernel_regularizer, \
recurrent_regularizer, bias_regularizer, return_sequences, return_state, go_backwards, **kwargs
        As for :class:`~tinynet.layers.recurrent.Recurrent` (Keras's names and defaults).

    Shape
    -----
    input ``(batch, timesteps, features)``, or with ``layer(x, initial_state=h0)`` the list
    ``[x, h0]``, ``h0`` of ``(batch, units)``; output ``(batch, units)``, or ``(batch, timesteps, units)``
    with ``return_sequences=True``; with ``return_state=True`` the list ``[output, h]``.
    Parameters ``kernel (features, 3 * units)``,
    ``recurrent_kernel (units, 3 * units)``, ``bias (2, 3 * units)`` (``(3 * units,)`` when
    ``reset_after=False``): Keras's names, layout and gate order.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet.layers.gru import GRU
    >>> layer = GRU(4)
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 4)
    >>> [p.shape for p in layer.parameters()]
    [(3, 12), (4, 12), (2, 12)]
    >>> GRU(4, reset_after=False, return_sequences=True)(np.ones((2, 5, 3))).shape
    (2, 5, 4)
    >>> [a.shape for a in GRU(4, return_sequences=True, return_state=True)(np.ones((2, 5, 3)))]
    [(2, 5, 4), (2, 4)]
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
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        *,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
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
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            **kwargs,
        )
        self.reset_after = bool(reset_after)

    def bias_shape(self) -> Shape:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def forward(self, x: Any, training: bool = False, mask: Any = None) -> Any:
        act, rec, n, after = self.activation, cast(Activation, self.recurrent_activation), self.units, self.reset_after
        x, (h0,), given, keep = self.start(x, mask)
        bias = None if self.bias is None else self.bias.value
        bias_x, bias_h = (bias[0], bias[1]) if bias is not None and after else (bias, None)
        zx = self.project(x, bias_x)
        recurrent = self.recurrent_kernel.value
        hs = np.empty((x.shape[0], x.shape[1], n), dtype=zx.dtype)
        h = h0
        steps = []
        for t in range(x.shape[1]):
            zh = h @ (recurrent if after else recurrent[:, : 2 * n])
            if bias_h is not None:
                zh += bias_h
            u, mu = act_forward(rec, zx[:, t, :n] + zh[:, :n])
            r, mr = act_forward(rec, zx[:, t, n : 2 * n] + zh[:, n : 2 * n])
            if after:
                s = zh[:, 2 * n :]
                cand, mc = act_forward(act, zx[:, t, 2 * n :] + r * s)
            else:
                s = r * h
                cand, mc = act_forward(act, zx[:, t, 2 * n :] + s @ recurrent[:, 2 * n :])
            h_prev, h = h, self.carry(keep, t, u * h + (1.0 - u) * cand, h)
            hs[:, t] = h
            steps.append((h_prev, u, r, s, cand, mu, mr, mc))
        shown = self.shown(keep, hs.dtype)
        self.remember(x=x, hs=hs, steps=steps, h0=h0, given=given, keep=keep, shown=shown)
        return self.finish(hs, shown=shown)

    def backward(self, grad: Any) -> Any:
        act, rec, n, after = self.activation, cast(Activation, self.recurrent_activation), self.units, self.reset_after
        x, hs, steps, h0, given, keep, shown = self.recall("x", "hs", "steps", "h0", "given", "keep", "shown")
        recurrent = self.recurrent_kernel.value
        recurrent_h = recurrent if after else recurrent[:, : 2 * n]  # the columns h @ ... feeds in the loop
        dhs, _ = self.step_grads(grad, hs, shown)
        dzx = np.empty((*hs.shape[:2], 3 * n), dtype=hs.dtype)
        dzh = np.empty((*hs.shape[:2], recurrent_h.shape[1]), dtype=hs.dtype)
        dh = np.zeros_like(hs[:, 0])
        for t in reversed(range(x.shape[1])):
            h_prev, u, r, s, cand, mu, mr, mc = steps[t]
            dh, skip = self.through(keep, t, dhs[:, t] + dh)
            du = dh * (h_prev - cand)
            dzc = act_backward(act, mc, dh * (1.0 - u))
            dh = dh * u
            if after:
                dr = dzc * s
                dzh[:, t, 2 * n :] = dzc * r
            else:
                ds = dzc @ recurrent[:, 2 * n :].T
                dr = ds * h_prev
                dh += ds * r
            dzx[:, t, :n] = dzh[:, t, :n] = act_backward(rec, mu, du)
            dzx[:, t, n : 2 * n] = dzh[:, t, n : 2 * n] = act_backward(rec, mr, dr)
            dzx[:, t, 2 * n :] = dzc
            dh += dzh[:, t] @ recurrent_h.T
            if skip is not None:
                dh += skip
        dzh2 = dzh.reshape(-1, dzh.shape[2])
        drecurrent = np.empty_like(recurrent)
        drecurrent[:, : dzh.shape[2]] = self.previous(hs, h0).T @ dzh2
        if not after:
            s_all = np.stack([step[3] for step in steps], axis=1).reshape(-1, n)
            drecurrent[:, 2 * n :] = s_all.T @ dzx[:, :, 2 * n :].reshape(-1, n)
        self.recurrent_kernel.grad = drecurrent
        if self.bias is not None:
            dbias_x = dzx.sum(axis=(0, 1))
            self.bias.grad = np.stack([dbias_x, dzh2.sum(axis=0)]) if after else dbias_x
        return self.inputs_grad(x, dzx, [dh], given)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "reset_after": self.reset_after}
