"""Every new metric against the worked examples of Keras's documentation (hand-checkable, Keras's formula).

Each row: a metric, ``y_true``, ``y_pred``, and the result without and with ``sample_weight``.
Keras computes in float32 and adds 1e-7 in a few denominators; the tolerance is 1e-6 relative.
"""

from __future__ import annotations

import numpy as np
import pytest

from tinynet import metrics as M

P2 = [[0.6, 0.4], [0.4, 0.6]]
T2 = [[0, 1], [0, 0]]
R2 = [[1, 1], [0, 0]]
AT_TRUE, AT_PRED = [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]
ONE_HOT_TRUE = [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]
ONE_HOT_PRED = [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]

EXAMPLES = [
    # (id, make, y_true, y_pred, result, sample_weight, weighted result)
    ("accuracy", M.Accuracy, [[1], [2], [3], [4]], [[0], [2], [3], [4]], 0.75, [1, 1, 0, 0], 0.5),
    ("false_positives", M.FalsePositives, [0, 1, 0, 0], [0, 0, 1, 1], 2.0, [0, 0, 1, 0], 1.0),
    ("false_negatives", M.FalseNegatives, [0, 1, 1, 1], [0, 1, 0, 0], 2.0, [0, 0, 1, 0], 1.0),
    ("true_negatives", M.TrueNegatives, [0, 1, 0, 0], [1, 1, 0, 0], 2.0, [0, 0, 1, 0], 1.0),
    ("true_positives", M.TruePositives, [0, 1, 1, 1], [1, 0, 1, 1], 2.0, [0, 0, 1, 0], 1.0),
    ("precision", M.Precision, [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3, [0, 0, 1, 0], 1.0),
    ("recall", M.Recall, [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3, [0, 0, 1, 0], 1.0),
    ("precision_top_2", lambda: M.Precision(top_k=2), [[0, 0, 1, 1]], [[1, 1, 1, 1]], 0.0, None, None),
    ("precision_top_4", lambda: M.Precision(top_k=4), [[0, 0, 1, 1]], [[1, 1, 1, 1]], 0.5, None, None),
    ("sensitivity_at_specificity", lambda: M.SensitivityAtSpecificity(0.5), AT_TRUE, AT_PRED, 0.5,
     [1, 1, 2, 2, 1], 1 / 3),
    ("specificity_at_sensitivity", lambda: M.SpecificityAtSensitivity(0.5), AT_TRUE, AT_PRED, 2 / 3,
     [1, 1, 2, 2, 2], 0.5),
    ("precision_at_recall", lambda: M.PrecisionAtRecall(0.5), AT_TRUE, AT_PRED, 0.5, [2, 2, 2, 1, 1], 1 / 3),
    ("recall_at_precision", lambda: M.RecallAtPrecision(0.8), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], 0.5,
     [1, 0, 0, 1], 1.0),
    ("auc_3", lambda: M.AUC(num_thresholds=3), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], 0.75, [1, 0, 0, 1], 1.0),
    ("iou", lambda: M.IoU(num_classes=2, target_class_ids=[0]), [0, 0, 1, 1], [0, 1, 0, 1], 1 / 3,
     [0.3, 0.3, 0.3, 0.1], 1 / 3),
    ("binary_iou", lambda: M.BinaryIoU(target_class_ids=[0, 1], threshold=0.3), [0, 1, 0, 1],
     [0.1, 0.2, 0.4, 0.7], 1 / 3, [0.2, 0.3, 0.4, 0.1], 0.17361111),
    ("mean_iou", lambda: M.MeanIoU(num_classes=2), [0, 0, 1, 1], [0, 1, 0, 1], 1 / 3, [0.3, 0.3, 0.3, 0.1],
     0.23809524),
    ("one_hot_iou", lambda: M.OneHotIoU(num_classes=3, target_class_ids=[0, 2]), ONE_HOT_TRUE, ONE_HOT_PRED,
     None, [0.1, 0.2, 0.3, 0.4], 0.07142857),
    ("one_hot_mean_iou", lambda: M.OneHotMeanIoU(num_classes=3), ONE_HOT_TRUE, ONE_HOT_PRED, None,
     [0.1, 0.2, 0.3, 0.4], 0.04761905),
    ("hinge", M.Hinge, T2, P2, 1.3, [1, 0], 1.1),
    ("squared_hinge", M.SquaredHinge, T2, P2, 1.86, [1, 0], 1.46),
    ("categorical_hinge", M.CategoricalHinge, T2, P2, 1.4, [1, 0], 1.2),
    ("kl_divergence", M.KLDivergence, T2, P2, 0.45814306, [1, 0], 0.9162892),
    ("poisson", M.Poisson, T2, R2, 0.49999997, [1, 0], 0.99999994),
    ("binary_crossentropy", M.BinaryCrossentropy, T2, P2, 0.81492424, [1, 0], 0.9162905),
    ("categorical_crossentropy", M.CategoricalCrossentropy, [[0, 1, 0], [0, 0, 1]],
     [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], 1.1769392, [0.3, 0.7], 1.6271976),
    ("sparse_categorical_crossentropy", M.SparseCategoricalCrossentropy, [1, 2],
     [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], 1.1769392, [0.3, 0.7], 1.6271976),
    ("mean_absolute_percentage_error", M.MeanAbsolutePercentageError, T2, R2, 250000000.0, [1, 0], 500000000.0),
    ("mean_squared_logarithmic_error", M.MeanSquaredLogarithmicError, T2, R2, 0.12011322, [1, 0], 0.24022643),
    ("root_mean_squared_error", M.RootMeanSquaredError, T2, R2, 0.5, [1, 0], 0.70710677),
    ("cosine_similarity", lambda: M.CosineSimilarity(axis=1), [[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]],
     0.5, [0.3, 0.7], 0.7),
    ("log_cosh_error", M.LogCoshError, T2, R2, 0.10844523, [1, 0], 0.21689045),
    ("pearson_correlation", M.PearsonCorrelation, [[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]],
     0.9966996338993913, None, None),
    ("concordance_correlation", M.ConcordanceCorrelation, [[0, 1, 0.5], [1, 1, 0.2]],
     [[0.1, 0.9, 0.5], [1, 0.9, 0.2]], 0.9816320385426076, None, None),
    ("r2_score", M.R2Score, [[1], [4], [3]], [[2], [4], [4]], 0.57142854, None, None),
]  # fmt: skip


