"""``check_gradients``: prove a layer's or a loss's ``backward`` against central differences."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .._shapes import is_list_of_inputs
from .._validation import integer, real
from ..errors import InvalidTypeError, InvalidValueError
from ..layer import Layer
from ..loss import Loss

__all__ = ["check_gradients"]

_ROUNDOFF = 8 * np.finfo(np.float64).eps  # relative error allowed in evaluating the objective once


def check_gradients(
    obj: Layer | Loss,
    *arrays: Any,
    training: bool = False,
    sample_weight: Any = None,
    eps: float = 1e-6,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    directions: int | None = None,
    seed: int = 0,
) -> None:
    """Compare ``backward`` with central differences of ``forward``, in float64; raise if they differ.

    ``check_gradients(layer, x)`` checks dL/dx and the gradient of every
    trainable parameter, for the objective ``L = sum(forward(x) * u)`` with a
    random upstream gradient ``u`` (an all-ones ``u`` would miss errors that
    cancel, like a wrong softmax backward). ``check_gradients(layer, [x1, x2])``
    checks a layer that takes several inputs (a merge layer): dL/dx1 and dL/dx2,
    named ``"input 0"`` and ``"input 1"``, and every parameter.
    ``check_gradients(loss, y_true, y_pred)`` checks dLoss/dy_pred.

    The check runs on a float64 deep copy: the object passed in is never
    changed. Layers that draw random numbers in ``forward`` (dropout) have
    every ``np.random.Generator`` they own rewound before each evaluation, so
    all evaluations see the same draw.

    Math (e_i the i-th unit tensor, or a random direction v)::

        numeric_i  = (L(t + eps * e_i) - L(t - eps * e_i)) / (2 * eps)
        |analytic_i - numeric_i| <= atol + rtol * max(|analytic_i|, |numeric_i|) + noise
        noise      = 8 * float64_eps * sum(|u * y|) / eps       (the rounding in L itself)

    Parameters
    ----------
    obj : Layer or Loss
    *arrays
        ``x`` (an array, or a list of arrays for a layer with several inputs)
        for a layer; ``y_true, y_pred`` for a loss.
    training : bool
        Run the layer's ``forward`` in training mode.
    sample_weight : array_like, optional
        Passed to a loss.
    eps, rtol, atol : float
        Step and tolerances; the defaults are PyTorch ``gradcheck``'s step with tinynet's tolerances.
    directions : int, optional
        Check each tensor along this many random directions ``v`` (comparing
        ``<analytic, v>`` with the central difference along ``v``) instead of
        entry by entry: much cheaper for large tensors.
    seed : int
        Seeds the upstream gradient and the directions.

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
    """
    _check_settings(eps, rtol, atol, directions)
    rng = np.random.default_rng(seed)
    if isinstance(obj, Loss):
        if len(arrays) != 2:
            raise InvalidTypeError("check_gradients(loss, y_true, y_pred): pass exactly y_true and y_pred.")
        if training:
            raise InvalidValueError("check_gradients(loss, ...): training= applies to layers only.")
        objective, tensors, analytic, scale = _loss_problem(obj, *arrays, sample_weight)
    elif isinstance(obj, Layer):
        if len(arrays) != 1:
            raise InvalidTypeError(
                "check_gradients(layer, x): pass exactly one input array x (a list [x1, x2] for several inputs)."
            )
        if sample_weight is not None:
            raise InvalidValueError("check_gradients(layer, x): sample_weight= applies to losses only.")
        objective, tensors, analytic, scale = _layer_problem(obj, arrays[0], training, rng)
    else:
        raise InvalidTypeError(f"check_gradients takes a tinynet Layer or Loss, received {type(obj).__name__}.")
    noise = _ROUNDOFF * scale / eps
    for name, tensor in tensors:
        _compare(name, tensor, analytic[name], objective, eps, rtol, atol + noise, directions, rng)


def _check_settings(eps: float, rtol: float, atol: float, directions: int | None) -> None:
    real(eps, "check_gradients", "eps", minimum=0.0, strict=True)
    real(rtol, "check_gradients", "rtol", minimum=0.0)
    real(atol, "check_gradients", "atol", minimum=0.0)
    if directions is not None:
        integer(directions, "check_gradients", "directions (None: entry by entry)", minimum=1)


def _layer_problem(
    layer: Layer, x: Any, training: bool, rng: np.random.Generator
) -> tuple[Callable[[], float], list[tuple[str, np.ndarray]], dict[str, np.ndarray], float]:
    layer = copy.deepcopy(layer).astype(np.float64)
    several = is_list_of_inputs(x)  # as Layer reads it: a list of arrays, not nested lists of numbers
    dtype = None if layer.takes_indices else np.float64
    xs = [np.array(a, dtype=dtype) for a in (x if several else [x])]
    layer.ensure_built([a.shape[1:] for a in xs] if several else xs[0].shape[1:])
    generators = list(_generators(layer))
    states = [copy.deepcopy(g.bit_generator.state) for g in generators]

    def forward() -> np.ndarray:
        for generator, state in zip(generators, states, strict=True):
            generator.bit_generator.state = copy.deepcopy(state)
        inputs: Any = xs if several else xs[0]
        return layer.forward(inputs, training=training)

    y = forward()
    upstream = rng.standard_normal(y.shape)
    dx: Any = layer.backward(upstream.copy())
    tensors: list[tuple[str, np.ndarray]] = []
    analytic: dict[str, np.ndarray] = {}
    if not layer.takes_indices:  # an index has no gradient: only the parameters are checked
        names = [f"input {i}" for i in range(len(xs))] if several else ["input"]
        for name, a, d in zip(names, xs, _input_gradients(layer, dx, xs, several), strict=True):
            tensors.append((name, a))
            analytic[name] = d
    for owner in layer.walk():
        for p in owner._parameters:
            if p.trainable:
                name = f"{owner.name}.{p.name}"
                tensors.append((name, p.value))
                analytic[name] = p.grad.astype(np.float64, copy=True)

    def objective() -> float:
        return float(np.sum(forward() * upstream))

    return objective, tensors, analytic, float(np.sum(np.abs(y * upstream)))


def _input_gradients(layer: Layer, dx: Any, xs: list[np.ndarray], several: bool) -> list[np.ndarray]:
    """``backward``'s return value as one float64 gradient per input, or an ``AssertionError`` on its shape."""
    if not several:
        if np.shape(dx) != xs[0].shape:
            raise AssertionError(
                f"{layer._label()}: backward returned shape {np.shape(dx)}, expected x's shape {xs[0].shape}."
            )
        return [np.asarray(dx, dtype=np.float64)]
    if not isinstance(dx, (list, tuple)) or len(dx) != len(xs):
        got = f"a list of {len(dx)}" if isinstance(dx, (list, tuple)) else type(dx).__name__
        raise AssertionError(
            f"{layer._label()}: backward returned {got} for {len(xs)} inputs; expected a list of {len(xs)} "
            "gradients, one per input."
        )
    for i, (d, a) in enumerate(zip(dx, xs, strict=True)):
        if np.shape(d) != a.shape:
            raise AssertionError(
                f"{layer._label()}: backward returned shape {np.shape(d)} for input {i}, expected {a.shape}."
            )
    return [np.asarray(d, dtype=np.float64) for d in dx]


