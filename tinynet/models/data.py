"""Checks of what ``fit``, ``evaluate`` and ``predict`` are given, all made before any state changes.

Each check is cheap (no copy of the data set unless a cast is needed) and
raises a :mod:`tinynet.errors` exception naming the model, the expected and
the received.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._rollback import unchanged_on_error
from .._shapes import shape_fits
from .._validation import as_array, as_float_array, as_index_array, check_finite, integer, per_sample_weights, real
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..loss import Loss
from ..losses import BinaryCrossentropy, CategoricalCrossentropy

if TYPE_CHECKING:
    from .compiled_loss import CompiledLoss

__all__ = [
    "check_x", "check_inputs", "check_y", "check_targets", "count", "take", "check_sample_weight",
    "class_sample_weights", "check_batch_size", "check_verbose", "split_validation", "split_at", "batch_bounds",
    "x_for_predict", "data_for_steps", "validation_for_fit", "as_keras_result",
]  # fmt: skip

DEFAULT_BATCH_SIZE = 32


def check_x(model: Layer, x: Any, what: str = "x") -> Array:
    """``x`` cast to the model's dtype, of the per-sample shape the model was built for (any size at a ``None``)."""
    where = model._label()
    x = as_index_array(x, where, what) if model.takes_indices else as_float_array(x, model.dtype, where, what)
    if len(x) == 0:
        raise InvalidValueError(f"{where}: {what} holds 0 samples; pass at least one.")
    if x.ndim < 2:
        raise ShapeError(
            f"{where}: {what} must have a batch axis and a feature axis, received shape {x.shape}. "
            "For a single feature use x.reshape(-1, 1); for a single sample x[None]."
        )
    if model.built and not shape_fits(model.input_shape, x.shape[1:]):
        raise ShapeError(
            f"{where}: {what} has per-sample shape {x.shape[1:]}, but the model expects {model.input_shape} "
            f"(input of shape (batch, {', '.join(map(str, model.input_shape or ()))}))."
        )
    if model.built:
        model.check_input_values(x)
    return x


def check_inputs(model: Layer, x: Any, what: str = "x") -> Any:
    """``x`` for a model of several inputs: a list in input order (a dict by input name is taken too), each checked.

    A model of one input takes :func:`check_x`'s path. Errors name the input.
    """
    names, tensors = _structure(model, "inputs")
    if len(tensors) <= 1 and not isinstance(x, dict):
        return check_x(model, x, what)
    arrays = _listed(model, x, names, what, "inputs")
    where = model._label()
    checked = []
    for array, name, tensor in zip(arrays, names, tensors, strict=True):
        label = f"{what} {name!r}"
        if tensor.dtype.kind in "iu":
            array = as_index_array(array, where, label)
        else:
            array = as_float_array(array, model.dtype, where, label)
        if array.ndim < 2 or not shape_fits(tensor.per_sample_shape, array.shape[1:]):
            raise ShapeError(
                f"{where}: {label} must have shape (batch, {', '.join(map(str, tensor.per_sample_shape))}), "
                f"received {array.shape}."
            )
        checked.append(array)
    _same_count(where, what, names, checked)
    if len(checked[0]) == 0:
        raise InvalidValueError(f"{where}: {what} holds 0 samples; pass at least one.")
    model.check_input_values(checked)  # type: ignore[arg-type]  # a model of several inputs takes a list
    return checked


def check_targets(model: Layer, compiled_loss: CompiledLoss, y: Any, n: int, what: str = "y") -> Any:
    """``y`` for every output, each checked against its loss and output shape: an array, or a list in output order."""
    output_shape = model.compute_output_shape(model.input_shape)
    compiled_loss.check(model, output_shape)
    if len(compiled_loss.names) == 1:
        return check_y(model, compiled_loss.loss, y, n, output_shape, what)
    arrays = _listed(model, y, compiled_loss.names, what, "outputs")
    return [
        check_y(model, head.loss, array, n, shape, f"{what} {name!r}")
        for array, head, shape, name in zip(
            arrays, compiled_loss.outputs, output_shape, compiled_loss.names, strict=True
        )
    ]


