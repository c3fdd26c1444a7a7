"""``TinynetClassifier`` and ``TinynetRegressor``: a tinynet model as a scikit-learn estimator."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from .._numerics import sigmoid, softmax
from ..errors import InvalidValueError
from ..losses import SparseCategoricalCrossentropy
from ..models import Model
from .base import FLOATS, TinynetEstimator

__all__ = ["TinynetClassifier", "TinynetRegressor"]


class TinynetClassifier(ClassifierMixin, TinynetEstimator):
    """A tinynet classifier as a scikit-learn estimator: ``fit``, ``predict``, ``predict_proba``, ``score``.

    Labels may be of any type scikit-learn sorts (ints, strings, ...); they
    are encoded as ``0 .. n_classes - 1`` in the order of ``classes_``. How
    the encoded labels reach the model follows its output and loss:

    - one output unit (``Dense(1, activation="sigmoid")``): two classes,
      ``y`` a column of 0 and 1, and ``P(classes_[1])`` that unit;
    - ``n_classes`` units with ``sparse_categorical_crossentropy``: the
      integer labels; with any other loss (``categorical_crossentropy``):
      one-hot rows.

    A loss with ``from_logits=True`` means the model outputs logits:
    ``predict_proba`` applies the sigmoid or softmax.

    Parameters
    ----------
    model : callable or list of Layer
        A function that returns a tinynet model of one input and one output,
        compiled or not, called afresh by every ``fit``; or a list of layers,
        from whose configs every ``fit`` makes new layers in a ``Sequential``
        (the list's own layers are never trained). The function
        receives the ``model__`` parameters without their prefix, and any of
        the meta-arguments it declares, learned from the data:
        ``n_features_in`` and ``n_classes``. Define it at module level, so
        that the estimator pickles.
    loss, optimizer, metrics : optional
        What ``compile`` gets when the estimator compiles the model (a list of
        layers, or a function that returned an uncompiled model), by object or
        string id; each ``fit`` compiles with copies. ``optimizer`` defaults to
        ``"rmsprop"`` (Keras's); ``loss`` to ``"binary_crossentropy"`` for
        one output unit, else ``"sparse_categorical_crossentropy"``.
        Given with a function that returns a compiled model, they are refused.
    epochs : int, default 1
        Passes over the data in ``fit``; ``partial_fit`` runs one.
    batch_size : int, optional
        Samples per step (32 when None), also the batch of ``predict``.
    validation_split : float, default 0.0
        The last fraction of the samples, held out for ``val_`` logs.
    callbacks : list of Callback, optional
        Passed to ``Model.fit`` as they are.
    verbose : {0, 1, 2, "auto"}, default 0
        ``fit``'s progress output; silent by default, as scikit-learn is.
    shuffle : bool, default True
        Shuffle the samples every epoch.
    random_state : int, numpy.random.RandomState or None
        With an int, building and training run under that seed, so every
        ``fit`` gives the same model bitwise; None draws from tinynet's
        process-wide stream (:func:`tinynet.utils.set_random_seed`). The
        seed is lent to that stream for the fit, so fits in parallel
        threads of one process would share it (joblib's default
        process-based workers do not).
    **model_params
        ``model__<name>=value``: ``<name>=value`` for the model function;
        ``get_params``, ``set_params`` and ``GridSearchCV`` see them.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The sorted labels.
    model_ : Model
        The fitted tinynet model.
    history_ : dict of str to list of float
        The per-epoch logs of ``fit`` (``loss``, metrics, ``val_`` ...),
        continued by every ``partial_fit``.
    n_features_in_ : int
        Features seen in ``fit``.
    feature_names_in_ : numpy.ndarray
        The column names, when ``X`` was a data frame with string names.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> from tinynet.sklearn import TinynetClassifier
    >>> x, y = tn.datasets.make_moons(200, noise=0.1, seed=0)
    >>> labels = np.where(y == 1, "upper", "lower")
    >>> layers = [tn.layers.Dense(16, activation="relu"), tn.layers.Dense(1, activation="sigmoid")]
    >>> clf = TinynetClassifier(layers, optimizer=tn.optimizers.Adam(0.02), epochs=50, random_state=0)
    >>> clf.fit(x, labels).classes_.tolist(), clf.predict(x[:4]).tolist(), clf.predict_proba(x[:4]).shape
    (['lower', 'upper'], ['lower', 'upper', 'upper', 'lower'], (4, 2))
    >>> clf.score(x, labels) > 0.95
    True
    """

    meta_names = ("n_features_in", "n_classes")
    classes_: np.ndarray

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TinynetClassifier:
        """Train a fresh model for ``epochs`` on ``X`` and the labels ``y``; returns the estimator."""
        X, y = validate_data(self, X, y, dtype=FLOATS)
        check_classification_targets(y)
        classes, encoded = np.unique(y, return_inverse=True)
        return self._fit_encoded(X, encoded, classes, sample_weight, self.epochs, first=True)

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> TinynetClassifier:
        """One more epoch on the same model (a fresh one on the first call, which must give ``classes``)."""
        first = not self.__sklearn_is_fitted__()
        X, y = validate_data(self, X, y, dtype=FLOATS, reset=first)
        check_classification_targets(y)
        if first and classes is None:
            raise InvalidValueError(
                f"{self._label()}: classes must be passed on the first call to partial_fit: every label the "
                "data holds (e.g. np.unique(y) over all of it), since later batches may miss some."
            )
        if classes is not None:
            classes = np.unique(classes)
            if not first and not np.array_equal(classes, self.classes_):
                raise InvalidValueError(
                    f"{self._label()}: classes={classes.tolist()} differs from the first call to partial_fit, "
                    f"{self.classes_.tolist()}."
                )
        labels = classes if first else self.classes_
        unseen = np.setdiff1d(y, labels)
        if unseen.size:
            raise InvalidValueError(
                f"{self._label()}: y holds labels {unseen.tolist()} that are not in classes {labels.tolist()}."
            )
        return self._fit_encoded(X, np.searchsorted(labels, y), labels, sample_weight, 1, first=first)

    def _fit_encoded(
        self, X: np.ndarray, encoded: np.ndarray, classes: np.ndarray, sample_weight: Any, epochs: int, first: bool
    ) -> TinynetClassifier:
        if len(classes) < 2:
            raise InvalidValueError(
                f"{self._label()}: y holds one class ({classes.tolist()}); a classifier needs at least two."
            )
        meta = {"n_features_in": X.shape[1], "n_classes": len(classes)} if first else None
        model, logs = self._train(X, encoded, len(classes), sample_weight, epochs, meta)
        self.classes_ = classes
        self.model_ = model
        self.history_ = logs if first else {key: self.history_.get(key, []) + value for key, value in logs.items()}
        return self

    def default_loss(self, units: int) -> str:
        return "binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy"

    def targets(self, model: Model, y: np.ndarray, width: int) -> np.ndarray:
        units = _units(model)
        if units == 1 and width == 2:
            return y.astype(model.dtype)[:, None]
        if units != width:
            binary = " (or Dense(1, activation='sigmoid'))" if width == 2 else ""
            raise InvalidValueError(
                f"{self._label()}: the model has {units} outputs, but y holds {width} classes. End the model in "
                f"Dense({width}, activation='softmax'){binary}; a model function may take n_classes=."
            )
        if isinstance(model.loss, SparseCategoricalCrossentropy):
            return y
        return np.eye(units, dtype=model.dtype)[y]

    def predict_proba(self, X: Any) -> np.ndarray:
        """The probability of each class, a row per sample, columns in the order of ``classes_`` (float64)."""
        output = self._output(X)
        if getattr(self.model_.loss, "from_logits", False):
            output = sigmoid(output) if output.shape[1] == 1 else softmax(output)
        if output.shape[1] == 1:
            return np.concatenate([1.0 - output, output], axis=1)
        return output

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each sample (a label of ``classes_``)."""
        probabilities = self.predict_proba(X)
        return self.classes_[np.argmax(probabilities, axis=1)]


class TinynetRegressor(RegressorMixin, TinynetEstimator):
    """A tinynet regressor as a scikit-learn estimator: ``fit``, ``predict``, ``score`` (R²).

    ``y`` of shape ``(n,)`` is one target, ``(n, n_outputs)`` several; the
    model ends in ``n_outputs`` units (``Dense(n_outputs)``). ``predict``
    returns ``(n,)`` for one target (as scikit-learn's ``MLPRegressor``), else
    ``(n, n_outputs)``, as float64.

    Parameters
    ----------
    model : callable or list of Layer
        A function that returns a tinynet model of one input and one output,
        compiled or not, called afresh by every ``fit``; or a list of layers,
        from whose configs every ``fit`` makes new layers in a ``Sequential``
        (the list's own layers are never trained). The function
        receives the ``model__`` parameters without their prefix, and any of
        the meta-arguments it declares, learned from the data:
        ``n_features_in`` and ``n_outputs``. Define it at module level, so
        that the estimator pickles.
    loss, optimizer, metrics : optional
        What ``compile`` gets when the estimator compiles the model (a list of
        layers, or a function that returned an uncompiled model), by object or
        string id; each ``fit`` compiles with copies. ``optimizer`` defaults to
        ``"rmsprop"`` (Keras's); ``loss`` to ``"mse"``.
        Given with a function that returns a compiled model, they are refused.
    epochs : int, default 1
        Passes over the data in ``fit``; ``partial_fit`` runs one.
    batch_size : int, optional
        Samples per step (32 when None), also the batch of ``predict``.
    validation_split : float, default 0.0
        The last fraction of the samples, held out for ``val_`` logs.
    callbacks : list of Callback, optional
        Passed to ``Model.fit`` as they are.
    verbose : {0, 1, 2, "auto"}, default 0
        ``fit``'s progress output; silent by default, as scikit-learn is.
    shuffle : bool, default True
        Shuffle the samples every epoch.
    random_state : int, numpy.random.RandomState or None
        With an int, building and training run under that seed, so every
        ``fit`` gives the same model bitwise; None draws from tinynet's
        process-wide stream (:func:`tinynet.utils.set_random_seed`). The
        seed is lent to that stream for the fit, so fits in parallel
        threads of one process would share it (joblib's default
        process-based workers do not).
    **model_params
        ``model__<name>=value``: ``<name>=value`` for the model function;
        ``get_params``, ``set_params`` and ``GridSearchCV`` see them.

    Attributes
    ----------
    model_ : Model
        The fitted tinynet model.
    history_ : dict of str to list of float
        The per-epoch logs of ``fit``, continued by every ``partial_fit``.
    n_outputs_ : int
        Targets per sample.
    n_features_in_ : int
        Features seen in ``fit``.
    feature_names_in_ : numpy.ndarray
        The column names, when ``X`` was a data frame with string names.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> from tinynet.sklearn import TinynetRegressor
    >>> x = np.linspace(-1, 1, 100)[:, None]
    >>> def line(n_features_in, n_outputs):
    ...     model = tn.Sequential([tn.layers.Dense(n_outputs, input_shape=(n_features_in,))])
    ...     model.compile(optimizer=tn.optimizers.SGD(0.1), loss="mse")
    ...     return model
    >>> reg = TinynetRegressor(line, epochs=50, random_state=0).fit(x, 3 * x[:, 0] + 1)
    >>> reg.predict([[0.5]]).round(2), round(reg.score(x, 3 * x[:, 0] + 1), 3)
    (array([2.5]), 1.0)
    """

    meta_names = ("n_features_in", "n_outputs")
    n_outputs_: int

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TinynetRegressor:
        """Train a fresh model for ``epochs`` on ``X`` and the targets ``y``; returns the estimator."""
        X, y = validate_data(self, X, y, dtype=FLOATS, multi_output=True, y_numeric=True)
        return self._fit_targets(X, y, sample_weight, self.epochs, first=True)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> TinynetRegressor:
        """One more epoch on the same model (a fresh one on the first call)."""
        first = not self.__sklearn_is_fitted__()
        X, y = validate_data(self, X, y, dtype=FLOATS, multi_output=True, y_numeric=True, reset=first)
        return self._fit_targets(X, y, sample_weight, 1, first=first)

    def _fit_targets(
        self, X: np.ndarray, y: np.ndarray, sample_weight: Any, epochs: int, first: bool
    ) -> TinynetRegressor:
        y = y.reshape(len(y), -1)
        if not first and y.shape[1] != self.n_outputs_:
            raise InvalidValueError(
                f"{self._label()}: y has {y.shape[1]} targets per sample, but the model was fitted to "
                f"{self.n_outputs_}."
            )
        meta = {"n_features_in": X.shape[1], "n_outputs": y.shape[1]} if first else None
        model, logs = self._train(X, y, y.shape[1], sample_weight, epochs, meta)
        self.n_outputs_ = y.shape[1]
        self.model_ = model
        self.history_ = logs if first else {key: self.history_.get(key, []) + value for key, value in logs.items()}
        return self

    def default_loss(self, units: int) -> str:
        return "mse"

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def targets(self, model: Model, y: np.ndarray, width: int) -> np.ndarray:
        units = _units(model)
        if units != width:
            raise InvalidValueError(
                f"{self._label()}: the model has {units} outputs, but y has {width} targets per sample. End "
                f"the model in Dense({width}); a model function may take n_outputs=."
            )
        return y.astype(model.dtype)

    def predict(self, X: Any) -> np.ndarray:
        """The predicted targets: ``(n,)`` for one target, ``(n, n_outputs)`` for several (float64)."""
        output = self._output(X)
        return output[:, 0] if output.shape[1] == 1 else output


def _units(model: Model) -> int:
    """The number of output units of a built one-output model."""
    return int(model.compute_output_shape(model.input_shape)[0])
