"""Initializers: objects called as ``init(shape, dtype)`` that return a starting array.

Keras's classes and string ids: ``"zeros"``, ``"ones"``, ``"constant"``,
``"random_normal"``, ``"random_uniform"``, ``"truncated_normal"``,
``"glorot_uniform"``, ``"glorot_normal"``, ``"he_uniform"``, ``"he_normal"``,
``"lecun_uniform"``, ``"lecun_normal"``, ``"orthogonal"``. Random ones take ``seed=`` and own a
generator; without a seed they draw one from :func:`tinynet.utils.set_random_seed`'s
sequence when they are created.

Fans follow Keras: a kernel ``(in, out)`` has ``fan_in = in``, ``fan_out = out``;
a convolution kernel ``(kh, kw, in, out)`` multiplies both by ``kh * kw``.

The seed's own ``np.random.randn(...) * 0.1`` is ``RandomNormal(stddev=0.1)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import InvalidValueError
from .registry import register, resolve
from .utils import make_rng

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
    "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform",
    "LecunNormal", "Orthogonal", "get", "compute_fans",
]  # fmt: skip


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape``, as Keras computes them."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    """Base class: ``__call__(shape, dtype="float32")`` returns a new array."""

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)


@register
class Zeros(Initializer):
    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        return np.zeros(shape, dtype=dtype)


@register
class Ones(Initializer):
    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        return np.ones(shape, dtype=dtype)


@register
class Constant(Initializer):
    def __init__(self, value: float = 0.0) -> None:
        self.value = float(value)

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class _Random(Initializer):
    """An initializer that owns a generator; successive calls give fresh draws."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._rng = make_rng(seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    def _normal(self, shape: tuple[int, ...], dtype: Any, mean: float, stddev: float) -> np.ndarray:
        dtype = np.dtype(dtype)
        return (self._rng.standard_normal(shape, dtype=dtype) * dtype.type(stddev) + dtype.type(mean)).astype(dtype)

    def _uniform(self, shape: tuple[int, ...], dtype: Any, low: float, high: float) -> np.ndarray:
        dtype = np.dtype(dtype)
        return (self._rng.random(shape, dtype=dtype) * dtype.type(high - low) + dtype.type(low)).astype(dtype)

    def _truncated_normal(self, shape: tuple[int, ...], dtype: Any, mean: float, stddev: float) -> np.ndarray:
        """Normal draws redrawn until all lie within two standard deviations (rejection, whole array)."""
        dtype = np.dtype(dtype)
        sample = self._rng.standard_normal(shape, dtype=dtype)
        outside = np.abs(sample) > 2
        while outside.any():
            sample[outside] = self._rng.standard_normal(int(outside.sum()), dtype=dtype)
            outside = np.abs(sample) > 2
        return (sample * dtype.type(stddev) + dtype.type(mean)).astype(dtype)


@register
class RandomNormal(_Random):
    """Normal draws ``N(mean, stddev**2)``; ``RandomNormal(stddev=0.1)`` is the seed's ``randn * 0.1``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        return self._normal(shape, dtype, self.mean, self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@register
class RandomUniform(_Random):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        return self._uniform(shape, dtype, self.minval, self.maxval)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


@register
class TruncatedNormal(RandomNormal):
    """Normal draws with everything beyond two standard deviations redrawn."""

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        return self._truncated_normal(shape, dtype, self.mean, self.stddev)


@register
class VarianceScaling(_Random):
    """Draws with variance ``scale / n``, ``n`` the fan given by ``mode``.

    ``distribution="uniform"`` draws from ``U(-limit, limit)`` with ``limit = sqrt(3 * scale / n)``;
    ``"truncated_normal"`` from a normal truncated at two standard deviations, its stddev
    corrected (divided by 0.8796...) so the variance is still ``scale / n``; ``"untruncated_normal"``
    from ``N(0, scale / n)``.
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")
    _TRUNCATION_STDDEV = 0.87962566103423978  # stddev of a standard normal truncated to [-2, 2]

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        if not scale > 0:
            raise InvalidValueError(f"VarianceScaling: scale must be positive, received {scale!r}.")
        if mode not in self._MODES:
            raise InvalidValueError(f"VarianceScaling: mode must be one of {self._MODES}, received {mode!r}.")
        if distribution not in self._DISTRIBUTIONS:
            raise InvalidValueError(
                f"VarianceScaling: distribution must be one of {self._DISTRIBUTIONS}, received {distribution!r}."
            )
        super().__init__(seed)
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        fan_in, fan_out = compute_fans(tuple(shape))
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return self._uniform(shape, dtype, -limit, limit)
        if self.distribution == "truncated_normal":
            return self._truncated_normal(shape, dtype, 0.0, math.sqrt(variance) / self._TRUNCATION_STDDEV)
        return self._normal(shape, dtype, 0.0, math.sqrt(variance))

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class _Preset(VarianceScaling):
    """A ``VarianceScaling`` with fixed settings, configured by ``seed`` alone (as in Keras)."""

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


