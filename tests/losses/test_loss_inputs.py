"""What every loss's ``__call__`` checks, ``losses.get``, sample weights and the pinned kink subgradients.

Bad input is refused before any state changes; the ``Loss`` contract is ``sum_i w_i * l_i / N`` (Keras's
``sum_over_batch_size``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError, UnknownIdentifierError

LS = tn.losses


def _regression_data(n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.uniform(0.1, 0.9, size=(n, 3)).round(), rng.uniform(0.1, 0.9, size=(n, 3))


def _sparse_data(n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    y_pred = np.random.default_rng(1).dirichlet(np.ones(3), size=n)
    return np.arange(n) % 3, y_pred


def _one_hot_data(n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    labels, y_pred = _sparse_data(n)
    return np.eye(3)[labels], y_pred


# (id, factory, data): valid data for each loss; the tests below break one thing at a time.
LOSSES: list[tuple[str, Callable[[], tn.Loss], Callable[[], tuple[np.ndarray, np.ndarray]]]] = [
    ("mse", LS.MeanSquaredError, _regression_data),
    ("mae", LS.MeanAbsoluteError, _regression_data),
    ("huber", LS.Huber, _regression_data),
    ("bce", LS.BinaryCrossentropy, _regression_data),
    ("bce_logits", lambda: LS.BinaryCrossentropy(from_logits=True), _regression_data),
    ("cce", LS.CategoricalCrossentropy, _one_hot_data),
    ("cce_logits", lambda: LS.CategoricalCrossentropy(from_logits=True), _one_hot_data),
    ("scce", LS.SparseCategoricalCrossentropy, _sparse_data),
    ("scce_logits", lambda: LS.SparseCategoricalCrossentropy(from_logits=True), _sparse_data),
]
every_loss = pytest.mark.parametrize("make, data", [(m, d) for _, m, d in LOSSES], ids=[i for i, _, _ in LOSSES])


@every_loss
def test_valid_data_is_accepted(make, data) -> None:
    """The baseline of the tests below: each loss takes its valid data and returns a finite float."""
    y_true, y_pred = data()
    value = make()(y_true, y_pred, sample_weight=np.ones(len(y_pred)))
    assert type(value) is float and np.isfinite(value)


@every_loss
def test_mismatched_shapes_are_a_shape_error(make, data) -> None:
    """A y_true with one sample more than y_pred is refused; the message names both shapes."""
    y_true, y_pred = data()
    with pytest.raises(ShapeError, match="y_true") as info:
        make()(y_true, y_pred[:3])
    assert str(y_true.shape) in str(info.value) and "(3," in str(info.value)
    if y_true.ndim == 2:  # a dense target of the wrong width, too
        with pytest.raises(ShapeError, match=r"\(4, 2\)"):
            make()(y_true[:, :2], y_pred)


@pytest.mark.parametrize("make", [LS.MeanSquaredError, LS.MeanAbsoluteError, LS.Huber, LS.BinaryCrossentropy])
def test_y_true_of_shape_n_against_y_pred_n_by_1_is_accepted(make) -> None:
    """As in Keras, (N,) targets against (N, 1) predictions equal (N, 1) targets."""
    y_true = np.array([0.0, 1.0, 1.0])
    y_pred = np.array([[0.2], [0.7], [0.4]])
    loss = make()
    flat = loss(y_true, y_pred)
    flat_grad = loss.backward()
    assert flat == loss(y_true[:, None], y_pred)
    assert flat_grad.shape == (3, 1)
    np.testing.assert_array_equal(flat_grad, loss.backward())


@every_loss
@pytest.mark.parametrize("where", ["y_true", "y_pred", "sample_weight"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_anywhere_is_an_invalid_value_error(make, data, where: str, bad: float) -> None:
    """NaN or Inf in any argument is refused, naming the argument, and the loss keeps its last good call."""
    y_true, y_pred = data()
    weights = np.ones(len(y_pred))
    loss = make()
    loss(y_true, y_pred)
    grad = loss.backward()
    args = {"y_true": y_true.astype(float), "y_pred": y_pred.copy(), "sample_weight": weights}
    args[where].flat[1] = bad
    with pytest.raises(InvalidValueError, match=rf"{where} contains .*NaN or Inf.*index"):
        loss(args["y_true"], args["y_pred"], sample_weight=args["sample_weight"])
    np.testing.assert_array_equal(loss.backward(), grad)


@every_loss
@pytest.mark.parametrize("shape", [(5,), (3,), (4, 2), (1, 4)])
def test_sample_weight_of_the_wrong_shape_is_a_shape_error(make, data, shape: tuple) -> None:
    y_true, y_pred = data()
    with pytest.raises(ShapeError, match=r"sample_weight must have shape \(4,\).*received shape"):
        make()(y_true, y_pred, sample_weight=np.ones(shape))


@every_loss
def test_a_scalar_sample_weight_is_a_shape_error(make, data) -> None:
    y_true, y_pred = data()
    with pytest.raises(ShapeError, match="sample_weight"):
        make()(y_true, y_pred, sample_weight=2.0)


@every_loss
def test_negative_sample_weights_are_an_invalid_value_error(make, data) -> None:
    y_true, y_pred = data()
    with pytest.raises(InvalidValueError, match=r"sample_weight must be >= 0"):
        make()(y_true, y_pred, sample_weight=np.array([1.0, -0.5, 1.0, 1.0]))


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("label", [3, -1, 10])
def test_sparse_labels_out_of_range_name_the_range(from_logits: bool, label: int) -> None:
    loss = LS.SparseCategoricalCrossentropy(from_logits=from_logits)
    _, y_pred = _sparse_data()
    with pytest.raises(InvalidValueError, match=r"\[0, 3\) for 3 classes"):
        loss(np.array([0, 1, label, 2]), y_pred)


@pytest.mark.parametrize("labels", [[0.5, 1.0, 2.0, 0.0], [0.0, 1.0, 2.0, 1.999]])
def test_fractional_sparse_labels_are_refused(labels: list) -> None:
    _, y_pred = _sparse_data()
    with pytest.raises(InvalidValueError, match="integer class labels"):
        LS.SparseCategoricalCrossentropy()(np.array(labels), y_pred)


def test_sparse_labels_as_whole_floats_or_n_by_1_are_accepted() -> None:
    labels, y_pred = _sparse_data()
    loss = LS.SparseCategoricalCrossentropy()
    reference = loss(labels, y_pred)
    assert loss(labels.astype(float), y_pred) == reference
    assert loss(labels[:, None], y_pred) == reference


@pytest.mark.parametrize("width", [2, 4])
def test_one_hot_of_the_wrong_width_is_a_shape_error(width: int) -> None:
    """CategoricalCrossentropy needs one-hot rows of y_pred's width and points to the sparse loss."""
    _, y_pred = _sparse_data()
    with pytest.raises(ShapeError, match=r"one-hot.*\(4, 3\).*\(4, " + str(width) + r"\).*SparseCategorical"):
        LS.CategoricalCrossentropy()(np.eye(width)[[0, 1, 1, 0]], y_pred)


