"""Masks carried through models (tinynet._masking): padding changes nothing, in outputs, gradients, loss and metrics.

The catalogue's ``padded`` cases check each layer that takes a mask on its own (gradients, and that
what a padded step holds changes nothing). These tests check the protocol: the containers carry
masks from ``Embedding(mask_zero=True)`` and ``Masking`` to the layers that use them, a padded
sequence gives what its unpadded prefix gives, the compiled loss and metrics skip padded steps, a
dropped mask warns, and a backward that forgets the mask is caught.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.layers.global_pooling1d import GlobalAveragePooling1D
from tinynet.layers.lstm import LSTM

L = tn.layers


def _padded_tokens(rng: np.random.Generator, batch: int, steps: int, vocab: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids in [1, vocab) padded with 0 after a length drawn per row (one row all padding)."""
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = 0
    x = rng.integers(1, vocab, size=(batch, steps))
    x[np.arange(steps)[None, :] >= lengths[:, None]] = 0
    return x, lengths


def _same_weights(source: tn.Model, target: tn.Model) -> None:
    target.set_weights(source.get_weights())


# ---------------------------------------------------------------------------- padding changes nothing
@pytest.mark.parametrize(
    "rnn", [lambda: L.LSTM(3), lambda: L.GRU(3), lambda: L.SimpleRNN(3)], ids=["lstm", "gru", "rnn"]
)
def test_a_padded_sequence_gives_what_its_prefix_gives(rnn: Any) -> None:
    tn.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    x, lengths = _padded_tokens(rng, 6, 5, 9)
    padded = tn.Sequential([L.Embedding(9, 4, mask_zero=True, input_shape=(5,)), rnn(), L.Dense(2)])
    y = padded.predict(x, verbose=0)
    for row, length in enumerate(lengths):
        if length == 0:
            np.testing.assert_array_equal(y[row], padded.layers[-1].bias.value)  # no step: zero state, Dense bias
            continue
        prefix = tn.Sequential([L.Embedding(9, 4, input_shape=(int(length),)), rnn(), L.Dense(2)])
        _same_weights(padded, prefix)
        np.testing.assert_allclose(y[row], prefix.predict(x[row : row + 1, :length], verbose=0)[0], rtol=1e-5)


def test_padding_inside_a_graph_reaches_attention_and_pooling() -> None:
    """Self-attention over padded tokens, then a masked mean: padded tokens change nothing, whatever they are."""
    tn.utils.set_random_seed(2)
    tokens = tn.Input((6,), dtype="int64")
    h = L.Embedding(12, 8, mask_zero=True)(tokens)
    h = L.Add()([h, L.MultiHeadAttention(2, 4)(h, h)])
    h = L.LayerNorm()(h)
    out = L.Dense(3)(GlobalAveragePooling1D()(h))
    model = tn.Model(tokens, out)
    rng = np.random.default_rng(3)
    x, lengths = _padded_tokens(rng, 5, 6, 12)
    y = model.predict(x, verbose=0)
    # the same model on the prefixes, one row at a time (Input of the prefix's length, shared weights)
    for row, length in enumerate(lengths[1:], start=1):
        short = tn.Input((int(length),), dtype="int64")
        g = L.Embedding(12, 8)(short)
        g = L.Add()([g, L.MultiHeadAttention(2, 4)(g, g)])
        g = L.LayerNorm()(g)
        prefix = tn.Model(short, L.Dense(3)(GlobalAveragePooling1D()(g)))
        _same_weights(model, prefix)
        np.testing.assert_allclose(
            y[row], prefix.predict(x[row : row + 1, :length], verbose=0)[0], rtol=1e-4, atol=1e-6
        )


