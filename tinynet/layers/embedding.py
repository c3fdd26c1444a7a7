"""``Embedding``: integer indices looked up as rows of a learned table."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers, regularizers
from .._validation import as_array, integer
from ..errors import InvalidTypeError, InvalidValueError
from ..layer import Array, Layer, Shape
from ..registry import register, serialize

__all__ = ["Embedding"]

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
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.input_dim = integer(input_dim, self._label(), "input_dim", minimum=1)
        self.output_dim = integer(output_dim, self._label(), "output_dim", minimum=1)
        if isinstance(embeddings_initializer, str):
            embeddings_initializer = _KERAS_IDS.get(embeddings_initializer.lower(), embeddings_initializer)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)

    def build(self, input_shape: Shape) -> None:
        self.embeddings = self.add_parameter(
            "embeddings",
            (self.input_dim, self.output_dim),
            self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
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

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": serialize(self.embeddings_initializer),
            "embeddings_regularizer": None
            if self.embeddings_regularizer is None
            else serialize(self.embeddings_regularizer),
        }