def test_sparse_labels_given_to_categorical_crossentropy_are_a_shape_error() -> None:
    labels, y_pred = _sparse_data()
    with pytest.raises(ShapeError, match="SparseCategoricalCrossentropy"):
        LS.CategoricalCrossentropy()(labels, y_pred)


@pytest.mark.parametrize(
    "make, y_true",
    [
        (LS.BinaryCrossentropy, np.array([[1.0], [0.0]])),
        (LS.CategoricalCrossentropy, np.array([[1.0, 0.0], [0.0, 1.0]])),
        (LS.SparseCategoricalCrossentropy, np.array([0, 1])),
    ],
)
@pytest.mark.parametrize("bad", [1.5, -0.25])
def test_probabilities_outside_0_1_suggest_from_logits(make, y_true: np.ndarray, bad: float) -> None:
    """Scores given to a probability-form loss are refused with a hint; with from_logits=True they pass."""
    y_pred = np.full((2, y_true.shape[-1] if y_true.ndim == 2 else 2), 0.5)
    y_pred[1, -1] = bad
    with pytest.raises(InvalidValueError, match=r"probabilities in \[0, 1\].*from_logits=True"):
        make()(y_true, y_pred)
    assert np.isfinite(make(from_logits=True)(y_true, y_pred))


@pytest.mark.parametrize("make", [LS.BinaryCrossentropy, LS.CategoricalCrossentropy])
def test_crossentropy_targets_outside_0_1_are_refused(make) -> None:
    with pytest.raises(InvalidValueError, match=r"y_true must lie in \[0, 1\]"):
        make()(np.array([[2.0, 0.0]]), np.array([[0.5, 0.5]]))