@pytest.mark.parametrize(("make", "y_true", "y_pred", "expected", "weights", "weighted"),
                         [row[1:] for row in EXAMPLES], ids=[row[0] for row in EXAMPLES])  # fmt: skip
def test_the_example_of_kerass_documentation(make, y_true, y_pred, expected, weights, weighted) -> None:
    metric = make()
    if expected is not None:
        metric.update_state(np.array(y_true), np.array(y_pred, dtype=np.float64))
        assert metric.result() == pytest.approx(expected, rel=1e-6)
        metric.reset_state()
    if weights is not None:
        metric.update_state(np.array(y_true), np.array(y_pred, dtype=np.float64), np.array(weights, dtype=float))
        assert metric.result() == pytest.approx(weighted, rel=1e-6)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: M.FBetaScore(beta=2.0, threshold=0.5), [0.3846154, 0.90909094, 0.8333334]),
        (lambda: M.F1Score(threshold=0.5), [0.5, 0.8, 0.6666667]),
    ],
)
def test_f_scores_per_class_as_in_kerass_documentation(make, expected) -> None:
    metric = make()
    metric.update_state(np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]]),
                        np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]]))  # fmt: skip
    np.testing.assert_allclose(metric.result(), expected, rtol=1e-6)


def test_top_k_accuracies_by_hand_with_a_tie_at_the_boundary() -> None:
    y_pred = np.array([[0.1, 0.4, 0.4, 0.1], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]])
    labels = np.array([2, 3, 0])
    # ranks: 1 + number strictly above: 2 -> 1; 3 -> 2 (ties with 1 and 2 do not count); 0 -> 1
    for k, expected in [(1, 2 / 3), (2, 1.0)]:
        sparse, dense = M.SparseTopKCategoricalAccuracy(k=k), M.TopKCategoricalAccuracy(k=k)
        sparse.update_state(labels, y_pred)
        dense.update_state(np.eye(4)[labels], y_pred)
        assert sparse.result() == dense.result() == pytest.approx(expected)
    ids = M.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    ids.update_state(np.array([5, 7, 1]), np.array([[5, 1, 2], [1, 2, 7], [0, 1, 9]]))
    assert ids.result() == pytest.approx(2 / 3)


