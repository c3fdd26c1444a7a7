"""A label per step: ``(batch, steps)`` integer targets against ``(batch, steps, vocab)`` predictions, as in Keras.

A model that ends in ``Dense(vocab, activation="softmax")`` on a sequence is trained with the fused
sparse cross-entropy over the last axis (exact at logits of +-1e4); the loss of a sample is the mean
over its steps, and accuracy is the fraction of steps right.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError

VOCAB, STEPS, N = 6, 4, 48


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Token sequences and, at each step, the next token of the vocabulary: a rule a per-step model can learn."""
    x = np.random.default_rng(seed).integers(0, VOCAB, size=(N, STEPS))
    return x, (x + 1) % VOCAB


def tagger(seed: int = 0) -> tn.Sequential:
    tn.utils.set_random_seed(seed)
    model = tn.Sequential(
        [
            tn.layers.Embedding(VOCAB, 8, input_shape=(STEPS,)),
            tn.layers.Dense(16, activation="relu"),
            tn.layers.Dense(VOCAB, activation="softmax"),
        ]
    )
    model.compile(optimizer=tn.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_on_a_label_per_step_lowers_the_loss() -> None:
    model = tagger()
    assert model.compiled_loss.fused
    x, y = data()
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > history["accuracy"][0]
    assert model.predict(x[:2]).shape == (2, STEPS, VOCAB)


def test_the_loss_is_the_mean_over_steps_and_accuracy_the_fraction_of_steps_right() -> None:
    model = tagger()
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    loss, accuracy = model.evaluate(x, y, batch_size=N, verbose=0)
    p = model.predict(x).astype(np.float64)
    per_step = -np.log(np.take_along_axis(p, y[..., None], axis=-1))
    assert loss == pytest.approx(per_step.mean(), rel=1e-5)
    assert accuracy == pytest.approx(np.mean(p.argmax(axis=-1) == y), rel=1e-12)
    flat = tn.losses.SparseCategoricalCrossentropy()(y.reshape(-1), p.reshape(-1, VOCAB))
    assert loss == pytest.approx(flat, rel=1e-5)  # the same as every step a sample of its own


def test_labels_with_a_trailing_one_give_the_same_training() -> None:
    x, y = data()
    a, b = tagger(), tagger()
    la = a.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
    lb = b.fit(x, y[..., None], batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
    assert la == lb
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize(
    "shape", [(N,), (N, STEPS + 1), (N, STEPS, 2), (N, STEPS, VOCAB)], ids=["one-per-sample", "steps", "two", "one-hot"]
)
def test_labels_of_another_shape_are_refused_naming_the_expected_shape(shape: tuple[int, ...]) -> None:
    model = tagger()
    x, _ = data()
    with pytest.raises(ShapeError, match=rf"per step of a sequence.*\({N}, {STEPS}\).*received \({N}"):
        model.fit(x, np.zeros(shape, dtype=int), verbose=0)
    assert not model.history


def test_class_weight_on_a_label_per_step_is_refused() -> None:
    model = tagger()
    x, y = data()
    with pytest.raises(InvalidValueError, match=r"class_weight.*label per step.*sample_weight"):
        model.fit(x, y, class_weight={0: 2.0}, verbose=0)


def test_sample_weight_weighs_every_step_of_its_sample() -> None:
    model = tagger()
    x, y = data()
    weights = np.random.default_rng(1).uniform(0.0, 2.0, size=N).astype(np.float32)  # the model's dtype
    w = weights.astype(np.float64)
    loss, accuracy = model.evaluate(x, y, sample_weight=weights, batch_size=N, verbose=0)
    p = model.predict(x).astype(np.float64)
    per_step = -np.log(np.take_along_axis(p, y[..., None], axis=-1))[..., 0]
    assert loss == pytest.approx((w[:, None] * per_step).mean(), rel=1e-5)
    right = (p.argmax(axis=-1) == y).mean(axis=1)
    assert accuracy == pytest.approx((w * right).sum() / w.sum(), rel=1e-12)


def exact_tagger() -> tn.Sequential:
    """Logits of exactly +1e4 for the token itself and -1e4 for every other: float32 holds them exactly."""
    model = tn.Sequential(
        [tn.layers.Embedding(VOCAB, VOCAB, input_shape=(STEPS,)), tn.layers.Dense(VOCAB, activation="softmax")]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.set_weights([np.where(np.eye(VOCAB, dtype=bool), 1e4, -1e4), np.eye(VOCAB), np.zeros(VOCAB)])
    return model


def test_the_fused_softmax_over_the_last_axis_is_exact_at_logits_of_1e4() -> None:
    """Plain probabilities would clip at 1e-7 (a loss of 16.1); from the logits the loss is exactly 2e4."""
    model = exact_tagger()
    assert model.compiled_loss.fused
    x, y = data()
    assert model.evaluate(x, x, verbose=0) == 0.0
    assert model.evaluate(x, y, verbose=0) == 2e4
    assert model.train_on_batch(x, y) == 2e4
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_the_fused_path_gives_the_plain_paths_gradients_on_sequences() -> None:
    """Where probabilities are well inside (0, 1), the fused and the plain loss agree, gradient and all."""
    model = tagger()
    x, y = data()
    model.astype("float64")
    fused = model.compiled_loss
    y_pred = model.forward(x, training=True)
    fused_loss = fused.forward(y, y_pred)
    model.backward(fused.backward())
    fused_grads = [p.grad.copy() for p in model.parameters()]
    plain = tn.losses.SparseCategoricalCrossentropy()
    y_pred = model.forward(x, training=True)
    plain_loss = plain(y, y_pred.copy())  # a copy: not the softmax's own output, so nothing is fused
    model.backward(plain.backward())
    assert fused_loss == pytest.approx(plain_loss, rel=1e-12)
    for a, p in zip(fused_grads, model.parameters(), strict=True):
        np.testing.assert_allclose(a, p.grad, rtol=1e-9, atol=1e-12)
