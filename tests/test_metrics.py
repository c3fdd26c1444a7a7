"""tinynet.metrics: hand computations, weighting, batch-split invariance, configs, get() and refused updates."""

from __future__ import annotations

import inspect
import json
import math
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet import metrics
from tinynet.errors import InvalidTypeError, InvalidValueError, ShapeError, UnknownIdentifierError
from tinynet.registry import get_registered_class, serialize

# ---------------------------------------------------------------------------- data strategies
# Hypothesis draws the sizes, a seed and the kind of data; numpy makes the arrays (drawing every entry
# through hypothesis would cost more than the tests themselves). Probabilities come from a small grid half
# the time, so ties (AUC, argmax, thresholds) are common; weights span tiny to huge scales.
GRID = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 1.0])


def make_batch(
    kind: str, rng: np.random.Generator, n: int, k: int, grid: bool, dtype: type = np.float64, soft: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, y_pred)`` of ``n`` samples for a metric taking ``kind`` targets (``k`` outputs or classes)."""
    if kind == "regression":
        return rng.uniform(-10.0, 10.0, (n, k)).astype(dtype), rng.uniform(-10.0, 10.0, (n, k)).astype(dtype)
    y_pred = (rng.choice(GRID, size=(n, k)) if grid else rng.random((n, k))).astype(dtype)
    if kind == "binary":  # 0/1 labels, or soft ones as the binary cross-entropy takes them
        return rng.choice([0.0, 0.25, 0.5, 1.0] if soft else [0.0, 1.0], size=(n, k)), y_pred
    labels = rng.integers(0, k, n)
    return (np.eye(k)[labels] if kind == "one_hot" else labels), y_pred


@st.composite
def generator(draw: st.DrawFn) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


@st.composite
def batches(draw: st.DrawFn, kind: str) -> tuple[np.ndarray, np.ndarray]:
    n, k = draw(st.integers(1, 12)), draw(st.integers(1 if kind in ("binary", "regression") else 2, 4))
    dtype = draw(st.sampled_from([np.float64, np.float32]))  # float32 in, float64 sums inside
    soft = kind == "binary" and draw(st.integers(0, 3)) == 0
    return make_batch(kind, draw(generator()), n, k, draw(st.booleans()), dtype, soft)


@st.composite
def with_weights(draw: st.DrawFn, batches: st.SearchStrategy) -> tuple:
    y_true, y_pred = draw(batches)
    n, rng = len(y_pred), draw(generator())
    kind = draw(st.sampled_from(["none", "counts", "uniform", "tiny", "huge"]))
    if kind == "none":
        return y_true, y_pred, None
    if kind == "counts":
        return y_true, y_pred, rng.integers(0, 3, n).astype(np.float64)
    scale = {"uniform": 1.0, "tiny": 1e-300, "huge": 1e250}[kind]
    return y_true, y_pred, rng.uniform(0.0, 5.0, n) * scale


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], metrics.Metric]
    kind: str  # of targets: "binary", "one_hot", "sparse" or "regression"

    @property
    def batches(self) -> st.SearchStrategy:
        return batches(self.kind)

    def fixed_batch(self, seed: int) -> tuple[np.ndarray, np.ndarray]:
        return make_batch(self.kind, np.random.default_rng(seed), 6, 3, grid=True)


CASES = [
    Case("binary_accuracy", metrics.BinaryAccuracy, "binary"),
    Case("binary_accuracy_t0.3", lambda: metrics.BinaryAccuracy(threshold=0.3), "binary"),
    Case("categorical_accuracy", metrics.CategoricalAccuracy, "one_hot"),
    Case("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy, "sparse"),
    Case("accuracy_auto_sparse", metrics.AutoAccuracy, "sparse"),
    Case("mse", metrics.MeanSquaredError, "regression"),
    Case("mae", metrics.MeanAbsoluteError, "regression"),
    Case("precision", metrics.Precision, "binary"),
    Case("recall", lambda: metrics.Recall(thresholds=0.7), "binary"),
    Case("auc", metrics.AUC, "binary"),
]
cases = pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)


def result_of(metric: metrics.Metric, y_true, y_pred, weights=None, batch: int | None = None) -> float:
    metric.reset_state()
    batch = batch or max(len(y_pred), 1)
    for start in range(0, len(y_pred), batch):
        part = slice(start, start + batch)
        metric.update_state(y_true[part], y_pred[part], None if weights is None else weights[part])
    return metric.result()


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


# ---------------------------------------------------------------------------- generic properties
def test_every_public_metric_has_a_case() -> None:
    """Here, or in tests/metrics/test_properties.py (the metrics added for Keras's full list)."""
    from .metrics.test_properties import CASES as MORE_CASES

    public = {getattr(metrics, n) for n in metrics.__all__ if inspect.isclass(getattr(metrics, n))}
    not_of_targets = {metrics.Metric, metrics.MeanMetric, metrics.Mean, metrics.Sum, metrics.MeanMetricWrapper}
    concrete = public - not_of_targets  # Mean and Sum take values; MeanMetricWrapper needs a function
    assert concrete == {type(case.make()) for case in [*CASES, *MORE_CASES]}


# ---------------------------------------------------------------------------- Mean
@given(
    st.lists(st.tuples(st.floats(-1e3, 1e3), st.integers(0, 50)), min_size=1, max_size=20),
)
def test_mean_is_the_weighted_mean_of_what_it_was_given(pairs: list[tuple[float, int]]) -> None:
    """Scalars with scalar weights, as a training step gives its batch losses, average per weight."""
    tracker = metrics.Mean(name="loss")
    for value, weight in pairs:
        tracker.update_state(value, sample_weight=weight)
    total = sum(w for _, w in pairs)
    expected = sum(v * w for v, w in pairs) / total if total else 0.0
    assert close(tracker.result(), expected, rel=1e-9) or abs(tracker.result() - expected) < 1e-9


def test_mean_takes_arrays_with_weights_and_refuses_bad_weights() -> None:
    tracker = metrics.Mean()
    tracker.update_state(np.array([1.0, 3.0]))
    tracker.update_state(np.array([10.0]), sample_weight=np.array([2.0]))
    assert tracker.result() == (1.0 + 3.0 + 20.0) / 4
    before = (tracker.total, tracker.count)
    with pytest.raises(ValueError, match="sample_weight"):
        tracker.update_state(np.array([1.0, 2.0]), sample_weight=np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="shape"):
        tracker.update_state(np.array([1.0, 2.0]), sample_weight=np.array([1.0, 1.0, 1.0]))
    assert (tracker.total, tracker.count) == before
    tracker.reset_state()
    assert tracker.result() == 0.0


@cases
def test_result_before_any_update_is_zero(case: Case) -> None:
    result = case.make().result()
    assert result == 0.0 and type(result) is float


@cases
def test_batch_split_invariance_and_per_sample_weighting(case: Case) -> None:
    """Whole set vs. batches of every size 1..n: equal within 1e-12 relative, a Python float. And a weight
    of k counts a sample k times (0 drops it). One property, so hypothesis draws the data once for both."""

    @given(with_weights(case.batches), generator())
    def prop(data: tuple, rng: np.random.Generator) -> None:
        y_true, y_pred, weights = data
        metric = case.make()
        whole = result_of(metric, y_true, y_pred, weights)
        assert type(whole) is float
        for batch in range(1, len(y_pred)):
            split = result_of(metric, y_true, y_pred, weights, batch)
            assert close(split, whole), ("batch split", batch, split, whole)
        counts = rng.integers(0, 4, len(y_pred))
        weighted = result_of(metric, y_true, y_pred, counts.astype(np.float64))
        repeated = result_of(metric, np.repeat(y_true, counts, axis=0), np.repeat(y_pred, counts, axis=0))
        assert close(weighted, repeated), ("integer weights", counts, weighted, repeated)

    prop()


@cases
def test_reset_state_forgets_everything(case: Case) -> None:
    first, second = case.fixed_batch(1), case.fixed_batch(2)
    metric = case.make()
    metric.update_state(*first)
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state(*second)
    assert metric.result() == result_of(case.make(), *second)


@cases
def test_config_round_trips_through_json(case: Case) -> None:
    metric = case.make()
    config = json.loads(json.dumps(metric.get_config()))
    clone = type(metric).from_config(config)
    assert type(clone) is type(metric) and clone.get_config() == metric.get_config()
    again = metrics.get(json.loads(json.dumps(serialize(metric))))
    assert type(again) is type(metric) and again.get_config() == metric.get_config()


@cases
def test_an_empty_batch_changes_nothing(case: Case) -> None:
    metric = case.make()
    y_true, y_pred = {
        "categorical_accuracy": (np.zeros((0, 3)), np.zeros((0, 3))),
        "sparse_categorical_accuracy": (np.zeros(0, int), np.zeros((0, 3))),
        "accuracy_auto_sparse": (np.zeros(0, int), np.zeros((0, 3))),
    }.get(case.id, (np.zeros((0, 1)), np.zeros((0, 1))))
    metric.update_state(y_true, y_pred)
    assert metric.result() == 0.0


@cases
def test_a_nan_prediction_makes_the_result_nan_until_reset(case: Case) -> None:
    """A diverged model shows in the logs (and TerminateOnNaN can stop it) instead of raising inside fit."""
    metric = case.make()
    y_true, y_pred = {
        "categorical_accuracy": (np.eye(2), np.array([[0.3, 0.7], [np.nan, 0.5]])),
        "sparse_categorical_accuracy": (np.array([0, 1]), np.array([[0.3, 0.7], [np.nan, 0.5]])),
        "accuracy_auto_sparse": (np.array([0, 1]), np.array([[0.3, 0.7], [np.nan, 0.5]])),
    }.get(case.id, (np.array([[1.0], [0.0]]), np.array([[0.9], [np.nan]])))
    metric.update_state(y_true, y_pred)
    assert math.isnan(metric.result())
    metric.reset_state()
    assert metric.result() == 0.0


# ---------------------------------------------------------------------------- hand computations
def test_binary_accuracy_by_hand() -> None:
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [0], [1], [0]], [[0.9], [0.2], [0.4], [0.5]])  # 0.5 is not above 0.5: negative
    assert m.result() == 0.75
    m.update_state(np.array([1, 1]), np.array([[0.1], [0.6]]), sample_weight=np.array([3.0, 1.0]))
    assert m.result() == pytest.approx((3 + 0 + 1) / (4 + 4), rel=1e-15)


