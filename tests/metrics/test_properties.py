"""The new metrics' generic properties, and agreement with scikit-learn where it has the same metric.

Generic (every case): 0.0 (or zeros) before any update; the same result for the whole set and for
batches of every size; an integer weight k counts a sample k times; ``reset_state`` forgets; the config
round-trips through JSON and ``metrics.get``; an empty batch changes nothing; a NaN prediction shows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from tinynet import metrics as M
from tinynet.registry import serialize

from ..test_metrics import GRID, generator, with_weights


def make_data(kind: str, rng: np.random.Generator, n: int, k: int, grid: bool) -> tuple[np.ndarray, np.ndarray]:
    scores = rng.choice(GRID, size=(n, k)) if grid else rng.random((n, k))
    if kind == "binary":
        return rng.choice([0.0, 1.0], size=(n, k)), scores
    if kind == "regression":
        return rng.uniform(-10.0, 10.0, (n, k)), rng.uniform(-10.0, 10.0, (n, k))
    if kind == "logits":
        return rng.choice([0.0, 1.0], size=(n, k)), rng.uniform(-10.0, 10.0, (n, k))
    if kind == "positive":  # MSLE, Poisson, MAPE: targets away from 0
        return rng.uniform(0.5, 10.0, (n, k)), rng.uniform(0.01, 10.0, (n, k))
    if kind == "labels":  # class ids against class ids
        return rng.integers(0, k, (n, 2)), rng.integers(0, k, (n, 2)).astype(float)
    if kind == "sorted_ids":
        return rng.integers(0, 6, n), np.argsort(rng.random((n, 6)), axis=1).astype(float)
    labels = rng.integers(0, k, n)
    return (np.eye(k)[labels] if kind == "one_hot" else labels), scores


@st.composite
def batches(draw: st.DrawFn, kind: str, classes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 12))
    k = classes or draw(st.integers(1 if kind in ("binary", "regression", "positive", "logits") else 2, 4))
    return make_data(kind, draw(generator()), n, k, draw(st.booleans()))


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], M.Metric]
    kind: str
    classes: int | None = None  # a fixed number of classes (IoU's num_classes)
    rel: float = 1e-12
    #: An absolute tolerance too, for a metric whose values cancel (cosines of either sign average to ~0).
    abs: float = 0.0

    @property
    def batches(self) -> st.SearchStrategy:
        return batches(self.kind, self.classes)


CASES = [
    Case("accuracy", M.Accuracy, "labels", 3),
    Case("top_k", lambda: M.TopKCategoricalAccuracy(k=2), "one_hot"),
    Case("sparse_top_k", lambda: M.SparseTopKCategoricalAccuracy(k=2), "sparse"),
    Case("sparse_top_k_ids", lambda: M.SparseTopKCategoricalAccuracy(k=3, from_sorted_ids=True), "sorted_ids"),
    Case("rmse", M.RootMeanSquaredError, "regression"),
    Case("mape", M.MeanAbsolutePercentageError, "positive"),
    Case("msle", M.MeanSquaredLogarithmicError, "positive"),
    Case("logcosh", M.LogCoshError, "regression"),
    Case("cosine", M.CosineSimilarity, "regression", abs=1e-15),
    Case("r2", M.R2Score, "regression", rel=1e-9),
    Case("r2_raw", lambda: M.R2Score(class_aggregation=None), "regression", rel=1e-9),
    Case("pearson", M.PearsonCorrelation, "regression", abs=1e-15),  # a correlation near 0: rounding of either sign
    Case("concordance", M.ConcordanceCorrelation, "regression"),
    Case("true_positives", M.TruePositives, "binary"),
    Case("false_positives", lambda: M.FalsePositives(thresholds=[0.3, 0.8]), "binary"),
    Case("true_negatives", M.TrueNegatives, "binary"),
    Case("false_negatives", M.FalseNegatives, "binary"),
    Case("precision_top_k", lambda: M.Precision(top_k=2), "binary"),
    Case("recall_class_id", lambda: M.Recall(class_id=0), "binary"),
    Case("precision_at_recall", lambda: M.PrecisionAtRecall(0.5), "binary"),
    Case("recall_at_precision", lambda: M.RecallAtPrecision(0.6, num_thresholds=20), "binary"),
    Case("sensitivity_at_specificity", lambda: M.SensitivityAtSpecificity(0.5), "binary"),
    Case("specificity_at_sensitivity", lambda: M.SpecificityAtSensitivity(0.5), "binary"),
    Case("auc_grid_pr", lambda: M.AUC(num_thresholds=50, curve="PR"), "binary", rel=1e-9),
    Case("auc_exact_pr_majoring", lambda: M.AUC(curve="PR", summation_method="majoring"), "binary", rel=1e-9),
    Case("f1", M.F1Score, "one_hot"),
    Case("fbeta_weighted", lambda: M.FBetaScore(average="weighted", beta=0.5, threshold=0.4), "binary"),
    Case("iou", lambda: M.IoU(3, [0, 2]), "labels", 3),
    Case("mean_iou", lambda: M.MeanIoU(3, sparse_y_pred=False), "sparse", 3),
    Case("binary_iou", M.BinaryIoU, "binary"),
    Case("one_hot_iou", lambda: M.OneHotIoU(3, [1]), "one_hot", 3),
    Case("one_hot_mean_iou", lambda: M.OneHotMeanIoU(3), "one_hot", 3),
    Case("hinge", M.Hinge, "binary"),
    Case("squared_hinge", M.SquaredHinge, "binary"),
    Case("categorical_hinge", M.CategoricalHinge, "one_hot"),
    Case("bce", lambda: M.BinaryCrossentropy(label_smoothing=0.1), "binary"),
    Case("bce_logits", lambda: M.BinaryCrossentropy(from_logits=True), "logits"),
    Case("cce", M.CategoricalCrossentropy, "one_hot"),
    Case("scce_logits", lambda: M.SparseCategoricalCrossentropy(from_logits=True), "sparse"),
    Case("kl", M.KLDivergence, "one_hot"),
    Case("poisson", M.Poisson, "positive"),
]
cases = pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)


def result_of(metric: M.Metric, y_true, y_pred, weights=None, batch: int | None = None):
    metric.reset_state()
    batch = batch or max(len(y_pred), 1)
    for start in range(0, len(y_pred), batch):
        part = slice(start, start + batch)
        metric.update_state(y_true[part], y_pred[part], None if weights is None else weights[part])
    return metric.result()


def close(a, b, rel: float, abs_: float = 0.0) -> bool:
    """Equal within ``rel`` (and ``abs_``; NaN equals NaN); 0.0 (nothing seen: the class count unknown) equals zeros."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != b.ndim and not a.any() and not b.any():
        return True
    scale = np.maximum(np.abs(a), np.abs(b))
    same = (a == b) | (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= rel * scale + abs_ + 1e-300)
    return a.shape == b.shape and bool(np.all(same))


