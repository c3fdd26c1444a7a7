"""What Conv3D, the transposed, depthwise and separable convolutions share: Keras's geometry arguments.

``ConvGeometry`` parses and checks ``kernel_size``, ``strides``, ``padding``,
``dilation_rate`` and ``data_format`` as Keras does, checks the input's rank,
gives the :class:`~tinynet._im2col_nd.WindowND` of an input and the output
shape, and writes the geometry into the config. Each layer adds its
parameters and its ``forward_linear`` / ``backward_linear`` (see
:class:`~tinynet.layers.ActivatedLayer`).
"""

from __future__ import annotations

from typing import Any

from .._im2col_nd import WindowND
from .._validation import integer
from ..errors import InvalidValueError, ShapeError
from ..layer import Shape
from .activated import ActivatedLayer

__all__ = ["ConvGeometry", "LAYOUTS"]

#: The input's layout and the name of its spatial axes, by rank.
LAYOUTS = {
    1: ("(batch, steps, channels)", "steps"),
    2: ("(batch, height, width, channels)", "height x width"),
    3: ("(batch, depth, height, width, channels)", "depth x height x width"),
}


class ConvGeometry(ActivatedLayer):
    """Base of the convolutions on ``rank`` spatial axes, channels last: their arguments, checks and shapes."""

    rank: int = 2
    #: Keras refuses ``strides > 1`` with ``dilation_rate > 1`` for Conv and ConvTranspose, not for the depthwise ones.
    strides_with_dilation: bool = False

    def _set_geometry(self, kernel_size: Any, strides: Any, padding: Any, dilation_rate: Any, data_format: Any) -> None:
        """Check and store the geometry (raising before anything is stored)."""
        kernel_size = self._sizes(kernel_size, "kernel_size")
        strides, dilation_rate = self._sizes(strides, "strides"), self._sizes(dilation_rate, "dilation_rate")
        if not self.strides_with_dilation and max(strides) > 1 and max(dilation_rate) > 1:
            raise InvalidValueError(
                f"{self._label()}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), received "
                f"strides={strides} and dilation_rate={dilation_rate}. Set one of them to 1."
            )
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            raise InvalidValueError(f"{self._label()}: padding must be 'valid' or 'same', received {padding!r}.")
        fmt = data_format.lower() if isinstance(data_format, str) else data_format
        if fmt not in (None, "channels_last"):
            raise InvalidValueError(
                f"{self._label()}: data_format must be 'channels_last' (or None), received {data_format!r}. tinynet "
                "is channels-last only: move the channels to the last axis (x.transpose(0, 2, ..., 1)) instead."
            )
        self.kernel_size, self.strides, self.dilation_rate = kernel_size, strides, dilation_rate
        self.padding, self.data_format = padding.lower(), "channels_last"

    def _sizes(self, value: Any, name: str, minimum: int = 1) -> tuple[int, ...]:
        """An int ``k`` as ``(k,) * rank``, or a tuple of ``rank`` ints of at least ``minimum``."""
        if isinstance(value, (list, tuple)):
            if len(value) != self.rank:
                raise InvalidValueError(
                    f"{self._label()}: {name} must be an int or a tuple of {self.rank} ints, received {value!r}."
                )
            return tuple(integer(v, self._label(), name, minimum=minimum) for v in value)
        return (integer(value, self._label(), name, minimum=minimum),) * self.rank

    @property
    def spans(self) -> tuple[int, ...]:
        """The dilated kernel's extent per axis, ``(k - 1) * d + 1``."""
        return tuple((k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate, strict=True))

    def _check_input(self, input_shape: Shape) -> None:
        """Refuse an input of the wrong rank or with a size below 1 (build calls it, before any parameter)."""
        if len(input_shape) != self.rank + 1 or min((d for d in input_shape if d is not None), default=1) < 1:
            raise ShapeError(
                f"{self._label()}: expected input of shape {LAYOUTS[self.rank][0]} with every size >= 1 (or None, "
                f"any size), received input of shape (batch, {', '.join(map(str, input_shape))}). Inputs are "
                "channels-last; add a channel axis with x[..., None]."
            )
        if None not in input_shape[:-1]:
            self._check_window(self._window(input_shape[:-1]), input_shape)

    def _window(self, sizes: tuple[int, ...]) -> WindowND:
        """The convolution's window on spatial ``sizes`` (the transposed convolutions override it)."""
        return WindowND.of(tuple(sizes), self.kernel_size, self.strides, self.dilation_rate, self.padding)

    def _check_window(self, window: WindowND, input_shape: Shape) -> None:
        """Refuse an input smaller than the kernel's span with ``padding='valid'`` (no output position would fit)."""
        if min(window.out) < 1:
            raise ShapeError(
                f"{self._label()}: kernel_size {self.kernel_size} with dilation_rate {self.dilation_rate} spans "
                f"{self.spans}, larger than the input's {LAYOUTS[self.rank][1]} {tuple(input_shape[:-1])} (input of "
                f"shape (batch, {', '.join(map(str, input_shape))})) with padding='valid'. Use a smaller kernel_size "
                "or dilation_rate, or padding='same'."
            )

    def output_sizes(self, sizes: tuple[int, ...]) -> tuple[int, ...]:
        """The output's spatial sizes for an input of spatial ``sizes``."""
        return self._window(sizes).out

    def output_channels(self, channels: int) -> int:
        """The output's channels for ``channels`` input channels."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The output's sizes from the window's geometry; ``None`` where the input's size is ``None``."""
        self.ensure_built(input_shape)
        sizes = tuple(span if d is None else d for d, span in zip(input_shape[:-1], self.spans, strict=True))
        out = self.output_sizes(sizes)
        known = (None if d is None else o for d, o in zip(input_shape[:-1], out, strict=True))
        return (*known, self.output_channels(input_shape[-1]))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
        }