def test_binary_accuracy_averages_per_sample_over_several_outputs() -> None:
    m = metrics.BinaryAccuracy()
    y_true = np.array([[1, 0, 1, 1], [0, 0, 0, 0]])
    y_pred = np.array([[0.9, 0.1, 0.2, 0.8], [0.9, 0.1, 0.2, 0.3]])  # sample values 3/4 and 3/4
    m.update_state(y_true, y_pred, sample_weight=[1.0, 0.0])
    assert m.result() == 0.75
    m.update_state(y_true[1:], np.zeros((1, 4)), sample_weight=[2.0])  # value 1
    assert m.result() == pytest.approx((0.75 + 2.0) / 3.0, rel=1e-15)


@pytest.mark.parametrize(("threshold", "expected"), [(0.5, 0.5), (0.3, 0.75), (0.85, 0.75), (0.95, 0.5), (-1.0, 0.5)])
def test_binary_accuracy_threshold(threshold: float, expected: float) -> None:
    m = metrics.BinaryAccuracy(threshold=threshold)
    m.update_state(np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.4, 0.8]))
    assert m.result() == expected


def test_binary_accuracy_soft_labels_and_bool_labels() -> None:
    m = metrics.BinaryAccuracy()
    m.update_state(np.array([[0.75], [0.25]]), np.array([[0.9], [0.9]]))  # expected accuracies 0.75, 0.25
    assert m.result() == 0.5
    m.reset_state()
    m.update_state(np.array([True, False]), np.array([[0.9], [0.9]]))
    assert m.result() == 0.5


