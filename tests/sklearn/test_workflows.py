"""The estimators inside scikit-learn's tools: Pipeline, GridSearchCV, cross_val_score."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn", minversion="1.6")

from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import tinynet as tn  # noqa: E402
from tinynet.sklearn import TinynetClassifier, TinynetRegressor  # noqa: E402

from . import factories  # noqa: E402

X, Y = make_classification(
    200, n_features=6, n_informative=4, n_classes=3, n_clusters_per_class=1, class_sep=1.5, random_state=0
)
X_REG, Y_REG = make_regression(200, n_features=5, noise=5.0, random_state=0)


def test_in_a_pipeline_after_a_scaler() -> None:
    clf = TinynetClassifier(factories.classifier, optimizer=tn.optimizers.Adam(0.05), epochs=30, random_state=0)
    pipeline = make_pipeline(StandardScaler(), clf).fit(100 * X + 50, Y)
    fitted = pipeline[-1]
    assert fitted.n_features_in_ == 6 and pipeline.score(100 * X + 50, Y) > 0.85
    assert pipeline.predict_proba(X[:3]).shape == (3, 3)
    reg = TinynetRegressor(factories.regressor, optimizer=tn.optimizers.Adam(0.05), epochs=60, random_state=0)
    pipeline = make_pipeline(StandardScaler(), reg).fit(X_REG, Y_REG / Y_REG.std())
    assert pipeline.score(X_REG, Y_REG / Y_REG.std()) > 0.9


def test_grid_search_over_epochs_and_a_model_argument() -> None:
    clf = TinynetClassifier(factories.classifier, optimizer=tn.optimizers.Adam(0.01), random_state=0)
    search = GridSearchCV(clf, {"epochs": [1, 20], "model__units": [1, 16]}, cv=3).fit(X, Y)
    assert search.best_params_ == {"epochs": 20, "model__units": 16}
    assert search.best_estimator_.model_.layers[0].units == 16 and search.best_estimator_.epochs == 20
    assert clf.get_params()["epochs"] == 1 and not hasattr(clf, "model_"), "the search fits clones"
    scores = search.cv_results_["mean_test_score"]
    assert scores.max() > 0.9 and scores.min() < 0.6


def test_cross_val_score_uses_the_estimators_score() -> None:
    clf = TinynetClassifier(factories.classifier, optimizer=tn.optimizers.Adam(0.05), epochs=20, random_state=0)
    accuracy = cross_val_score(clf, X, Y, cv=3)
    assert accuracy.shape == (3,) and (accuracy > 0.7).all()
    reg = TinynetRegressor(factories.regressor, optimizer=tn.optimizers.Adam(0.05), epochs=60, random_state=0)
    r2 = cross_val_score(reg, X_REG, Y_REG / Y_REG.std(), cv=3)
    assert (r2 > 0.8).all() and (r2 <= 1).all()
    np.testing.assert_array_equal(cross_val_score(clf, X, Y, cv=3), accuracy)  # seeded: the same scores again
