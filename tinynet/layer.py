"""``Layer``: the base class every layer, activation and model derives from.

A layer owns its :class:`~tinynet.Parameter` objects (created in ``build``
with ``add_parameter``) and whatever it cached in ``forward`` for ``backward``
(``remember`` / ``recall``: the seed's ``memory``, one per layer). Sub-layers
are plain public attributes — a ``Layer`` or a list or tuple of them — found
by a walk over ``vars(self)`` (:mod:`tinynet._layer_tree`, with the parameters
and weights read along it); attributes whose names start with ``_`` are
private and never walked.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from . import initializers
from ._layer_tree import LayerTree
from ._masking import MaskProtocol
from ._memory import Memory, inference
from ._rollback import unchanged_on_error
from ._shapes import (
    checked_batch,
    checked_shape,
    describe_shape,
    filled,
    has_unknown,
    is_list_of_inputs,
    shape_fits,
    shape_key,
    unknown_where_different,
)
from ._validation import float_dtype
from .errors import CallOrderError, InvalidTypeError, InvalidValueError, ShapeError
from .parameter import Parameter, charge_parameter
from .symbolic import call_symbolic, is_symbolic

__all__ = ["Layer", "Shape", "Array"]

Shape = tuple[int, ...]
Array = np.ndarray

_name_counts: dict[str, int] = {}


def _auto_name(cls: type) -> str:
    base = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", cls.__name__).lower()  # Dense: dense, Conv2D: conv2d
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


class Layer(Memory, MaskProtocol, LayerTree):
    """Base class of every layer: subclass it and write ``build``, ``forward`` and ``backward``.

    Contract
    --------
    - ``build(input_shape)`` creates the parameters from the per-sample input
      shape (no batch axis) with ``self.add_parameter``. It runs once, on the
      first call or when a ``Sequential`` is given ``input_shape=``. A size
      may be ``None``, unknown until data flows (the steps of
      ``tn.Input(shape=(None, 8))``): a layer built so takes any size there;
      a parameter's shape cannot depend on it (``add_parameter`` says so).
    - ``forward(x, training=False)`` returns the output and caches what
      ``backward`` needs (``self.remember(x=x)``).
    - ``backward(grad)`` takes dLoss/dOutput, **overwrites** ``.grad`` of each
      parameter and returns dLoss/dInput. It refers to the most recent
      ``forward``. It may return ``None`` instead when ``self.needs_input_grad``
      is false (optional: a speed path for layers whose input gradient is a
      costly product).
    - ``layer(x)`` checks ``x`` (numeric, finite, the shape the layer was built
      for), builds the layer if needed, casts ``x`` to ``layer.dtype`` and runs
      ``forward``. ``forward`` itself trusts its input: it is the fast path the
      containers use once everything is checked.
    - Masks (padding, see :mod:`tinynet._masking`): a ``forward`` with a
      ``mask`` argument receives its input's mask from the containers;
      ``supports_masking`` passes a mask on, ``compute_mask`` says what the
      output's mask is.

    Parameters
    ----------
    name : str, optional
        Shown by ``summary``; defaults to the snake-cased class name (``dense_1``).
    dtype : str or numpy dtype
        The floating dtype of the parameters and of inputs after casting; float32 by default.
    trainable : bool
        ``False`` freezes the layer and every layer inside it.
    input_shape : tuple of int, optional
        Per-sample input shape, ``None`` for a size not known in advance
        (``(None, 8)``: any number of steps). Given to the first layer of a
        ``Sequential``, it builds the whole chain at once.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> class Scale(tn.Layer):
    ...     def build(self, input_shape):
    ...         self.alpha = self.add_parameter("alpha", input_shape, initializer="ones")
    ...     def forward(self, x, training=False):
    ...         self.remember(x=x)
    ...         return self.alpha.value * x
    ...     def backward(self, grad):
    ...         (x,) = self.recall("x")
    ...         self.alpha.grad = (grad * x).sum(axis=0)
    ...         return grad * self.alpha.value
    >>> layer = Scale()
    >>> layer(np.array([[1.0, 2.0]]))
    array([[1., 2.]], dtype=float32)
    >>> tn.testing.check_gradients(layer, np.array([[0.5, -1.0], [2.0, 3.0]]))
    """

    #: Layers whose output shape follows any input shape (activations, dropout)
    #: set this, and are not tied to the shape they were first called with.
    accepts_any_shape: bool = False

    #: Layers that take integer indices (Embedding) set this: calling them
    #: checks for integers instead of casting to ``dtype``, and ``backward``
    #: returns ``None`` (there is no gradient with respect to an index).
    takes_indices: bool = False

    #: Whether whoever runs ``backward`` will use dLoss/dInput. A container sets
    #: it to ``False`` on a layer while running that layer's ``backward`` when
    #: nothing below needs the gradient (the first layer of a model in
    #: training, whose input is the data), then sets it back. A layer may read
    #: it and return ``None`` instead of computing an input gradient that
    #: nobody reads (Dense and the convolutions do); ignoring it is correct.
    needs_input_grad: bool = True

    #: Counts the changes that alter which parameters training updates: a layer
    #: frozen or unfrozen, a parameter created, a layer added to a Sequential.
    #: ``fit`` keeps its list of parameters until this moves.
    parameter_changes: int = 0

    def __init__(
        self,
        *,
        name: str | None = None,
        dtype: Any = "float32",
        trainable: bool = True,
        input_shape: Shape | None = None,
    ) -> None:
        self._name = name if name is not None else _auto_name(type(self))
        if not isinstance(self._name, str) or not self._name:
            raise InvalidTypeError(f"{type(self).__name__}: name must be a non-empty string, received {name!r}.")
        self._dtype = float_dtype(dtype, type(self).__name__)
        self._trainable = bool(trainable)
        self._parameters: list[Parameter] = []
        self._memory: dict[str, Any] = {}
        self._built = False
        self._building = False
        self._build_shape: Any = None  # the shape build() is running for, for add_parameter's errors
        self.input_shape: Shape | None = None
        self._declared_input_shape = None if input_shape is None else self._check_shape(input_shape)

    # ------------------------------------------------------------------ identity
    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    @property
    def built(self) -> bool:
        return self._built

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze (``False``) or unfreeze this layer and every layer inside it."""
        for layer in self.walk():
            layer._trainable = bool(value)
        Layer.parameter_changes += 1

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._name!r}>"

    def _label(self) -> str:
        """How errors name this layer: ``Dense 'dense_1'``."""
        return f"{type(self).__name__} {self._name!r}"

    # ------------------------------------------------------------------ building
    def build(self, input_shape: Shape) -> None:
        """Create the parameters for a per-sample ``input_shape``; the default creates none."""

    def add_parameter(
        self,
        name: str,
        shape: Shape,
        initializer: Any = "zeros",
        trainable: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
    ) -> Parameter:
        """Create, register and return a ``Parameter``; call it from ``build`` only.

        ``regularizer`` and ``constraint`` are given to the ``Parameter`` (see there).

        Inside a :func:`~tinynet.parameter.parameter_budget` block its bytes are charged before it is allocated.
        """
        if self._built and not self._building:
            raise CallOrderError(
                f"{self._label()}: add_parameter({name!r}) after the layer was built. "
                "Create parameters in build(input_shape)."
            )
        if any(p.name == name for p in self._parameters):
            raise InvalidValueError(f"{self._label()}: a parameter named {name!r} exists already.")
        shape = self._check_shape(shape)
        if has_unknown(shape):
            raise ShapeError(
                f"{self._label()}: parameter {name!r} would have shape {shape}: it takes a size from the input, "
                f"whose per-sample shape {self._build_shape} has that size unknown (None). Give the size in "
                "tn.Input(shape=...) or input_shape=..., or reduce that axis before this layer (a recurrent layer "
                "without return_sequences, a global pooling); a Flatten of an axis of unknown size has unknown size."
            )
        if not charge_parameter(self, name, shape, self._dtype):  # a parameter_budget may refuse it first
            initializer = "zeros"
        value = initializers.get(initializer)(shape, dtype=self._dtype)
        parameter = Parameter(name, value, trainable=trainable, regularizer=regularizer, constraint=constraint)
        parameter.path = f"{self.name}/{name}"
        self._parameters.append(parameter)
        Layer.parameter_changes += 1
        return parameter

    def ensure_built(self, input_shape: Any) -> None:
        """Build for ``input_shape`` unless built; if built, check the shape matches.

        ``input_shape`` is one per-sample shape, or a list of them for a layer
        called on a list of inputs (a merge layer). A ``build`` that fails
        leaves the layer exactly as it was.
        """
        input_shape = self._check_shape(input_shape)
        if self._built:
            self.check_input_shape(input_shape)
            return
        with unchanged_on_error(self):  # a failed build leaves no trace, in sub-layers either
            self._building, self._build_shape = True, input_shape
            self.build(input_shape)
        self._building, self._build_shape = False, None
        self.input_shape = input_shape
        self._built = True

    def check_input_shape(self, input_shape: Any) -> None:
        """Raise ``ShapeError`` unless a built layer can take per-sample ``input_shape`` (or list of them).

        A size the layer was built as ``None`` takes any size; a known one takes that size only.
        """
        if self._built and not self.accepts_any_shape and not shape_fits(self.input_shape, shape_key(input_shape)):
            raise ShapeError(
                f"{self._label()}: expected input of shape {describe_shape(self.input_shape)}, received per-sample "
                f"shape {shape_key(input_shape)}. The layer was built for {self.input_shape}; pass data of that "
                "shape or create a new layer."
            )

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Per-sample output shape; the base class runs ``forward`` on one zero sample (of each input).

        For an input with sizes unknown (``None``), it runs ``forward`` twice, with
        every ``None`` as 2 and then as 3, and writes ``None`` where the two outputs differ.
        A layer whose calls take options (see ``__call__``) overrides it as
        ``compute_output_shape(input_shape, **options)``; a layer that overrides it handles ``None`` itself.

        The probe runs under ``inference()``, so what ``forward`` remembered before stays in place.
        """
        input_shape = self._check_shape(input_shape)
        self.ensure_built(input_shape)
        if not has_unknown(input_shape):
            return self._probe(input_shape)
        two, three = self._probe(filled(input_shape, 2)), self._probe(filled(input_shape, 3))
        if [len(s) for s in _listed(two)] != [len(s) for s in _listed(three)]:
            raise ShapeError(
                f"{self._label()}: its output's rank depends on the sizes unknown (None) in the input "
                f"{input_shape}, so the output shape cannot be inferred; override compute_output_shape."
            )
        return unknown_where_different(two, three)

    def _probe(self, input_shape: Any) -> Any:
        """The output shape of ``forward`` on one zero sample (of each input) of ``input_shape``."""
        dtype = np.intp if self.takes_indices else self._dtype
        probe: Any = (
            [np.zeros((1, *shape), dtype=dtype) for shape in input_shape]
            if isinstance(input_shape, list)
            else np.zeros((1, *input_shape), dtype=dtype)
        )
        with inference():
            y = self.forward(probe)
        return [tuple(part.shape[1:]) for part in y] if isinstance(y, (list, tuple)) else tuple(y.shape[1:])

    def _check_shape(self, shape: Any) -> Any:
        return checked_shape(type(self).__name__, shape)

    # ------------------------------------------------------------------ running
    def __call__(self, x: Any, training: bool = False, **options: Any) -> Any:
        """Check ``x``, build on first use, cast to ``self.dtype``, run ``forward``.

        ``x`` is an array, or a list of arrays for a layer that takes several
        inputs (a merge layer), all with the same number of samples. Called
        on symbolic tensors (``tn.Input`` and what layers return for it), the
        layer computes nothing: it builds, and records a node of a graph.
        ``options`` are a call's own settings (plain values, such as
        attention's ``use_causal_mask``), passed on to ``forward`` (and kept
        with the node of a graph) for a layer whose ``forward`` takes them.
        """
        if is_symbolic(x):
            return call_symbolic(self, x, options)
        x = self.validate_input(x)
        self.ensure_built([xi.shape[1:] for xi in x] if isinstance(x, list) else x.shape[1:])
        return self.forward(x, training=training, **options)

    def validate_input(self, x: Any) -> Any:
        """``x`` as an array of this layer's dtype (or a list of them), or a clear error; changes no state."""
        if is_list_of_inputs(x):
            arrays = [self._validate_array(xi, f"input {i}") for i, xi in enumerate(x)]
            sizes = {len(a) for a in arrays}
            if len(sizes) > 1:
                raise ShapeError(
                    f"{self._label()}: its inputs must hold the same number of samples, received "
                    f"{[len(a) for a in arrays]}."
                )
            self.check_input_shape([a.shape[1:] for a in arrays])
            return arrays
        x = self._validate_array(x, "input")
        self.check_input_shape(x.shape[1:])
        return x

    def _validate_array(self, x: Any, what: str) -> Array:
        return checked_batch(x, self._dtype, self.takes_indices, self.accepts_any_shape, self._label(), what)

    def check_input_values(self, x: Array) -> None:
        """Raise if the values of a well-typed, well-shaped ``x`` are out of this layer's domain; default: none are.

        Embedding checks its index range here. ``fit`` / ``evaluate`` / ``predict``
        call it on the whole data set before the first step.
        """

    def check_batch_size(self, size: int, training: bool) -> None:
        """Raise if this layer cannot run on a batch of ``size`` samples; default: any size works.

        BatchNorm refuses to train on a batch with one value per feature. ``fit``
        asks every layer about every batch size it will use before the first
        step, so no batch is refused halfway through training.
        """

    def forward(self, x: Any, training: bool = False) -> Any:
        """The output for a batch ``x`` (a list of batches for several inputs); ``remember`` what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x, training=False).")

    def backward(self, grad: Any) -> Any:
        """Set each parameter's ``.grad`` from ``grad`` = dLoss/dOutput; return dLoss/dInput.

        ``None`` is returned where there is no input gradient (integer indices) or nobody needs
        it (``needs_input_grad`` false).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad).")

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as JSON-ready values; ``from_config`` takes them back."""
        config: dict[str, Any] = {"name": self._name, "dtype": self._dtype.name, "trainable": self._trainable}
        if self._declared_input_shape is not None:
            config["input_shape"] = list(self._declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new, unbuilt layer from ``get_config()``'s output."""
        config = dict(config)
        if "input_shape" in config and config["input_shape"] is not None:
            config["input_shape"] = checked_shape(cls.__name__, config["input_shape"])  # one shape, or a list
        return cls(**config)


def _listed(shape: Any) -> list[Any]:
    """An output shape, or a list of them, as a list."""
    return shape if isinstance(shape, list) else [shape]
