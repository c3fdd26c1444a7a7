"""The order a model runs its layers in: as listed, but for one rewrite that changes no number.

Keras's convnet block is a convolution with a ReLU, then a max pooling:
``Conv2D(32, 3, activation="relu"), MaxPool2D(2)``. The ReLU runs over every
value of the convolution's output, and the pooling then keeps one value in
four. ReLU and the maximum commute::

    max(relu(z_1), ..., relu(z_k)) = relu(max(z_1, ..., z_k))

so the pooling may come first, and the ReLU then runs over the pooled output
only: a quarter of the values for 2x2 windows. The gradients agree as well.
Where the ReLU's outputs of a window tie while its inputs differ, they are all
``<= 0``, and the ReLU's derivative there is 0 whichever of them the pooling
routes the gradient to; elsewhere both orders route it to the same element.

:class:`Plan` finds such pairs in a Sequential (``functional._pool_first`` in a
graph model, where the pooling must be the only reader of the layer's output),
and a :class:`PoolThenActivate` runs each as
the layer's ``forward_linear``, the pooling's ``forward``, then the
activation's ``forward`` (and their backwards in reverse). Every part is
still the layer's own method; only the order changes. A pair is rewritten
only when neither class overrides ``forward`` or ``backward`` (an override
runs as written) and the activation says it commutes with the maximum
(:attr:`~tinynet.Activation.commutes_with_max`; the plain ReLU does).
docs/benchmarks.md has what it saves.
"""

from __future__ import annotations

from typing import Any

from ..layer import Array, Layer
from ..layers.activated import ActivatedLayer
from ..layers.pooling import MaxPool2D
from ..parameter import Parameter

__all__ = ["Plan", "PoolThenActivate", "commutes"]


class PoolThenActivate:
    """An :class:`ActivatedLayer` and the :class:`MaxPool2D` after it, run as linear part, pooling, activation.

    Math (f the layer's activation, which commutes with the maximum; grad = dL/dy)::

        forward    z = layer.forward_linear(x)      p = pool(z)             y = f(p)
        backward   dp = f.backward(grad)            dz = pool.backward(dp)   dx = layer.backward_linear(dz)

    If the layer's activation no longer commutes (it was replaced after the
    plan was made), the two layers run as listed.
    """

    trainable = True  # each layer's own flag is read in forward, as Sequential does for the others
    #: Set false (on this step) by a model whose lowest trained step this is: the layer then skips dL/dx.
    needs_input_grad = True

    def __init__(self, layer: ActivatedLayer, pool: MaxPool2D) -> None:
        self.layer, self.pool = layer, pool
        self._reordered = False

    def trainable_parameters(self) -> list[Parameter]:
        """The layer's and the pooling's (a model asks which steps train)."""
        return self.layer.trainable_parameters() + self.pool.trainable_parameters()

    def forward(self, x: Array, training: bool = False) -> Array:
        layer, pool = self.layer, self.pool
        layer_training, pool_training = training and layer.trainable, training and pool.trainable
        activation = layer.activation
        self._reordered = activation is not None and activation.commutes_with_max
        if not self._reordered:
            return pool.forward(layer.forward(x, layer_training), pool_training)
        pooled = pool.forward(layer.forward_linear(x, layer_training), pool_training)
        return activation.forward(pooled, layer_training)  # type: ignore[union-attr]  # not in place: the pool keeps it

    def backward(self, grad: Array) -> Array | None:
        layer, pool = self.layer, self.pool
        if not self.needs_input_grad:
            layer.needs_input_grad = False
        try:
            if not self._reordered:
                return layer.backward(pool.backward(grad))
            return layer.backward_linear(pool.backward(layer.activation.backward(grad)))  # type: ignore[union-attr]
        finally:
            if not self.needs_input_grad:
                del layer.needs_input_grad  # back to the class's default


Step = Any  # a Layer, or a PoolThenActivate: both have forward, backward, trainable, trainable_parameters


class Plan:
    """The steps a Sequential runs: its layers, a :class:`PoolThenActivate` for each pair that commutes.

    ``reorder=False`` gives one step per layer, as listed (a forward that carries a mask runs so).
    """

    def __init__(self, layers: list[Layer], reorder: bool = True) -> None:
        self.layers = list(layers)
        self.steps: list[Step] = []
        i = 0
        while i < len(layers):
            if reorder and i + 1 < len(layers) and commutes(layers[i], layers[i + 1]):
                self.steps.append(PoolThenActivate(layers[i], layers[i + 1]))  # type: ignore[arg-type]
                i += 2
            else:
                self.steps.append(layers[i])
                i += 1


def commutes(layer: Layer, pool: Layer) -> bool:
    """Whether ``layer``'s activation may run after ``pool``: a plain ActivatedLayer then a plain MaxPool2D."""
    return (
        isinstance(layer, ActivatedLayer)
        and type(layer).forward is ActivatedLayer.forward
        and type(layer).backward is ActivatedLayer.backward
        and layer.activation is not None
        and layer.activation.commutes_with_max
        and isinstance(pool, MaxPool2D)
        and type(pool).forward is MaxPool2D.forward
        and type(pool).backward is MaxPool2D.backward
    )