def test_counts_with_several_thresholds_give_vectors_in_the_order_given() -> None:
    metric = M.TruePositives(thresholds=[0.7, 0.1, 0.5])
    assert np.array_equal(metric.result(), [0.0, 0.0, 0.0])
    metric.update_state(np.array([1, 1, 1, 0]), np.array([0.2, 0.6, 0.9, 0.8]))
    result = metric.result()
    assert isinstance(result, np.ndarray) and result.tolist() == [1.0, 3.0, 2.0]
    precision = M.Precision(thresholds=[0.7, 0.1])
    precision.update_state(np.array([1, 1, 1, 0]), np.array([0.2, 0.6, 0.9, 0.8]))
    np.testing.assert_allclose(precision.result(), [0.5, 0.75])


def test_precision_and_recall_of_one_class() -> None:
    y_true = np.array([[0, 1, 0], [0, 1, 0], [1, 0, 0]])
    y_pred = np.array([[0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1]])
    precision, recall = M.Precision(class_id=1), M.Recall(class_id=1)
    for metric in (precision, recall):
        metric.update_state(y_true, y_pred)
    assert (precision.result(), recall.result()) == (0.5, 0.5)


def test_r2_adjusted_and_its_fallback() -> None:
    y_true, y_pred = np.array([1.0, 2.0, 3.0, 4.0, 6.0]), np.array([1.5, 2.0, 2.5, 4.5, 5.0])
    plain = M.R2Score()
    plain.update_state(y_true, y_pred[:, None])
    adjusted = M.R2Score(num_regressors=2)
    adjusted.update_state(y_true, y_pred[:, None])
    assert adjusted.result() == pytest.approx(1 - (1 - plain.result()) * 4 / 2)
    few = M.R2Score(num_regressors=4)
    few.update_state(y_true, y_pred[:, None])
    with pytest.warns(UserWarning, match="num_regressors=4"):
        assert few.result() == plain.result()


def test_auc_of_the_pr_curve_and_the_riemann_sums() -> None:
    y_true, y_pred = np.array([0, 0, 1, 1]), np.array([0, 0.5, 0.3, 0.9])
    # thresholds [-eps, 0.5, 1 + eps]: tp = [2, 1, 0], fp = [2, 0, 0], fn = [0, 1, 2]
    # recall = [1, 0.5, 0], precision = [0.5, 1, 0]
    cases = {("ROC", "minoring"): 0.5, ("ROC", "majoring"): 1.0, ("PR", "minoring"): 0.25,
             ("PR", "majoring"): 0.5 * 1 + 0.5 * 1}  # fmt: skip
    for (curve, summation), expected in cases.items():
        metric = M.AUC(num_thresholds=3, curve=curve, summation_method=summation)
        metric.update_state(y_true, y_pred)
        assert metric.result() == pytest.approx(expected), (curve, summation)
    pr = M.AUC(num_thresholds=3, curve="PR")  # interpolation: slope 1/2 then 1 ... by the closed form
    pr.update_state(y_true, y_pred)
    # first interval: dtp = 1, dp = 3 (p = 4 -> 1), slope 1/3, intercept 1 - 1/3 = 2/3: (1/3)(1 + 2/3 log 4) / 2
    # second interval: dtp = 1, dp = 1, slope 1, intercept 0, p[2] = 0 so no log: 1 * 1 / 2
    assert pr.result() == pytest.approx((1 + 2 / 3 * np.log(4)) / 6 + 0.5)