def test_categorical_accuracies_by_hand_with_ties_and_positions() -> None:
    y_pred = np.array([[0.4, 0.4, 0.2], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]])  # a tie goes to the first maximum
    labels = np.array([0, 2, 0])
    for metric, y_true in [
        (metrics.CategoricalAccuracy(), np.eye(3)[labels]),
        (metrics.SparseCategoricalAccuracy(), labels),
        (metrics.SparseCategoricalAccuracy(), labels[:, None].astype(np.float32)),
    ]:
        metric.update_state(y_true, y_pred, sample_weight=np.array([1.0, 1.0, 2.0]))
        assert metric.result() == 0.5
    sequences = np.stack([y_pred, y_pred[::-1]])  # (N=2, T=3, classes=3)
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(np.array([[0, 2, 0], [0, 0, 0]]), sequences)  # positions right: 2 of 3, then 1 of 3
    assert m.result() == pytest.approx(0.5, rel=1e-15)


def test_regression_metrics_average_each_sample_over_its_elements() -> None:
    y_true = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], dtype=np.float32)
    y_pred = np.array([[3.0, 0.0, 0.0], [1.0, 1.0, -1.0]], dtype=np.float32)
    w = np.array([1.0, 3.0])
    mse, mae = metrics.MeanSquaredError(), metrics.MeanAbsoluteError()
    mse.update_state(y_true, y_pred, w)
    mae.update_state(y_true, y_pred, w)
    assert mse.result() == pytest.approx((1 * 3.0 + 3 * 4 / 3) / 4, rel=1e-15)
    assert mae.result() == pytest.approx((1 * 1.0 + 3 * 2 / 3) / 4, rel=1e-15)