def test_masking_marks_steps_equal_to_mask_value_and_zeroes_them() -> None:
    layer = L.Masking(mask_value=-1.0)
    x = np.array([[[1.0, -1.0], [-1.0, -1.0], [0.0, 2.0]]])
    np.testing.assert_array_equal(layer.compute_mask(x, None), [[True, False, True]])
    y = layer(x)
    np.testing.assert_array_equal(y, [[[1.0, -1.0], [0.0, 0.0], [0.0, 2.0]]])
    np.testing.assert_array_equal(layer.backward(np.ones_like(y)), [[[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]])
    assert tn.layers.Masking.from_config(layer.get_config()).mask_value == -1.0


def test_masking_before_an_lstm_skips_the_padded_steps() -> None:
    tn.utils.set_random_seed(4)
    x = np.random.default_rng(5).normal(size=(3, 4, 2))
    x[0, 2:] = 0.0
    x[2, 0] = 0.0  # padding may sit anywhere: that step is skipped, the state carried over it
    masked = tn.Sequential([L.Masking(input_shape=(4, 2)), L.LSTM(3, return_sequences=True)])
    plain = tn.Sequential([L.LSTM(3, return_sequences=True, input_shape=(2, 2))])
    _same_weights(masked, plain)
    y = masked.predict(x, verbose=0)
    np.testing.assert_allclose(y[0, :2], plain.predict(x[:1, :2], verbose=0)[0], rtol=1e-6)
    np.testing.assert_array_equal(y[0, 2], y[0, 1])  # a padded step repeats the previous output (Keras's default)
    np.testing.assert_array_equal(y[2, 0], 0.0)  # before any kept step: zeros


# ---------------------------------------------------------------------------- the loss and metrics skip padding
def _tagger() -> tn.Model:
    """A per-step classifier over padded tokens."""
    tn.utils.set_random_seed(6)
    tokens = tn.Input((5,), dtype="int64")
    h = L.Embedding(8, 4, mask_zero=True)(tokens)
    h = L.GRU(4, return_sequences=True)(h)
    model = tn.Model(tokens, L.Dense(3, activation="softmax")(h))
    model.compile(optimizer=tn.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_the_loss_and_accuracy_average_over_the_kept_steps_only() -> None:
    model = _tagger()
    rng = np.random.default_rng(7)
    x, _ = _padded_tokens(rng, 6, 5, 8)
    y = rng.integers(0, 3, size=x.shape)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    kept = x != 0
    cross_entropy = -np.log(np.take_along_axis(p, y[..., None], axis=-1)[..., 0].astype(np.float64))
    assert logs["loss"] == pytest.approx(cross_entropy[kept].mean(), rel=1e-5)
    assert logs["accuracy"] == pytest.approx((p.argmax(-1) == y)[kept].mean())
    y_other = np.where(kept, y, (y + 1) % 3)  # other targets on padded steps: the same figures
    assert model.evaluate(x, y_other, verbose=0, return_dict=True) == logs


def test_padded_targets_change_no_training_step() -> None:
    rng = np.random.default_rng(8)
    x, _ = _padded_tokens(rng, 6, 5, 8)
    y = rng.integers(0, 3, size=x.shape)
    a, b = _tagger(), _tagger()
    a.fit(x, y, epochs=2, batch_size=3, shuffle=False, verbose=0)
    b.fit(x, np.where(x != 0, y, 0), epochs=2, batch_size=3, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_sample_weights_and_the_mask_combine() -> None:
    model = _tagger()
    rng = np.random.default_rng(9)
    x, _ = _padded_tokens(rng, 6, 5, 8)
    y = rng.integers(0, 3, size=x.shape)
    w = rng.uniform(0.5, 2.0, size=len(x))
    loss = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)["loss"]
    p = model.predict(x, verbose=0)
    kept = x != 0
    cross_entropy = -np.log(np.take_along_axis(p, y[..., None], axis=-1)[..., 0].astype(np.float64))
    assert loss == pytest.approx((cross_entropy * w[:, None])[kept].sum() / kept.sum(), rel=1e-5)  # Keras's rule


def test_a_model_saved_with_masks_loads_and_predicts_the_same(tmp_path: Any) -> None:
    model = _tagger()
    x, _ = _padded_tokens(np.random.default_rng(10), 4, 5, 8)
    model.save(tmp_path / "tagger.tinynet")
    loaded = tn.load_model(tmp_path / "tagger.tinynet")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, np.zeros_like(x), verbose=0) == model.evaluate(x, np.zeros_like(x), verbose=0)


# ---------------------------------------------------------------------------- how masks travel
def test_merge_layers_keep_the_steps_every_input_keeps() -> None:
    a = np.array([[True, True, False]])
    b = np.array([[True, False, True]])
    x = [np.zeros((1, 3, 2)), np.zeros((1, 3, 2))]
    np.testing.assert_array_equal(L.Add().compute_mask(x, [a, b]), [[True, False, False]])
    np.testing.assert_array_equal(L.Add().compute_mask(x, [a, None]), a)
    assert L.Add().compute_mask(x, [None, None]) is None
    np.testing.assert_array_equal(L.Concatenate().compute_mask(x, [a, b]), [[True, False, False]])
    np.testing.assert_array_equal(
        L.Concatenate(axis=1).compute_mask(x, [a, None]), [[True, True, False, True, True, True]]
    )


def test_recurrent_layers_pass_a_mask_on_only_with_return_sequences() -> None:
    m = np.array([[True, False]])
    x = np.zeros((1, 2, 3))
    np.testing.assert_array_equal(L.LSTM(2, return_sequences=True).compute_mask(x, m), m)
    assert L.LSTM(2).compute_mask(x, m) is None
    out_mask, h_mask, c_mask = L.LSTM(2, return_sequences=True, return_state=True).compute_mask(x, m)
    np.testing.assert_array_equal(out_mask, m)
    assert h_mask is None and c_mask is None


def test_a_nested_sequential_carries_the_mask_it_is_given() -> None:
    tn.utils.set_random_seed(11)
    tokens = tn.Input((4,), dtype="int64")
    inner = tn.Sequential([L.Dense(3), L.GRU(2)])
    model = tn.Model(tokens, inner(L.Embedding(6, 3, mask_zero=True)(tokens)))
    x = np.array([[1, 2, 0, 0], [1, 2, 5, 5]])
    y = model.predict(x, verbose=0)
    x_other = np.array([[1, 2, 0, 0], [1, 2, 0, 0]])
    assert not np.allclose(y[0], y[1])
    np.testing.assert_allclose(model.predict(x_other, verbose=0)[1], y[0], rtol=1e-6)


def test_a_layer_that_drops_a_mask_warns_once() -> None:
    model = tn.Sequential([L.Embedding(6, 3, mask_zero=True, input_shape=(4,)), L.Flatten(), L.Dense(1)])
    x = np.array([[1, 2, 0, 0]])
    with pytest.warns(UserWarning, match="Flatten .* does not support masking"):
        model.predict(x, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(x, verbose=0)  # once per layer


def test_a_model_without_masks_carries_none() -> None:
    model = tn.Sequential([L.Dense(2, input_shape=(3,))])
    y = model(np.ones((2, 3)))
    assert model.output_mask(y) is None and not model.creates_mask


# ------------------------------------------------------------ a backward that forgets the mask is caught
class ThroughIgnored(LSTM):
    """Backward sends every step's state gradient through the cell, padded steps too."""

    @staticmethod
    def through(keep: Any, t: int, grad: np.ndarray) -> tuple[np.ndarray, None]:
        return grad, None


class MeanOverAllSteps(GlobalAveragePooling1D):
    """Backward spreads the gradient over every step, as if there were no mask."""

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (x_shape,) = self.recall("x_shape")
        return np.broadcast_to(grad[:, None, :], x_shape) / x_shape[1]


@pytest.mark.parametrize("broken", [lambda: ThroughIgnored(3, return_sequences=True), MeanOverAllSteps])
def test_a_backward_that_forgets_the_mask_is_caught(broken: Any) -> None:
    x = np.random.default_rng(12).normal(size=(2, 4, 3))
    mask = np.array([[True, True, False, True], [True, False, False, False]])
    layer = broken()
    tn.testing.check_gradients(layer, x)  # right without a mask
    with pytest.raises(AssertionError):
        tn.testing.check_gradients(broken(), x, options={"mask": mask})
