"""Every new metric through ``compile``: by Keras's string id and by object, reported by ``evaluate`` and
``fit`` (vector results too), equal to the metric run on ``predict``'s output, and kept by save / load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet import metrics as M

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 4)).astype(np.float32)
LABELS = RNG.integers(0, 3, 40)
TARGETS = {
    "binary": (LABELS[:, None] == 1).astype(np.float32),
    "categorical": np.eye(3, dtype=np.float32)[LABELS],
    "sparse": LABELS,
}
LOSSES = {"binary": "binary_crossentropy", "categorical": "categorical_crossentropy",
          "sparse": "sparse_categorical_crossentropy"}  # fmt: skip

BY_ID = {
    "binary": [
        "binary_accuracy",
        "precision",
        "recall",
        "auc",
        "true_positives",
        "false_positives",
        "true_negatives",
        "false_negatives",
        "hinge",
        "squared_hinge",
        "bce",
        "binary_crossentropy",
        "binary_io_u",
        "mse",
        "MSE",
        "mae",
        "root_mean_squared_error",
        "log_cosh_error",
        "r2_score",
        "poisson",
        "msle",
        "mape",
        "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error",
        "BinaryCrossentropy",
        "R2Score",
    ],
    "categorical": [
        "categorical_accuracy",
        "top_k_categorical_accuracy",
        "categorical_crossentropy",
        "categorical_hinge",
        "f1_score",
        "f_beta_score",
        "kl_divergence",
        "cosine_similarity",
        "pearson_correlation",
        "concordance_correlation",
        "KLDivergence",
        "F1Score",
    ],
    "sparse": ["sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy"],
}


def by_object() -> dict[str, list[Any]]:
    def max_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return np.abs(y_pred - y_true).max(axis=-1)

    return {
        "binary": [
            M.PrecisionAtRecall(0.5), M.RecallAtPrecision(0.5), M.SensitivityAtSpecificity(0.5),
            M.SpecificityAtSensitivity(0.5), M.TruePositives(thresholds=[0.3, 0.7]),
            M.AUC(num_thresholds=50, name="auc_grid"), M.AUC(curve="PR", name="auc_pr"), M.BinaryIoU(), M.Accuracy(),
            M.MeanMetricWrapper(max_error, name="wrapped"), max_error,
        ],
        "categorical": [
            M.F1Score(average=None), M.FBetaScore(average="macro", beta=2.0), M.OneHotIoU(3, [0, 1]),
            M.OneHotMeanIoU(3), M.TopKCategoricalAccuracy(k=2), M.Precision(top_k=1), M.Recall(class_id=2),
            M.R2Score(class_aggregation=None),
        ],
        "sparse": [M.IoU(3, [2], sparse_y_pred=False), M.MeanIoU(3, sparse_y_pred=False),
                   M.SparseTopKCategoricalAccuracy(k=2)],
    }  # fmt: skip


def model_for(kind: str, metrics: list[Any]) -> tn.Sequential:
    tn.utils.set_random_seed(0)
    head = tn.layers.Dense(1, activation="sigmoid") if kind == "binary" else tn.layers.Dense(3, activation="softmax")
    model = tn.Sequential([tn.layers.Dense(5, activation="relu", input_shape=(4,)), head])
    model.compile(optimizer="adam", loss=LOSSES[kind], metrics=metrics)
    return model


def assert_same(got: Any, want: Any) -> None:
    # evaluate's batches of 7 and predict's one batch round the float32 outputs differently
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind", sorted(BY_ID))
@pytest.mark.parametrize("how", ["by_id", "by_object"])
def test_evaluate_reports_each_metric_as_computed_on_the_predictions(kind: str, how: str) -> None:
    wanted = BY_ID[kind] if how == "by_id" else by_object()[kind]
    model = model_for(kind, wanted)
    y = TARGETS[kind]
    logs = model.evaluate(X, y, batch_size=7, verbose=0, return_dict=True)
    y_pred = model.predict(X)
    assert len(model.compiled_metrics) == len(wanted)
    for identifier, metric in zip(wanted, model.compiled_metrics, strict=True):
        if isinstance(identifier, str) and not identifier[0].isupper():
            assert metric.name == identifier  # an id names the metric, as in Keras; a class name gives its default
        if isinstance(identifier, M.Metric) and not isinstance(identifier, M.MeanMetricWrapper):
            fresh = type(identifier).from_config(identifier.get_config())
        else:  # a string id, a function, or a wrapper (which has no config): made again, or reset
            fresh = M.get(identifier)
        fresh.reset_state()
        fresh.update_state(y, y_pred)
        assert_same(logs[metric.name], fresh.result()), metric.name
    history = model.fit(X, y, epochs=1, batch_size=16, verbose=0, validation_split=0.25).history
    assert {m.name for m in model.compiled_metrics} <= set(history)


def test_a_vector_metric_reaches_the_logs_and_the_progress_line(capsys: pytest.CaptureFixture[str]) -> None:
    model = model_for("categorical", [M.F1Score(name="f1"), "f1_score"])
    model.fit(X, TARGETS["categorical"], epochs=1, batch_size=40, verbose=2)
    out = capsys.readouterr().out
    assert "f1: [" in out and "f1_score: [" in out
    loss, per_class, named = model.evaluate(X, TARGETS["categorical"], verbose=0)
    assert per_class.shape == (3,) and named.shape == (3,)


@pytest.mark.parametrize("identifier", ["io_u", "mean_io_u", "one_hot_io_u", "one_hot_mean_io_u",
                                        "precision_at_recall", "recall_at_precision", "sensitivity_at_specificity",
                                        "specificity_at_sensitivity", "mean_metric_wrapper", "MeanIoU"])  # fmt: skip
def test_the_ids_of_metrics_that_need_arguments_say_so(identifier: str) -> None:
    with pytest.raises(TypeError, match="needs arguments: pass an instance"):
        M.get(identifier)


def test_compiled_metrics_survive_save_and_load(tmp_path: Path) -> None:
    objects = [m for m in by_object()["categorical"]]
    model = model_for("categorical", [*BY_ID["categorical"], *objects])
    path = tmp_path / "model.npz"
    model.save(path)
    clone = tn.load_model(path)
    assert [type(m) for m in clone.compiled_metrics] == [type(m) for m in model.compiled_metrics]
    assert [m.get_config() for m in clone.compiled_metrics] == [m.get_config() for m in model.compiled_metrics]
    want = model.evaluate(X, TARGETS["categorical"], verbose=0, return_dict=True)
    got = clone.evaluate(X, TARGETS["categorical"], verbose=0, return_dict=True)
    for key in want:
        assert_same(got[key], want[key])


def test_a_wrapped_function_cannot_be_saved_and_says_why(tmp_path: Path) -> None:
    model = model_for("binary", [lambda y_true, y_pred: np.abs(y_pred - y_true)])
    with pytest.raises(TypeError, match="Subclass MeanMetricWrapper"):
        model.save(tmp_path / "model.npz")