@pytest.mark.parametrize("true_dtype", [np.int64, np.int32, np.float64, bool])
@pytest.mark.parametrize("make", [LS.MeanSquaredError, LS.MeanAbsoluteError, LS.Huber, LS.BinaryCrossentropy])
def test_y_true_is_cast_to_the_dtype_of_y_pred(make, true_dtype) -> None:
    """Integer, boolean or float64 targets against float32 predictions compute in float32."""
    loss = make()
    y_pred = np.array([[0.25], [0.75]], dtype=np.float32)
    loss(np.array([[0], [1]], dtype=true_dtype), y_pred)
    assert loss.backward().dtype == np.float32
    remembered = loss.recall("y")[0] if isinstance(loss, LS.BinaryCrossentropy) else loss.recall("e")[0]
    assert remembered.dtype == np.float32


def test_sparse_int_labels_give_gradients_of_y_preds_dtype() -> None:
    for dtype in (np.float32, np.float64):
        loss = LS.SparseCategoricalCrossentropy(from_logits=True)
        loss(np.array([0, 2], dtype=np.int64), np.zeros((2, 3), dtype=dtype))
        assert loss.backward().dtype == dtype


# ---------------------------------------------------------------------------- get
KERAS_IDS = {
    "mse": LS.MeanSquaredError,
    "mean_squared_error": LS.MeanSquaredError,
    "mae": LS.MeanAbsoluteError,
    "mean_absolute_error": LS.MeanAbsoluteError,
    "huber": LS.Huber,
    "binary_crossentropy": LS.BinaryCrossentropy,
    "categorical_crossentropy": LS.CategoricalCrossentropy,
    "sparse_categorical_crossentropy": LS.SparseCategoricalCrossentropy,
}


@pytest.mark.parametrize("identifier, cls", KERAS_IDS.items())
def test_get_resolves_each_keras_id_to_a_new_instance(identifier: str, cls: type) -> None:
    first, second = LS.get(identifier), LS.get(identifier)
    assert type(first) is cls and first is not second
    assert getattr(first, "from_logits", False) is False


def test_get_returns_an_instance_as_is_and_instantiates_a_class() -> None:
    loss = LS.Huber(delta=0.5)
    assert LS.get(loss) is loss
    assert type(LS.get(LS.MeanSquaredError)) is LS.MeanSquaredError


@pytest.mark.parametrize("identifier", ["mean_sqaured_error", "crossentropy", "", 3, None])
def test_get_of_an_unknown_id_lists_the_known_ones(identifier: object) -> None:
    with pytest.raises(UnknownIdentifierError) as info:
        LS.get(identifier)
    assert isinstance(info.value, ValueError)
    if isinstance(identifier, str):
        assert "binary_crossentropy" in str(info.value) and "mse" in str(info.value)


