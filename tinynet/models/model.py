"""``Model``: a layer made of layers, trained Keras's way with ``compile`` / ``fit`` / ``evaluate`` / ``predict``."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from .. import losses, metrics, optimizers, saving
from .._memory import inference
from .._validation import integer
from ..activation import Activation
from ..callbacks import CallbackList, History
from ..errors import CallOrderError, InvalidTypeError, InvalidValueError
from ..layer import Array, Layer
from ..parameter import Parameter
from ..utils import make_rng
from . import data
from .head import Head
from .summary import summary_table
from .tracker import Tracker, shaped
from .training_state import Resumable

__all__ = ["Model"]


class Model(Layer, Resumable):
    """A layer made of layers; subclass it for your own architecture, or use :class:`Sequential`.

    A subclass keeps its sub-layers as plain attributes (a layer, or a list of
    them), and writes ``forward(x, training)`` over them — passing
    ``training`` down itself — and ``backward(grad)`` over their
    ``backward``s in reverse. ``parameters()``, ``get_weights`` /
    ``set_weights``, ``astype``, ``trainable``, ``compile`` / ``fit`` and
    ``summary`` then reach every layer inside. One layer instance may sit in
    a model only once.

    Training (``fit``) runs, for each batch: ``forward(training=True)``, the
    loss, ``backward``, the regularizers' gradients, ``optimizer.step``. When
    the model ends in a sigmoid or softmax and the loss is the matching
    cross-entropy, the pair is fused (see :mod:`tinynet.models.head`).

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> class TwoLayer(tn.Model):
    ...     def __init__(self, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.hidden = tn.layers.Dense(8, activation="tanh")
    ...         self.out = tn.layers.Dense(1)
    ...     def forward(self, x, training=False):
    ...         return self.out.forward(self.hidden.forward(x, training), training)
    ...     def backward(self, grad):
    ...         return self.hidden.backward(self.out.backward(grad))
    ...     def build(self, input_shape):
    ...         self.out.ensure_built(self.hidden.compute_output_shape(input_shape))
    >>> model = TwoLayer()
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(np.ones((8, 3)), np.zeros((8, 1)), epochs=2, verbose=0)
    >>> sorted(history.history), model.count_params()
    (['loss'], 41)
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.optimizer: Any = None
        self.loss: Any = None
        self.compiled_metrics: list[Any] = []
        self.stop_training = False
        self.history: History | None = None
        self._head: Head | None = None
        self._shuffle_rng: np.random.Generator | None = None
        self._updated: tuple[int, list[Parameter]] | None = None

    def output_activation(self) -> Activation | None:
        """The final activation a fused head may take over; ``None`` here (Sequential finds one)."""
        return None

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None) -> None:
        """Choose the optimizer, the loss and the metrics, by object or Keras string id.

        ``"accuracy"`` resolves against the loss, as in Keras; each metric is
        reported under the name passed. When the model ends in a sigmoid or
        softmax and the loss is the matching cross-entropy, the pair is fused
        for exact, finite training at any logits. A loss that cannot fit the
        model's output is refused here (or at the first ``fit`` if the model
        is not built yet).
        """
        if loss is None:
            raise InvalidValueError(f"{self._label()}: compile() needs a loss, e.g. loss='mse'.")
        new_optimizer = optimizers.get(optimizer)
        new_loss = losses.get(loss)
        if metrics is None:
            metrics = []
        if isinstance(metrics, (str, dict)) or not isinstance(metrics, (list, tuple)):
            raise InvalidTypeError(f"{self._label()}: metrics must be a list, e.g. ['accuracy'], received {metrics!r}.")
        new_metrics = [_metrics_get(m, new_loss) for m in metrics]
        head = Head(self, new_loss)
        if self.built:
            head.check(self, self.compute_output_shape(self.input_shape or ()))
        new_optimizer.astype(self.dtype)
        self.optimizer, self.loss, self.compiled_metrics, self._head = new_optimizer, new_loss, new_metrics, head
        if self._shuffle_rng is None:
            self._shuffle_rng = make_rng()

    @property
    def compiled(self) -> bool:
        return self._head is not None

    def _require_compiled(self, what: str) -> Head:
        if self._head is None:
            raise CallOrderError(
                f"{self._label()}: {what}() before compile(). Call model.compile(optimizer, loss) first."
            )
        return self._head

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)``; return a ``History`` of the per-epoch logs.

        Each epoch shuffles (seeded by :func:`tinynet.utils.set_random_seed`),
        cuts batches of ``batch_size`` (32 by default; the last may be
        smaller) and runs one training step per batch. The reported loss and
        metrics are per-sample averages over the epoch, so unequal batches
        weigh correctly. ``validation_split`` holds out the *last* fraction of
        the samples, taken before shuffling (as Keras does);
        ``validation_data=(x_val, y_val)`` (or with sample weights) takes
        precedence. Every argument is checked before the first step: a
        refused call changes no weight.
        """
        head = self._require_compiled("fit")
        batch_size = data.check_batch_size(self, batch_size)
        epochs = integer(epochs, self._label(), "epochs", minimum=0)
        initial_epoch = integer(initial_epoch, self._label(), "initial_epoch", minimum=0)
        verbose = data.check_verbose(self, verbose)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise InvalidTypeError(f"{self._label()}: shuffle must be True or False, received {shuffle!r}.")
        with self.unchanged_on_error():
            x, y, weights = data.checked_data(self, head, x, y, sample_weight, class_weight)
            held_out = data.split_validation(self, validation_split, len(x))
            validation = None
            if validation_data is not None:
                validation = data.checked_validation(self, head, validation_data)
            elif held_out:
                cut = len(x) - held_out
                validation = (x[cut:], y[cut:], None if weights is None else weights[cut:])
                x, y, weights = x[:cut], y[:cut], None if weights is None else weights[:cut]
            for layer in self.walk():  # a batch a layer would refuse mid-training is refused now
                for size in {stop - start for start, stop in data.batch_bounds(len(x), batch_size)}:
                    layer.check_batch_size(size, training=True)
            callback_list = CallbackList(
                callbacks,
                model=self,
                params={"epochs": epochs, "steps": len(data.batch_bounds(len(x), batch_size)), "verbose": verbose},
                add_history=True,
                add_progress=True,
                verbose=verbose,
            )
        self.history = callback_list.history
        self._train(head, x, y, weights, batch_size, epochs, initial_epoch, shuffle, validation, callback_list)
        assert self.history is not None
        return self.history

    def _train(
        self,
        head: Head,
        x: Array,
        y: Array,
        weights: Array | None,
        batch_size: int,
        epochs: int,
        initial_epoch: int,
        shuffle: bool,
        validation: tuple[Array, Array, Array | None] | None,
        callback_list: CallbackList,
    ) -> None:
        """The loop: epochs of batches, with the callbacks' hooks; ``on_train_end`` runs on every exit path."""
        n = len(x)
        bounds = data.batch_bounds(n, batch_size)
        rng = self._shuffle_rng if self._shuffle_rng is not None else make_rng()
        self.stop_training = False
        self._updated = None  # a fresh walk for each fit: layers may have been swapped since the last one
        logs: dict[str, float] = {}
        callback_list.on_train_begin()
        try:
            for epoch in range(initial_epoch, epochs):
                callback_list.on_epoch_begin(epoch)
                batch_hooks = callback_list.uses_train_batch_hooks()  # else no per-batch calls, no per-batch logs
                tracker = Tracker(self.compiled_metrics)
                order = rng.permutation(n) if shuffle else None
                for step, (start, stop) in enumerate(bounds):
                    if batch_hooks:
                        callback_list.on_train_batch_begin(step)
                    index = slice(start, stop) if order is None else order[start:stop]
                    batch_weights = None if weights is None else weights[index]
                    y_batch = y[index]
                    value, y_pred = self._train_step(head, x[index], y_batch, batch_weights, bool(tracker.metrics))
                    tracker.update(value, y_batch, y_pred, batch_weights)
                    if batch_hooks:
                        callback_list.on_train_batch_end(step, tracker.results())
                    if self.stop_training:
                        break
                logs = tracker.results()
                if validation is not None:
                    results = self._evaluate_arrays(head, *validation, batch_size, callback_list)
                    logs.update({f"val_{name}": value for name, value in results.items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        finally:
            callback_list.on_train_end(logs)

    def _train_step(
        self, head: Head, x: Array, y: Array, sample_weight: Array | None, predictions: bool = True
    ) -> tuple[float, Array | None]:
        """One step: forward, loss, backward, regularizers, optimizer.

        Returns the loss and the predictions (``None`` unless ``predictions``: only metrics need them).
        """
        value, y_pred = head.forward(self, x, y, sample_weight, training=True, predictions=predictions)
        head.backward(self)
        trainable = [p for p in self._parameters_to_update() if p.trainable]
        for p in trainable:
            if p.regularizer is not None:
                value += p.regularizer.penalty(p.value)
                p.grad = p.grad + p.regularizer.gradient(p.value)
        self.optimizer._step_unchecked(trainable)
        return value, y_pred

    def _parameters_to_update(self) -> list[Parameter]:
        """The parameters of the layers that are not frozen, walked anew only when ``Layer.parameter_changes`` moves.

        Within one ``fit`` a step then costs no walk of the model (each ``fit`` and ``train_on_batch`` starts
        with a fresh walk). A parameter's own ``trainable`` flag is read at each step.
        """
        if self._updated is None or self._updated[0] != Layer.parameter_changes:
            found = [p for layer in self.walk(skip_frozen=True) for p in layer._parameters]
            self._updated = (Layer.parameter_changes, found)
        return self._updated[1]

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The loss (plus regularization) and metrics on ``(x, y)``, averaged per sample.

        Returns the loss alone when there are no metrics, else ``[loss, *metrics]``,
        or a dict with ``return_dict=True``. The figures do not depend on
        ``batch_size``, and nothing in the model changes.
        """
        head = self._require_compiled("evaluate")
        batch_size = data.check_batch_size(self, batch_size)
        verbose = data.check_verbose(self, verbose)
        with self.unchanged_on_error():
            x, y, weights = data.checked_data(self, head, x, y, sample_weight, None)
        results = self._evaluate_arrays(head, x, y, weights, batch_size)
        if verbose:
            print(" - ".join(f"{name}: {value:.4f}" for name, value in results.items()), flush=True)
        if return_dict:
            return results
        values = list(results.values())
        return values[0] if len(values) == 1 else values

    def _evaluate_arrays(
        self,
        head: Head,
        x: Array,
        y: Array,
        weights: Array | None,
        batch_size: int,
        callback_list: CallbackList | None = None,
    ) -> dict[str, float]:
        """Loss and metrics over ``(x, y)`` in inference mode; ``callback_list`` gets the ``on_test_*`` hooks."""
        tracker = Tracker([copy.deepcopy(m) for m in self.compiled_metrics])
        penalty = sum(p.regularizer.penalty(p.value) for p in self.trainable_parameters() if p.regularizer is not None)
        if callback_list is not None:
            callback_list.on_test_begin()
        logs: dict[str, float] = {}
        with inference():  # what training forward remembered stays in place
            for step, (start, stop) in enumerate(data.batch_bounds(len(x), batch_size)):
                if callback_list is not None:
                    callback_list.on_test_batch_begin(step)
                batch_weights = None if weights is None else weights[start:stop]
                value, y_pred = head.forward(self, x[start:stop], y[start:stop], batch_weights, training=False)
                tracker.update(value + penalty, y[start:stop], y_pred, batch_weights)
                logs = tracker.results()
                if callback_list is not None:
                    callback_list.on_test_batch_end(step, logs)
        if callback_list is not None:
            callback_list.on_test_end(logs)
        return tracker.results()

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0) -> Array:
        """The model's outputs (probabilities for a sigmoid/softmax head) for ``x``, batch by batch.

        Silent by default (Keras prints a bar); nothing in the model changes.
        """
        batch_size = data.check_batch_size(self, batch_size)
        data.check_verbose(self, verbose, auto=0)
        return self._predict_arrays(data.checked_x(self, x), batch_size)

    def _predict_arrays(self, x: Array, batch_size: int) -> Array:
        with inference():  # what training forward remembered stays in place
            if len(x) > batch_size:
                bounds = data.batch_bounds(len(x), batch_size)
                return np.concatenate([self.forward(x[start:stop], training=False) for start, stop in bounds])
            y = self.forward(x, training=False)
        return y.copy() if np.may_share_memory(y, x) else y  # a model of reshapes alone returns a view of x

    # ------------------------------------------------------------------ one batch
    def train_on_batch(
        self, x: Any, y: Any, sample_weight: Any = None, class_weight: Any = None, return_dict: bool = False
    ) -> float | list[float] | dict[str, float]:
        """One training step on one batch; returns that batch's loss (and metrics)."""
        head = self._require_compiled("train_on_batch")
        with self.unchanged_on_error():
            x, y, weights = data.checked_data(self, head, x, y, sample_weight, class_weight)
        tracker = Tracker([copy.deepcopy(m) for m in self.compiled_metrics])
        self._updated = None  # a fresh walk for each call, as for each fit
        value, y_pred = self._train_step(head, x, y, weights)
        tracker.update(value, y, y_pred, weights)
        return shaped(tracker.results(), return_dict)

    def test_on_batch(
        self, x: Any, y: Any, sample_weight: Any = None, return_dict: bool = False
    ) -> float | list[float] | dict[str, float]:
        """The loss (and metrics) of one batch, changing nothing."""
        head = self._require_compiled("test_on_batch")
        with self.unchanged_on_error():
            x, y, weights = data.checked_data(self, head, x, y, sample_weight, None)
        return shaped(self._evaluate_arrays(head, x, y, weights, max(len(x), 1)), return_dict)

    def predict_on_batch(self, x: Any) -> Array:
        """``predict`` for one batch."""
        x = data.checked_x(self, x)
        return self._predict_arrays(x, max(len(x), 1))

    def astype(self, dtype: Any) -> Model:
        """Cast the layers and the optimizer's slots to ``dtype`` in place."""
        super().astype(dtype)
        if self.optimizer is not None:
            self.optimizer.astype(dtype)
        return self

    # ------------------------------------------------------------------ files (tinynet.saving)
    def save(self, filepath: Any) -> None:
        """Write architecture, weights, compile settings and optimizer state to one archive (see tinynet.saving)."""
        saving.save_model(self, filepath)

    def save_weights(self, filepath: Any) -> None:
        """Write the weights alone; ``load_weights`` reads them back."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath: Any) -> None:
        """Set the weights from a ``save_weights`` or ``save`` file, every one checked before any is set."""
        saving.load_weights(self, filepath)

    def summary(self, print_fn: Any = None) -> None:
        """Print a table of the layers: name, type, output shape and parameter count, with totals."""
        if not self.built:
            raise CallOrderError(
                f"{self._label()}: summary() needs the input shape. Give the first layer input_shape=(...) or "
                "call the model on a batch first."
            )
        (print_fn or print)(summary_table(self))


def _metrics_get(identifier: Any, loss: Any) -> Any:
    return metrics.get(identifier, loss=loss)