def test_regression_metrics_accumulate_in_float64() -> None:
    """float32 inputs: the errors and sums are float64, so a tiny error is not lost beside a large one."""
    m = metrics.MeanSquaredError()
    m.update_state(np.zeros((1, 1), np.float32), np.full((1, 1), 4096.0, np.float32))
    m.update_state(np.zeros((1, 1), np.float32), np.full((1, 1), 1e-3, np.float32))
    assert m.result() == pytest.approx((4096.0**2 + float(np.float32(1e-3)) ** 2) / 2, rel=1e-15)


def test_precision_and_recall_by_hand() -> None:
    y_true = np.array([1, 1, 0, 0, 1])
    y_pred = np.array([[0.9], [0.6], [0.7], [0.2], [0.1]])
    w = np.array([1.0, 2.0, 3.0, 1.0, 4.0])
    p, r = metrics.Precision(), metrics.Recall()
    p.update_state(y_true, y_pred, w)
    r.update_state(y_true, y_pred, w)
    assert (p.true_positives, p.false_positives, r.false_negatives) == (3.0, 3.0, 4.0)
    assert p.result() == 0.5
    assert r.result() == pytest.approx(3 / 7, rel=1e-15)
    strict = metrics.Precision(thresholds=0.8)
    strict.update_state(y_true, y_pred, w)
    assert strict.result() == 1.0


def test_a_prediction_at_the_threshold_is_negative() -> None:
    """``y_pred > threshold``, as in Keras, for every thresholded metric."""
    p, r, a = metrics.Precision(thresholds=0.25), metrics.Recall(thresholds=0.25), metrics.BinaryAccuracy(0.25)
    for metric in (p, r, a):
        metric.update_state(np.array([1, 0, 1]), np.array([0.25, 0.25, 0.75]))
    assert (p.true_positives, p.false_positives, r.false_negatives) == (1.0, 0.0, 1.0)
    assert a.result() == pytest.approx(2 / 3, rel=1e-15)


def test_precision_and_recall_are_zero_when_nothing_is_predicted_or_present() -> None:
    p, r = metrics.Precision(), metrics.Recall()
    p.update_state(np.array([1, 0]), np.array([[0.1], [0.2]]))  # no predicted positive
    r.update_state(np.array([0, 0]), np.array([[0.9], [0.2]]))  # no positive label
    assert p.result() == 0.0 and r.result() == 0.0


def test_auc_by_hand_with_ties() -> None:
    m = metrics.AUC()
    m.update_state(np.array([0, 1, 0, 1]), np.array([0.2, 0.2, 0.5, 0.9]))
    # pairs (positive, negative): (0.2, 0.2) tie 1/2, (0.2, 0.5) 0, (0.9, 0.2) 1, (0.9, 0.5) 1
    assert m.result() == 2.5 / 4
    m.update_state(np.array([1]), np.array([0.5]), sample_weight=np.array([2.0]))  # ties 0.5: +2*(1 + 1/2)
    assert m.result() == pytest.approx((2.5 + 3.0) / (4 * 2), rel=1e-15)