def count(x: Any) -> int:
    """The number of samples in ``x``: an array, or a list (or dict) of arrays of one length."""
    if isinstance(x, dict):
        return len(next(iter(x.values())))
    return len(x[0]) if isinstance(x, (list, tuple)) else len(x)


def take(x: Any, index: Any) -> Any:
    """The samples ``index`` of ``x``: an array, or each array of a list."""
    return [part[index] for part in x] if isinstance(x, list) else x[index]


def _structure(model: Layer, which: str) -> tuple[list[str], list[Any]]:
    tensors = getattr(model, which, None)
    if tensors is None:
        return [], []
    listed = (
        list(tensors.values())
        if isinstance(tensors, dict)
        else list(tensors)
        if isinstance(tensors, list)
        else [tensors]
    )
    names = getattr(model, "input_names" if which == "inputs" else "output_names")
    return list(names), listed


def _listed(model: Layer, value: Any, names: list[str], what: str, kind: str) -> list[Any]:
    """``value`` as one entry per name: a dict by name (no unknown or missing key), or a list or tuple in order."""
    where = model._label()
    if isinstance(value, dict):
        unknown, missing = sorted(set(value) - set(names)), [name for name in names if name not in value]
        if unknown or missing:
            raise InvalidValueError(
                f"{where}: {what} is a dict with keys {sorted(value)}, but the model's {kind} are {names}"
                + (f"; unknown: {unknown}" if unknown else "")
                + (f"; missing: {missing}" if missing else "")
                + "."
            )
        return [value[name] for name in names]
    if isinstance(value, (list, tuple)) and not (value and not isinstance(value[0], (np.ndarray, list, tuple))):
        if len(value) != len(names):
            raise InvalidValueError(
                f"{where}: {what} holds {len(value)} arrays, but the model has {len(names)} {kind} {names}; pass one "
                f"array per {kind[:-1]}, as a list in that order or a dict by name."
            )
        return list(value)
    raise InvalidTypeError(
        f"{where}: the model has {len(names)} {kind} {names}; pass {what} as a list of arrays in that order or a "
        f"dict by name, received {type(value).__name__}."
    )


def _same_count(where: str, what: str, names: list[str], arrays: list[Array]) -> None:
    counts = [len(a) for a in arrays]
    if len(set(counts)) > 1:
        raise ShapeError(
            f"{where}: the arrays of {what} must hold the same number of samples, received "
            + ", ".join(f"{name!r}: {c}" for name, c in zip(names, counts, strict=True))
            + "."
        )


def check_y(model: Layer, loss: Loss, y: Any, n: int, output_shape: Shape, what: str = "y") -> Array:
    """``y`` checked against the loss and the model's per-sample output shape, shaped as the loss takes it."""
    where = model._label()
    y = as_array(y, where, what)
    check_finite(y, where, what)
    if len(y) != n:
        raise ShapeError(f"{where}: x has {n} samples but {what} has {len(y)}; they must match.")
    if loss.y_true_kind == "class_index":
        return _sparse_labels(y, output_shape, where, what)
    if loss.y_true_kind == "sample_label":
        return _sample_labels(y, n, where, what)
    expected = (n, *output_shape)  # a None in it: a size known only from the data, any size fits it here
    if isinstance(loss, CategoricalCrossentropy):
        if not shape_fits(expected, y.shape):
            raise ShapeError(
                f"{where}: {what} must be one-hot of shape {expected} for {output_shape[-1]} classes, received "
                f"{y.shape}. For integer labels use loss='sparse_categorical_crossentropy'."
            )
    elif not shape_fits(expected, y.shape):
        if output_shape == (1,) and y.shape == (n,):
            y = y.reshape(n, 1)
        else:
            raise ShapeError(
                f"{where}: {what} must have shape {expected} to match the model's output, received {y.shape}."
            )
    if isinstance(loss, (BinaryCrossentropy, CategoricalCrossentropy)) and y.size and (y.min() < 0 or y.max() > 1):
        raise InvalidValueError(
            f"{where}: {what} must lie in [0, 1] for {loss.name}; received values in [{y.min()}, {y.max()}]."
        )
    return as_float_array(y, model.dtype, where, what)