@cases
def test_result_before_any_update_is_zero(case: Case) -> None:
    result = case.make().result()
    assert (type(result) is float and result == 0.0) or (isinstance(result, np.ndarray) and not result.any())


@cases
def test_batch_split_invariance_and_per_sample_weighting(case: Case) -> None:
    @settings(max_examples=30)
    @given(with_weights(case.batches), generator())
    def prop(data: tuple, rng: np.random.Generator) -> None:
        y_true, y_pred, weights = data
        metric = case.make()
        whole = result_of(metric, y_true, y_pred, weights)
        assert type(whole) is float or (isinstance(whole, np.ndarray) and whole.dtype == np.float64)
        for batch in range(1, len(y_pred)):
            split = result_of(metric, y_true, y_pred, weights, batch)
            assert close(split, whole, case.rel, case.abs), ("batch split", batch, split, whole)
        counts = rng.integers(0, 4, len(y_pred))
        weighted = result_of(metric, y_true, y_pred, counts.astype(np.float64))
        repeated = result_of(metric, np.repeat(y_true, counts, axis=0), np.repeat(y_pred, counts, axis=0))
        assert close(weighted, repeated, case.rel, case.abs), ("integer weights", counts, weighted, repeated)

    prop()


def fixed(case: Case, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return make_data(case.kind, np.random.default_rng(seed), 6, case.classes or 3, grid=True)


@cases
def test_reset_state_forgets_everything(case: Case) -> None:
    metric = case.make()
    metric.update_state(*fixed(case, 1))
    metric.reset_state()
    first = metric.result()
    assert not np.any(first)
    metric.update_state(*fixed(case, 2))
    assert close(metric.result(), result_of(case.make(), *fixed(case, 2)), 0.0)


@cases
def test_config_round_trips_through_json(case: Case) -> None:
    metric = case.make()
    config = json.loads(json.dumps(metric.get_config()))
    clone = type(metric).from_config(config)
    assert type(clone) is type(metric) and clone.get_config() == metric.get_config()
    again = M.get(json.loads(json.dumps(serialize(metric))))
    assert type(again) is type(metric) and again.get_config() == metric.get_config()
    data = fixed(case, 3)
    for m in (metric, again):
        m.update_state(*data)
    assert close(again.result(), metric.result(), 0.0)


@cases
def test_an_empty_batch_changes_nothing(case: Case) -> None:
    y_true, y_pred = fixed(case, 4)
    metric = case.make()
    metric.update_state(y_true[:0], y_pred[:0])
    assert not np.any(metric.result())


@cases
def test_a_nan_prediction_makes_the_result_nan_until_reset(case: Case) -> None:
    if case.kind in ("labels", "sorted_ids"):
        pytest.skip("predictions are class ids")
    y_true, y_pred = fixed(case, 5)
    y_pred = y_pred.copy()
    y_pred[1, 0] = np.nan
    metric = case.make()
    metric.update_state(y_true, y_pred)
    assert np.any(np.isnan(metric.result()))  # a vector result: NaN where the NaN reaches (R2: its column)
    metric.reset_state()
    assert not np.any(metric.result())


# ---------------------------------------------------------------------------- scikit-learn
def three_batches(metric: M.Metric, y_true, y_pred, weights) -> object:
    """``metric``'s result over three uneven batches of the data (the state accumulates across calls)."""
    cuts = [0, len(y_pred) // 3, len(y_pred) // 2, len(y_pred)]
    metric.reset_state()
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        metric.update_state(y_true[a:b], y_pred[a:b], None if weights is None else weights[a:b])
    return metric.result()


@st.composite
def weighted(draw: st.DrawFn) -> tuple[np.random.Generator, int, np.ndarray | None]:
    rng, n = draw(generator()), draw(st.integers(3, 40))
    return rng, n, (rng.uniform(0.0, 3.0, n) if draw(st.booleans()) else None)


@settings(max_examples=40)
@given(weighted(), st.sampled_from([None, "uniform_average", "variance_weighted_average"]), st.integers(1, 3))
def test_r2_score_matches_scikit_learn(data, aggregation, outputs: int) -> None:
    rng, n, w = data
    y_true = rng.normal(size=(n, outputs)) * 3.0 + 100.0  # a large mean: the merge keeps its precision
    y_pred = y_true + rng.normal(size=(n, outputs))
    multioutput = {None: "raw_values", "uniform_average": "uniform_average"}.get(aggregation, "variance_weighted")
    expected = skm.r2_score(y_true, y_pred, sample_weight=w, multioutput=multioutput)
    got = three_batches(M.R2Score(class_aggregation=aggregation), y_true, y_pred, w)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@settings(max_examples=40)
@given(weighted(), st.sampled_from([None, "micro", "macro", "weighted"]), st.sampled_from([None, 0.3, 0.5]),
       st.sampled_from([0.5, 1.0, 2.0]), st.integers(2, 4))  # fmt: skip
def test_f_scores_match_scikit_learn(data, average, threshold, beta: float, classes: int) -> None:
    rng, n, w = data
    y_true = (rng.random((n, classes)) < 0.4).astype(float)
    y_pred = rng.random((n, classes))
    hit = y_pred >= y_pred.max(axis=1, keepdims=True) if threshold is None else y_pred > threshold
    expected = skm.fbeta_score(y_true, hit.astype(int), beta=beta, average=average, sample_weight=w,
                               zero_division=0.0)  # fmt: skip
    got = three_batches(M.FBetaScore(average=average, beta=beta, threshold=threshold), y_true, y_pred, w)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    if beta == 1.0:
        f1 = three_batches(M.F1Score(average=average, threshold=threshold), y_true, y_pred, w)
        np.testing.assert_allclose(f1, expected, rtol=1e-12, atol=1e-15)


@settings(max_examples=40)
@given(weighted(), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4))
def test_counts_precision_and_recall_match_scikit_learn_at_each_threshold(data, thresholds) -> None:
    rng, n, w = data
    y_true, y_pred = (rng.random(n) < 0.5).astype(float), rng.choice(GRID, n)
    counts = {cls: three_batches(cls(thresholds=thresholds), y_true, y_pred, w)
              for cls in (M.TruePositives, M.FalsePositives, M.TrueNegatives, M.FalseNegatives)}  # fmt: skip
    precision = three_batches(M.Precision(thresholds=thresholds), y_true, y_pred, w)
    recall = three_batches(M.Recall(thresholds=thresholds), y_true, y_pred, w)
    for i, t in enumerate(thresholds):
        hit = (y_pred > t).astype(int)
        (tn, fp), (fn, tp) = skm.confusion_matrix(y_true, hit, labels=[0, 1], sample_weight=w)
        got = [counts[c][i] for c in (M.TruePositives, M.FalsePositives, M.TrueNegatives, M.FalseNegatives)]
        np.testing.assert_allclose(got, [tp, fp, tn, fn], rtol=1e-12, atol=1e-12)
        p = skm.precision_score(y_true, hit, sample_weight=w, zero_division=0.0)
        r = skm.recall_score(y_true, hit, sample_weight=w, zero_division=0.0)
        np.testing.assert_allclose([precision[i], recall[i]], [p, r], rtol=1e-12, atol=1e-15)


@settings(max_examples=40)
@given(weighted(), st.integers(2, 5), st.sampled_from([None, 0]))
def test_iou_matches_scikit_learn_jaccard(data, classes: int, ignore) -> None:
    rng, n, w = data
    y_true, y_pred = rng.integers(0, classes, (n, 3)), rng.integers(0, classes, (n, 3))
    targets = sorted(set(rng.integers(0, classes, 2).tolist()))
    weights = None if w is None else np.repeat(w, 3)
    keep = np.ones(3 * n, bool) if ignore is None else y_true.ravel() != ignore
    t, p, v = y_true.ravel()[keep], y_pred.ravel()[keep], np.ones(keep.sum()) if weights is None else weights[keep]
    per_class = skm.jaccard_score(t, p, labels=targets, average=None, sample_weight=v, zero_division=0.0)
    present = [c for c in targets if v[(t == c) | (p == c)].sum() > 0]  # Keras leaves absent classes out
    expected = float(np.mean([per_class[targets.index(c)] for c in present])) if present else 0.0
    got = three_batches(M.IoU(classes, targets, ignore_class=ignore), y_true, y_pred.astype(float), w)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


@settings(max_examples=40)
@given(weighted(), st.integers(4, 6), st.integers(1, 3))
def test_top_k_accuracy_matches_scikit_learn(data, classes: int, k: int) -> None:
    rng, n, w = data
    labels, scores = rng.integers(0, classes, n), rng.random((n, classes))  # continuous: no ties
    expected = skm.top_k_accuracy_score(labels, scores, k=k, labels=np.arange(classes), sample_weight=w)
    assert three_batches(M.SparseTopKCategoricalAccuracy(k=k), labels, scores, w) == pytest.approx(expected)
    dense = three_batches(M.TopKCategoricalAccuracy(k=k), np.eye(classes)[labels], scores, w)
    assert dense == pytest.approx(expected)


@settings(max_examples=40)
@given(weighted())
def test_grid_auc_converges_to_scikit_learns_roc_auc(data) -> None:
    rng, n, w = data
    y_true = np.r_[0.0, 1.0, (rng.random(n - 2) < 0.5)]
    y_pred = rng.choice(np.arange(11) / 10, n)  # scores on a grid the thresholds contain: no discretization
    if w is not None:
        w[:2] = 1.0
    expected = skm.roc_auc_score(y_true, y_pred, sample_weight=w)
    moved = y_pred * 0.95 + 0.01  # the same order, each score in its own interval between thresholds k/40
    grid = three_batches(M.AUC(num_thresholds=41), y_true, moved, w)
    assert grid == pytest.approx(expected, rel=1e-9)
    exact_minoring = three_batches(M.AUC(summation_method="minoring"), y_true, y_pred, w)
    exact = three_batches(M.AUC(), y_true, y_pred, w)
    assert exact == pytest.approx(expected, rel=1e-12) and exact_minoring <= exact + 1e-12


def test_msle_and_mape_match_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y_true, y_pred, w = rng.uniform(0.5, 5.0, (30, 1)), rng.uniform(0.0, 5.0, (30, 1)), rng.uniform(0, 2, 30)
    msle = three_batches(M.MeanSquaredLogarithmicError(), y_true, y_pred, w)
    assert msle == pytest.approx(skm.mean_squared_log_error(y_true, y_pred, sample_weight=w), rel=1e-12)
    mape = three_batches(M.MeanAbsolutePercentageError(), y_true, y_pred, w)
    expected = 100.0 * skm.mean_absolute_percentage_error(y_true, y_pred, sample_weight=w)
    assert mape == pytest.approx(expected, rel=1e-12)
    assert math.isfinite(mape)
