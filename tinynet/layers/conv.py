"""Convolutions on channels-last inputs: ``Conv2D`` on images, ``Conv1D`` on sequences.

Both are one matrix product over the columns of :mod:`tinynet._im2col`;
``Conv1D`` runs the same machinery on its ``(batch, steps, channels)`` input
seen as images of height 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._im2col import Window, batch_first, batch_last, col2im, im2col
from .._numerics import long_product, row_sums
from .._validation import integer
from .._workspace import Workspace
from ..errors import InvalidValueError, ShapeError
from ..layer import Array, Shape
from ..registry import register
from .activated import ActivatedLayer

__all__ = ["Conv1D", "Conv2D", "Convolution1D", "Convolution2D"]


class _Conv(ActivatedLayer):
    """What ``Conv1D`` and ``Conv2D`` share: arguments, checks, the im2col product and its gradient.

    Math (cols = im2col(x) of shape (kh*kw*c, oh*ow*n): one column per output
    pixel, batch last; kernel2 = kernel.reshape(kh*kw*c, filters); the
    product is (filters, oh*ow*n), which batch_first shows as NHWC without a
    copy, and batch_last turns an NHWC gradient back; grad = dL/dy; see
    :mod:`tinynet._im2col`)::

        forward    cols = im2col(x)                zf = kernel2.T @ cols + bias[:, None]      z = batch_first(zf)
                   y = activation(z)
        backward   dz = activation.backward(grad)  dzf = batch_last(dz)
                   dkernel = cols @ dzf.T          dbias = dzf.sum(axis=1)
                   dcols = kernel2 @ dzf           dx = col2im(dcols)     (both skipped when not needs_input_grad)

    The output is an NHWC view of batch-last memory, not a C-contiguous
    array: the pooling and convolution that usually follow read it as it is.
    """

    rank: int = 2
    paddings: tuple[str, ...] = ("valid", "same")
    layout: str = "(batch, height, width, channels)"
    spatial: str = "height x width"

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            kernel_constraint,
            bias_constraint,
            **kwargs,
        )
        self.filters = integer(filters, self._label(), "filters", minimum=1)
        self.kernel_size = self._sizes(kernel_size, "kernel_size")
        self.strides = self._sizes(strides, "strides")
        self.dilation_rate = self._sizes(dilation_rate, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise InvalidValueError(
                f"{self._label()}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), received "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}. Set one of them to 1."
            )
        if not isinstance(padding, str) or padding.lower() not in self.paddings:
            allowed = " or ".join(repr(p) for p in self.paddings)
            raise InvalidValueError(f"{self._label()}: padding must be {allowed}, received {padding!r}.")
        self.padding = padding.lower()
        self._space = Workspace()  # the large arrays of each step, reused (see tinynet/_workspace.py)

    def _sizes(self, value: Any, name: str) -> tuple[int, ...]:
        """An int ``k`` as ``(k,) * rank``, or a tuple of ``rank`` positive ints."""
        if isinstance(value, (list, tuple)):
            if len(value) != self.rank:
                raise InvalidValueError(
                    f"{self._label()}: {name} must be an int or a tuple of {self.rank} ints, received {value!r}."
                )
            return tuple(integer(v, self._label(), name, minimum=1) for v in value)
        return (integer(value, self._label(), name, minimum=1),) * self.rank

    def _window(self, input_shape: Shape) -> Window:
        """The geometry for a per-sample ``input_shape``; a 1-D input is an image of height 1."""
        ones = (1,) * (2 - self.rank)
        return Window.of(
            (*ones, *input_shape[:-1]),
            (*ones, *self.kernel_size),
            (*ones, *self.strides),
            (*ones, *self.dilation_rate),
            ("valid",) * (2 - self.rank) + (self.padding,) * self.rank,
        )

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != self.rank + 1 or min((d for d in input_shape if d is not None), default=1) < 1:
            raise ShapeError(
                f"{self._label()}: expected input of shape {self.layout} with every size >= 1 (or None, any size), "
                f"received input of shape (batch, {', '.join(map(str, input_shape))}). Inputs are channels-last; "
                "add a channel axis with x[..., None]."
            )
        if None not in input_shape[:-1]:
            self._check_window(self._window(input_shape), input_shape)
        self.build_kernel((*self.kernel_size, input_shape[-1], self.filters), self.filters)

    def _check_window(self, window: Window, input_shape: Shape) -> None:
        """Refuse an input smaller than the kernel's span with ``padding='valid'`` (no output step would fit)."""
        if min(window.out) < 1:
            spans = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate, strict=True))
            raise ShapeError(
                f"{self._label()}: kernel_size {self.kernel_size} with dilation_rate {self.dilation_rate} spans "
                f"{spans}, larger than the input's {self.spatial} {tuple(input_shape[:-1])} (input of shape "
                f"(batch, {', '.join(map(str, input_shape))})) with padding='valid'. Use a smaller kernel_size or "
                "dilation_rate, or padding='same'."
            )

    def forward_linear(self, x: Array, training: bool = False) -> Array:
        window = self._window(x.shape[1:])
        self._check_window(window, x.shape[1:])  # a layer built for sizes None meets the sizes here
        cols = im2col(x.reshape(len(x), *window.size, x.shape[-1]), window, self._space)
        zf = self._space.empty("z", (self.filters, cols.shape[1]), cols.dtype)  # (filters, oh*ow*n): batch last
        np.matmul(self.kernel.value.reshape(-1, self.filters).T, cols, out=zf)
        if self.bias is not None:
            zf += self.bias.value[:, None]
        self.remember(cols=cols, window=window, x_shape=x.shape)
        return batch_first(zf, window).reshape(len(x), *window.out[2 - self.rank :], self.filters)

    def backward_linear(self, dz: Array) -> Array | None:
        cols, window, x_shape = self.recall("cols", "window", "x_shape")
        dzf = batch_last(dz.reshape(x_shape[0], *window.out, self.filters))  # (filters, oh*ow*n)
        long_product(cols, dzf, out=self.kernel.grad.reshape(-1, self.filters))  # cols @ dzf.T, into the flat buffer
        if self.bias is not None:
            row_sums(dzf, out=self.bias.grad)
        if not self.needs_input_grad:
            return None
        dcols = self._space.empty("dcols", cols.shape, cols.dtype)
        np.matmul(self.kernel.value.reshape(-1, self.filters), dzf, out=dcols)
        dx = col2im(dcols, window, (x_shape[0], *window.size, x_shape[-1]), self._space)
        return dx.reshape(x_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The output's sizes from the window's geometry; ``None`` where the input's size is ``None``."""
        self.ensure_built(input_shape)
        spans = tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate, strict=True))
        sizes = tuple(span if d is None else d for d, span in zip(input_shape[:-1], spans, strict=True))
        out = self._window((*sizes, input_shape[-1])).out[2 - self.rank :]
        return (*(None if d is None else o for d, o in zip(input_shape[:-1], out, strict=True)), self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "dilation_rate": list(self.dilation_rate),
        }


