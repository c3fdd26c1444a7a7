"""``Attention`` (Luong) and ``AdditiveAttention`` (Bahdanau): attention with no projections, Keras's layers.

Both are called on a list, ``layer([query, value])`` or ``layer([query, value, key])``, with Keras's call
options ``mask=[query_mask, value_mask]``, ``use_causal_mask`` and ``return_attention_scores``. They differ in
the score of a query step against a key step only; the masked softmax, the dropout and the weighted sum of
the values are one code path, with the helpers of :mod:`tinynet._attention` that ``MultiHeadAttention`` uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._attention import allowed_positions, softmax_backward
from .._masking import all_of
from .._numerics import softmax
from .._shapes import shape_fits
from .._validation import boolean, integer, real
from ..errors import InvalidTypeError, InvalidValueError, ShapeError
from ..layer import Array, Layer, Shape
from ..registry import register
from ..symbolic import is_symbolic
from ..utils import make_rng

__all__ = ["Attention", "AdditiveAttention"]

_INPUTS = ("query", "value", "key")


@register
class Attention(Layer):
    """Dot-product (Luong) attention as in Keras: each query step takes a softmax-weighted mix of the value's steps.

    Called as ``layer([query, value])`` or ``layer([query, value, key])`` (``key`` is ``value`` unless
    given), with ``mask=[query_mask, value_mask]``, ``use_causal_mask=False``, ``return_attention_scores=False``
    and ``training``. ``backward`` returns ``[dquery, dvalue, dkey]``, or ``[dquery, dvalue + dkey]`` for
    ``[query, value]``; given ``[grad, dscores]`` it adds the gradient of the returned scores.

    Math (b batch, t query steps, s value steps, d features; grad = dL/dy)::

        forward    z = (query @ key^T) * scale                    score_mode="dot"    (b, t, s)
                   z = w * sum_d tanh(scale * (query[:, :, None] + key[:, None]))   score_mode="concat"
                   p = softmax(where(allowed, z, lowest)) * allowed    allowed = causal & query_mask[t] & key_mask[s]
                   d = p * keep              keep = Bernoulli(1 - dropout) / (1 - dropout) when training, else 1
                   y = d @ value                                                     (b, t, dim_v)
        backward   dvalue = d^T @ grad       dd = grad @ value^T (+ dscores, the gradient of the returned d)
                   dz = softmax_backward(p, dd * keep)  = p * (dp - sum_s(dp * p))
                   dot:    dquery = (dz @ key) * scale     dkey = (dz^T @ query) * scale
                           dscale = sum(dz * (query @ key^T))
                   concat: see AdditiveAttention; there u = tanh(a), a = scale * (query + key), du = dz * w

    ``scale`` is the trainable scalar ``scale`` with ``use_scale`` (initialized to 1), else 1; ``w`` the
    trainable scalar ``concat_score_weight`` (``score_mode="concat"``). ``lowest`` is the dtype's most
    negative number: a masked score weighs exactly 0, and so does its gradient.

    Parameters
    ----------
    use_scale : bool
        Whether to learn the scalar ``scale`` of the scores.
    score_mode : {"dot", "concat"}
        The dot product of query and key, or ``w * sum(tanh(query + key))`` over the features.
    dropout : float
        Rate at which attention weights are dropped while training, in ``[0, 1)``.
    seed : int, optional
        Seeds the generator ``self.rng`` that draws the dropout masks.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    query ``(batch, T, dim)``, value ``(batch, S, dim_v)``, key ``(batch, S, dim)``; output
    ``(batch, T, dim_v)``, scores ``(batch, T, S)``. Parameters: ``scale ()`` with ``use_scale``, then
    ``concat_score_weight ()`` with ``score_mode="concat"``, Keras's names and order.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> rng = np.random.default_rng(0)
    >>> query, value = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    >>> y, scores = tn.layers.Attention()([query, value], return_attention_scores=True)
    >>> y.shape, scores.shape
    ((2, 3, 4), (2, 3, 5))
    >>> value_mask = np.array([[True] * 5, [True, True, False, False, False]])
    >>> y, scores = tn.layers.Attention()([query, value], mask=[None, value_mask], return_attention_scores=True)
    >>> bool(scores[1, :, 2:].any())  # a padded value step is attended by none
    False

    Notes
    -----
    Keras masks a score by subtracting 1e9; tinynet gives it weight exactly 0. The two agree except on a
    query step that may attend to nothing (every value step padded, or a padded query step): tinynet gives it
    weights of 0 and so an output of 0 (Keras's output there is 0 for a padded query step too, but its scores
    are not). A key's own mask (``mask[2]``) hides its steps too, as in ``MultiHeadAttention``; Keras
    reads only ``mask[0]`` and ``mask[1]``. The returned scores are the weights after dropout, as Keras's.
    """

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        label = self._label()
        self.use_scale = boolean(use_scale, label, "use_scale")
        if score_mode not in ("dot", "concat"):
            raise InvalidValueError(f"{label}: score_mode must be 'dot' or 'concat', received {score_mode!r}.")
        self.score_mode = score_mode
        self.dropout = real(dropout, label, "dropout", minimum=0.0)
        if self.dropout >= 1.0:
            raise InvalidValueError(f"{label}: dropout must be in [0, 1), received {dropout!r}.")
        self.seed = None if seed is None else integer(seed, label, "seed", minimum=0)
        self.rng = make_rng(self.seed)

    # ------------------------------------------------------------------ calling
    def __call__(  # type: ignore[override]  # Keras's call signature: a list of inputs and a list of masks
        self,
        inputs: Any,
        mask: Any = None,
        training: bool = False,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        """Run ``Layer.__call__`` on ``[query, value(, key)]``, ``mask`` and the flags as the call's options."""
        label = self._label()
        if not (isinstance(inputs, (list, tuple)) and 2 <= len(inputs) <= 3):
            raise InvalidTypeError(
                f"{label}: must be called on a list [query, value] or [query, value, key], received "
                f"{type(inputs).__name__}{'' if not isinstance(inputs, (list, tuple)) else f' of {len(inputs)}'}."
            )
        options: dict[str, Any] = {}
        if mask is not None:
            if not (isinstance(mask, (list, tuple)) and 2 <= len(mask) <= 3):
                raise InvalidTypeError(f"{label}: mask must be a list [query_mask, value_mask], received {mask!r:.80}.")
            if any(is_symbolic(m) for m in mask if m is not None):
                raise InvalidTypeError(
                    f"{label}: in a graph the masks come with the inputs (Embedding(mask_zero=True), Masking); "
                    "pass mask= on arrays only."
                )
            options["mask"] = [None if m is None else np.asarray(m, dtype=bool) for m in mask]
        if boolean(use_causal_mask, label, "use_causal_mask"):
            options["use_causal_mask"] = True
        if boolean(return_attention_scores, label, "return_attention_scores"):
            options["return_attention_scores"] = True
        return super().__call__(list(inputs), training=training, **options)

    def _shapes(self, input_shape: Any) -> tuple[Shape, Shape, Shape]:
        """The per-sample shapes of query, value and key, checked against one another."""
        label = self._label()
        if not (isinstance(input_shape, list) and 2 <= len(input_shape) <= 3):
            raise InvalidTypeError(
                f"{label}: takes [query, value] or [query, value, key], received per-sample shape(s) {input_shape}."
            )
        query, value = (tuple(s) for s in input_shape[:2])
        key = tuple(input_shape[2]) if len(input_shape) > 2 else value
        for name, shape in zip(_INPUTS, (query, value, key), strict=True):
            if len(shape) != 2 or 0 in shape:
                raise ShapeError(
                    f"{label}: {name} must be a batch of sequences (batch, steps, features) with at least one "
                    f"step and one feature, received per-sample shape {shape}."
                )
        if not shape_fits(key[:1], value[:1]):
            raise ShapeError(f"{label}: key and value must have the same number of steps, received {key} and {value}.")
        if key[1] != query[1]:
            raise ShapeError(
                f"{label}: query and key must have the same number of features (the score compares them), "
                f"received query {query} and key {key}."
            )
        return query, value, key

    def check_input_shape(self, input_shape: Any) -> None:
        """Refuse inputs unlike those the layer was built for; the key may be left out or given."""
        if not self._built:
            return
        built, received = list(self._shapes(self.input_shape)), list(self._shapes(input_shape))
        if not shape_fits(built, received):
            raise ShapeError(
                f"{self._label()}: built for query, value and key of per-sample shapes {built}, received "
                f"{received}. Create a new layer for other shapes."
            )

    def build(self, input_shape: Any) -> None:
        self._shapes(input_shape)
        self.scale = self.add_parameter("scale", (), "ones") if self.use_scale else None
        self.concat_score_weight = self.add_parameter("concat_score_weight", (), "ones") if self.is_concat else None

    @property
    def is_concat(self) -> bool:
        """Whether the score is a sum of tanh (``"concat"``, and every AdditiveAttention) rather than a product."""
        return self.score_mode == "concat"

    # ------------------------------------------------------------------ the math
    def forward(
        self, inputs: list[Array], training: bool = False, use_causal_mask: bool = False,
        return_attention_scores: bool = False, mask: list[Any] | None = None,
    ) -> Any:  # fmt: skip
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        masks = [None, None, None] if mask is None else [*mask, None][:3]
        z, cache = self._scores(query, key)
        allowed = allowed_positions(None, use_causal_mask, z.shape[-2:], masks[0], all_of(masks[1:3]))
        if allowed is not None:
            allowed = allowed[:, 0] if allowed.ndim == 4 else allowed  # no head axis here
        p = softmax(z) if allowed is None else softmax(np.where(allowed, z, np.finfo(z.dtype).min)) * allowed
        keep = None
        if training and self.dropout > 0.0:
            kept = self.rng.random(p.shape, dtype=np.float32) >= self.dropout
            keep = np.multiply(kept, 1.0 / (1.0 - self.dropout), dtype=p.dtype)
        d = p if keep is None else p * keep
        y = d @ value
        self.remember(inputs=(query, value, key), count=len(inputs), p=p, keep=keep, d=d, cache=cache)
        return [y, d] if return_attention_scores else y

    def backward(self, grad: Any) -> Any:
        (query, value, key), count, p, keep, d, cache = self.recall("inputs", "count", "p", "keep", "d", "cache")
        grad, dscores = grad if isinstance(grad, (list, tuple)) else (grad, None)
        dvalue = d.transpose(0, 2, 1) @ grad
        dd = grad @ value.transpose(0, 2, 1)
        if dscores is not None:
            dd = dd + dscores
        dz = softmax_backward(p, dd if keep is None else dd * keep)
        dquery, dkey = self._scores_backward(query, key, dz, cache)
        if count == 2:  # [query, value]: the key was the value, so both of its gradients reach it
            return [dquery, dvalue + dkey]
        return [dquery, dvalue, dkey]

    def _scores(self, query: Array, key: Array) -> tuple[Array, Any]:
        """``z (b, t, s)`` and what ``_scores_backward`` needs."""
        if self.is_concat:
            return _tanh_scores(query, key, self.scale, self.concat_score_weight)
        raw = query @ key.transpose(0, 2, 1)
        return (raw if self.scale is None else raw * self.scale.value), raw

    def _scores_backward(self, query: Array, key: Array, dz: Array, cache: Any) -> tuple[Array, Array]:
        """Set the parameters' gradients from ``dz`` = dL/dz; return ``(dquery, dkey)``."""
        if self.is_concat:
            return _tanh_scores_backward(query, key, dz, cache, self.scale, self.concat_score_weight)
        if self.scale is None:
            return dz @ key, dz.transpose(0, 2, 1) @ query
        self.scale.grad = np.asarray((dz * cache).sum(), dtype=dz.dtype)
        c = self.scale.value
        return (dz @ key) * c, (dz.transpose(0, 2, 1) @ query) * c

    # ------------------------------------------------------------------ shapes and config
    def compute_output_shape(
        self, input_shape: Any, use_causal_mask: bool = False, return_attention_scores: bool = False
    ) -> Any:
        input_shape = self._check_shape(input_shape)
        self.ensure_built(input_shape)
        (t, _), (s, dim_v), _ = self._shapes(input_shape)
        return [(t, dim_v), (t, s)] if return_attention_scores else (t, dim_v)

    creates_mask = False

    def compute_mask(self, x: Any, mask: Any) -> Any:
        """The output has the query's mask (Keras's rule); the attention scores have none."""
        return mask[0] if isinstance(mask, list) else None

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }


