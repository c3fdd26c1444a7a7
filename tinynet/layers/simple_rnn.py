"""``SimpleRNN``: the Elman recurrent layer, ``h = activation(x_t @ kernel + h @ recurrent_kernel + bias)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import register
from .recurrent import Recurrent, act_backward, act_forward

__all__ = ["SimpleRNN"]


@register
class SimpleRNN(Recurrent):
    """Fully connected recurrent layer: each step mixes the input with the previous state.

    Math (x of shape (batch, timesteps, features), reversed in time first with go_backwards; h starts at
    h0, the initial state given or zeros; grad = dL/dy, and dL/dh_T for the final state with return_state)::

        forward    zx = x @ kernel + bias                         (every step at once)
                   h = h0
                   for t = 0 .. T-1:
                       z = zx[:, t] + h @ recurrent_kernel
                       h = activation(z)                          hs[:, t] = h
                   y = hs, or hs[:, -1] unless return_sequences   return_state: [y, hs[:, -1]]
        backward   dhs = grad, or grad at the last step and zeros before
                   dhs[:, -1] += dL/dh_T                          (return_state)
                   dh = 0
                   for t = T-1 .. 0:
                       dz = activation.backward(dhs[:, t] + dh)   dzx[:, t] = dz
                       dh = dz @ recurrent_kernel.T
                   dh0 = dh                                       (returned after dx when h0 was given)
                   drecurrent_kernel = hs_prev.T @ dzx            (hs_prev[:, t] = h before step t, h0 first)
                   dbias = dzx.sum(axis=(0, 1))    dkernel = x.T @ dzx    dx = dzx @ kernel.T
                   dx = dx[:, ::-1]                               (go_backwards: back in the input's order)

    Parameters
    ----------
    units : int
        Size of the state and the output.
    activation : str, Activation or None
        ``"tanh"`` by default; ``None`` means linear.
    use_bias, kernel_initializer, recurrent_initializer, bias_initializer, kernel_regularizer, \
recurrent_regularizer, bias_regularizer, return_sequences, return_state, go_backwards, **kwargs
        As for :class:`~tinynet.layers.recurrent.Recurrent` (Keras's names and defaults).

    Shape
    -----
    input ``(batch, timesteps, features)``, or with ``layer(x, initial_state=h0)`` the list
    ``[x, h0]``, ``h0`` of ``(batch, units)``; output ``(batch, units)``, or ``(batch, timesteps, units)``
    with ``return_sequences=True``; with ``return_state=True`` the list ``[output, h]``.
    Parameters ``kernel (features, units)``,
    ``recurrent_kernel (units, units)``, ``bias (units,)``: Keras's names and layout.

    Examples
    --------
    >>> import numpy as np
    >>> from tinynet.layers.simple_rnn import SimpleRNN
    >>> layer = SimpleRNN(4)
    >>> layer(np.ones((2, 5, 3))).shape
    (2, 4)
    >>> [p.shape for p in layer.parameters()]
    [(3, 4), (4, 4), (4,)]
    >>> SimpleRNN(4, return_sequences=True)(np.ones((2, 5, 3))).shape
    (2, 5, 4)
    >>> layer = SimpleRNN(4, return_state=True, go_backwards=True)
    >>> output, h = layer(np.ones((2, 5, 3)), initial_state=np.ones((2, 4)))
    >>> output.shape, h.shape
    ((2, 4), (2, 4))
    """

    gates = 1

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
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
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
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

    def forward(self, x: Any, training: bool = False, mask: Any = None) -> Any:
        x, (h0,), given, keep = self.start(x, mask)
        zx = self.project(x, None if self.bias is None else self.bias.value)
        recurrent = self.recurrent_kernel.value
        hs = np.empty((x.shape[0], x.shape[1], self.units), dtype=zx.dtype)
        h = h0
        memories = []
        for t in range(x.shape[1]):
            h_new, memory = act_forward(self.activation, zx[:, t] + h @ recurrent)
            h = self.carry(keep, t, h_new, h)
            hs[:, t] = h
            memories.append(memory)
        shown = self.shown(keep, hs.dtype)
        self.remember(x=x, hs=hs, memories=memories, h0=h0, given=given, keep=keep, shown=shown)
        return self.finish(hs, shown=shown)

    def backward(self, grad: Any) -> Any:
        x, hs, memories, h0, given, keep, shown = self.recall("x", "hs", "memories", "h0", "given", "keep", "shown")
        recurrent = self.recurrent_kernel.value
        dhs, _ = self.step_grads(grad, hs, shown)
        dzx = np.empty_like(hs)
        dh = np.zeros_like(hs[:, 0])
        for t in reversed(range(x.shape[1])):
            dh, skip = self.through(keep, t, dhs[:, t] + dh)
            dz = act_backward(self.activation, memories[t], dh)
            dzx[:, t] = dz
            dh = dz @ recurrent.T
            if skip is not None:
                dh += skip
        self.recurrent_kernel.grad = self.previous(hs, h0).T @ dzx.reshape(-1, self.units)
        if self.bias is not None:
            self.bias.grad = dzx.sum(axis=(0, 1))
        return self.inputs_grad(x, dzx, [dh], given)
