"""What ``TinynetClassifier`` and ``TinynetRegressor`` share: parameters, the model, a seeded fit.

An estimator keeps its constructor's arguments unchanged (scikit-learn's
contract, so that ``get_params``, ``set_params`` and ``clone`` work) and does
everything in ``fit``: it builds a fresh model from ``model=`` — calling the
function, or making new layers from the list's configs (``get_config`` /
``from_config``, as Keras's ``clone_model`` does) in a ``Sequential`` — compiles
it when the function did not, and trains it with ``tinynet.Model.fit``. With
an integer ``random_state``, building and training run under that seed (the
process-wide stream of :func:`tinynet.utils.set_random_seed`, put back
afterwards), so two fits give the same weights bitwise.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import utils
from .._validation import boolean, describe, integer, real
from ..errors import InvalidTypeError, InvalidValueError
from ..layer import Layer
from ..models import Model, Sequential

__all__ = ["TinynetEstimator", "PREFIX"]

#: Estimator parameters with this prefix are keyword arguments of the ``model=`` function.
PREFIX = "model__"
#: The dtypes ``validate_data`` keeps; anything else (integers, lists) becomes float32, tinynet's default.
FLOATS = (np.float32, np.float64)


class TinynetEstimator(BaseEstimator):
    """The base of :class:`TinynetClassifier` and :class:`TinynetRegressor`; see them for the parameters."""

    #: The meta-arguments a ``model=`` function may declare, learned from the data (set by the subclasses).
    meta_names: tuple[str, ...] = ("n_features_in",)
    model_: Model
    history_: dict[str, list[float]]

    def __init__(
        self,
        model: Callable[..., Model] | list[Layer] | None = None,
        *,
        loss: Any = None,
        optimizer: Any = None,
        metrics: Any = None,
        epochs: int = 1,
        batch_size: int | None = None,
        validation_split: float = 0.0,
        callbacks: Any = None,
        verbose: int = 0,
        shuffle: bool = True,
        random_state: Any = None,
        **model_params: Any,
    ) -> None:
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.callbacks = callbacks
        self.verbose = verbose
        self.shuffle = shuffle
        self.random_state = random_state
        self._model_params = dict(model_params)  # checked by fit, as scikit-learn checks parameters

    # ------------------------------------------------------------------ parameters (scikit-learn's protocol)
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters, ``model__`` ones included, as given."""
        return {**super().get_params(deep=deep), **self._model_params}

    def set_params(self, **params: Any) -> TinynetEstimator:
        """Set parameters; a ``model__<name>`` one may be new (``GridSearchCV`` sets them on clones)."""
        routed = {key: params.pop(key) for key in list(params) if key.startswith(PREFIX) or key in self._model_params}
        super().set_params(**params)
        self._model_params.update(routed)
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    # ------------------------------------------------------------------ the model
    def _label(self) -> str:
        return type(self).__name__

    def _check_fit_params(self) -> None:
        """Refuse a bad fit parameter before anything is built, naming the estimator."""
        where = self._label()
        unknown = sorted(key for key in self._model_params if not key.startswith(PREFIX) or key == PREFIX)
        if unknown:
            raise InvalidTypeError(
                f"{where}: unexpected parameter {unknown[0]!r}. Arguments of the model function take the prefix "
                f"{PREFIX!r} (e.g. {PREFIX}units=32)."
            )
        integer(self.epochs, where, "epochs", minimum=0)
        if self.batch_size is not None:
            integer(self.batch_size, where, "batch_size", minimum=1)
        if real(self.validation_split, where, "validation_split", minimum=0.0) >= 1.0:
            raise InvalidValueError(
                f"{where}: validation_split must lie in [0, 1), received {self.validation_split!r}."
            )
        if isinstance(self.verbose, bool) or self.verbose not in (0, 1, 2, "auto"):
            raise InvalidValueError(f"{where}: verbose must be 0, 1, 2 or 'auto', received {self.verbose!r}.")
        boolean(self.shuffle, where, "shuffle")

    def _new_model(self, meta: dict[str, int]) -> Model:
        """A fresh model from ``model=``, built for ``meta["n_features_in"]`` features and compiled."""
        where, spec = self._label(), self.model
        if isinstance(spec, (list, tuple)) and spec and all(isinstance(layer, Layer) for layer in spec):
            if self._model_params:
                raise InvalidValueError(
                    f"{where}: {sorted(self._model_params)[0]} is an argument of a model function, but model= is "
                    "a list of layers. Pass a function that takes it, or drop it."
                )
            model: Any = Sequential([type(layer).from_config(layer.get_config()) for layer in spec])
        elif callable(spec) and not isinstance(spec, Layer):
            model = spec(**self._model_kwargs(spec, meta))
            if not isinstance(model, Model):
                raise InvalidTypeError(
                    f"{where}: model={_name(spec)} must return a tinynet Model (a Sequential or tn.Model(inputs, "
                    f"outputs)), but returned {describe(model)}."
                )
        else:
            raise InvalidTypeError(
                f"{where}: model= must be a function that returns a compiled tinynet model, or a list of layers; "
                f"received {describe(spec)}. A model object is not taken: wrap it in a function, so that every fit "
                "starts from a fresh model."
            )
        if len(model.input_names) != 1 or len(model.output_names) != 1:
            raise InvalidValueError(
                f"{where}: the model has {len(model.input_names)} inputs and {len(model.output_names)} outputs; "
                "a scikit-learn estimator takes a model of one input and one output."
            )
        shape = model.compute_output_shape((meta["n_features_in"],))
        if not (isinstance(shape, tuple) and len(shape) == 1 and isinstance(shape[0], int)):
            raise InvalidValueError(
                f"{where}: the model's output has the per-sample shape {shape}; a scikit-learn estimator needs "
                "one axis of outputs, (units,). End the model in a Dense layer."
            )
        self._compile(model, shape[0])
        return model

    def _model_kwargs(self, function: Callable[..., Model], meta: dict[str, int]) -> dict[str, Any]:
        """The ``model__`` parameters (prefix removed), and the meta-arguments the function declares."""
        given = {key[len(PREFIX) :]: value for key, value in self._model_params.items()}
        try:
            parameters = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):  # a builtin or C function: pass what was given
            return given
        keyword = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            unknown = sorted(set(given) - keyword)
            if unknown:
                raise InvalidValueError(
                    f"{self._label()}: {PREFIX}{unknown[0]} was given, but {_name(function)}() takes no argument "
                    f"{unknown[0]!r}; it takes {sorted(keyword)}."
                )
        found = {name: meta[name] for name in self.meta_names if name in keyword and name not in given}
        return {**found, **given}

    def _compile(self, model: Model, units: int) -> None:
        """Compile with ``loss`` / ``optimizer`` / ``metrics`` (copies) unless the function did."""
        settings = {"loss": self.loss, "optimizer": self.optimizer, "metrics": self.metrics}
        if model.compiled:
            given = [name for name, value in settings.items() if value is not None]
            if given:
                raise InvalidValueError(
                    f"{self._label()}: the model function returned a compiled model, so {', '.join(given)}= would "
                    "be ignored. Compile in the function, or return an uncompiled model and pass them here."
                )
            return
        model.compile(
            optimizer=copy.deepcopy(self.optimizer) if self.optimizer is not None else "rmsprop",
            loss=copy.deepcopy(self.loss) if self.loss is not None else self.default_loss(units),
            metrics=copy.deepcopy(self.metrics),
        )

    def default_loss(self, units: int) -> str:
        """The loss an uncompiled model gets when ``loss`` is None (the subclasses say)."""
        raise NotImplementedError

    def targets(self, model: Model, y: np.ndarray, width: int) -> np.ndarray:
        """``y`` (encoded) in the form the model's output and loss take; refuses a model that cannot fit it.

        ``width`` is the number of classes (classifier) or of targets per sample (regressor).
        """
        raise NotImplementedError

    # ------------------------------------------------------------------ training
    def _train(
        self, x: np.ndarray, y: np.ndarray, width: int, sample_weight: Any, epochs: int, meta: dict[str, int] | None
    ) -> Any:
        """Fit a fresh model (``meta`` given: built from it, under ``random_state``) or ``model_`` for ``epochs``.

        Returns the model and the new epochs' logs; the caller sets the fitted attributes.
        """
        self._check_fit_params()
        with _seeded(self.random_state, self._label()) if meta is not None else contextlib.nullcontext():
            model = self._new_model(meta) if meta is not None else self.model_
            weights = None if sample_weight is None else self._checked_weights(sample_weight, len(x))
            history = model.fit(
                x,
                self.targets(model, y, width),
                sample_weight=weights,
                epochs=epochs,
                batch_size=self.batch_size,
                validation_split=self.validation_split,
                callbacks=self.callbacks,
                verbose=self.verbose,
                shuffle=self.shuffle,
            )
        return model, {key: list(values) for key, values in history.history.items()}

    def _checked_weights(self, sample_weight: Any, n: int) -> np.ndarray:
        """``sample_weight`` as float64 ``(n,)``, refused when no sample weighs anything."""
        weights = np.asarray(sample_weight, dtype=np.float64)
        if weights.shape != (n,):
            raise InvalidValueError(
                f"{self._label()}: sample_weight must have the shape ({n},), one weight per sample; received the "
                f"shape {weights.shape}."
            )
        if not weights.any():
            raise InvalidValueError(
                f"{self._label()}: sample_weight is zero for every sample; at least one weight must be non-zero."
            )
        return weights

    def _output(self, x: Any) -> np.ndarray:
        """The fitted model's output for ``x`` (checked as scikit-learn checks it), as float64."""
        check_is_fitted(self)
        x = validate_data(self, x, dtype=FLOATS, reset=False)
        return np.asarray(self.model_.predict(x, batch_size=self.batch_size), dtype=np.float64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


@contextlib.contextmanager
def _seeded(random_state: Any, where: str) -> Iterator[None]:
    """Run the block under ``random_state``'s seed; the process-wide stream is put back afterwards.

    None leaves tinynet's process-wide stream as it is (each fit differs); an int
    seeds it; a ``numpy.random.RandomState`` gives a seed (and moves on).
    """
    if random_state is None:
        yield
        return
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        seed = integer(random_state, where, "random_state", minimum=0)
    elif isinstance(random_state, np.random.RandomState):
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    else:
        raise InvalidTypeError(
            f"{where}: random_state must be None, an int >= 0 or a numpy.random.RandomState, received "
            f"{describe(random_state)}."
        )
    saved = utils._root
    utils.set_random_seed(seed)
    try:
        yield
    finally:
        utils._root = saved


def _name(function: Any) -> str:
    return getattr(function, "__qualname__", None) or repr(function)