# ---------------------------------------------------------------------------- semantics
def test_sample_weight_is_sum_of_weighted_losses_over_batch_size() -> None:
    """sum_i w_i * l_i / N, l_i the mean over the sample's elements; the gradient is its derivative."""
    y_true = np.array([[0.0, 1.0], [2.0, 2.0], [1.0, -1.0]])
    y_pred = np.array([[0.5, 1.0], [1.0, 4.0], [1.0, 1.0]])
    w = np.array([1.0, 0.0, 3.0])
    per_sample = [(0.25 + 0.0) / 2, (1.0 + 4.0) / 2, (0.0 + 4.0) / 2]
    expected = (1.0 * per_sample[0] + 0.0 * per_sample[1] + 3.0 * per_sample[2]) / 3
    loss = LS.MeanSquaredError()
    assert loss(y_true, y_pred, sample_weight=w) == pytest.approx(expected, rel=1e-15)
    expected_grad = 2 * (y_pred - y_true) * w[:, None] / (3 * 2)
    np.testing.assert_allclose(loss.backward(), expected_grad, rtol=1e-15)
    assert loss(y_true, y_pred, sample_weight=w[:, None]) == pytest.approx(expected, rel=1e-15)


def test_sample_weight_for_categorical_crossentropy_sums_over_classes() -> None:
    """For the categorical cross-entropies l_i is -log p_i[label], summed over classes, not averaged."""
    y_pred = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    w = np.array([2.0, 0.5])
    expected = (2.0 * -np.log(0.7) + 0.5 * -np.log(0.8)) / 2
    assert LS.SparseCategoricalCrossentropy()(np.array([0, 2]), y_pred, w) == pytest.approx(expected, rel=1e-12)
    assert LS.CategoricalCrossentropy()(np.eye(3)[[0, 2]], y_pred, w) == pytest.approx(expected, rel=1e-12)


def test_sample_weight_for_binary_crossentropy_with_logits() -> None:
    z = np.array([[2.0], [-1.0], [0.0]])
    y = np.array([[1.0], [1.0], [0.0]])
    w = np.array([0.5, 2.0, 1.0])
    per_sample = [np.log1p(np.exp(-2.0)), np.log1p(np.exp(1.0)), np.log(2.0)]
    expected = float(np.dot(w, per_sample) / 3)
    loss = LS.BinaryCrossentropy(from_logits=True)
    assert loss(y, z, sample_weight=w) == pytest.approx(expected, rel=1e-12)
    sig = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(loss.backward(), (sig - y) * w[:, None] / 3, rtol=1e-12)


def test_mae_gradient_at_zero_error_is_exactly_zero() -> None:
    """The pinned subgradient at e == 0 is 0, while the other entries get sign(e) * scale."""
    loss = LS.MeanAbsoluteError()
    y_true = np.array([[1.0, 2.0], [3.0, -4.0]])
    y_pred = np.array([[1.0, 2.5], [3.0, -5.0]])
    assert loss(y_true, y_pred) == pytest.approx((0.5 + 1.0) / 4)
    grad = loss.backward()
    assert grad[0, 0] == 0.0 and grad[1, 0] == 0.0
    np.testing.assert_array_equal(grad[:, 1], [0.25, -0.25])


@pytest.mark.parametrize("delta", [1.0, 0.5, 2.0])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_huber_value_and_gradient_at_exactly_delta(delta: float, sign: float) -> None:
    """At |e| == delta the loss is delta**2 / 2 and the gradient is e (both pieces agree there)."""
    loss = LS.Huber(delta=delta)
    y_true = np.array([[1.0]])
    y_pred = y_true + sign * delta
    assert loss(y_true, y_pred) == 0.5 * delta * delta
    assert loss.backward()[0, 0] == sign * delta
    # just inside and outside the breakpoint, the two pieces agree to first order
    for e in (delta * (1 - 1e-9), delta * (1 + 1e-9)):
        loss(np.zeros((1, 1)), np.array([[sign * e]]))
        assert loss.backward()[0, 0] == pytest.approx(sign * delta, rel=1e-8)


@pytest.mark.parametrize("delta", [0.0, -1.0, float("nan"), "1"])
def test_huber_refuses_a_non_positive_delta(delta: object) -> None:
    with pytest.raises(InvalidValueError, match="delta must be a positive float"):
        LS.Huber(delta=delta)
