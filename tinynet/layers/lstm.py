"""``LSTM``: long short-term memory (Hochreiter & Schmidhuber, 1997), Keras's layout and gate order."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from ..activation import Activation
from ..layer import Array
from ..registry import register
from .recurrent import Recurrent, act_backward, act_forward

__all__ = ["LSTM"]


@register
class LSTM(Recurrent):
    """Recurrent layer with a gated cell state ``c`` that carries information across many steps.

    Math (x of shape (batch, timesteps, features), reversed in time first with go_backwards; h and c
    start at h0 and c0, the initial states given or zeros; rec = recurrent_activation; the 4 * units
    columns of kernel, recurrent_kernel and bias are the blocks i | f | g | o — Keras's input, forget,
    cell (Keras calls g "c") and output gates, in that order; with return_state dL/dh_T and dL/dc_T
    are the final states' gradients)::

        forward    zx = x @ kernel + bias                         (every step at once)
                   h, c = h0, c0
                   for t = 0 .. T-1:
                       z = zx[:, t] + h @ recurrent_kernel
                       i = rec(z_i)    f = rec(z_f)    g = activation(z_g)    o = rec(z_o)
                       c = f * c + i * g
                       a = activation(c)
                       h = o * a                                  hs[:, t] = h
                   y = hs, or hs[:, -1] unless return_sequences   return_state: [y, hs[:, -1], c]
        backward   dhs = grad, or grad at the last step and zeros before
                   dhs[:, -1] += dL/dh_T                          (return_state)
                   dh = 0    dc = dL/dc_T (return_state) or 0
                   for t = T-1 .. 0:
                       dh = dhs[:, t] + dh
                       do = dh * a
                       dc = dc + activation.backward(dh * o)      (through a = activation(c))
                       di = dc * g    df = dc * c_prev    dg = dc * i    dc = dc * f
                       dz = [rec.backward(di), rec.backward(df), activation.backward(dg), rec.backward(do)]
                       dzx[:, t] = dz
                       dh = dz @ recurrent_kernel.T
                   dh0, dc0 = dh, dc                              (returned after dx when h0, c0 were given)
                   drecurrent_kernel = hs_prev.T @ dzx            (hs_prev[:, t] = h before step t, h0 first)
                   dbias = dzx.sum(axis=(0, 1))    dkernel = x.T @ dzx    dx = dzx @ kernel.T
                   dx = dx[:, ::-1]                               (go_backwards: back in the input's order)

    Parameters
    ----------
    units : int
        Size of the states ``h`` and ``c`` and of the output.
    activation, recurrent_activation : str, Activation or None
        ``"tanh"`` (for ``g`` and ``c``) and ``"sigmoid"`` (for the gates) by default; ``None`` means linear.
    unit_forget_bias : bool
        Start the forget gate's block of ``bias`` at ones (Keras's default, Jozefowicz et al. 2015);
        the rest of ``bias`` comes from ``bias_initializer``.
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer, kernel_regularizer, \
recurrent_regularizer, bias_regularizer, return_sequences, return_state, go_backwards, **kwargs
        As for :class:`~tinynet.layers.recurrent.Recurrent` (Keras's names and defaults).

    Shape
    -----
    input ``(batch, timesteps, features)``, or with ``layer(x, initial_state=[h0, c0])`` the list
    ``[x, h0, c0]``, each state ``(batch, units)``; output ``(batch, units)``, or ``(batch, timesteps, units)``
    with ``return_sequences=True``; with ``return_state=True`` the list ``[output, h, c]``.
    Parameters ``kernel (features, 4 * units)``,
    ``recurrent_kernel (units, 4 * units)``, ``bias (4 * units,)``: Keras's names, layout and gate order,
    so ``set_weights(keras_layer.get_weights())`` works unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet.layers.lstm import LSTM
    >>> layer = LSTM(4)
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 4)
    >>> [p.shape for p in layer.parameters()]
    [(3, 16), (4, 16), (16,)]
    >>> layer.bias.value.reshape(4, 4)[:, 0]  # i, f, g, o: the forget gate starts open
    array([0., 1., 0., 0.], dtype=float32)
    >>> encoder = LSTM(4, return_state=True)
    >>> _, h, c = encoder(np.ones((2, 5, 3)))          # the final states ...
    >>> LSTM(4)(np.ones((2, 7, 3)), initial_state=[h, c]).shape   # ... start another run
    (2, 4)
    """

    gates = 4
    state_names = ("h", "c")

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
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        *,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
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
        self.unit_forget_bias = bool(unit_forget_bias)

    def bias_init(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        n, initializer = self.units, self.bias_initializer

        def forget_gate_open(shape: tuple[int, ...], dtype: Any = "float32") -> Array:
            bias = np.array(initializer(shape, dtype=dtype), dtype=dtype)
            bias[n : 2 * n] = 1.0
            return bias

        return forget_gate_open

    def forward(self, x: Any, training: bool = False, mask: Any = None) -> Any:
        act, rec, n = self.activation, cast(Activation, self.recurrent_activation), self.units  # set by __init__
        x, (h0, c), given, keep = self.start(x, mask)
        zx = self.project(x, None if self.bias is None else self.bias.value)
        recurrent = self.recurrent_kernel.value
        hs = np.empty((x.shape[0], x.shape[1], n), dtype=zx.dtype)
        h = h0
        steps = []
        for t in range(x.shape[1]):
            z = zx[:, t] + h @ recurrent
            i, mi = act_forward(rec, z[:, :n])
            f, mf = act_forward(rec, z[:, n : 2 * n])
            g, mg = act_forward(act, z[:, 2 * n : 3 * n])
            o, mo = act_forward(rec, z[:, 3 * n :])
            c_prev, c_new = c, f * c + i * g
            a, ma = act_forward(act, c_new)
            h, c = self.carry(keep, t, o * a, h), self.carry(keep, t, c_new, c)
            hs[:, t] = h
            steps.append((c_prev, i, f, g, o, a, mi, mf, mg, mo, ma))
        shown = self.shown(keep, hs.dtype)
        self.remember(x=x, hs=hs, steps=steps, h0=h0, given=given, keep=keep, shown=shown)
        return self.finish(hs, c, shown=shown)

    def backward(self, grad: Any) -> Any:
        act, rec, n = self.activation, cast(Activation, self.recurrent_activation), self.units  # set by __init__
        x, hs, steps, h0, given, keep, shown = self.recall("x", "hs", "steps", "h0", "given", "keep", "shown")
        recurrent = self.recurrent_kernel.value
        dhs, (dc_last,) = self.step_grads(grad, hs, shown)
        dzx = np.empty((*hs.shape[:2], 4 * n), dtype=hs.dtype)
        dh = np.zeros_like(hs[:, 0])
        dc = dh if dc_last is None else dc_last  # never written into: each step makes a new dc
        for t in reversed(range(x.shape[1])):
            c_prev, i, f, g, o, a, mi, mf, mg, mo, ma = steps[t]
            dh, skip_h = self.through(keep, t, dhs[:, t] + dh)
            dc, skip_c = self.through(keep, t, dc)
            do = dh * a
            dc = dc + act_backward(act, ma, dh * o)
            di, df, dg, dc = dc * g, dc * c_prev, dc * i, dc * f
            dz = dzx[:, t]
            dz[:, :n] = act_backward(rec, mi, di)
            dz[:, n : 2 * n] = act_backward(rec, mf, df)
            dz[:, 2 * n : 3 * n] = act_backward(act, mg, dg)
            dz[:, 3 * n :] = act_backward(rec, mo, do)
            dh = dz @ recurrent.T
            if skip_h is not None:
                dh, dc = dh + skip_h, dc + skip_c
        self.recurrent_kernel.grad = self.previous(hs, h0).T @ dzx.reshape(-1, 4 * n)
        if self.bias is not None:
            self.bias.grad = dzx.sum(axis=(0, 1))
        return self.inputs_grad(x, dzx, [dh, dc], given)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}
