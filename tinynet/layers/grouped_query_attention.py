"""``GroupedQueryAttention``: Keras's attention whose key and value heads are shared by groups of query heads.

It is :class:`~tinynet.layers.MultiHeadAttention` with fewer key and value heads than query heads
(``num_key_value_heads`` divides ``num_query_heads``): query head ``i`` reads key and value head
``i // (num_query_heads // num_key_value_heads)``, as Keras's ``ops.repeat`` of the heads arranges. The call,
the masks and the shapes are MultiHeadAttention's; the heads of a group are one axis of a batched product.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import constraints, regularizers
from .._attention import allowed_positions, merge_heads, project, project_backward, softmax_backward, split_heads
from .._masking import all_of
from .._numerics import column_sums, sigmoid, softmax
from .._validation import boolean, integer
from ..errors import InvalidValueError
from ..layer import Array, Shape
from ..parameter import Parameter
from ..registry import register, serialize
from .attention import MultiHeadAttention

__all__ = ["GroupedQueryAttention", "GroupQueryAttention"]


@register
class GroupedQueryAttention(MultiHeadAttention):
    """Grouped-query attention as in Keras: ``num_query_heads`` query heads share ``num_key_value_heads`` key
    and value heads, a group of ``r = num_query_heads // num_key_value_heads`` consecutive query heads to each.

    Called as MultiHeadAttention is: ``gqa(query, value, key=None, attention_mask=None,
    use_causal_mask=False, return_attention_scores=False, training=False)``, with Keras's ``query_mask``,
    ``value_mask`` and ``key_mask`` too; ``backward`` returns one gradient per input as it does.

    Math (b batch, u query heads, g key/value heads, r = u // g, t query steps, s value steps, h head_dim;
    a product ``.`` over the axes the einsum shows; grad = dL/dy)::

        forward    q = query . Wq + bq       btm,muh->buth    then viewed as (b, g, r, t, h)
                   k = key . Wk + bk         bsm,mgh->bgsh    v = value . Wv + bv      (b, g, s, h)
                   z = (q @ k^T) * c         (b, g, r, t, s), c = 1 / sqrt(h); as (b, u, t, s)
                   p = softmax(where(allowed, z, lowest)) * allowed      allowed: as MultiHeadAttention's,
                                             & |t - s| < sliding_window when given
                   d = p * keep              (dropout while training)
                   o = d @ v                 (b, g, r, t, h): each group's heads read their own v
                   o = o * gate              gate = sigmoid(query . Wgate + bgate), with use_gate
                   y = o . Wo + bo           buth,uhm->btm
        backward   do = grad . Wo^T          dWo = o^T . grad        dbo = sum_bt grad
                   dgate = do * o * gate * (1 - gate)      do = do * gate          (with use_gate)
                   dv = sum_r(d^T @ do)      dd = do @ v^T (+ dscores)     dz = p * (dp - sum_s(dp * p)), dp = dd * keep
                   dq = (dz @ k) * c         dk = sum_r(dz^T @ q) * c
                   dWq = query^T . dq        dbq = sum_bt dq         dquery = dq . Wq^T   (key, value, gate alike)

    Parameters
    ----------
    head_dim : int
        Size of each head ``h``, for query, key and value.
    num_query_heads : int
        Number of query heads ``u``.
    num_key_value_heads : int
        Number of key and value heads ``g``; it must divide ``num_query_heads``.
    dropout : float
        Rate at which attention weights are dropped while training, in ``[0, 1)``.
    use_bias : bool
        Whether the projections add a bias.
    sliding_window : int, optional
        Query step ``t`` attends only to steps ``s`` with ``|t - s| < sliding_window`` (with
        ``use_causal_mask``: the ``sliding_window`` latest steps).
    flash_attention : bool, optional
        Accepted for Keras's sake; the math is the same either way. ``True`` with ``dropout`` is refused, as in Keras.
    kernel_initializer, bias_initializer : str or initializer
        ``"glorot_uniform"`` and ``"zeros"`` by default, as in Keras.
    kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint : optional
        Given to every kernel and bias, as in Keras.
    use_gate : bool
        Whether to multiply the attended values by a sigmoid gate of the query (``gate/kernel``, ``gate/bias``).
    seed : int, optional
        Seeds the generator ``self.rng`` that draws the dropout masks.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    query ``(batch, T, dim)``, value ``(batch, S, dim_v)``, key ``(batch, S, dim_k)``, attention_mask
    ``(batch, T, S)``; output ``(batch, T, dim)``, scores ``(batch, u, T, S)``. Parameters, Keras's names,
    shapes and order: ``query/kernel (dim, u, h)``, ``query/bias (u, h)``, ``key/kernel (dim_k, g, h)``,
    ``key/bias (g, h)``, (``gate/kernel (dim, u, h)``, ``gate/bias (u, h)``,) ``value/kernel (dim_v, g, h)``,
    ``value/bias (g, h)``, ``attention_output/kernel (u, h, dim)``, ``attention_output/bias (dim,)``.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> gqa = tn.layers.GroupedQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
    >>> x = np.random.default_rng(0).normal(size=(3, 5, 8))
    >>> y, scores = gqa(x, x, use_causal_mask=True, return_attention_scores=True)
    >>> y.shape, scores.shape, gqa.key_kernel.shape
    ((3, 5, 8), (3, 4, 5, 5), (8, 2, 4))

    Notes
    -----
    As in MultiHeadAttention, a query step that may attend to nothing gets weights 0 (Keras's softmax gives
    it uniform weights). Keras's ``activity_regularizer`` is not supported.
    """

    def __init__(
        self,
        head_dim: int,
        num_query_heads: int,
        num_key_value_heads: int,
        dropout: float = 0.0,
        use_bias: bool = True,
        sliding_window: int | None = None,
        flash_attention: bool | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            num_query_heads, head_dim, None, dropout, use_bias, None, kernel_initializer, bias_initializer, seed,
            **kwargs,
        )  # fmt: skip
        label = self._label()
        self.num_key_value_heads = integer(num_key_value_heads, label, "num_key_value_heads", minimum=1)
        if self.num_heads % self.num_key_value_heads:
            raise InvalidValueError(
                f"{label}: num_query_heads must be divisible by num_key_value_heads, received "
                f"num_query_heads={num_query_heads} and num_key_value_heads={num_key_value_heads}."
            )
        self.sliding_window = None if sliding_window is None else integer(sliding_window, label, "sliding_window", 1)
        self.flash_attention = None if flash_attention is None else boolean(flash_attention, label, "flash_attention")
        if self.flash_attention and self.dropout > 0.0:
            raise InvalidValueError(f"{label}: dropout is not supported with flash_attention=True (as in Keras).")
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.use_gate = boolean(use_gate, label, "use_gate")

    @property
    def head_dim(self) -> int:
        return self.key_dim

    @property
    def num_query_heads(self) -> int:
        return self.num_heads

    def build(self, input_shape: Any) -> None:
        (_, dim), (_, dim_v), (_, dim_k), _ = self._shapes(input_shape)
        u, g, h = self.num_heads, self.num_key_value_heads, self.key_dim
        self.query_kernel, self.query_bias = self._projection("query", (dim, u, h))
        self.key_kernel, self.key_bias = self._projection("key", (dim_k, g, h))
        self.gate_kernel: Parameter | None = None
        self.gate_bias: Parameter | None = None
        if self.use_gate:
            self.gate_kernel, self.gate_bias = self._projection("gate", (dim, u, h))
        self.value_kernel, self.value_bias = self._projection("value", (dim_v, g, h))
        self.output_kernel, self.output_bias = self._projection("attention_output", (u, h, dim))

    def _projection(self, name: str, kernel_shape: Shape) -> tuple[Parameter, Parameter | None]:
        """``name/kernel`` of ``kernel_shape`` and, with ``use_bias``, ``name/bias``, regularized and constrained."""
        kernel = self.add_parameter(
            f"{name}/kernel", kernel_shape, self.kernel_initializer, True, self.kernel_regularizer,
            self.kernel_constraint,
        )  # fmt: skip
        bias_shape = kernel_shape[2:] if name == "attention_output" else kernel_shape[1:]
        bias = (
            self.add_parameter(
                f"{name}/bias", bias_shape, self.bias_initializer, True, self.bias_regularizer, self.bias_constraint
            )
            if self.use_bias
            else None
        )
        return kernel, bias

    # ------------------------------------------------------------------ the math
    def forward(
        self, inputs: list[Array], training: bool = False, use_causal_mask: bool = False,
        return_attention_scores: bool = False, mask: list[Any] | None = None,
    ) -> Any:  # fmt: skip
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        masks = [None, None, None] if mask is None else [*mask, None, None][:3]
        (b, t, _), s = query.shape, key.shape[1]
        g, r, c = self.num_key_value_heads, self.num_heads // self.num_key_value_heads, 1.0 / math.sqrt(self.key_dim)
        q = project(query, self.query_kernel, self.query_bias).reshape(b, g, r, t, -1)
        k = project(key, self.key_kernel, self.key_bias)[:, :, None]  # (b, g, 1, s, h): one per group
        v = project(value, self.value_kernel, self.value_bias)[:, :, None]
        z = ((q @ k.swapaxes(-1, -2)) * c).reshape(b, -1, t, s)
        allowed = allowed_positions(
            inputs[3] if len(inputs) > 3 else None, use_causal_mask, (t, s), masks[0], all_of(masks[1:3])
        )
        if self.sliding_window is not None:
            band = np.abs(np.arange(t)[:, None] - np.arange(s)) < self.sliding_window
            allowed = band if allowed is None else allowed & band
        p = softmax(z) if allowed is None else softmax(np.where(allowed, z, np.finfo(z.dtype).min)) * allowed
        keep = None
        if training and self.dropout > 0.0:
            kept = self.rng.random(p.shape, dtype=np.float32) >= self.dropout
            keep = np.multiply(kept, 1.0 / (1.0 - self.dropout), dtype=p.dtype)
        d = p if keep is None else p * keep
        o = (d.reshape(b, g, r, t, s) @ v).reshape(b, -1, t, self.key_dim)  # (b, u, t, h)
        gate = None
        if self.gate_kernel is not None:
            gate = sigmoid(project(query, self.gate_kernel, self.gate_bias))
        og = merge_heads(o if gate is None else o * gate)  # (b * t, u * h)
        y = og @ self.output_kernel.value.reshape(og.shape[1], -1)
        if self.output_bias is not None:
            y += self.output_bias.value
        self.remember(
            inputs=(query, value, key), count=len(inputs), qkv=(q, k, v), p=p, keep=keep, d=d, o=o, gate=gate, og=og
        )
        y = y.reshape(b, t, -1)
        return [y, p] if return_attention_scores else y

    def backward(self, grad: Any) -> Any:
        (query, value, key), count, (q, k, v) = self.recall("inputs", "count", "qkv")
        p, keep, d, o, gate, og = self.recall("p", "keep", "d", "o", "gate", "og")
        grad, dscores = grad if isinstance(grad, (list, tuple)) else (grad, None)
        (b, g, r, t, h), s, c = q.shape, k.shape[3], 1.0 / math.sqrt(self.key_dim)
        g2 = grad.reshape(len(og), -1)  # (b * t, dim)
        self.output_kernel.grad = (og.T @ g2).reshape(self.output_kernel.shape)
        if self.output_bias is not None:
            self.output_bias.grad = column_sums(g2)
        do = split_heads(g2 @ self.output_kernel.value.reshape(og.shape[1], -1).T, (b, g * r, t))
        dgate = None
        if gate is not None:
            dgate, do = do * o * gate * (1.0 - gate), do * gate
        do5 = do.reshape(b, g, r, t, h)
        dv = (d.reshape(b, g, r, t, s).swapaxes(-1, -2) @ do5).sum(axis=2)
        dd = (do5 @ v.swapaxes(-1, -2)).reshape(p.shape)
        if dscores is not None:
            dd = dd + dscores
        dz = softmax_backward(p, dd if keep is None else dd * keep).reshape(b, g, r, t, s)
        dq = ((dz @ k) * c).reshape(b, g * r, t, h)
        dk = (dz.swapaxes(-1, -2) @ q).sum(axis=2) * c
        needed = self.needs_input_grad
        dquery = project_backward(query, self.query_kernel, self.query_bias, dq, needed)
        if dgate is not None and self.gate_kernel is not None:
            dquery_gate = project_backward(query, self.gate_kernel, self.gate_bias, dgate, needed)
            dquery = None if dquery is None or dquery_gate is None else dquery + dquery_gate
        dkey = project_backward(key, self.key_kernel, self.key_bias, dk, needed)
        dvalue = project_backward(value, self.value_kernel, self.value_bias, dv, needed)
        if dquery is None or dvalue is None or dkey is None:  # not needs_input_grad
            return None
        if count == 2:  # [query, value]: the key was the value, so both of its gradients reach it
            return [dquery, dvalue + dkey]
        return [dquery, dvalue, dkey] + [None] * (count - 3)  # the mask has no gradient

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for name in ("num_heads", "key_dim", "value_dim", "output_shape"):
            del config[name]
        return {
            **config,
            "head_dim": self.key_dim,
            "num_query_heads": self.num_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "sliding_window": self.sliding_window,
            "flash_attention": self.flash_attention,
            "kernel_regularizer": None if self.kernel_regularizer is None else serialize(self.kernel_regularizer),
            "bias_regularizer": None if self.bias_regularizer is None else serialize(self.bias_regularizer),
            "kernel_constraint": None if self.kernel_constraint is None else serialize(self.kernel_constraint),
            "bias_constraint": None if self.bias_constraint is None else serialize(self.bias_constraint),
            "use_gate": self.use_gate,
        }


#: Keras's other export name for the same class.
GroupQueryAttention = GroupedQueryAttention
