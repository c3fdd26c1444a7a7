"""``SpectralNormalization``: Keras's wrapper that keeps a layer's kernel at spectral norm 1 while training."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .._layer_entries import layer_from_entry
from .._shapes import checked_shape
from .._validation import integer
from ..errors import InvalidTypeError, InvalidValueError
from ..layer import Array, Layer, Shape
from ..parameter import Parameter
from ..registry import register, serialize

__all__ = ["SpectralNormalization"]

#: Keras's floor on a norm that divides (``ops.normalize``'s epsilon).
_EPSILON = 1e-7


@register
class SpectralNormalization(Layer):
    """Divide a layer's kernel by its largest singular value, estimated by power iteration, at each training call.

    What Keras 3 does (its TensorFlow and PyTorch backends): a training call first *assigns* the
    normalized kernel to the wrapped layer's kernel, then runs the layer; an inference call runs the layer
    as it is. The normalization is a projection of the weights, as a constraint is, not a function the
    gradient goes through: ``backward`` is the wrapped layer's, at the normalized kernel, and ``sigma`` gets
    no gradient.

    Math (W the kernel as a matrix ``(-1, out)``, u = vector_u ``(1, out)``; grad = dL/dy)::

        training   repeat power_iterations times:
                       v = normalize(u @ W.T)       u = normalize(v @ W)      normalize(a) = a / max(|a|, 1e-7)
                   sigma = v @ W @ u.T              (the largest singular value of W, estimated)
                   kernel = W / sigma               vector_u = u          (assigned, unless W is all zeros)
        forward    y = layer.forward(x)             (with the kernel as it now is)
        backward   dx = layer.backward(grad)        (dkernel: the layer's, at the normalized kernel)

    Parameters
    ----------
    layer : Layer
        A layer with a ``kernel`` (Dense, Conv1D, Conv2D, EinsumDense) or ``embeddings`` (Embedding).
    power_iterations : int
        Steps of power iteration per training call, at least 1.
    **kwargs
        ``name``, ``dtype`` (``layer``'s by default), ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    The wrapped layer's. Parameters: ``vector_u (1, out)`` (non-trainable, truncated normal with stddev
    0.02, as in Keras), then the wrapped layer's; ``out`` is the kernel's last axis.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.SpectralNormalization(tn.layers.Dense(4), power_iterations=20)
    >>> y = layer(np.ones((2, 3)), training=True)
    >>> round(float(np.linalg.norm(layer.layer.kernel.value, 2)), 4)   # the largest singular value is now 1
    1.0
    >>> [p.name for p in layer.parameters()]
    ['vector_u', 'kernel', 'bias']

    Notes
    -----
    Keras's JAX backend cannot assign inside a traced call: there the call computes with ``W / sigma``
    (the gradient going through ``sigma`` with u and v held fixed) and the stored kernel is never
    normalized; tinynet follows the TensorFlow and PyTorch backends. A training call changes the kernel
    and ``vector_u``, so gradient checks run in inference, where the wrapper is its layer.
    """

    #: The output keeps the input's steps when the wrapped layer does.
    supports_masking = True

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            name = kwargs.get("name", "spectral_normalization")
            raise InvalidTypeError(
                f"SpectralNormalization {name!r}: layer must be a tinynet Layer, received {type(layer).__name__}."
            )
        kwargs.setdefault("dtype", layer.dtype)
        super().__init__(**kwargs)
        self.power_iterations = integer(power_iterations, self._label(), "power_iterations", minimum=1)
        self.layer = layer
        if layer.dtype != self.dtype:
            layer.astype(self.dtype)

    @property
    def takes_indices(self) -> bool:  # type: ignore[override]
        return self.layer.takes_indices

    @property
    def kernel(self) -> Parameter:
        """The wrapped layer's ``kernel`` (or ``embeddings``): the weight this wrapper normalizes."""
        kernel = getattr(self.layer, "kernel", None)
        kernel = getattr(self.layer, "embeddings", None) if kernel is None else kernel
        if not isinstance(kernel, Parameter):
            raise InvalidValueError(
                f"{self._label()}: the wrapped {self.layer._label()} has no attribute 'kernel' nor 'embeddings' "
                "to normalize. Wrap a Dense, a convolution, an EinsumDense or an Embedding."
            )
        return kernel

    def build(self, input_shape: Shape) -> None:
        self.layer.ensure_built(input_shape)
        out = self.kernel.shape[-1]
        self.vector_u = self.add_parameter(
            "vector_u", (1, out), initializers.TruncatedNormal(stddev=0.02), trainable=False
        )

    def check_input_values(self, x: Array) -> None:
        self.layer.check_input_values(x)

    def forward(self, x: Array, training: bool = False) -> Any:
        if training and self.layer.trainable:
            self.normalize_kernel()
        return self.layer.forward(x, training and self.layer.trainable)

    def backward(self, grad: Any) -> Any:
        layer = self.layer
        if self.needs_input_grad:
            return layer.backward(grad)
        layer.needs_input_grad = False
        try:
            return layer.backward(grad)
        finally:
            del layer.needs_input_grad  # back to the class's default

    def normalize_kernel(self) -> None:
        """One training call's update: ``vector_u`` by power iteration, then ``kernel = W / sigma``."""
        kernel = self.kernel
        w = kernel.value.reshape(-1, kernel.shape[-1])
        if not w.any():  # Keras leaves an all-zero kernel (and u) as they are
            return
        sigma, u = spectral_norm(w, self.vector_u.value, self.power_iterations)
        self.vector_u.value = u
        kernel.value = kernel.value / sigma

    def compute_output_shape(self, input_shape: Shape) -> Any:
        self.ensure_built(input_shape)
        return self.layer.compute_output_shape(input_shape)

    def compute_mask(self, x: Any, mask: Any) -> Any:
        return self.layer.compute_mask(x, mask)

    @property
    def creates_mask(self) -> bool:
        return self.layer.creates_mask

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": serialize(self.layer), "power_iterations": self.power_iterations}

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None
    ) -> SpectralNormalization:
        """A new, unbuilt wrapper around a new layer made from ``config["layer"]``, through the registry only."""
        config = dict(config)
        layer = layer_from_entry(
            config.pop("layer", None), custom_objects, "SpectralNormalization.from_config", "'layer'", "must be"
        )
        if "input_shape" in config and config["input_shape"] is not None:
            config["input_shape"] = checked_shape(cls.__name__, config["input_shape"])
        return cls(layer, **config)


def spectral_norm(w: Array, u: Array, iterations: int) -> tuple[Array, Array]:
    """``(sigma, u)``: the largest singular value of ``w (m, out)`` estimated from ``u (1, out)``, and the new u."""
    v = u
    for _ in range(iterations):  # a few steps, each two vector-matrix products
        v = _normalize(u @ w.T)
        u = _normalize(v @ w)
    return (v @ w @ u.T).reshape(()), u


def _normalize(a: Array) -> Array:
    return a / max(float(np.sqrt((a * a).sum())), _EPSILON)
