"""``MultiHeadAttention``: Keras's multi-head scaled dot-product attention, projections included.

The layer takes several inputs, as a merge layer does. ``mha(query, value)``
packs them into one list, ``[query, value, key]`` (``key`` is ``value`` unless
given; an ``attention_mask`` comes fourth), and hands it to ``Layer.__call__``
with ``use_causal_mask`` / ``return_attention_scores`` as the call's options,
so one call works on arrays and on the symbolic tensors of a graph.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import initializers
from .._attention import allowed_positions, merge_heads, project, project_backward, softmax_backward, split_heads
from .._masking import all_of
from .._numerics import column_sums, softmax
from .._shapes import shape_fits
from .._validation import as_array, boolean, integer, real
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..parameter import Parameter
from ..registry import register, serialize
from ..symbolic import is_symbolic
from ..utils import make_rng

__all__ = ["MultiHeadAttention"]

_INPUTS = ("query", "value", "key", "attention_mask")


@register
class MultiHeadAttention(Layer):
    """Multi-head attention as in Keras: per head, each query step takes a softmax-weighted mix of the value's steps.

    Called as ``mha(query, value, key=None, attention_mask=None, use_causal_mask=False,
    return_attention_scores=False, training=False)``: ``key`` defaults to ``value`` (``mha(x, x)`` is
    self-attention); ``attention_mask[b, t, s]`` above 0.5 (1, True) lets query step ``t`` attend to value
    step ``s``, and ``use_causal_mask=True`` keeps ``s <= t`` too. A query step that may attend to nothing
    gets weights of exactly 0, never NaN. The call packs ``[query, value, key]`` (plus the mask) for
    ``forward``, which takes ``[query, value]`` too, the key being the value. ``backward`` returns one
    gradient per entry, ``None`` for the mask, and ``[dquery, dvalue + dkey]`` for ``[query, value]``; in a
    graph, the gradients of a tensor passed as several entries are summed.

    Math (b batch, h heads, t query steps, s value steps, ``.`` a product over the feature axes shown by the
    einsum; grad = dL/dy)::

        forward    q = query . Wq + bq       btd,dhk->bhtk          Wq = query/kernel, bq = query/bias
                   k = key . Wk + bk         bsd,dhk->bhsk
                   v = value . Wv + bv       bsd,dhv->bhsv
                   z = (q @ k^T) * c         c = 1 / sqrt(key_dim)                      (b, h, t, s)
                   p = softmax(where(allowed, z, lowest)) * allowed     allowed = (attention_mask > 0.5) & causal
                                                             & query_mask[t] & key_mask[s] (padding)
                   d = p * keep              keep = Bernoulli(1 - dropout) / (1 - dropout) when training, else 1
                   o = d @ v                                                            (b, h, t, value_dim)
                   y = o . Wo + bo           bhtv,hvo->bto          Wo = attention_output/kernel
        backward   dWo = o^T . grad          dbo = sum_bt grad       do = grad . Wo^T
                   dv = d^T @ do             dd = do @ v^T
                   dp = dd * keep (+ dscores, the gradient of the returned p)
                   dz = p * (dp - sum_s(dp * p))
                   dq = (dz @ k) * c         dk = (dz^T @ q) * c
                   dWq = query^T . dq        dbq = sum_bt dq         dquery = dq . Wq^T   (key, value alike)

    ``lowest`` is the dtype's most negative number: a masked score weighs exactly 0, its gradient too.

    Padding masks (``Embedding(mask_zero=True)``, ``Masking``; see :mod:`tinynet._masking`) reach
    ``forward`` as ``mask``, one per input: a padded query step attends to nothing (its output is the
    output bias alone) and a padded value or key step is attended by none, so padding changes no output
    and gets no gradient. The output has the query's mask.

    Parameters
    ----------
    num_heads : int
        Number of attention heads ``h``.
    key_dim : int
        Size of each head for query and key.
    value_dim : int, optional
        Size of each head for value; ``key_dim`` by default.
    dropout : float
        Rate at which attention weights are dropped while training, in ``[0, 1)``.
    use_bias : bool
        Whether the four projections add a bias.
    output_shape : int or tuple of int, optional
        The output's shape after the batch and query axes; the query's feature size by default.
    kernel_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"`` and ``"zeros"`` by default, as in Keras.
    seed : int, optional
        Seeds the generator ``self.rng`` that draws the dropout masks.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    query ``(batch, T, dim)``, value ``(batch, S, dim_v)``, key ``(batch, S, dim_k)``, attention_mask
    ``(batch, T, S)``; output ``(batch, T, dim)`` (``(batch, T, *output_shape)``), scores ``(batch, heads,
    T, S)``. Parameters, Keras's names, shapes and order: ``query/kernel (dim, heads, key_dim)``,
    ``query/bias (heads, key_dim)``, ``key/kernel (dim_k, heads, key_dim)``, ``key/bias``,
    ``value/kernel (dim_v, heads, value_dim)``, ``value/bias (heads, value_dim)``,
    ``attention_output/kernel (heads, value_dim, dim)``, ``attention_output/bias (dim,)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> mha = tn.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> x = np.random.default_rng(0).normal(size=(3, 5, 8))
    >>> y, scores = mha(x, x, use_causal_mask=True, return_attention_scores=True)
    >>> y.shape, scores.shape
    ((3, 5, 8), (3, 2, 5, 5))
    >>> bool(scores[:, :, 0, 1:].any())  # the first step may attend to itself only
    False
    >>> [p.name for p in mha.parameters()][:3], mha.query_kernel.shape
    (['query/kernel', 'query/bias', 'key/kernel'], (8, 2, 4))
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        label = self._label()
        self.num_heads = integer(num_heads, label, "num_heads", minimum=1)
        self.key_dim = integer(key_dim, label, "key_dim", minimum=1)
        self.value_dim = self.key_dim if value_dim is None else integer(value_dim, label, "value_dim", minimum=1)
        self.dropout = real(dropout, label, "dropout", minimum=0.0)
        if self.dropout >= 1.0:
            raise InvalidValueError(f"{label}: dropout must be in [0, 1), received {dropout!r}.")
        self.use_bias = boolean(use_bias, label, "use_bias")
        self._output_shape = _output_dims(output_shape, label)  # private, as in Keras: no clash with a model's
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.seed = None if seed is None else integer(seed, label, "seed", minimum=0)
        self.rng = make_rng(self.seed)

    # ------------------------------------------------------------------ calling
    def __call__(  # type: ignore[override]  # Keras's call signature, not Layer's (x, training, **options)
        self,
        query: Any,
        value: Any = None,
        key: Any = None,
        attention_mask: Any = None,
        use_causal_mask: bool = False,
        return_attention_scores: bool = False,
        training: bool = False,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        mask: Any = None,
    ) -> Any:
        """Pack ``[query, value, key(, attention_mask)]`` and run ``Layer.__call__`` on it, the flags as options.

        ``mha([query, value, key])``, the packed list itself, works too: it is how a saved graph calls again.
        ``query_mask``, ``value_mask``, ``key_mask`` (Keras's) are padding masks ``(batch, steps)`` given
        by hand, as is ``mask``, the list of them; in a model the containers pass them on their own.
        """
        label = self._label()
        if value is None:
            packed = isinstance(query, (list, tuple)) and 2 <= len(query) <= 4
            if not packed or key is not None or attention_mask is not None:
                raise InvalidTypeError(f"{label}: call it as mha(query, value) or mha(query, value, key).")
            inputs = list(query)
        else:
            inputs = [query, value, value if key is None else key]
            if attention_mask is not None:
                inputs.append(attention_mask)
        if not is_symbolic(inputs):
            inputs = [
                x if isinstance(x, np.ndarray) else as_array(x, label, n) for x, n in zip(inputs, _INPUTS, strict=False)
            ]
        options: dict[str, Any] = {}
        if mask is None and any(m is not None for m in (query_mask, value_mask, key_mask)):
            mask = [query_mask, value_mask, key_mask]
        if mask is not None:
            options["mask"] = [None if m is None else np.asarray(m, dtype=bool) for m in mask]
        if boolean(use_causal_mask, label, "use_causal_mask"):
            options["use_causal_mask"] = True
        if boolean(return_attention_scores, label, "return_attention_scores"):
            options["return_attention_scores"] = True
        return super().__call__(inputs, training=training, **options)

    def _shapes(self, input_shape: Any) -> tuple[Shape, Shape, Shape, Shape | None]:
        """The per-sample shapes of query, value, key and the mask (``None``), checked against one another."""
        label = self._label()
        if not (isinstance(input_shape, list) and 2 <= len(input_shape) <= 4):
            raise InvalidTypeError(
                f"{label}: takes [query, value], [query, value, key] or [query, value, key, attention_mask], "
                f"received per-sample shape(s) {input_shape}."
            )
        query, value = (tuple(s) for s in input_shape[:2])
        key = tuple(input_shape[2]) if len(input_shape) > 2 else value
        mask = tuple(input_shape[3]) if len(input_shape) > 3 else None
        for name, shape in zip(_INPUTS, (query, value, key), strict=False):
            if len(shape) != 2 or 0 in shape:
                raise ShapeError(
                    f"{label}: {name} must be a batch of sequences (batch, steps, features) with at least one "
                    f"step and one feature, received per-sample shape {shape}."
                )
        if not _sizes_match(key[:1], value[:1]):
            raise ShapeError(f"{label}: key and value must have the same number of steps, received {key} and {value}.")
        if mask is not None and not _sizes_match(mask, (query[0], value[0])):
            raise ShapeError(
                f"{label}: attention_mask must have per-sample shape (T, S) = {(query[0], value[0])} (query steps, "
                f"value steps), received {mask}."
            )
        return query, value, key, mask

    def check_input_shape(self, input_shape: Any) -> None:
        """Refuse inputs unlike those the layer was built for; a mask may come or go, the key may be left out.

        Steps the layer was built as ``None`` take any number.
        """
        if not self._built:
            return
        built, received = list(self._shapes(self.input_shape)[:3]), list(self._shapes(input_shape)[:3])
        if not shape_fits(built, received):
            raise ShapeError(
                f"{self._label()}: built for query, value and key of per-sample shapes {built}, received "
                f"{received}. Create a new layer for other shapes."
            )

    def build(self, input_shape: Any) -> None:
        (_, dim), (_, dim_v), (_, dim_k), _ = self._shapes(input_shape)
        h, out = self.num_heads, self._output_shape or (dim,)
        self.query_kernel, self.query_bias = self._projection("query", (dim, h, self.key_dim))
        self.key_kernel, self.key_bias = self._projection("key", (dim_k, h, self.key_dim))
        self.value_kernel, self.value_bias = self._projection("value", (dim_v, h, self.value_dim))
        self.output_kernel, self.output_bias = self._projection("attention_output", (h, self.value_dim, *out))

    def _projection(self, name: str, kernel_shape: Shape) -> tuple[Parameter, Parameter | None]:
        """``name/kernel`` of ``kernel_shape`` and, with ``use_bias``, ``name/bias`` for its output axes."""
        kernel = self.add_parameter(f"{name}/kernel", kernel_shape, self.kernel_initializer)
        bias_shape = kernel_shape[2:] if name == "attention_output" else kernel_shape[1:]
        bias = self.add_parameter(f"{name}/bias", bias_shape, self.bias_initializer) if self.use_bias else None
        return kernel, bias

    # ------------------------------------------------------------------ the math
    def forward(
        self, inputs: list[Array], training: bool = False, use_causal_mask: bool = False,
        return_attention_scores: bool = False, mask: list[Any] | None = None,
    ) -> Any:  # fmt: skip
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        masks = [None, None, None] if mask is None else [*mask, None, None][:3]  # the inputs' own (padding) masks
        key_mask = all_of(masks[1:3])  # a step is a key only where neither the value nor the key is padding
        c = 1.0 / math.sqrt(self.key_dim)
        q = project(query, self.query_kernel, self.query_bias)
        k = project(key, self.key_kernel, self.key_bias)
        v = project(value, self.value_kernel, self.value_bias)
        z = (q @ k.transpose(0, 1, 3, 2)) * c
        allowed = allowed_positions(
            inputs[3] if len(inputs) > 3 else None, use_causal_mask, z.shape[-2:], masks[0], key_mask
        )
        p = softmax(z) if allowed is None else softmax(np.where(allowed, z, np.finfo(z.dtype).min)) * allowed
        keep = None
        if training and self.dropout > 0.0:
            kept = self.rng.random(p.shape, dtype=np.float32) >= self.dropout
            keep = np.multiply(kept, 1.0 / (1.0 - self.dropout), dtype=p.dtype)
        d = p if keep is None else p * keep
        o = merge_heads(d @ v)  # (b * t, h * value_dim)
        y = o @ self.output_kernel.value.reshape(o.shape[1], -1)
        if self.output_bias is not None:
            y += self.output_bias.value.reshape(-1)
        self.remember(inputs=(query, value, key), count=len(inputs), qkv=(q, k, v), p=p, keep=keep, d=d, o=o)
        y = y.reshape(len(query), query.shape[1], *self.output_kernel.shape[2:])
        return [y, p] if return_attention_scores else y

    def backward(self, grad: Any) -> Any:
        (query, value, key), count, (q, k, v) = self.recall("inputs", "count", "qkv")
        p, keep, d, o = self.recall("p", "keep", "d", "o")
        grad, dscores = grad if isinstance(grad, (list, tuple)) else (grad, None)
        c = 1.0 / math.sqrt(self.key_dim)
        g = grad.reshape(len(o), -1)  # (b * t, out)
        kernel = self.output_kernel.value.reshape(o.shape[1], -1)
        self.output_kernel.grad = (o.T @ g).reshape(self.output_kernel.shape)
        if self.output_bias is not None:
            self.output_bias.grad = column_sums(g).reshape(self.output_bias.shape)
        do = split_heads(g @ kernel.T, d.shape[:3])
        dv = d.transpose(0, 1, 3, 2) @ do
        dd = do @ v.transpose(0, 1, 3, 2)
        dp = dd if keep is None else dd * keep
        if dscores is not None:
            dp = dp + dscores
        dz = softmax_backward(p, dp)
        dq = (dz @ k) * c
        dk = (dz.transpose(0, 1, 3, 2) @ q) * c
        needed = self.needs_input_grad
        dquery = project_backward(query, self.query_kernel, self.query_bias, dq, needed)
        dkey = project_backward(key, self.key_kernel, self.key_bias, dk, needed)
        dvalue = project_backward(value, self.value_kernel, self.value_bias, dv, needed)
        if dquery is None or dvalue is None or dkey is None:  # not needs_input_grad
            return None
        if count == 2:  # [query, value]: the key was the value, so both of its gradients reach it
            return [dquery, dvalue + dkey]
        return [dquery, dvalue, dkey] + [None] * (count - 3)  # the mask has no gradient

    # ------------------------------------------------------------------ shapes and config
    def compute_output_shape(
        self, input_shape: Any, use_causal_mask: bool = False, return_attention_scores: bool = False
    ) -> Any:
        input_shape = self._check_shape(input_shape)
        self.ensure_built(input_shape)
        (t, dim), (s, _), _, _ = self._shapes(input_shape)
        out = (t, *(self._output_shape or (dim,)))
        return [out, (self.num_heads, t, s)] if return_attention_scores else out

    creates_mask = False

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """The output has the query's mask (Keras's rule); the attention scores have none."""
        query_mask = mask[0] if isinstance(mask, list) else None
        return query_mask

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": None if self._output_shape is None else list(self._output_shape),
            "kernel_initializer": serialize(self.kernel_initializer),
            "bias_initializer": serialize(self.bias_initializer),
            "seed": self.seed,
        }


def _sizes_match(shape: Shape, other: Shape) -> bool:
    """Whether two shapes may be the same: one rank, and equal sizes wherever both are known (not ``None``)."""
    return len(shape) == len(other) and all(a is None or b is None or a == b for a, b in zip(shape, other, strict=True))


def _output_dims(output_shape: Any, label: str) -> tuple[int, ...] | None:
    """``output_shape`` as a tuple of positive ints (an int is one axis), or ``None``."""
    if output_shape is None:
        return None
    dims = output_shape if isinstance(output_shape, (list, tuple)) else (output_shape,)
    if not dims:
        raise InvalidValueError(f"{label}: output_shape must be an int or a tuple of ints, received {output_shape!r}.")
    return tuple(integer(n, label, "output_shape", minimum=1) for n in dims)