def test_auc_is_zero_until_both_classes_are_seen() -> None:
    m = metrics.AUC()
    m.update_state(np.ones((3, 1)), np.array([[0.2], [0.5], [0.9]]))
    assert m.result() == 0.0
    m.update_state(np.zeros((1, 1)), np.array([[0.3]]))
    assert m.result() == pytest.approx(2 / 3, rel=1e-15)


def brute_force_auc(y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray | None) -> float:
    """The weighted Mann-Whitney statistic by its definition, over all pairs."""
    n = len(y_pred)
    w = np.ones((n, 1)) if weights is None else weights[:, None]
    pos, neg = (w * y_true).ravel(), (w * (1 - y_true)).ravel()
    s = y_pred.ravel()
    order = (s[:, None] > s[None, :]) + 0.5 * (s[:, None] == s[None, :])
    if pos.sum() == 0 or neg.sum() == 0:
        return 0.0
    return float((pos / pos.sum()) @ order @ (neg / neg.sum()))  # normalized first, so tiny weights don't underflow


@given(with_weights(batches("binary")))
def test_auc_equals_the_pairwise_definition(data: tuple) -> None:
    y_true, y_pred, weights = data
    assert close(result_of(metrics.AUC(), y_true, y_pred, weights, batch=2), brute_force_auc(*data), 1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_auc_matches_scikit_learn(seed: int) -> None:
    """A cross-check on seeded data with ties and weights (the property above checks the definition itself)."""
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(seed)
    y_true, y_pred = make_batch("binary", rng, 40, 2, grid=seed % 2 == 0)
    weights = None if seed < 4 else rng.uniform(0.0, 3.0, 40)
    sample_weight = None if weights is None else np.repeat(weights, 2)
    theirs = sklearn_metrics.roc_auc_score(y_true.ravel(), y_pred.ravel(), sample_weight=sample_weight)
    assert result_of(metrics.AUC(), y_true, y_pred, weights, batch=7) == pytest.approx(theirs, rel=1e-12)


def test_auc_with_soft_labels_counts_each_as_part_positive_part_negative() -> None:
    m = metrics.AUC()
    m.update_state(np.array([0.5, 1.0]), np.array([0.2, 0.8]))
    # positive weights (0.5 at 0.2, 1 at 0.8), negative weight 0.5 at 0.2; ties at 0.2 count 1/2
    assert m.result() == pytest.approx((0.5 * (1 + 0.5 * 0.5)) / (1.5 * 0.5), rel=1e-15)


# ---------------------------------------------------------------------------- get()
@pytest.mark.parametrize(
    ("loss", "cls"),
    [
        (tn.losses.BinaryCrossentropy(), metrics.BinaryAccuracy),
        (tn.losses.BinaryCrossentropy(from_logits=True), metrics.BinaryAccuracy),
        (tn.losses.CategoricalCrossentropy(), metrics.CategoricalAccuracy),
        (tn.losses.SparseCategoricalCrossentropy(), metrics.SparseCategoricalAccuracy),
        ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy),
        ("binary_crossentropy", metrics.BinaryAccuracy),
        (tn.losses.MeanSquaredError(), metrics.AutoAccuracy),
        (None, metrics.AutoAccuracy),
    ],
)
@pytest.mark.parametrize("identifier", ["accuracy", "acc"])
def test_accuracy_follows_the_loss_and_keeps_the_name_passed(identifier: str, loss, cls: type) -> None:
    metric = metrics.get(identifier, loss)
    assert type(metric) is cls and metric.name == identifier
    if cls is metrics.BinaryAccuracy:
        assert metric.threshold == 0.5  # metrics see probabilities, even when the loss takes logits


