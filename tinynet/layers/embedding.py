"""``Embedding``: integer indices looked up as rows of a learned table; ``PositionEmbedding``: one row per position."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import constraints, initializers, regularizers
from .._validation import as_array, integer
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register, serialize

__all__ = ["Embedding", "PositionEmbedding"]

#: Keras's short initializer ids that tinynet's registry spells out.
_KERAS_IDS = {"uniform": "random_uniform", "normal": "random_normal"}


@register
class Embedding(Layer):
    """Turns each integer index into a learned vector: row ``x`` of ``embeddings``.

    Math (grad = dL/dy)::

        forward    y = embeddings[x]                      (y[..., :] = embeddings[x[...], :])
        backward   dembeddings = 0;  dembeddings[x] += grad   (np.add.at: a repeated index adds up)
                   dx: none — an index has no gradient; backward returns None

    Parameters
    ----------
    input_dim : int
        Size of the vocabulary: indices lie in ``[0, input_dim)``.
    output_dim : int
        Length of each vector.
    embeddings_initializer : str or initializer
        ``"uniform"`` (``RandomUniform(-0.05, 0.05)``) by default, as in Keras.
    embeddings_regularizer : str or regularizer, optional
        A penalty on the table.
    embeddings_constraint : str or constraint, optional
        A projection the optimizer applies to the table after each update
        (``tn.constraints.UnitNorm(axis=1)``: every vector to length 1).
    mask_zero : bool
        Index 0 is padding: the output's mask (see :mod:`tinynet._masking`) is
        ``x != 0``, and the recurrent layers, attention and global pooling after
        it skip those steps. Index 0 then stands for no word, so ``input_dim`` is
        the vocabulary size plus one, as in Keras.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, ...)`` of integers; output ``(batch, ..., output_dim)`` of
    ``dtype``. Parameter ``embeddings (input_dim, output_dim)``, Keras's name and layout.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.Embedding(10, 4, name="words")
    >>> layer(np.array([[1, 2, 2], [9, 0, 1]])).shape
    (2, 3, 4)
    >>> layer(np.array([[-1, 2, 3]]))
    Traceback (most recent call last):
    ...
    tinynet.errors.InvalidValueError: Embedding 'words': indices must lie in [0, 10) (input_dim=10); ...

    Notes
    -----
    An index out of range is an error, never NumPy's silent wrap of ``-1`` to
    the last row. ``__call__`` and ``forward`` both check it (one ``min`` and
    one ``max``) before anything changes.
    """

    takes_indices = True

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mask_zero = bool(mask_zero)
        self.input_dim = integer(input_dim, self._label(), "input_dim", minimum=1)
        self.output_dim = integer(output_dim, self._label(), "output_dim", minimum=1)
        if isinstance(embeddings_initializer, str):
            embeddings_initializer = _KERAS_IDS.get(embeddings_initializer.lower(), embeddings_initializer)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)

    def build(self, input_shape: Shape) -> None:
        self.embeddings = self.add_parameter(
            "embeddings",
            (self.input_dim, self.output_dim),
            self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )

    def validate_input(self, x: Any) -> Array:
        """Integer indices in ``[0, input_dim)``, or an error naming the layer and the shapes; changes no state."""
        array = as_array(x, self._label())
        if array.dtype.kind not in "iu":
            raise InvalidTypeError(
                f"{self._label()}: expected integer indices in [0, {self.input_dim}) of shape (batch, ...), "
                f"received dtype {array.dtype} with shape {array.shape}. Cast whole-number data with x.astype(int)."
            )
        array = super().validate_input(array)
        self.check_input_values(array)
        return array

    def check_input_values(self, x: Array) -> None:
        if x.size == 0 or (x.min() >= 0 and x.max() < self.input_dim):
            return
        where = tuple(int(i) for i in np.argwhere((x < 0) | (x >= self.input_dim))[0])
        raise InvalidValueError(
            f"{self._label()}: indices must lie in [0, {self.input_dim}) (input_dim={self.input_dim}); received "
            f"{x[where]} at index {where} of the input of shape {x.shape} (values in [{x.min()}, {x.max()}]). "
            "Negative indices are not counted from the end; remap the data or raise input_dim."
        )

    def forward(self, x: Array, training: bool = False) -> Array:
        self.check_input_values(x)
        self.remember(x=x)
        return np.take(self.embeddings.value, x, axis=0)

    def backward(self, grad: Array) -> None:  # an index has no gradient
        (x,) = self.recall("x")
        dembeddings = np.zeros_like(self.embeddings.value)
        np.add.at(dembeddings, x.reshape(-1), grad.reshape(-1, self.output_dim))
        self.embeddings.grad = dembeddings
        return None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return (*input_shape, self.output_dim)

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """With ``mask_zero``, ``x != 0``: the steps that hold a word; else no mask."""
        return np.not_equal(x, 0) if self.mask_zero else None

    @property
    def creates_mask(self) -> bool:
        return self.mask_zero

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "mask_zero": self.mask_zero,
            "embeddings_initializer": serialize(self.embeddings_initializer),
            "embeddings_regularizer": None
            if self.embeddings_regularizer is None
            else serialize(self.embeddings_regularizer),
            "embeddings_constraint": None
            if self.embeddings_constraint is None
            else serialize(self.embeddings_constraint),
        }


@register
class PositionEmbedding(Layer):
    """A learned vector per position of a sequence, returned in the input's shape (keras_hub's ``PositionEmbedding``).

    Math (x of shape ``(..., steps, features)``; grad = dL/dy)::

        forward    y = broadcast_to(embeddings[:steps], x.shape)     (the values of x are not read)
        backward   dembeddings[:steps] = grad summed over every axis before the steps (the batch)
                   dembeddings[steps:] = 0
                   dx = 0                                            (y does not depend on x's values)

    Only the shape of ``x`` matters. The output is the position embeddings
    alone: add them to the token embeddings yourself (an ``Add`` layer in a
    graph, ``tokens + positions`` in a custom model), as with keras_hub.

    Parameters
    ----------
    sequence_length : int
        The longest sequence the layer takes: the number of rows of ``embeddings``.
    initializer : str or initializer
        For ``embeddings``; ``"glorot_uniform"`` by default, as in keras_hub.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    input ``(batch, steps, features)`` (more leading axes are allowed: the
    last two are always the steps and the features), with ``steps <=
    sequence_length``; output the same shape. Parameter ``embeddings
    (sequence_length, features)``, keras_hub's name (the attribute is
    ``position_embeddings``). A built layer takes any ``steps`` up to
    ``sequence_length``, with the features and rank it was built for; built for
    ``steps=None`` (``tn.Input(shape=(None, features))``), it refuses a longer
    sequence when it meets one.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.PositionEmbedding(sequence_length=10)
    >>> tokens = np.zeros((8, 6, 16))
    >>> positions = layer(tokens)
    >>> positions.shape, layer.position_embeddings.shape
    ((8, 6, 16), (10, 16))
    >>> bool((positions[3] == layer.position_embeddings.value[:6]).all())
    True
    """

    #: The output keeps the input's steps, so it keeps its mask (see :mod:`tinynet._masking`).
    supports_masking = True

    def __init__(self, sequence_length: int, initializer: Any = "glorot_uniform", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sequence_length = integer(sequence_length, self._label(), "sequence_length", minimum=1)
        self.initializer = initializers.get(initializer)

    def build(self, input_shape: Shape) -> None:
        self._check_steps(input_shape)
        self.position_embeddings = self.add_parameter(
            "embeddings", (self.sequence_length, input_shape[-1]), self.initializer
        )

    def check_input_shape(self, input_shape: Any) -> None:
        """A built layer takes any number of steps up to ``sequence_length``, with its rank and features."""
        if not self.built:
            return
        built = self.input_shape or ()
        if isinstance(input_shape, list) or len(input_shape) != len(built) or input_shape[-1] != built[-1]:
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, {', '.join(map(str, built[:-2]))}"
                f"{', ' if len(built) > 2 else ''}steps, {built[-1]}) with steps <= {self.sequence_length}, "
                f"received per-sample shape {input_shape}. The layer was built for {built}."
            )
        self._check_steps(input_shape)

    def _check_steps(self, input_shape: Any) -> None:
        if isinstance(input_shape, list) or len(input_shape) < 2:
            raise ShapeError(
                f"{self._label()}: expected input of shape (batch, steps, features), received per-sample shape "
                f"{input_shape}."
            )
        if input_shape[-2] is not None and input_shape[-2] > self.sequence_length:
            raise ShapeError(
                f"{self._label()}: the input has {input_shape[-2]} steps (per-sample shape {input_shape}), more "
                f"than sequence_length={self.sequence_length}. Raise sequence_length or shorten the sequences."
            )

    def forward(self, x: Array, training: bool = False) -> Array:
        self._check_steps(x.shape[1:])  # a graph built for steps=None reaches here unchecked
        self.remember(shape=x.shape)
        y = np.empty(x.shape, dtype=self.position_embeddings.dtype)
        y[...] = self.position_embeddings.value[: x.shape[-2]]
        return y

    def backward(self, grad: Array) -> Array:
        (shape,) = self.recall("shape")
        steps = shape[-2]
        dembeddings = np.zeros_like(self.position_embeddings.value)
        dembeddings[:steps] = grad.reshape(-1, steps, shape[-1]).sum(axis=0)
        self.position_embeddings.grad = dembeddings
        return np.zeros(shape, dtype=grad.dtype)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.ensure_built(input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "initializer": serialize(self.initializer),
        }
