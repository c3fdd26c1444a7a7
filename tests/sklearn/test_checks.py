"""scikit-learn's own estimator checks, run on both estimators with small models."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("sklearn", minversion="1.6")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import tinynet as tn  # noqa: E402
from tinynet.sklearn import TinynetClassifier, TinynetRegressor  # noqa: E402

from . import factories  # noqa: E402

ESTIMATORS = [
    TinynetClassifier(factories.classifier, optimizer=tn.optimizers.Adam(0.05), epochs=20, random_state=0),
    TinynetRegressor(factories.regressor, optimizer=tn.optimizers.Adam(0.05), epochs=40, random_state=0),
]

#: The checks the estimators fail by design, and why.
EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": (
        "minibatch gradient descent: a sample given twice changes the batches and the number of steps, so it "
        "does not train the same model as a weight of 2 (scikit-learn's MLP passes it only with lbfgs)"
    ),
}


def expected_failures(estimator: Any) -> dict[str, str]:
    return EXPECTED_FAILURES


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_scikit_learn_checks(estimator: Any, check: Any) -> None:
    check(estimator)
