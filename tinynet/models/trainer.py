"""``Trainer``: ``compile``, ``fit``, ``evaluate``, ``predict`` and the three steps they call, for :class:`Model`.

One batch goes down and up once, through public methods a subclass may
override, as in Keras:

- ``fit`` calls :meth:`Trainer.train_step` for each batch: forward, loss,
  backward, ``optimizer.step``, metrics; it returns the logs that callbacks,
  the progress bar and ``History`` receive.
- ``evaluate`` calls :meth:`Trainer.test_step`: forward, loss, metrics.
- ``predict`` calls :meth:`Trainer.predict_step`: forward.

Around the steps, the loops check every argument before any state changes,
shuffle, cut batches and call the callbacks' hooks.
"""

from __future__ import annotations

from contextlib import nullcontext
from operator import attrgetter
from typing import Any

import numpy as np

from .. import metrics as metrics_module
from .. import optimizers
from .._rollback import unchanged_on_error
from .._validation import integer
from ..callbacks import CallbackList, History
from ..errors import CallOrderError, InvalidTypeError, InvalidValueError
from ..layer import Array, Layer
from ..layers.activity import ActivityRegularization
from ..utils import make_rng, unpack_x_y_sample_weight
from . import data, loops, sources
from .compiled_loss import CompiledLoss, kept_steps
from .compiled_metrics import compiled_metrics
from .data import count
from .streams import ArrayBatches

__all__ = ["Trainer"]

_REGULARIZER = attrgetter("regularizer")

Logs = dict[str, Any]