@register
class AdditiveAttention(Attention):
    """Additive (Bahdanau) attention as in Keras: a query and a key step score ``sum(scale * tanh(query + key))``.

    Called, masked and differentiated as :class:`Attention`, of which it is the ``"concat"`` score with a
    learned weight per feature instead of the two scalars.

    Math (b batch, t query steps, s value steps, d features; grad = dL/dy)::

        forward    a = query[:, :, None] + key[:, None]      u = tanh(a)              (b, t, s, d)
                   z = sum_d(scale * u)                      (scale = 1 without use_scale)   (b, t, s)
                   p, d, y as in Attention
        backward   dz as in Attention
                   dscale = sum_bts(dz[..., None] * u)       du = dz[..., None] * scale
                   da = du * (1 - u**2)
                   dquery = sum_s(da)                        dkey = sum_t(da)

    Parameters
    ----------
    use_scale : bool
        Whether to learn ``scale (dim,)``, one weight per feature (Glorot uniform, as in Keras); otherwise
        each feature weighs 1.
    dropout : float
        Rate at which attention weights are dropped while training, in ``[0, 1)``.
    seed : int, optional
        Seeds the generator ``self.rng`` that draws the dropout masks.
    **kwargs
        ``name``, ``dtype``, ``trainable``, ``input_shape`` (see :class:`~tinynet.Layer`).

    Shape
    -----
    As :class:`Attention`. Parameter ``scale (dim,)`` with ``use_scale``, Keras's name.

    Examples
    --------
    >>> import numpy as np, tinynet as tn
    >>> layer = tn.layers.AdditiveAttention()
    >>> query, value = np.ones((2, 3, 4)), np.ones((2, 5, 6))
    >>> layer([query, value, np.zeros((2, 5, 4))]).shape, layer.scale.shape
    ((2, 3, 6), (4,))

    Notes
    -----
    The ``(b, t, s, d)`` array of ``tanh`` is the memory this layer costs: ``t * s * d`` numbers a sample.
    Masks behave as in :class:`Attention` (see its notes on how they differ from Keras's).
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(use_scale=use_scale, score_mode="concat", dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape: Any) -> None:
        (_, dim), _, _ = self._shapes(input_shape)
        self.scale = self.add_parameter("scale", (dim,), "glorot_uniform") if self.use_scale else None
        self.concat_score_weight = None

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["score_mode"]
        return config


def _tanh_scores(query: Array, key: Array, scale: Any, weight: Any) -> tuple[Array, Array]:
    """``z = weight * sum_d tanh(alpha * (query + key))``, and ``u = tanh(...)``.

    ``weight`` is Attention's scalar ``concat_score_weight`` (``alpha`` its scalar ``scale``), or
    AdditiveAttention's ``scale`` per feature (``alpha`` 1); a ``None`` parameter is 1.
    """
    a = query[:, :, None] + key[:, None]
    additive = weight is None
    if scale is not None and not additive:
        a *= scale.value
    u = np.tanh(a, out=a)
    w = scale if additive else weight
    z = u.sum(axis=-1) if w is None else (u @ w.value if len(w.shape) == 1 else u.sum(axis=-1) * w.value)
    return z, u


def _tanh_scores_backward(
    query: Array, key: Array, dz: Array, u: Array, scale: Any, weight: Any
) -> tuple[Array, Array]:
    """``_tanh_scores``'s backward: sets the gradients of ``scale`` and ``weight``; ``(dquery, dkey)``."""
    additive = weight is None
    w = scale if additive else weight
    dz4 = dz[..., None]
    if w is not None:
        w.grad = (dz4 * u).sum(axis=(0, 1, 2)) if len(w.shape) == 1 else np.asarray((dz4 * u).sum(), dtype=dz.dtype)
    du = dz4 if w is None else dz4 * w.value
    da = du * (1.0 - u * u)
    if scale is not None and not additive:
        scale.grad = np.asarray((da * (query[:, :, None] + key[:, None])).sum(), dtype=dz.dtype)
        da = da * scale.value
    return da.sum(axis=2), da.sum(axis=1)