def _sample_labels(y: Array, n: int, where: str, what: str) -> Array:
    if y.shape == (n, 1):
        y = y[:, 0]
    if y.shape != (n,):
        raise ShapeError(f"{where}: {what} must hold one integer label per sample, shape ({n},), received {y.shape}.")
    if y.dtype.kind == "f" and not (y == np.round(y)).all():
        raise InvalidValueError(f"{where}: {what} must hold integer labels; received fractions.")
    return y.astype(np.intp, copy=False)


def _sparse_labels(y: Array, output_shape: Shape, where: str, what: str) -> Array:
    classes, labels_shape = output_shape[-1], (len(y), *output_shape[:-1])
    if y.ndim == len(labels_shape) + 1 and y.shape[-1] == 1 and shape_fits(labels_shape, y.shape[:-1]):
        y = y[..., 0]
    if not shape_fits(labels_shape, y.shape):
        raise ShapeError(
            f"{where}: {what} must hold one integer label per sample (per step of a sequence), shape "
            f"{labels_shape}, received {y.shape}. For one-hot labels use loss='categorical_crossentropy'."
        )
    if y.dtype.kind == "f" and not (y == np.round(y)).all():
        raise InvalidValueError(f"{where}: {what} must hold integer class labels; received fractions.")
    if y.size and (y.min() < 0 or y.max() >= classes):
        raise InvalidValueError(
            f"{where}: {what} labels must lie in [0, {classes}) for the model's {classes} outputs; received labels "
            f"in [{y.min()}, {y.max()}]."
        )
    return y.astype(np.intp, copy=False)


def check_sample_weight(model: Layer, sample_weight: Any, n: int, what: str = "sample_weight") -> Array | None:
    if sample_weight is None:
        return None
    return per_sample_weights(sample_weight, n, model._label(), what, dtype=model.dtype)


def class_sample_weights(model: Layer, class_weight: Any, y: Array, loss: Loss) -> Array | None:
    """Per-sample weights from ``{class: weight}``; classes not named weigh 1."""
    if class_weight is None:
        return None
    where = model._label()
    if not isinstance(class_weight, dict):
        raise InvalidTypeError(
            f"{where}: class_weight must be a dict {{class index: weight}}, received {class_weight!r}."
        )
    if y.ndim > 2 or (loss.y_true_kind == "class_index" and y.ndim > 1):
        raise InvalidValueError(
            f"{where}: class_weight weighs a sample by its one class, but y holds a label per step or position "
            f"(shape {y.shape}); pass sample_weight instead."
        )
    if loss.y_true_kind != "dense":
        labels = y
    elif y.ndim == 2 and y.shape[1] > 1:
        labels = y.argmax(axis=1)
    else:
        labels = np.rint(y.reshape(len(y))).astype(np.intp)
    table = np.ones(int(labels.max(initial=0)) + 1 if len(labels) else 1)
    for key, weight in class_weight.items():
        index = integer(key, where, "a class_weight key", minimum=0)
        value = real(weight, where, f"class_weight[{index}]", minimum=0.0)
        if index < len(table):
            table[index] = value
    return table[labels].astype(model.dtype)


def check_batch_size(model: Layer, batch_size: Any) -> int:
    if batch_size is None:
        return DEFAULT_BATCH_SIZE
    if type(batch_size) is int and batch_size >= 1:  # the common case, checked without building a message
        return batch_size
    return integer(batch_size, model._label(), "batch_size", minimum=1)


def check_verbose(model: Layer, verbose: Any, auto: int = 1) -> int:
    if verbose == "auto":
        return auto
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise InvalidValueError(f"{model._label()}: verbose must be 0, 1, 2 or 'auto', received {verbose!r}.")
    return int(verbose)