def _loss_problem(
    loss: Loss, y_true: Any, y_pred: Any, sample_weight: Any
) -> tuple[Callable[[], float], list[tuple[str, np.ndarray]], dict[str, np.ndarray], float]:
    loss = copy.deepcopy(loss)
    y_true = np.array(y_true)
    if y_true.dtype.kind == "f":
        y_true = y_true.astype(np.float64)
    y_pred = np.array(y_pred, dtype=np.float64)
    value = loss.forward(y_true, y_pred, sample_weight)
    grad = loss.backward()
    if np.shape(grad) != y_pred.shape:
        raise AssertionError(f"{loss._label()}: backward returned shape {np.shape(grad)}, expected {y_pred.shape}.")

    def objective() -> float:
        return loss.forward(y_true, y_pred, sample_weight)

    return objective, [("y_pred", y_pred)], {"y_pred": np.asarray(grad, dtype=np.float64)}, abs(value) + 1.0


def _generators(layer: Layer) -> Iterator[np.random.Generator]:
    for owner in layer.walk():
        for value in vars(owner).values():
            if isinstance(value, np.random.Generator):
                yield value


def _compare(
    name: str,
    tensor: np.ndarray,
    analytic: np.ndarray,
    objective: Callable[[], float],
    eps: float,
    rtol: float,
    atol: float,
    directions: int | None,
    rng: np.random.Generator,
) -> None:
    """Central differences of ``objective`` w.r.t. ``tensor`` (changed in place, then restored)."""
    original = tensor.copy()

    def central(step: np.ndarray | float, index: Any = ...) -> float:
        tensor[index] = original[index] + step
        plus = objective()
        tensor[index] = original[index] - step
        minus = objective()
        tensor[index] = original[index]
        return (plus - minus) / (2 * eps)

    if directions is None:
        where = list(np.ndindex(tensor.shape))
        computed = np.array([analytic[i] for i in where])
        numeric = np.array([central(eps, i) for i in where])
        labels = [f"index {i}" for i in where]
    else:
        vs = [rng.standard_normal(tensor.shape) for _ in range(directions)]
        computed = np.array([float(np.sum(analytic * v)) for v in vs])
        numeric = np.array([central(eps * v) for v in vs])
        labels = [f"random direction {k} (<gradient, v>)" for k in range(directions)]
    if computed.size == 0:
        return
    error = np.abs(computed - numeric)
    allowed = atol + rtol * np.maximum(np.abs(computed), np.abs(numeric))
    with np.errstate(invalid="ignore"):  # inf - inf: such entries fail through `finite` below
        finite = np.isfinite(computed) & np.isfinite(numeric)
        ok = finite & (error <= allowed)
        badness = np.where(finite, error - allowed, np.inf)
    if not ok.all():
        worst = int(np.argmax(np.where(ok, -np.inf, badness)))
        raise AssertionError(
            f"check_gradients: the gradient of {name!r} is wrong at {labels[worst]}: backward gives "
            f"{computed[worst]:.10g}, central differences give {numeric[worst]:.10g} "
            f"(difference {error[worst]:.3g} > allowed {allowed[worst]:.3g}; "
            f"{int((~ok).sum())} of {error.size} checks failed)."
        )