@pytest.mark.parametrize(
    ("y_true", "y_pred", "chosen"),
    [
        (np.array([1, 0]), np.array([[0.7], [0.6]]), metrics.BinaryAccuracy),
        (np.array([[1], [0]]), np.array([[0.7], [0.6]]), metrics.BinaryAccuracy),
        (np.array([1, 0]), np.array([0.7, 0.6]), metrics.BinaryAccuracy),
        (np.array([1, 0]), np.array([[0.3, 0.7], [0.4, 0.6]]), metrics.SparseCategoricalAccuracy),
        (np.array([[1], [0]]), np.array([[0.3, 0.7], [0.4, 0.6]]), metrics.SparseCategoricalAccuracy),
        (np.eye(2)[[1, 0]], np.array([[0.3, 0.7], [0.4, 0.6]]), metrics.CategoricalAccuracy),
    ],
)
def test_auto_accuracy_chooses_from_the_first_batch_as_keras_does(y_true, y_pred, chosen: type) -> None:
    metric = metrics.get("acc")
    metric.update_state(y_true, y_pred)
    assert type(metric.metric) is chosen and metric.metric.name == "acc"
    assert metric.result() == 0.5
    metric.reset_state()  # the choice is remade after a reset
    assert metric.metric is None and metric.result() == 0.0


@pytest.mark.parametrize(
    ("identifier", "cls"),
    [
        ("binary_accuracy", metrics.BinaryAccuracy),
        ("categorical_accuracy", metrics.CategoricalAccuracy),
        ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
        ("mse", metrics.MeanSquaredError),
        ("mean_squared_error", metrics.MeanSquaredError),
        ("mae", metrics.MeanAbsoluteError),
        ("mean_absolute_error", metrics.MeanAbsoluteError),
        ("precision", metrics.Precision),
        ("recall", metrics.Recall),
        ("auc", metrics.AUC),
        ("AUC", metrics.AUC),
    ],
)
def test_get_string_ids_keep_the_name_passed(identifier: str, cls: type) -> None:
    metric = metrics.get(identifier, loss=tn.losses.BinaryCrossentropy())
    assert type(metric) is cls and metric.name == identifier


def test_get_class_names_instances_and_classes() -> None:
    assert metrics.get("MeanSquaredError").name == "mean_squared_error"  # a class name: the default name
    assert type(metrics.get("BinaryAccuracy")) is metrics.BinaryAccuracy
    metric = metrics.Recall(thresholds=0.3, name="r")
    assert metrics.get(metric) is metric
    assert type(metrics.get(metrics.Precision)) is metrics.Precision


def test_the_registry_holds_the_metrics_except_the_two_named_like_losses() -> None:
    assert get_registered_class("BinaryAccuracy") is metrics.BinaryAccuracy
    assert get_registered_class("AUC") is metrics.AUC
    assert get_registered_class("MeanSquaredError") is tn.losses.MeanSquaredError
    assert type(metrics.get(serialize(metrics.MeanAbsoluteError(name="m")))) is metrics.MeanAbsoluteError


def test_get_resolves_custom_metrics_from_config_dicts() -> None:
    class MaxError(metrics.MeanMetric):
        def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
            return np.abs(y_pred - y_true).reshape(len(y_pred), -1).max(axis=1)

    metric = metrics.get({"class_name": "MaxError", "config": {"name": "mx"}}, custom_objects={"MaxError": MaxError})
    metric.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.5, 3.0], [0.0, 1.0]]))
    assert (type(metric), metric.name, metric.result()) == (MaxError, "mx", 1.5)


@pytest.mark.parametrize("identifier", ["f1", "acuracy", None, 3, {"class_name": "Dense", "config": {}}])
def test_get_refuses_unknown_identifiers(identifier) -> None:
    with pytest.raises(UnknownIdentifierError) as info:
        metrics.get(identifier)
    if isinstance(identifier, str):
        assert "acc, accuracy, auc, bce, binary_accuracy, binary_crossentropy" in str(info.value)


