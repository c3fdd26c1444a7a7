"""scikit-learn estimators around tinynet models: ``TinynetClassifier`` and ``TinynetRegressor``.

Only this subpackage imports scikit-learn (``import tinynet`` does not); it
needs scikit-learn 1.6 or newer, the optional extra ``sklearn``::

    pip install tinynet[sklearn]

The estimators pass scikit-learn's own estimator checks and work in
``Pipeline``, ``GridSearchCV`` and ``cross_val_score``; see the guide
"Leaving tinynet".
"""

from __future__ import annotations

from ..errors import MissingDependencyError

try:
    import sklearn
except ImportError as error:
    raise MissingDependencyError(
        f"tinynet.sklearn needs scikit-learn, which is not installed ({error}). Install it with: "
        "pip install tinynet[sklearn]"
    ) from error

if tuple(int(part) for part in sklearn.__version__.split(".")[:2] if part.isdigit()) < (1, 6):
    raise MissingDependencyError(
        f"tinynet.sklearn needs scikit-learn 1.6 or newer, found {sklearn.__version__}. Upgrade it with: "
        "pip install -U tinynet[sklearn]"
    )

from .estimators import TinynetClassifier, TinynetRegressor  # noqa: E402

__all__ = ["TinynetClassifier", "TinynetRegressor"]