class Trainer:
    """The training half of :class:`~tinynet.Model`; the layer half is :class:`~tinynet.Layer`.

    Override :meth:`train_step` (and :meth:`test_step`, :meth:`predict_step`)
    to change what one batch does while keeping ``fit``'s shuffling, batching,
    callbacks, progress bar, ``History`` and saving. See the guide
    "Customizing the training step".
    """

    # Set by Model.__init__; declared here for readers and type checkers.
    optimizer: Any
    loss: Any
    compiled_loss: CompiledLoss | None
    compiled_metrics: list[Any]
    loss_tracker: metrics_module.Mean
    stop_training: bool
    history: History | None
    needs_input_grad: bool
    _shuffle_rng: np.random.Generator | None

    # ------------------------------------------------------------------ compile
    def compile(
        self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None, loss_weights: Any = None
    ) -> None:
        """Choose the optimizer, the loss and the metrics, by object or Keras string id.

        ``"accuracy"`` resolves against the loss, as in Keras; each metric is
        reported under the name passed. When the model ends in a sigmoid or
        softmax and the loss is the matching cross-entropy, the pair is fused
        for exact, finite training at any logits (:class:`CompiledLoss`). A
        loss that cannot fit the model's output is refused here (or at the
        first ``fit`` if the model is not built yet).

        A model with several outputs takes ``loss`` as one loss for all, a
        list in output order or a dict by output name, ``loss_weights`` (the
        loss is ``sum(weight_k * loss_k)``), and ``metrics`` as one list for
        every output, a list of lists or a dict by output name; they are
        reported as ``<output>_loss`` and ``<output>_<metric>``.
        """
        model: Any = self
        if loss is None:
            raise InvalidValueError(f"{model._label()}: compile() needs a loss, e.g. loss='mse'.")
        new_optimizer = optimizers.get(optimizer)
        compiled_loss = CompiledLoss(model, loss, loss_weights)
        new_metrics, metric_outputs = compiled_metrics(model._label(), metrics, compiled_loss)
        if model.built:
            compiled_loss.check(model, model.compute_output_shape(model.input_shape or ()))
        new_optimizer.astype(model.dtype)
        self.optimizer, self.loss, self.compiled_metrics = new_optimizer, compiled_loss.loss, new_metrics
        self._metric_outputs = metric_outputs
        self.compiled_loss = compiled_loss
        if self._shuffle_rng is None:
            self._shuffle_rng = make_rng()

    @property
    def compiled(self) -> bool:
        return self.compiled_loss is not None

    def _require_compiled(self, what: str) -> CompiledLoss:
        if self.compiled_loss is None:
            raise CallOrderError(
                f"{self._label()}: {what}() before compile(). Call model.compile(optimizer, loss) first."  # type: ignore[attr-defined]
            )
        return self.compiled_loss

    # ------------------------------------------------------------------ what a step is made of
    def compute_loss(self, x: Any, y: Array, y_pred: Array, sample_weight: Array | None = None) -> float:
        """The compiled loss of one batch plus the regularizers' penalties (``evaluate`` reports the same sum).

        ``x`` is not used by the built-in loss; a subclass may override this to use it.
        """
        compiled_loss = self._require_compiled("compute_loss")
        masks = self.masks_of(y_pred)
        return compiled_loss.forward(y, y_pred, sample_weight, masks) + self.regularization_penalty()

    def masks_of(self, y_pred: Any) -> list[Any] | None:
        """The mask of each output in ``y_pred`` (in the compiled loss's output order), or ``None`` if none has one.

        A model whose output carries a mask (``Embedding(mask_zero=True)``, ``Masking``
        before per-step outputs) has its padded steps left out of the loss and the
        metrics, as in Keras: a padded step weighs 0, and the mean runs over the kept steps.
        """
        model: Any = self
        if getattr(model, "_output_masks", None) is None or self.compiled_loss is None:
            return None
        outputs = [y_pred] if len(self.compiled_loss.names) == 1 else self.compiled_loss.listed(y_pred)
        masks = [model.output_mask(output) for output in outputs]
        return None if all(m is None for m in masks) else masks

    def regularization_penalty(self) -> float:
        """The penalties of every trainable parameter that carries a regularizer, plus the activity penalties.

        The parameters' gradients are added by ``optimizer.step``, which sees the
        same parameters. An activity penalty is that of the last forward of an
        :class:`~tinynet.layers.ActivityRegularization` in the model; taking it
        here makes the layer's next ``backward`` carry its gradient.
        """
        penalty = 0.0
        parameters = self.trainable_parameters()  # type: ignore[attr-defined]
        regularizers = list(map(_REGULARIZER, parameters))  # this runs every step, most often to find none
        if regularizers.count(None) != len(regularizers):
            for p, regularizer in zip(parameters, regularizers, strict=True):
                if regularizer is not None:
                    penalty += regularizer.penalty(p.value)
        for layer in self._activity_layers():
            penalty += layer.take_penalty()
        return penalty

    def _activity_layers(self) -> list[ActivityRegularization]:
        """The model's ``ActivityRegularization`` layers; the walk is kept until ``parameter_changes`` moves."""
        cache = getattr(self, "_activity_cache", None)
        if cache is None or cache[0] != Layer.parameter_changes:
            found = [layer for layer in self.walk() if isinstance(layer, ActivityRegularization)]  # type: ignore[attr-defined]
            cache = self._activity_cache = (Layer.parameter_changes, found)
        return cache[1]

    @property
    def metrics(self) -> list[Any]:
        """The metrics a step reports: ``loss_tracker``, each output's loss (several outputs), the compiled metrics."""
        per_output = [] if self.compiled_loss is None else self.compiled_loss.metrics
        return [self.loss_tracker, *per_output, *self.compiled_metrics]

    def reset_metrics(self) -> None:
        """Reset every metric in :attr:`metrics` (``fit`` does at each epoch, ``evaluate`` at its start)."""
        for metric in self.metrics:
            metric.reset_state()

    def compute_metrics(self, x: Any, y: Array, y_pred: Array, sample_weight: Array | None = None) -> Logs:
        """Update the compiled metrics with one batch and return :meth:`get_metrics_result`.

        Padded steps of a masked output (see :meth:`masks_of`) are left out: the metrics see the kept steps alone.
        """
        masks = self.masks_of(y_pred) if self.compiled_metrics else None
        if self._metric_outputs is None:
            for metric in self.compiled_metrics:
                metric.update_state(*kept_steps(y, y_pred, sample_weight, None if masks is None else masks[0]))
        elif self.compiled_metrics:
            names = self.compiled_loss.names  # type: ignore[union-attr]
            targets = [y[n] for n in names] if isinstance(y, dict) else y
            predictions = [y_pred[n] for n in names] if isinstance(y_pred, dict) else y_pred
            for output, metric in zip(self._metric_outputs, self.compiled_metrics, strict=True):
                mask = None if masks is None else masks[output]
                metric.update_state(*kept_steps(targets[output], predictions[output], sample_weight, mask))
        return self.get_metrics_result()

    def get_metrics_result(self) -> Logs:
        """``{name: result}`` of every metric in :attr:`metrics`: the running figures of the pass so far."""
        return {metric.name: metric.result() for metric in self.metrics}

    # ------------------------------------------------------------------ the three steps
    def train_step(self, data: tuple[Any, ...]) -> Logs:
        """One training step on ``data`` = ``(x, y)`` or ``(x, y, sample_weight)``; returns the logs.

        Override it to train differently; ``fit`` keeps doing the rest.
        """
        model: Any = self
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = model.forward(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        model.backward(self.compiled_loss.backward())  # type: ignore[union-attr]
        self.optimizer.step(model.trainable_parameters())
        self.loss_tracker.update_state(loss, sample_weight=count(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: tuple[Any, ...]) -> Logs:
        """The loss and metrics of one batch, ``(x, y)`` or ``(x, y, sample_weight)``; changes no weight."""
        model: Any = self
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = model.forward(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        self.loss_tracker.update_state(loss, sample_weight=count(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, x: Any) -> Array:
        """The model's output for one batch ``x`` (probabilities for a sigmoid or softmax head)."""
        return self.forward(x, training=False)  # type: ignore[attr-defined]

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
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)``; return a ``History`` of the per-epoch logs.

        Each epoch shuffles (seeded by :func:`tinynet.utils.set_random_seed`),
        cuts batches of ``batch_size`` (32 by default; the last may be
        smaller) and runs :meth:`train_step` on each batch. The logs of an
        epoch are those of its last step: the built-in step reports the loss
        and metrics averaged per sample over the epoch so far, so unequal
        batches weigh correctly. ``validation_split`` holds out the *last*
        fraction of the samples, taken before shuffling (as Keras does);
        ``validation_data=(x_val, y_val)`` (or with sample weights) takes
        precedence. Every argument is checked before the first step: a
        refused call changes no weight.

        ``x`` may instead be a :class:`~tinynet.utils.PyDataset` (its batches
        hold ``y`` and the sample weights; ``shuffle`` shuffles the order of
        its batches) or an iterator of batches such as a generator, read
        ``steps_per_epoch`` batches an epoch (or to its end); each batch is
        checked as it comes. ``validation_data`` may be either too, read
        ``validation_steps`` batches (or to its end) at each epoch's end.
        """
        model: Any = self
        compiled_loss = self._require_compiled("fit")
        batch_size = data.check_batch_size(model, batch_size)
        epochs = integer(epochs, model._label(), "epochs", minimum=0)
        initial_epoch = integer(initial_epoch, model._label(), "initial_epoch", minimum=0)
        verbose = data.check_verbose(model, verbose)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise InvalidTypeError(f"{model._label()}: shuffle must be True or False, received {shuffle!r}.")
        with unchanged_on_error(model):
            source, validation = sources.fit_sources(
                model, compiled_loss, x, y, batch_size, bool(shuffle), sample_weight, class_weight, validation_split,
                validation_data, steps_per_epoch, validation_steps, self._overrides("train_step"),
            )  # fmt: skip
            callback_list = CallbackList(
                callbacks,
                model=model,
                params={"epochs": epochs, "steps": source.steps, "verbose": verbose},
                add_history=True,
                add_progress=True,
                verbose=verbose,
            )
        self.history = callback_list.history
        loops.fit_loop(model, source, range(initial_epoch, epochs), validation, callback_list)
        assert self.history is not None
        return self.history

    def _overrides(self, step: str) -> bool:
        """Whether this model's class writes its own ``step``; then ``y`` may be left out."""
        return getattr(type(self), step) is not getattr(Trainer, step)

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Any = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """The loss (plus regularization) and metrics on ``(x, y)``, through :meth:`test_step` batch by batch.

        Returns the loss alone when there are no metrics, else ``[loss, *metrics]``,
        or a dict with ``return_dict=True``. The figures do not depend on
        ``batch_size``, and no weight changes (the metrics are reset first).
        ``callbacks`` get the ``on_test_*`` hooks; ``verbose=1`` shows a bar.
        ``x`` may be a :class:`~tinynet.utils.PyDataset` or an iterator of
        batches, read in order (``steps`` batches of an iterator, or to its end).
        """
        model: Any = self
        compiled_loss = self._require_compiled("evaluate")
        batch_size = data.check_batch_size(model, batch_size)
        verbose = data.check_verbose(model, verbose)
        with unchanged_on_error(model) if not model.built else nullcontext():  # checks alone: nothing to undo
            source = sources.evaluate_source(
                model, compiled_loss, x, y, batch_size, sample_weight, steps, self._overrides("test_step")
            )
        results = loops.evaluate_loop(model, source, loops.callbacks_for(model, callbacks, verbose, source.steps))
        return data.as_keras_result(results, return_dict)

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = 0,
        steps: int | None = None,
        callbacks: Any = None,
    ) -> Array:
        """The model's outputs (probabilities for a sigmoid/softmax head) for ``x``, through :meth:`predict_step`.

        Silent by default; ``verbose=1`` shows a progress bar as in Keras, and
        ``callbacks`` get the ``on_predict_*`` hooks. Nothing in the model
        changes. ``x`` may be a :class:`~tinynet.utils.PyDataset` or an
        iterator of batches (a ``y`` in its batches is left out), read in order.
        """
        model: Any = self
        batch_size = data.check_batch_size(model, batch_size)
        verbose = data.check_verbose(model, verbose, auto=0)
        if model.built and type(x) is np.ndarray and steps is None and callbacks is None and verbose == 0:
            return loops.predict_loop(model, data.check_inputs(model, x), batch_size)  # the latency path
        with unchanged_on_error(model) if not model.built else nullcontext():  # checks alone: nothing to undo
            x = sources.predict_source(model, x, steps)
        steps = x.steps if hasattr(x, "epoch") else len(data.batch_bounds(data.count(x), batch_size))
        return loops.predict_loop(model, x, batch_size, loops.callbacks_for(model, callbacks, verbose, steps))

    # ------------------------------------------------------------------ one batch
    def train_on_batch(
        self, x: Any, y: Any, sample_weight: Any = None, class_weight: Any = None, return_dict: bool = False
    ) -> float | list[float] | dict[str, float]:
        """One :meth:`train_step` on one batch; returns that batch's loss (and metrics)."""
        model: Any = self
        compiled_loss = self._require_compiled("train_on_batch")
        with unchanged_on_error(model) if not model.built else nullcontext():  # checks alone: nothing to undo
            x, y, weights = data.data_for_steps(
                model, compiled_loss, x, y, sample_weight, class_weight, self._overrides("train_step")
            )
        self.reset_metrics()
        with loops.training(model, walk_afresh=False):  # called every step of a custom loop: no walk each time
            logs = loops.checked_logs(
                model, self.train_step(loops.batch_of((x, y, weights), slice(None))), "train_step"
            )
        return data.as_keras_result(logs, return_dict)

    def test_on_batch(
        self, x: Any, y: Any, sample_weight: Any = None, return_dict: bool = False
    ) -> float | list[float] | dict[str, float]:
        """The loss (and metrics) of one batch through :meth:`test_step`, changing no weight."""
        model: Any = self
        compiled_loss = self._require_compiled("test_on_batch")
        with unchanged_on_error(model) if not model.built else nullcontext():  # checks alone: nothing to undo
            x, y, weights = data.data_for_steps(
                model, compiled_loss, x, y, sample_weight, None, self._overrides("test_step")
            )
        results = loops.evaluate_loop(model, ArrayBatches((x, y, weights), max(data.count(x), 1)))
        return data.as_keras_result(results, return_dict)

    def predict_on_batch(self, x: Any) -> Array:
        """``predict`` for one batch."""
        model: Any = self
        x = data.x_for_predict(model, x)
        return loops.predict_loop(model, x, max(data.count(x), 1))