@register
class Conv2D(_Conv):
    """2-D convolution: each output pixel is a weighted sum of a window of the input, over all channels.

    Math (xp = x zero-padded)::

        z[b, p, q, f] = bias[f] + sum over i, j, ch of xp[b, p*sh + i*dh, q*sw + j*dw, ch] * kernel[i, j, ch, f]
        y = activation(z)

    computed as one matrix product over im2col's columns, and its gradient as
    two more (the Math of ``_Conv`` in ``tinynet/layers/conv.py``).
    ``forward_linear`` / ``backward_linear`` compute ``z``; :class:`ActivatedLayer`
    applies the activation around them.

    Parameters
    ----------
    filters : int
        Number of output channels.
    kernel_size : int or (int, int)
        ``(kh, kw)``.
    strides : int or (int, int)
        ``(sh, sw)``; 1 by default.
    padding : {"valid", "same"}
        Keras's: ``"valid"`` keeps whole windows only, ``out = (size - span) // stride + 1``;
        ``"same"`` gives ``ceil(size / stride)`` outputs, padding ``max((out - 1) * stride + span - size, 0)``
        zeros, the extra one (when odd) at the bottom / right. ``span = (k - 1) * dilation + 1``.
    dilation_rate : int or (int, int)
        Spacing ``(dh, dw)`` between kernel taps; 1 by default. Cannot exceed 1 together with strides (as in Keras).
    activation : str, Activation or None
        Applied to ``z``; ``None`` (the default) means linear. A sub-layer that ``compile`` can fuse into the loss.
    use_bias : bool
        Whether to add ``bias``.
    kernel_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"`` (fans multiplied by ``kh * kw``) and ``"zeros"`` by default, as in Keras.
    kernel_regularizer, bias_regularizer : str or regularizer, optional
        A penalty the model adds to the loss while training.
    kernel_constraint, bias_constraint : str or constraint, optional
        A projection the optimizer applies after each update (``tn.constraints.MaxNorm(3.0, axis=[0, 1, 2])``:
        each filter to norm at most 3).
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, height, width, channels)``; output ``(batch, out_h, out_w, filters)``. Parameters
    ``kernel (kh, kw, channels, filters)`` and ``bias (filters,)``, Keras's names and layout. The output
    is laid out batch last in memory (``y.transpose(3, 1, 2, 0)`` is C-contiguous), so the pooling and
    convolution after it read it without a reordering copy; NumPy treats it as any other array.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = Conv2D(4, 3, strides=2, padding="same", activation="relu")
    >>> layer(np.ones((2, 7, 7, 3))).shape, layer.kernel.shape
    ((2, 4, 4, 4), (3, 3, 3, 4))
    >>> edge = Conv2D(1, (1, 2), use_bias=False, kernel_initializer=tn.initializers.Constant(1.0))
    >>> edge(np.arange(6.0).reshape(1, 2, 3, 1))[0, :, :, 0]    # sums of horizontal neighbours
    array([[1., 3.],
           [7., 9.]], dtype=float32)
    """