@register
class GlorotUniform(_Preset):
    """``U(-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))``: Dense's default kernel."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)


@register
class GlorotNormal(_Preset):
    """Truncated normal with variance ``2 / (fan_in + fan_out)``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


@register
class HeUniform(_Preset):
    """``U(-limit, limit)``, ``limit = sqrt(6 / fan_in)``: for ReLU layers."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)


@register
class HeNormal(_Preset):
    """Truncated normal with variance ``2 / fan_in``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


@register
class LecunUniform(_Preset):
    """``U(-limit, limit)``, ``limit = sqrt(3 / fan_in)``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "uniform", seed)


@register
class LecunNormal(_Preset):
    """Truncated normal with variance ``1 / fan_in``."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


@register
class Orthogonal(_Random):
    """A random orthogonal matrix times ``gain``: Keras's default ``recurrent_kernel`` of SimpleRNN, LSTM and GRU.

    The shape is read as a matrix ``(rows, cols) = (prod(shape[:-1]), shape[-1])``. A normal draw
    of shape ``(max(rows, cols), min(rows, cols))`` is factored ``a = q @ r``; multiplying each
    column of ``q`` by the sign of ``r``'s diagonal makes the draw uniform over orthogonal
    matrices. ``q`` is transposed when ``rows < cols``, so the columns are orthonormal when
    ``rows >= cols`` and the rows otherwise (as in Keras); it is then reshaped to ``shape``.
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = float(gain)

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        if len(shape) < 2:
            raise InvalidValueError(
                f"Orthogonal: the shape must have at least two dimensions, received {tuple(shape)}. "
                "Use it for kernels, not biases."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        if rows == 0 or cols == 0:
            return np.zeros(shape, dtype=dtype)
        q, r = np.linalg.qr(self._normal((max(rows, cols), min(rows, cols)), dtype, 0.0, 1.0))
        q *= np.where(np.diagonal(r) < 0, -1.0, 1.0).astype(q.dtype)
        if rows < cols:
            q = q.T
        return (q * np.dtype(dtype).type(self.gain)).reshape(shape).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


# Keras's lower-case names for the same classes.
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
orthogonal = Orthogonal

_ALIASES: dict[str, type] = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "variance_scaling": VarianceScaling,
    "uniform": RandomUniform,
    "normal": RandomNormal, "orthogonal": Orthogonal,
}  # fmt: skip


def get(identifier: Any) -> Any:
    """An initializer from a string id, a config dict, an instance, or any callable ``f(shape, dtype)``."""
    if callable(identifier) and not isinstance(identifier, type):
        return identifier
    return resolve(identifier, "initializer", Initializer, _ALIASES)


# ---------------------------------------------------------------------------- attn14
@register(name="IdentityInitializer")  # "Identity" is the layer's (tn.layers.Identity) in tinynet's one registry
class Identity(Initializer):
    """The identity matrix times ``gain``: ``np.eye(rows, cols) * gain``, for 2-D shapes only (as in Keras).

    A rectangular shape gets ones on its main diagonal. Keras's names: ``Identity``,
    ``IdentityInitializer``, ``"identity"``; configs and model files name it ``IdentityInitializer``
    (Keras's other name), as ``Identity`` is the layer's.

    Examples
    --------
    >>> Identity(gain=2.0)((2, 3))
    array([[2., 0., 0.],
           [0., 2., 0.]], dtype=float32)
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = float(gain)

    def __call__(self, shape: tuple[int, ...], dtype: Any = "float32") -> np.ndarray:
        if len(shape) != 2:
            raise InvalidValueError(
                f"Identity: the identity matrix initializer can only be used for 2-D matrices, received shape "
                f"{tuple(shape)} of rank {len(shape)}."
            )
        return np.eye(*shape, dtype=dtype) * np.dtype(dtype).type(self.gain)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


IdentityInitializer = identity = Identity
_ALIASES.update({"identity": Identity, "identityinitializer": Identity})
__all__ += ["Identity", "IdentityInitializer"]
