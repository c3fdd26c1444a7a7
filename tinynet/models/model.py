"""``Model``: a layer made of layers, trained Keras's way with ``compile`` / ``fit`` / ``evaluate`` / ``predict``."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, cast

import numpy as np

from .. import saving
from .._flat import FlatParameters
from ..activation import Activation
from ..callbacks import History
from ..errors import CallOrderError, InvalidValueError
from ..layer import Layer
from ..metrics import Mean
from ..parameter import Parameter
from ..registry import register
from .compiled_loss import CompiledLoss, ending_activation
from .functional import Graph
from .graph_config import graph_config, graph_from_config
from .summary import summary_table
from .trainer import Trainer
from .training_state import Resumable

__all__ = ["Model"]

_TRAINABLE = attrgetter("trainable")


@register
class Model(Trainer, Layer, Resumable):
    """A layer made of layers: a graph of layer calls, your own subclass, or a :class:`Sequential`.

    ``tn.Model(inputs, outputs)`` makes a *graph model* from symbolic tensors:
    ``inputs`` from ``tn.Input``, ``outputs`` from calling layers on them (one
    tensor, a list or a dict of them). Its ``forward`` runs the recorded
    layer calls in topological order and its ``backward`` runs them in
    reverse, summing the gradients of a tensor that feeds several layers; a
    layer called several times shares its weights (see
    :mod:`tinynet.models.functional`).

    ``tn.Model()`` without them is the base to subclass. A subclass keeps its
    sub-layers as plain attributes (a layer, or a list of them), and writes
    ``forward(x, training)`` over them — passing ``training`` down itself —
    and ``backward(grad)`` over their ``backward``s in reverse.
    ``parameters()``, ``get_weights`` / ``set_weights``, ``astype``,
    ``trainable``, ``compile`` / ``fit`` and ``summary`` then reach every
    layer inside; each layer once, even one a graph calls several times.

    Training (``fit``) runs :meth:`train_step` for each batch:
    ``forward(training=True)``, the loss plus the regularizers' penalties,
    ``backward``, ``optimizer.step``, the metrics. When the model ends in a
    sigmoid or softmax and the loss is the matching cross-entropy, the pair is
    fused (see :class:`~tinynet.models.CompiledLoss`). Override
    ``train_step`` to train differently (a GAN, a custom objective) and keep
    ``fit``'s callbacks, progress bar, ``History`` and saving.

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

    def __init__(self, inputs: Any = None, outputs: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.optimizer: Any = None
        self.loss: Any = None
        self.compiled_loss: CompiledLoss | None = None
        self.compiled_metrics: list[Any] = []
        self._metric_outputs: list[int] | None = None
        self.loss_tracker = Mean(name="loss")
        self.stop_training = False
        self.history: History | None = None
        self._shuffle_rng: np.random.Generator | None = None
        self._trainable_cache: tuple[int, list[Parameter]] | None = None
        self._flat: tuple[list[Parameter], list[Parameter]] | None = None  # (walk, its flat list): see below
        self._graph: Graph | None = None
        self._output_masks: tuple[list[Any], list[Any]] | None = None  # see output_mask
        self._stepping = False  # set while this model trains (loops.training): see trainable_parameters
        if inputs is not None or outputs is not None:
            self._make_graph(inputs, outputs)

    # ------------------------------------------------------------------ a graph of layer calls
    def _make_graph(self, inputs: Any, outputs: Any) -> None:
        if inputs is None or outputs is None:
            raise InvalidValueError(f"{self._label()}: a graph model needs both inputs and outputs.")
        graph = Graph(self._label(), inputs, outputs)
        self._graph = graph
        self.layers = graph.layers
        shapes = [t.per_sample_shape for t in graph.inputs.tensors]
        self.ensure_built(shapes[0] if graph.inputs.kind == "single" else shapes)

    @property
    def takes_indices(self) -> bool:  # type: ignore[override]
        """A graph whose one input is integer (``tn.Input(..., dtype="int64")`` before an Embedding) takes indices."""
        if self._graph is None or len(self._graph.inputs.tensors) != 1:
            return False
        return self._graph.inputs.tensors[0].dtype.kind in "iu"

    def check_input_values(self, x: Any) -> None:
        if self._graph is not None:
            self._graph.check_input_values(x)

    @property
    def inputs(self) -> Any:
        """A graph model's input tensors, as given (``None`` for a subclass without a graph)."""
        return None if self._graph is None else self._graph.inputs.pack(self._graph.inputs.tensors)

    @property
    def outputs(self) -> Any:
        """A graph model's output tensors, as given (``None`` for a subclass without a graph)."""
        return None if self._graph is None else self._graph.outputs.pack(self._graph.outputs.tensors)

    def forward(self, x: Any, training: bool = False, mask: Any = None) -> Any:
        """A graph model runs its nodes in topological order; a subclass writes its own ``forward``.

        ``mask`` is the mask of the inputs (from a layer before the model, see
        :mod:`tinynet._masking`); the masks of the outputs are kept for :meth:`output_mask`.
        """
        if self._graph is None:
            raise NotImplementedError(f"{type(self).__name__} must implement forward(x, training=False).")
        return self._graph.forward(self, x, training, mask)

    def backward(self, grad: Any) -> Any:
        """A graph model runs its nodes' ``backward`` in reverse; a subclass writes its own ``backward``."""
        if self._graph is None:
            raise NotImplementedError(f"{type(self).__name__} must implement backward(grad).")
        return self._graph.backward(self, grad)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._graph is None:
            return super().compute_output_shape(input_shape)
        self.ensure_built(input_shape)
        shapes = [t.per_sample_shape for t in self._graph.outputs.tensors]
        return shapes[0] if self._graph.outputs.kind == "single" else shapes

    def get_config(self) -> dict[str, Any]:
        """A graph model's config holds its layers, its nodes and where its inputs and outputs are."""
        config = super().get_config()
        return config if self._graph is None else {**config, **graph_config(self._graph)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> Model:
        """A model from ``get_config()``'s output: a graph's layers are made and called anew, in order."""
        config = dict(config)
        if "nodes" not in config:
            return cast(Model, super().from_config(config))
        graph: dict[str, Any] = {
            key: config.pop(key) for key in ("layers", "nodes", "inputs", "outputs") if key in config
        }
        inputs, outputs = graph_from_config(graph, custom_objects)
        return cls(inputs=inputs, outputs=outputs, **config)

    # ------------------------------------------------------------------ masks of the outputs
    def keep_output_masks(self, outputs: list[Any] | None, masks: list[Any] | None) -> None:
        """Note the masks of the outputs of the latest ``forward`` (``None``: none of them has one)."""
        self._output_masks = None if outputs is None or masks is None else (outputs, masks)

    def output_mask(self, y: Any) -> Any:
        """The mask of output ``y`` of the latest ``forward``: ``(batch, steps)`` booleans, or ``None``.

        ``y`` must be the very array ``forward`` returned (or one of them): the
        loss and metrics compiled into the model call this to skip padded steps.
        """
        kept = self._output_masks
        if kept is None:
            return None
        for output, mask in zip(*kept, strict=True):
            if output is y:
                return mask
        return None

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """The masks of the outputs of the latest ``forward`` (on ``x``), packed like the outputs."""
        kept = self._output_masks
        if kept is None:
            return None
        return kept[1][0] if len(kept[1]) == 1 else list(kept[1])

    @property
    def creates_mask(self) -> bool:
        """Whether a layer inside may make a mask (a model of your own without ``layers`` makes none)."""
        return any(layer.creates_mask for layer in getattr(self, "layers", ()) if layer is not self)

    def output_layers(self) -> list[Layer]:
        """The layers that produce the outputs, in output order (a graph's); empty for a subclass."""
        return [] if self._graph is None else [t.node.layer for t in self._graph.outputs.tensors]

    @property
    def output_names(self) -> list[str]:
        """The outputs' names: the keys of a dict of outputs, else the names of the layers that produce them."""
        if self._graph is None:
            return ["output"]
        outputs = self._graph.outputs
        return list(outputs.keys) if outputs.kind == "dict" else [t.name for t in outputs.tensors]

    @property
    def input_names(self) -> list[str]:
        """The inputs' names (a graph's): the keys of a dict of inputs, else the ``tn.Input`` names."""
        if self._graph is None:
            return ["input"]
        inputs = self._graph.inputs
        return list(inputs.keys) if inputs.kind == "dict" else [t.name for t in inputs.tensors]

    def output_activation(self) -> Activation | None:
        """The activation that ends a one-output model (the one a fused loss takes over), if any."""
        layers = self.output_layers()
        return ending_activation(layers[0]) if len(layers) == 1 else None

    def trainable_parameters(self) -> list[Parameter]:
        """The trainable parameters of the layers that are not frozen.

        The walk over the model is kept until ``Layer.parameter_changes`` moves
        (a layer frozen, unfrozen, built or added), so a training step costs no
        walk; ``fit`` starts with a fresh one (``train_on_batch`` keeps it, as
        each step of ``fit`` does). A parameter's own ``trainable`` flag is read
        at every call. While this
        model trains (``fit``, ``train_on_batch``), when all of them train and
        share one dtype, the list is a :class:`~tinynet._flat.FlatParameters`:
        their values and gradients are views of two flat arrays, which an
        optimizer updates in one step. Models inside it are not flattened.
        """
        cache = self._trainable_cache
        if cache is None or cache[0] != Layer.parameter_changes:
            found = [p for layer in self.walk(skip_frozen=True) for p in layer.own_parameters()]
            cache = self._trainable_cache = (Layer.parameter_changes, found)
        found = cache[1]
        if not self._stepping or not all(map(_TRAINABLE, found)):
            return [p for p in found if p.trainable]
        return self._flat_parameters(found)

    def _flat_parameters(self, found: list[Parameter]) -> list[Parameter]:
        """``found`` pinned into flat buffers, kept from one ``fit`` to the next while they hold the same parameters.

        Each ``fit`` walks the model afresh; when the walk finds the parameters the
        kept buffers hold, still pinned, the buffers (and the optimizer's flat slots)
        stay: making them anew copies every weight, which for 20 million
        parameters cost more than a training step.
        """
        kept = self._flat
        if kept is not None and isinstance(kept[1], FlatParameters) and kept[1].intact():
            if kept[0] is found:
                return kept[1]
            if len(kept[1]) == len(found) and all(a is b for a, b in zip(kept[1], found, strict=True)):
                self._flat = (found, kept[1])
                return kept[1]
        flat = FlatParameters.of(found)  # pinned into flat buffers: the optimizer steps them at once
        self._flat = (found, flat)
        return flat

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