def split_validation(model: Layer, validation_split: Any, n: int) -> int:
    """How many of the last samples ``validation_split`` holds out (Keras: the last fraction, before shuffling)."""
    fraction = real(validation_split, model._label(), "validation_split", minimum=0.0)
    if fraction >= 1.0:
        raise InvalidValueError(
            f"{model._label()}: validation_split must lie in [0, 1), received {validation_split!r}."
        )
    held_out = int(n * fraction)
    if fraction > 0 and not 0 < held_out < n:
        raise InvalidValueError(
            f"{model._label()}: validation_split={validation_split} of {n} samples leaves "
            f"{held_out} for validation and {n - held_out} for training; both need at least one."
        )
    return held_out


def split_at(
    arrays: tuple[Array, Array | None, Array | None], cut: int
) -> tuple[tuple[Array, Array | None, Array | None], tuple[Array, Array | None, Array | None]]:
    """``(x, y, weights)`` cut into the samples before ``cut`` and those from it on (absent arrays stay ``None``)."""
    x, y, weights = arrays
    before, after = slice(None, cut), slice(cut, None)
    return (take(x, before), _take(y, before), _take(weights, before)), (
        take(x, after),
        _take(y, after),
        _take(weights, after),
    )


def _take(array: Any, index: Any) -> Any:
    return None if array is None else take(array, index)


def batch_bounds(n: int, batch_size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each batch; the last one may be smaller."""
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def x_for_predict(model: Layer, x: Any) -> Array:
    """``x`` checked for ``predict``; an unbuilt model is built for it, and left unbuilt if ``x`` is refused."""
    if model.built:
        return check_inputs(model, x)
    with unchanged_on_error(model):
        x = check_x(model, x)
        model.ensure_built(x.shape[1:])
    return x


def data_for_steps(
    model: Layer,
    compiled_loss: CompiledLoss,
    x: Any,
    y: Any,
    sample_weight: Any,
    class_weight: Any,
    y_optional: bool = False,
) -> tuple[Array, Array | None, Array | None]:
    """x, y and the combined sample weights, checked; builds the model if needed (the caller undoes it on error).

    ``y_optional`` (a model whose own step says what it learns from) lets ``y`` be ``None``; then neither
    ``y`` nor weights are checked against the loss, and a step receives ``x`` alone.
    """
    if x is None or (y is None and not y_optional):
        raise InvalidValueError(f"{model._label()}: pass both x and y.")
    x = check_inputs(model, x)
    if not model.built:
        model.ensure_built(x.shape[1:])
        model.check_input_values(x)
    if y is None:
        if sample_weight is not None or class_weight is not None:
            raise InvalidValueError(f"{model._label()}: sample_weight and class_weight need y; pass y too.")
        return x, None, None
    y = check_targets(model, compiled_loss, y, count(x))
    weights = check_sample_weight(model, sample_weight, count(x))
    if class_weight is not None and isinstance(y, list):
        raise InvalidValueError(f"{model._label()}: class_weight takes a model of one output; use sample_weight.")
    by_class = class_sample_weights(model, class_weight, y, compiled_loss.loss)
    if by_class is not None:
        weights = by_class if weights is None else weights * by_class
    return x, y, weights


def validation_for_fit(
    model: Layer, compiled_loss: CompiledLoss, validation_data: Any
) -> tuple[Array, Array, Array | None]:
    """``validation_data`` — ``(x_val, y_val)`` or with a third element, sample weights — checked."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise InvalidTypeError(
            f"{model._label()}: validation_data must be (x_val, y_val) or (x_val, y_val, sample_weight_val)."
        )
    x_val, y_val, *rest = validation_data
    x_val = check_inputs(model, x_val, "validation x")
    y_val = check_targets(model, compiled_loss, y_val, count(x_val), "validation y")
    weights = check_sample_weight(model, rest[0] if rest else None, count(x_val), "validation sample_weight")
    return x_val, y_val, weights


def as_keras_result(results: dict[str, float], return_dict: bool) -> float | list[float] | dict[str, float]:
    """``evaluate``'s return value, as Keras shapes it: the dict, the loss alone, or ``[loss, *metrics]``."""
    if return_dict:
        return results
    values = list(results.values())
    return values[0] if len(values) == 1 else values