@register
class Conv1D(_Conv):
    """1-D convolution over steps: each output step is a weighted sum of a window of steps, over all channels.

    Math (xp = x zero-padded)::

        z[b, t, f] = bias[f] + sum over i, ch of xp[b, t*s + i*d, ch] * kernel[i, ch, f]      y = activation(z)

    computed exactly as :class:`Conv2D` computes it, on ``x`` seen as images of
    height 1, ``(n, 1, steps, c)`` (a view).

    Parameters
    ----------
    filters : int
        Number of output channels.
    kernel_size, strides, dilation_rate : int or (int,)
        ``k``, ``s`` (1 by default) and ``d`` (1 by default); strides and dilation cannot both exceed 1.
    padding : {"valid", "same", "causal"}
        As for :class:`Conv2D`; ``"causal"`` pads ``(k - 1) * d`` zeros before the sequence only,
        so output step ``t`` sees no input after ``t`` (Keras's, for autoregressive models).
    activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, \
kernel_constraint, bias_constraint, **kwargs
        As for :class:`Conv2D`.

    Shape
    -----
    input ``(batch, steps, channels)``; output ``(batch, out_steps, filters)``. Parameters
    ``kernel (k, channels, filters)`` and ``bias (filters,)``, Keras's names and layout.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> running_sum = Conv1D(1, 2, padding="causal", kernel_initializer="ones", use_bias=False)
    >>> running_sum(np.array([[[1.0], [2.0], [3.0]]]))[0, :, 0]    # x[t - 1] + x[t]
    array([1., 3., 5.], dtype=float32)
    """

    rank = 1
    paddings = ("valid", "same", "causal")
    layout = "(batch, steps, channels)"
    spatial = "steps"


#: Keras's other names for :class:`Conv1D` and :class:`Conv2D` (the same classes).
Convolution1D = Conv1D
Convolution2D = Conv2D