# ---------------------------------------------------------------------------- refused input, constructor checks
BAD_UPDATES = [
    # (metric id, y_true, y_pred, sample_weight, error, message pattern)
    ("acc", np.array([1, 0, 1]), np.zeros((4, 1)), None, ShapeError, r"'acc'.*\(3,\).*\(4, 1\)"),
    ("mse", np.zeros((3, 2)), np.zeros((4, 2)), None, ShapeError, r"'mse'.*\(3, 2\).*\(4, 2\)"),
    ("mse", np.zeros((4, 3)), np.zeros((4, 2)), None, ShapeError, r"\(4, 3\).*\(4, 2\)"),
    ("sparse_categorical_accuracy", np.array([0, 3]), np.zeros((2, 3)), None, InvalidValueError, r"\[0, 3\)"),
    ("sparse_categorical_accuracy", np.array([0, -1]), np.zeros((2, 3)), None, InvalidValueError, r"\[0, 3\)"),
    ("sparse_categorical_accuracy", np.array([0.5, 1]), np.zeros((2, 3)), None, InvalidValueError, "fractions"),
    ("sparse_categorical_accuracy", np.eye(3)[:2], np.zeros((2, 3)), None, ShapeError, "one integer label"),
    ("categorical_accuracy", np.array([0, 1]), np.zeros((2, 3)), None, ShapeError, "one-hot"),
    ("categorical_accuracy", np.zeros(2), np.zeros(2), None, ShapeError, "class axis"),
    ("binary_accuracy", np.array([0, 2]), np.zeros((2, 1)), None, InvalidValueError, r"\[0, 1\]"),
    ("auc", np.array([0, -1]), np.zeros((2, 1)), None, InvalidValueError, r"\[0, 1\]"),
    ("precision", np.array([0, np.nan]), np.zeros((2, 1)), None, InvalidValueError, "NaN"),
    ("recall", np.array([0, 1]), np.zeros((2, 1)), np.array([1.0, -1.0]), InvalidValueError, ">= 0"),
    ("mae", np.zeros(2), np.zeros((2, 1)), np.ones(3), ShapeError, r"sample_weight.*\(2,\)"),
    ("mae", np.zeros(2), np.zeros((2, 1)), np.array([1.0, np.inf]), InvalidValueError, "Inf"),
    ("mae", np.zeros(2), [[0.0], [1.0, 2.0]], None, InvalidTypeError, "rectangular"),
    ("mae", np.zeros(2), np.array(["a", "b"]), None, InvalidTypeError, "numeric"),
]


@pytest.mark.parametrize(("identifier", "y_true", "y_pred", "weights", "error", "pattern"), BAD_UPDATES)
def test_refused_updates_leave_the_state_unchanged(identifier, y_true, y_pred, weights, error, pattern) -> None:
    metric = metrics.get(identifier)
    good_pred = np.eye(3)[[0, 1]] * 0.8 if "categorical" in identifier else np.array([[0.8], [0.3]])
    good_true = {"categorical_accuracy": np.eye(3)[[0, 2]], "sparse_categorical_accuracy": np.array([0, 2])}.get(
        identifier, np.array([1.0, 1.0])
    )
    metric.update_state(good_true, good_pred)
    before, state = metric.result(), pickle.dumps(vars(metric))
    with pytest.raises(error, match=pattern):
        metric.update_state(y_true, y_pred, weights)
    assert pickle.dumps(vars(metric)) == state and metric.result() == before


def test_a_refused_first_update_leaves_auto_accuracy_undecided() -> None:
    metric = metrics.get("accuracy")
    with pytest.raises(InvalidValueError):
        metric.update_state(np.array([0, 5]), np.zeros((2, 3)))
    assert metric.metric is None
    metric.update_state(np.eye(3)[[0, 1]], np.eye(3)[[0, 2]])  # one-hot now: categorical
    assert type(metric.metric) is metrics.CategoricalAccuracy and metric.result() == 0.5


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: metrics.BinaryAccuracy(threshold=[0.3, 0.5]), InvalidTypeError),
        (lambda: metrics.Precision(thresholds="0.5"), InvalidTypeError),
        (lambda: metrics.Recall(thresholds=True), InvalidTypeError),
        (lambda: metrics.Recall(thresholds=float("nan")), InvalidValueError),
        (lambda: metrics.AUC(name=""), InvalidTypeError),
        (lambda: metrics.MeanSquaredError(name=3), InvalidTypeError),
    ],
)
def test_constructor_arguments_are_checked(make: Callable, error: type) -> None:
    with pytest.raises(error):
        make()
