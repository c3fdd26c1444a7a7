"""``Resumable``: a model's compile settings and training state, read and put back through four public methods.

``Model`` inherits them (Keras's names for the first two):

- :meth:`~Resumable.get_compile_config` / :meth:`~Resumable.compile_from_config`:
  the optimizer, the loss and the metrics ``compile`` was given, each as the
  ``{"class_name", "config"}`` dict :func:`tinynet.registry.serialize` gives;
- :meth:`~Resumable.get_training_state` / :meth:`~Resumable.set_training_state`:
  what training carries from one step to the next besides the weights — the
  optimizer's step count and slots, and the state of ``fit``'s shuffling generator.

Model files (:mod:`tinynet.saving`) store both, and the layers' own random
generators (``Layer.random_generators``), so that training resumed from a
file continues bitwise as if it had never stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import metrics
from ..errors import CallOrderError, InvalidTypeError, InvalidValueError
from ..loss import Loss
from ..optimizers.optimizer import Optimizer
from ..optimizers.schedules import LearningRateSchedule
from ..registry import resolve, serialize
from ..utils import describe

if TYPE_CHECKING:
    from .model import Model

__all__ = ["Resumable"]

_COMPILE_KEYS = {"optimizer", "loss", "metrics"}
_STATE_KEYS = {"optimizer", "shuffle_rng"}


class Resumable:
    """The compile settings and the training state of a :class:`~tinynet.Model`, as plain data and back."""

    def get_compile_config(self: Model) -> dict[str, Any] | None:  # type: ignore[misc]  # a mixin of Model
        """The optimizer, loss and metrics ``compile`` was given, as JSON-ready dicts; ``None`` before ``compile``.

        Returns
        -------
        dict or None
            ``{"optimizer": ..., "loss": ..., "metrics": [...]}``, each a
            ``{"class_name", "config"}`` dict as :func:`tinynet.registry.serialize`
            gives; :meth:`compile_from_config` takes it back.

        Examples
        --------
        >>> import tinynet as tn
        >>> model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
        >>> model.get_compile_config() is None
        True
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> config = model.get_compile_config()
        >>> config["optimizer"]["class_name"], config["loss"]["class_name"], len(config["metrics"])
        ('SGD', 'MeanSquaredError', 1)
        >>> twin = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
        >>> twin.compile_from_config(config)
        >>> twin.get_compile_config() == config
        True
        """
        if not self.compiled:
            return None
        if self._metric_outputs is None:
            return {
                "optimizer": serialize(self.optimizer),
                "loss": serialize(self.loss),
                "metrics": [serialize(metric) for metric in self.compiled_metrics],
            }
        compiled_loss: Any = self.compiled_loss
        names = compiled_loss.names
        metrics_per_output: list[list[dict[str, Any]]] = [[] for _ in names]
        for output, metric in zip(self._metric_outputs, self.compiled_metrics, strict=True):
            entry = serialize(metric)
            entry["config"]["name"] = metric.name.removeprefix(f"{names[output]}_")  # compile adds it back
            metrics_per_output[output].append(entry)
        return {
            "optimizer": serialize(self.optimizer),
            "loss": [serialize(head.loss) for head in compiled_loss.outputs],
            "metrics": metrics_per_output,
            "loss_weights": list(compiled_loss.weights),
        }

    def compile_from_config(self: Model, config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> None:  # type: ignore[misc]  # a mixin of Model
        """``compile`` with the settings :meth:`get_compile_config` returned.

        Every entry is made before ``compile`` runs, so a refused config leaves the model as it was.

        Parameters
        ----------
        config : dict
            ``{"optimizer", "loss", "metrics"}``. A ``{"class_name", "config"}``
            entry is made through tinynet's registry or ``custom_objects``;
            any other entry goes to ``compile`` as it is (``"adam"``, an object).
        custom_objects : dict, optional
            Class names to your own optimizer, schedule, loss or metric classes.
        """
        where = f"{self._label()}: compile_from_config"
        if not isinstance(config, Mapping) or set(config) - {"loss_weights"} != _COMPILE_KEYS:
            raise InvalidValueError(
                f"{where} takes a dict with the keys 'optimizer', 'loss' and 'metrics' (what get_compile_config() "
                f"returns), received {describe(config)}."
            )
        if not isinstance(config["metrics"], (list, tuple)):
            raise InvalidTypeError(f"{where}: 'metrics' must be a list, received {describe(config['metrics'])}.")
        if custom_objects is not None and not isinstance(custom_objects, Mapping):
            raise InvalidTypeError(
                f"{where}: custom_objects must map class names to classes, received {describe(custom_objects)}."
            )
        custom = None if custom_objects is None else dict(custom_objects)
        optimizer, loss = config["optimizer"], config["loss"]
        if _serialized(optimizer):
            optimizer = _optimizer(optimizer, custom)
        if "loss_weights" not in config:
            if _serialized(loss):
                loss = resolve(loss, "loss", Loss, {}, custom)
            found: Any = [
                metrics.get(m, loss=loss, custom_objects=custom) if _serialized(m) else m for m in config["metrics"]
            ]
            self.compile(optimizer=optimizer, loss=loss, metrics=found)
            return
        losses = [resolve(entry, "loss", Loss, {}, custom) if _serialized(entry) else entry for entry in loss]
        found = [
            [metrics.get(m, loss=output_loss, custom_objects=custom) if _serialized(m) else m for m in entries]
            for entries, output_loss in zip(config["metrics"], losses, strict=True)
        ]
        self.compile(optimizer=optimizer, loss=losses, metrics=found, loss_weights=config["loss_weights"])

    def get_training_state(self: Model) -> dict[str, Any] | None:  # type: ignore[misc]  # a mixin of Model
        """What training carries from one step to the next besides the weights; ``None`` before ``compile``.

        Returns
        -------
        dict or None
            ``{"optimizer": ..., "shuffle_rng": ...}``: the optimizer's step
            count and slots as ``Optimizer.get_state(model.parameters())``
            gives them (copies, named by parameter position), and the state of
            ``fit``'s shuffling generator (NumPy's ``bit_generator.state``
            dict). The layers' own generators (Dropout's) are not part of it:
            ``Layer.random_generators`` lists them.

        Examples
        --------
        >>> import numpy as np, tinynet as tn
        >>> model = tn.Sequential([tn.layers.Dense(1, input_shape=(2,))])
        >>> model.compile(optimizer="adam", loss="mse")
        >>> _ = model.fit(np.ones((4, 2)), np.zeros((4, 1)), epochs=2, batch_size=2, verbose=0)
        >>> state = model.get_training_state()
        >>> sorted(state["optimizer"]), int(state["optimizer"]["iterations"]), state["shuffle_rng"]["bit_generator"]
        (['0/m', '0/v', '1/m', '1/v', 'iterations'], 4, 'PCG64')
        """
        if not self.compiled:
            return None
        shuffle = self._shuffle_rng
        return {
            "optimizer": self.optimizer.get_state(self.parameters()),
            "shuffle_rng": None if shuffle is None else shuffle.bit_generator.state,
        }

    def set_training_state(self: Model, state: dict[str, Any]) -> None:  # type: ignore[misc]  # a mixin of Model
        """Put back what :meth:`get_training_state` returned, into a compiled model with the same parameters.

        The optimizer's part is checked by ``Optimizer.set_state`` (names,
        shapes and dtypes, position by position) and the generator's on a
        spare generator before anything is set: a refused state changes
        nothing. ``"shuffle_rng": None`` leaves the shuffling generator as it is.

        Raises
        ------
        CallOrderError
            Before ``compile``.
        InvalidValueError
            For a state that does not fit the model and its optimizer.
        """
        where = f"{self._label()}: set_training_state"
        if not self.compiled:
            raise CallOrderError(
                f"{where}() before compile(): the state belongs to the optimizer. Compile the model first, e.g. "
                "with compile_from_config(other.get_compile_config())."
            )
        if not isinstance(state, Mapping) or set(state) != _STATE_KEYS:
            raise InvalidValueError(
                f"{where} takes a dict with the keys 'optimizer' and 'shuffle_rng' (what get_training_state() "
                f"returns), received {describe(state)}."
            )
        shuffle, generator = state["shuffle_rng"], self._shuffle_rng
        if shuffle is not None and generator is not None:
            spare = type(generator.bit_generator)()
            try:
                spare.state = shuffle
            except (TypeError, ValueError, KeyError, OverflowError) as error:
                raise InvalidValueError(
                    f"{where}: 'shuffle_rng' is not a state of fit's {type(spare).__name__} generator "
                    f"(a bit_generator.state dict): {error}"
                ) from None
        self.optimizer.set_state(self.parameters(), state["optimizer"])  # checks all before changing anything
        if shuffle is not None and generator is not None:
            generator.bit_generator.state = shuffle


def _serialized(entry: Any) -> bool:
    return isinstance(entry, dict) and set(entry) == {"class_name", "config"}


def _optimizer(entry: dict[str, Any], custom_objects: dict[str, type] | None) -> Optimizer:
    """The optimizer of ``entry``; a schedule as its learning rate is resolved with ``custom_objects`` too."""
    config = entry["config"]
    if isinstance(config, dict) and isinstance(config.get("learning_rate"), dict):
        schedule = resolve(config["learning_rate"], "learning rate schedule", LearningRateSchedule, {}, custom_objects)
        config = {**config, "learning_rate": schedule}
    return resolve({"class_name": entry["class_name"], "config": config}, "optimizer", Optimizer, {}, custom_objects)
