"""``check_gradients``: prove a layer's or a loss's ``backward`` against central differences."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._shapes import is_list_of_inputs
from .._validation import integer, real
from ..errors import InvalidTypeError, InvalidValueError
from ..layer import Layer
from ..loss import Loss
from ..parameter import Parameter

__all__ = ["check_gradients"]

_ROUNDOFF = 8 * np.finfo(np.float64).eps  # relative error allowed in evaluating the objective once
_BEND_NOISE = 32  # a smooth objective's slope changes over a step agree within this many rounding allowances
_PROBES = 2  # random directions probed for a kink beside a failed comparison


def check_gradients(
    obj: Layer | Loss,
    *arrays: Any,
    training: bool = False,
    options: dict[str, Any] | None = None,
    sample_weight: Any = None,
    eps: float = 1e-6,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    directions: int | None = None,
    seed: int = 0,
    redraws: int = 4,
) -> None:
    """Compare ``backward`` with central differences of ``forward``, in float64; raise if they differ.

    ``check_gradients(layer, x)`` checks dL/dx and the gradient of every
    trainable parameter, for the objective ``L = sum(forward(x) * u)`` with a
    random upstream gradient ``u`` (an all-ones ``u`` would miss errors that
    cancel, like a wrong softmax backward). ``check_gradients(layer, [x1, x2])``
    checks a layer that takes several inputs (a merge layer): dL/dx1 and dL/dx2,
    named ``"input 0"`` and ``"input 1"``, and every parameter. An input whose
    gradient ``backward`` returns as ``None`` (an attention mask, which changes
    nothing when moved by ``eps``) is checked as having a zero gradient. A layer
    that returns a list of outputs (a recurrent layer with ``return_state=True``)
    is checked for ``L = sum_k sum(y_k * u_k)``, a random ``u_k`` per output,
    and its ``backward`` is given the list of the ``u_k``.
    ``check_gradients(loss, y_true, y_pred)`` checks dLoss/dy_pred.

    The check runs on a float64 deep copy: the object passed in is never
    changed. Layers that draw random numbers in ``forward`` (dropout) have
    every ``np.random.Generator`` they own rewound before each evaluation, so
    all evaluations see the same draw.

    Math (e_i the i-th unit tensor, or a random direction v)::

        numeric_i  = (L(t + eps * e_i) - L(t - eps * e_i)) / (2 * eps)
        |analytic_i - numeric_i| <= atol + rtol * max(|analytic_i|, |numeric_i|) + noise
        noise      = 8 * float64_eps * sum(|u * y|) / eps       (the rounding in L itself)

    Kinks: at a point where ``L`` has no derivative (ReLU at 0, a max-pool
    tie, ``abs`` at 0) within ``eps`` of ``t``, no backward can match the
    difference. When a comparison fails, the check also evaluates ``L`` at
    ``t +- eps/2 * e_i`` and along two random probe directions: a smooth
    ``L`` has evenly changing slopes over ``[t - eps * e_i, t + eps * e_i]``
    (its second differences agree up to rounding), a kink breaks that. Then
    the point is re-drawn, ``t`` moved by about ``sqrt(eps) * (1 + |t|)`` at
    random (the input and every checked parameter), and everything is checked
    again there, up to ``redraws`` times. A failure where ``L`` is smooth is
    reported at once, and a re-drawn point has to pass every comparison
    afresh, so a wrong backward is never retried into passing.

    Parameters
    ----------
    obj : Layer or Loss
    *arrays
        ``x`` (an array, or a list of arrays for a layer with several inputs)
        for a layer; ``y_true, y_pred`` for a loss.
    training : bool
        Run the layer's ``forward`` in training mode.
    options : dict, optional
        A call's options for the layer's ``forward``, as ``layer(x, **options)``
        passes them (``{"use_causal_mask": True}``).
    sample_weight : array_like, optional
        Passed to a loss.
    eps, rtol, atol : float
        Step and tolerances; the defaults are PyTorch ``gradcheck``'s step with tinynet's tolerances.
    directions : int, optional
        Check each tensor along this many random directions ``v`` (comparing
        ``<analytic, v>`` with the central difference along ``v``) instead of
        entry by entry: much cheaper for large tensors.
    seed : int
        Seeds the upstream gradient, the directions and the re-drawn points.
    redraws : int
        How many times a point found beside a kink is re-drawn; ``0`` reports the failure there.

    Raises
    ------
    AssertionError
        Naming the tensor (``"input"``, ``"input 1"`` or ``"<layer name>.<parameter
        name>"``), the worst entry or direction, and the analytic and numeric values.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> check_gradients(tn.layers.Dense(3, activation="tanh"), np.random.default_rng(0).normal(size=(4, 2)))
    >>> check_gradients(tn.losses.MeanSquaredError(), np.zeros((3, 2)), np.ones((3, 2)))
    >>> check_gradients(tn.layers.Multiply(), [np.ones((2, 3)), np.full((2, 3), 0.5)])
    >>> check_gradients(tn.activations.ReLU(), np.array([[0.0, 1.0]]))  # at the kink: the point is re-drawn
    """
    _check_settings(eps, rtol, atol, directions, redraws)
    rng = np.random.default_rng(seed)
    point: _Point
    if isinstance(obj, Loss):
        if len(arrays) != 2:
            raise InvalidTypeError("check_gradients(loss, y_true, y_pred): pass exactly y_true and y_pred.")
        if training or options:
            raise InvalidValueError("check_gradients(loss, ...): training= and options= apply to layers only.")
        point = _LossPoint(obj, *arrays, sample_weight)
    elif isinstance(obj, Layer):
        if len(arrays) != 1:
            raise InvalidTypeError(
                "check_gradients(layer, x): pass exactly one input array x (a list [x1, x2] for several inputs)."
            )
        if sample_weight is not None:
            raise InvalidValueError("check_gradients(layer, x): sample_weight= applies to losses only.")
        point = _LayerPoint(obj, arrays[0], training, dict(options or {}), rng)
    else:
        raise InvalidTypeError(f"check_gradients takes a tinynet Layer or Loss, received {type(obj).__name__}.")
    failure = _check_point(point, eps, rtol, atol, directions, rng)
    for _ in range(redraws):
        if failure is None or not failure.at_kink:
            break
        point.jitter(np.sqrt(eps), rng)
        failure = _check_point(point, eps, rtol, atol, directions, rng)
    if failure is None:
        return
    if not failure.at_kink:
        raise AssertionError(failure.message)
    raise AssertionError(
        f"{failure.message} {f'At each of the {redraws + 1} points tried' if redraws else 'At this point'}, the "
        "objective's slope changed unevenly "
        "within the step, so the central differences cannot judge it: a kink (ReLU at 0, a max-pool tie, abs at 0) "
        "sits within eps, the objective curves too sharply for this eps, or forward is random in a way the check "
        "cannot replay. Try a point away from kinks, or another seed."
    )


def _check_settings(eps: float, rtol: float, atol: float, directions: int | None, redraws: int) -> None:
    real(eps, "check_gradients", "eps", minimum=0.0, strict=True)
    real(rtol, "check_gradients", "rtol", minimum=0.0)
    real(atol, "check_gradients", "atol", minimum=0.0)
    if directions is not None:
        integer(directions, "check_gradients", "directions (None: entry by entry)", minimum=1)
    integer(redraws, "check_gradients", "redraws", minimum=0)


class _Point:
    """What is checked: the tensors (changed in place by the steps), the objective, and backward's gradients."""

    tensors: list[tuple[str, np.ndarray]]

    def objective(self) -> float:
        raise NotImplementedError

    def gradients(self) -> tuple[dict[str, np.ndarray], float]:
        """``backward``'s gradient of each tensor at the current point, and ``sum(|u * y|)`` (the objective's size)."""
        raise NotImplementedError

    def jitter(self, size: float, rng: np.random.Generator) -> None:
        """Move every tensor by about ``size * (1 + |t|)``, at random: a point away from the kink just met."""
        for _, tensor in self.tensors:
            tensor += size * (1.0 + np.abs(tensor)) * rng.standard_normal(tensor.shape)


class _LayerPoint(_Point):
    def __init__(self, layer: Layer, x: Any, training: bool, options: dict[str, Any], rng: np.random.Generator) -> None:
        self.layer = layer = copy.deepcopy(layer).astype(np.float64)
        self.several = is_list_of_inputs(x)  # as Layer reads it: a list of arrays, not nested lists of numbers
        dtype = None if layer.takes_indices else np.float64
        self.xs = [np.array(a, dtype=dtype) for a in (x if self.several else [x])]
        layer.ensure_built([a.shape[1:] for a in self.xs] if self.several else self.xs[0].shape[1:])
        self.training, self.options = training, options
        self.generators = list(_generators(layer))
        self.states = [copy.deepcopy(g.bit_generator.state) for g in self.generators]
        y = self.forward()
        self.several_out = isinstance(y, (list, tuple))  # a list of outputs: backward takes a gradient for each
        self.upstreams = [rng.standard_normal(np.shape(part)) for part in _outputs(y)]
        self.names = [f"input {i}" for i in range(len(self.xs))] if self.several else ["input"]
        self.parameters: list[tuple[str, Parameter]] = _distinct_names(
            [(f"{owner.name}.{p.name}", p) for owner in layer.walk() for p in owner._parameters if p.trainable]
        )
        inputs = [] if layer.takes_indices else list(zip(self.names, self.xs, strict=True))  # an index has no gradient
        self.tensors = inputs + [(name, p.value) for name, p in self.parameters]

    def forward(self) -> Any:
        for generator, state in zip(self.generators, self.states, strict=True):
            generator.bit_generator.state = copy.deepcopy(state)
        x: Any = self.xs if self.several else self.xs[0]
        return self.layer.forward(x, training=self.training, **self.options)

    def objective(self) -> float:
        return sum(float(np.sum(part * u)) for part, u in zip(_outputs(self.forward()), self.upstreams, strict=True))

    def gradients(self) -> tuple[dict[str, np.ndarray], float]:
        y = _outputs(self.forward())
        upstream = [u.copy() for u in self.upstreams]
        dx: Any = self.layer.backward(upstream if self.several_out else upstream[0])
        analytic: dict[str, np.ndarray] = {}
        if not self.layer.takes_indices:
            analytic.update(zip(self.names, self._input_gradients(dx), strict=True))
        for name, p in self.parameters:
            analytic[name] = p.grad.astype(np.float64, copy=True)
        return analytic, sum(float(np.sum(np.abs(part * u))) for part, u in zip(y, self.upstreams, strict=True))

    def _input_gradients(self, dx: Any) -> list[np.ndarray]:
        """``backward``'s return value as one float64 gradient per input (zeros for ``None``), or an AssertionError."""
        label = self.layer._label()
        if not self.several:
            if np.shape(dx) != self.xs[0].shape:
                raise AssertionError(
                    f"{label}: backward returned shape {np.shape(dx)}, expected x's shape {self.xs[0].shape}."
                )
            return [np.asarray(dx, dtype=np.float64)]
        if not isinstance(dx, (list, tuple)) or len(dx) != len(self.xs):
            got = f"a list of {len(dx)}" if isinstance(dx, (list, tuple)) else type(dx).__name__
            raise AssertionError(
                f"{label}: backward returned {got} for {len(self.xs)} inputs; expected a list of "
                f"{len(self.xs)} gradients, one per input."
            )
        for i, (d, a) in enumerate(zip(dx, self.xs, strict=True)):
            if d is not None and np.shape(d) != a.shape:
                raise AssertionError(
                    f"{label}: backward returned shape {np.shape(d)} for input {i}, expected {a.shape}."
                )
        return [
            np.zeros(a.shape) if d is None else np.asarray(d, dtype=np.float64)
            for d, a in zip(dx, self.xs, strict=True)
        ]


class _LossPoint(_Point):
    def __init__(self, loss: Loss, y_true: Any, y_pred: Any, sample_weight: Any) -> None:
        self.loss = copy.deepcopy(loss)
        y_true = np.array(y_true)
        self.y_true = y_true.astype(np.float64) if y_true.dtype.kind == "f" else y_true
        self.y_pred = np.array(y_pred, dtype=np.float64)
        self.sample_weight = sample_weight
        self.tensors = [("y_pred", self.y_pred)]

    def objective(self) -> float:
        return self.loss.forward(self.y_true, self.y_pred, self.sample_weight)

    def gradients(self) -> tuple[dict[str, np.ndarray], float]:
        value = self.objective()
        grad = self.loss.backward()
        if np.shape(grad) != self.y_pred.shape:
            raise AssertionError(
                f"{self.loss._label()}: backward returned shape {np.shape(grad)}, expected {self.y_pred.shape}."
            )
        return {"y_pred": np.asarray(grad, dtype=np.float64)}, abs(value) + 1.0


def _outputs(y: Any) -> list[np.ndarray]:
    """A layer's output as a list: its outputs, or the one output alone."""
    return list(y) if isinstance(y, (list, tuple)) else [y]


def _generators(layer: Layer) -> Iterator[np.random.Generator]:
    for owner in layer.walk():
        for value in vars(owner).values():
            if isinstance(value, np.random.Generator):
                yield value


@dataclass(frozen=True)
class _Failure:
    message: str
    at_kink: bool  # the objective bends within a step here: the failure may be the kink's, not backward's


def _check_point(
    point: _Point, eps: float, rtol: float, atol: float, directions: int | None, rng: np.random.Generator
) -> _Failure | None:
    """Every tensor at the current point; the first tensor's failure, or ``None`` when all pass."""
    analytic, scale = point.gradients()
    noise = _ROUNDOFF * scale / eps
    check = _Check(point.objective, point.objective(), eps, rtol, atol + noise, atol + _BEND_NOISE * noise)
    for name, tensor in point.tensors:
        failure = check.compare(name, tensor, analytic[name], directions, rng)
        if failure is not None:
            return failure
    return None


@dataclass(frozen=True)
class _Check:
    """Central differences of ``objective`` at one point (``base`` its value there), and the kink test."""

    objective: Callable[[], float]
    base: float
    eps: float
    rtol: float
    atol: float
    bend_tolerance: float  # how unevenly the slopes of a smooth objective may change over a step: rounding only

    def compare(
        self, name: str, tensor: np.ndarray, analytic: np.ndarray, directions: int | None, rng: np.random.Generator
    ) -> _Failure | None:
        """Central differences w.r.t. ``tensor`` (changed in place, then restored) against ``analytic``."""
        original, eps = tensor.copy(), self.eps

        def value_at(step: np.ndarray | float, index: Any) -> float:
            tensor[index] = original[index] + step
            value = self.objective()
            tensor[index] = original[index]
            return value

        steps: list[tuple[Any, Any]]
        if directions is None:
            where = list(np.ndindex(tensor.shape))
            steps = [(i, eps) for i in where]
            computed = np.array([analytic[i] for i in where])
            labels = [f"index {i}" for i in where]
        else:
            vs = [rng.standard_normal(tensor.shape) for _ in range(directions)]
            steps = [(..., eps * v) for v in vs]
            computed = np.array([float(np.sum(analytic * v)) for v in vs])
            labels = [f"random direction {k} (<gradient, v>)" for k in range(directions)]
        if computed.size == 0:
            return None
        ends = np.array([[value_at(-step, index), value_at(step, index)] for index, step in steps])
        numeric = (ends[:, 1] - ends[:, 0]) / (2 * eps)
        error = np.abs(computed - numeric)
        allowed = self.atol + self.rtol * np.maximum(np.abs(computed), np.abs(numeric))
        with np.errstate(invalid="ignore"):  # inf - inf: such entries fail through `finite` below
            finite = np.isfinite(computed) & np.isfinite(numeric)
            ok = finite & (error <= allowed)
            badness = np.where(finite, error - allowed, np.inf)
        if ok.all():
            return None
        worst = int(np.argmax(np.where(ok, -np.inf, badness)))
        message = (
            f"check_gradients: the gradient of {name!r} is wrong at {labels[worst]}: backward gives "
            f"{computed[worst]:.10g}, central differences give {numeric[worst]:.10g} "
            f"(difference {error[worst]:.3g} > allowed {allowed[worst]:.3g}; "
            f"{int((~ok).sum())} of {error.size} checks failed)."
        )
        # the failed checks' own segments first (their ends are known), then random probe directions
        segments = [(steps[j], ends[j]) for j in np.flatnonzero(~ok)]
        segments += [((..., eps * rng.standard_normal(tensor.shape)), None) for _ in range(_PROBES)]
        at_kink = finite.all() and any(self.bends(value_at, index, step, end) for (index, step), end in segments)
        return _Failure(message, bool(at_kink))

    def bends(self, value_at: Callable[[Any, Any], float], index: Any, step: Any, ends: Any) -> bool:
        """Whether the objective's slope changes unevenly over ``[-step, step]``, as at a kink and never when smooth.

        Over the four half-steps of the segment a smooth objective's slopes change by equal amounts (its
        second derivative times the step), up to rounding and ``O(eps**2)``; a kink changes one of them abruptly.
        """
        minus, plus = (value_at(-step, index), value_at(step, index)) if ends is None else ends
        values = [minus, value_at(-step / 2, index), self.base, value_at(step / 2, index), plus]
        changes = np.diff(np.diff(values) / (self.eps / 2))
        return not np.isfinite(changes).all() or float(np.ptp(changes)) > self.bend_tolerance


def _distinct_names(named: list[tuple[str, Parameter]]) -> list[tuple[str, Parameter]]:
    """The parameters' names, made distinct: two sub-layers may share a name (the two copies of a
    ``Bidirectional``'s cell), and the gradients are matched to the parameters by name."""
    seen: dict[str, int] = {}
    distinct = []
    for name, p in named:
        seen[name] = seen.get(name, 0) + 1
        distinct.append((name if seen[name] == 1 else f"{name} (#{seen[name]})", p))
    return distinct
