"""``Sequential``: layers chained one after another; the seed's ``nn_architecture`` as an object."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from .. import activations, initializers
from .._layer_entries import layer_from_entry
from .._masking import run_masked
from .._validation import integer
from ..errors import InvalidTypeError, InvalidValueError, LayerReuseError
from ..layer import Array, Layer, Shape
from ..layers.dense import Dense
from ..layers.input_layer import InputLayer
from ..registry import register, serialize
from ..symbolic import SymbolicTensor
from ._plan import Plan
from .model import Model

__all__ = ["Sequential"]

_SPEC_KEYS = {"input_dim", "output_dim", "activation"}


@register
class Sequential(Model):
    """A stack of layers: ``forward`` runs them in order, ``backward`` in reverse.

    Math (layers f_1 ... f_n, grad = dL/dy)::

        forward    h_0 = x,  h_k = f_k(h_{k-1}),  y = h_n
        backward   g_n = grad,  g_{k-1} = f_k.backward(g_k),  dx = g_0

    Parameters
    ----------
    layers : iterable of Layer, optional
        The layers, first to last; more can be appended with :meth:`add`. A
        ``tn.Input(shape=...)`` may come first, as in Keras 3: it fixes the
        input shape and builds the chain.
        Giving the first one ``input_shape=`` builds the whole chain at once
        (so does a first layer built already, such as a model built before);
        otherwise it is built on the first call.
    **kwargs
        ``name``, ``dtype``, ``trainable`` (see :class:`~tinynet.Layer`).

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> model = tn.Sequential([
    ...     tn.layers.Dense(4, activation="relu", input_shape=(2,)),
    ...     tn.layers.Dense(1, activation="sigmoid"),
    ... ])
    >>> model.count_params(), [w.shape for w in model.get_weights()]
    (17, [(2, 4), (4,), (4, 1), (1,)])
    """

    #: ``(Layer.parameter_changes, plan)``: the steps ``forward`` and ``backward`` run (see ``_plan``); a class
    #: default, so a model pickled before plans existed still runs.
    _kept_plan: tuple[int, Plan] | None = None

    def __init__(self, layers: Iterable[Layer] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.layers: list[Layer] = []
        self._lowest: tuple[int, Plan, int] | None = None
        self._masks: tuple[int, bool] | None = None
        self._contents: tuple[int, int, set[int], Shape | None] | None = None  # see _layers_inside
        for layer in layers or []:
            self.add(layer)
        self._build_if_declared()

    def _build_if_declared(self) -> None:
        """A model given ``input_shape`` (or a ``tn.Input`` first) is built as soon as it has layers."""
        if not self.built and self.layers and self._declared_input_shape is not None:
            self.ensure_built(self._declared_input_shape)

    @property
    def takes_indices(self) -> bool:  # type: ignore[override]
        """A model whose first layer takes indices (Embedding) takes indices."""
        return bool(self.layers) and self.layers[0].takes_indices

    def check_input_values(self, x: Array) -> None:
        if self.layers:
            self.layers[0].check_input_values(x)

    def add(self, layer: Layer) -> None:
        """Append ``layer``; if the model is built (or ``layer`` is first with ``input_shape``), build it now.

        A first layer that is built already (an inner model built before) builds the model for its input shape.

        A layer instance already in the model, at any depth, is refused with a
        ``LayerReuseError``. The check walks ``layer`` alone, against the set
        of layers the model keeps, so adding n layers one by one takes time
        linear in n.
        """
        if isinstance(layer, SymbolicTensor):  # Sequential([tn.Input(shape=...), ...]), as in Keras 3
            self._add_input(layer)
            return
        if not isinstance(layer, Layer):
            raise InvalidTypeError(f"{self._label()}: add() takes a tinynet Layer, received {type(layer).__name__}.")
        inside, output_shape = self._layers_inside()
        added = list(layer.walk())  # refuses a layer that holds one instance twice
        if any(id(inner) in inside for inner in added):  # confirmed by a fresh walk: the kept set may be stale
            inside, output_shape = {id(known) for known in self.walk()}, None
        for inner in added:
            if id(inner) in inside:
                raise LayerReuseError(
                    f"{self._label()}: {inner._label()} is already in this model. One layer instance can sit "
                    "in a model once; create a new layer (weight sharing is not supported yet)."
                )
        Layer.parameter_changes += 1
        if self.built:
            shape = self.compute_output_shape(self.input_shape or ()) if output_shape is None else output_shape
            layer.ensure_built(shape)
            output_shape = layer.compute_output_shape(shape)
            self.layers.append(layer)
        else:
            self.layers.append(layer)
            first_shape = layer._declared_input_shape
            if first_shape is None and layer.built and not layer.accepts_any_shape:
                first_shape = layer.input_shape  # a built first layer (a model built before) fixes the input shape
            if len(self.layers) == 1 and first_shape is not None:
                try:
                    self.ensure_built(first_shape)
                except BaseException:
                    self.layers.pop()
                    raise
        inside.update(id(inner) for inner in added)
        self._contents = (Layer.parameter_changes, len(self.layers), inside, output_shape)

    def _add_input(self, tensor: SymbolicTensor) -> None:
        """A ``tn.Input`` first in the list fixes the model's input shape; it adds no layer."""
        if self.layers or self.built or not isinstance(tensor.node.layer, InputLayer):
            raise InvalidValueError(
                f"{self._label()}: a Sequential takes a tn.Input only as its first entry, to fix the input shape; "
                f"received {tensor!r} after {len(self.layers)} layer(s). For graphs use tn.Model(inputs, outputs)."
            )
        self._declared_input_shape = tensor.per_sample_shape
        self.ensure_built(tensor.per_sample_shape)

    def _layers_inside(self) -> tuple[set[int], Shape | None]:
        """The ids of every layer in the model (itself included) and, when ``add`` knew it, the output shape.

        ``add`` keeps both up to date. When anything may have changed since
        the last ``add`` (``Layer.parameter_changes`` moved: a layer was added
        to a model inside, a parameter created; or ``self.layers`` was edited
        directly), the model is walked afresh.
        """
        kept = self._contents
        if kept is not None and kept[0] == Layer.parameter_changes and kept[1] == len(self.layers):
            return kept[2], kept[3]
        return {id(known) for known in self.walk()}, None

    def build(self, input_shape: Shape) -> None:
        shape = input_shape
        for layer in self.layers:
            layer.ensure_built(shape)
            shape = layer.compute_output_shape(shape)

    def forward(self, x: Array, training: bool = False, mask: Any = None) -> Array:
        """The layers in order; a mask (made inside, or ``mask`` given) is carried along (:mod:`tinynet._masking`)."""
        if mask is None and not self._makes_masks():
            plan = self._plan()
            for step in plan.steps:  # the layers, a pooling run before a ReLU where they commute
                x = step.forward(x, training and step.trainable)
            self._output_masks = None
        else:
            plan = Plan(self.layers, reorder=False)  # each layer may use the mask, or drop it: one by one
            for layer in self.layers:
                x, mask = run_masked(layer, x, training and layer.trainable, mask, {})
            self.keep_output_masks([x], [mask])
        self.remember(plan=plan)  # backward undoes these steps (a shared model: each call's own)
        return x

    def _makes_masks(self) -> bool:
        """Whether a layer may make a mask; kept until ``Layer.parameter_changes`` moves."""
        if self._masks is None or self._masks[0] != Layer.parameter_changes:
            self._masks = (Layer.parameter_changes, any(layer.creates_mask for layer in self.layers))
        return self._masks[1]

    def backward(self, grad: Array) -> Array | None:
        """The layers' ``backward``s, last to first; ``None`` when ``needs_input_grad`` is false.

        Then nothing needs dL/dx: the layers at the bottom with nothing to
        train (frozen, or without parameters, such as ``Flatten``) are not run
        at all, and the lowest one that has something to train runs with its
        own ``needs_input_grad`` false, so it may skip its input gradient.
        The steps are those the last ``forward`` ran (:class:`~tinynet.models._plan.Plan`).
        """
        (plan,) = self.recall("plan")
        steps = plan.steps
        if self.needs_input_grad:
            for step in reversed(steps):
                grad = step.backward(grad)  # None only from the first layer (an index has none)
            return grad
        bottom = self._lowest_trained_step(plan)
        if bottom == len(steps):
            return None
        for step in reversed(steps[bottom + 1 :]):
            grad = step.backward(grad)
        first = steps[bottom]
        first.needs_input_grad = False
        try:
            first.backward(grad)
        finally:
            del first.needs_input_grad  # back to the class's default
        return None

    def _plan(self) -> Plan:
        """The steps that run the layers; made anew when ``self.layers`` or ``Layer.parameter_changes`` moves."""
        kept = self._kept_plan
        if kept is None or kept[0] != Layer.parameter_changes or kept[1].layers != self.layers:
            kept = self._kept_plan = (Layer.parameter_changes, Plan(self.layers))
        return kept[1]

    def _lowest_trained_step(self, plan: Plan) -> int:
        """The index of the first step of ``plan`` that holds something to train (``len(steps)`` if none does)."""
        if self._lowest is None or self._lowest[0] != Layer.parameter_changes or self._lowest[1] is not plan:
            index = next((k for k, step in enumerate(plan.steps) if step.trainable_parameters()), len(plan.steps))
            self._lowest = (Layer.parameter_changes, plan, index)
        return self._lowest[2]

    # ------------------------------------------------------------------ the fused loss
    def output_layers(self) -> list[Layer]:
        """The layer that produces the output — the last one — for ``compile``'s fused loss."""
        return self.layers[-1:]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = self._check_shape(input_shape)
        self.ensure_built(shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layers": [serialize(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> Sequential:
        config = dict(config)
        layers = [layer_from_entry(entry, custom_objects) for entry in config.pop("layers", [])]
        model = cast(Sequential, super().from_config(config))
        for layer in layers:
            model.add(layer)
        model._build_if_declared()
        return model

    # ------------------------------------------------------------------ the seed's form
    @classmethod
    def from_architecture(
        cls,
        spec: list[dict[str, Any]],
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> Sequential:
        """Build the seed's network from its list of dicts.

        Each entry is ``{"input_dim": int, "output_dim": int, "activation": str}``
        and becomes a ``Dense(output_dim, activation)``; the model is built for
        ``(batch, spec[0]["input_dim"])``. Every ``input_dim`` must equal the
        previous ``output_dim``. Weights start from Dense's defaults; pass
        ``kernel_initializer=tn.initializers.RandomNormal(stddev=0.1)`` (and the
        same for the bias) to reproduce the seed's ``randn * 0.1``.

        Examples
        --------
        >>> import tinynet as tn
        >>> nn_architecture = [
        ...     {"input_dim": 2, "output_dim": 25, "activation": "relu"},
        ...     {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"},
        ... ]
        >>> tn.Sequential.from_architecture(nn_architecture).count_params()
        101
        >>> tn.Sequential.from_architecture([{"input_dim": 2, "output_dim": 4, "activation": "relu"},
        ...                                  {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"}])
        Traceback (most recent call last):
        ...
        tinynet.errors.InvalidValueError: from_architecture: entry 1 has input_dim 3, but entry 0 has output_dim 4; ...
        """
        if not isinstance(spec, (list, tuple)):
            raise InvalidTypeError(f"from_architecture: spec must be a list of dicts, received {type(spec).__name__}.")
        if not spec:
            raise InvalidValueError(
                "from_architecture: spec must be a non-empty list of dicts; received an empty list."
            )
        layers = []
        for index, entry in enumerate(spec):
            input_dim, output_dim, activation = _check_entry(index, entry)
            if index > 0 and input_dim != spec[index - 1]["output_dim"]:
                raise InvalidValueError(
                    f"from_architecture: entry {index} has input_dim {input_dim}, but entry {index - 1} has "
                    f"output_dim {spec[index - 1]['output_dim']}; each input_dim must equal the previous output_dim."
                )
            layers.append(
                Dense(
                    output_dim,
                    activation=activation,
                    kernel_initializer=_fresh(kernel_initializer),
                    bias_initializer=_fresh(bias_initializer),
                    input_shape=(input_dim,) if index == 0 else None,
                )
            )
        return cls(layers, **kwargs)


def _check_entry(index: int, entry: Any) -> tuple[int, int, Any]:
    if not isinstance(entry, dict):
        raise InvalidTypeError(f"from_architecture: entry {index} must be a dict, received {type(entry).__name__}.")
    unknown, missing = set(entry) - _SPEC_KEYS, {"input_dim", "output_dim"} - set(entry)
    if unknown or missing:
        raise InvalidValueError(
            f"from_architecture: entry {index} has keys {sorted(entry)}; expected input_dim, output_dim and "
            f"optionally activation" + (f" (unknown: {sorted(unknown)})" if unknown else "") + "."
        )
    input_dim = integer(entry["input_dim"], f"from_architecture: entry {index}", "input_dim", minimum=1)
    output_dim = integer(entry["output_dim"], f"from_architecture: entry {index}", "output_dim", minimum=1)
    activation = entry.get("activation")
    activations.get(activation)  # an unknown id fails here, naming the known ones
    return input_dim, output_dim, activation


def _fresh(initializer: Any) -> Any:
    """A string id gives each layer its own initializer (and generator); an object is shared as given."""
    return initializers.get(initializer) if isinstance(initializer, str) else initializer
