"""The losses Keras 3 has beyond the cross-entropies: values against Keras's documented formulas and examples,
against PyTorch where it has the same function, Keras's string ids, label conversion and pinned kinks.

The formulas are written out here in plain NumPy, float64, straight from Keras's
docstrings and code (``keras/src/losses/losses.py``); the examples' numbers are
the ones Keras's docstrings print.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import tinynet as tn

L = tn.losses
EPS = 1e-7
RNG = np.random.default_rng(3)
N, C = 5, 4
Y01 = RNG.integers(0, 2, size=(N, C)).astype(float)
YSOFT = RNG.uniform(0.0, 1.0, (N, C))
P = RNG.uniform(0.02, 0.98, (N, C))
Z = RNG.normal(0.0, 3.0, (N, C))
LABELS = RNG.integers(0, C, N)
ONE_HOT = np.eye(C)[LABELS]
W = RNG.uniform(0.0, 2.0, N)

torch_missing = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch not installed")


def weighted(per_sample: np.ndarray, w: np.ndarray | None) -> float:
    """Keras's "sum_over_batch_size": sum(w_i * l_i) / (number of entries)."""
    per_sample = np.asarray(per_sample, dtype=float)
    w = np.ones(len(per_sample)) if w is None else w
    return float((per_sample * w.reshape((-1,) + (1,) * (per_sample.ndim - 1))).sum() / per_sample.size)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def keras_bce(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def keras_binary_focal(y, p, balance=False, alpha=0.25, gamma=2.0, smoothing=0.0):
    y = y * (1 - smoothing) + 0.5 * smoothing
    p_t = y * p + (1 - y) * (1 - p)
    loss = (1 - p_t) ** gamma * keras_bce(y, p)
    if balance:
        loss = (y * alpha + (1 - y) * (1 - alpha)) * loss
    return loss.mean(axis=-1)


def keras_categorical_focal(y, p, alpha=0.25, gamma=2.0, smoothing=0.0):
    y = y * (1 - smoothing) + smoothing / y.shape[-1]
    out = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return (alpha * (1 - out) ** gamma * -y * np.log(out)).sum(axis=-1)


def normalize(x: np.ndarray, axis: int) -> np.ndarray:
    return x / np.maximum(np.sqrt((x * x).sum(axis=axis, keepdims=True)), EPS)


# (id, tinynet loss, y_true, y_pred, Keras's per-sample formula)
FORMULAS = [
    ("kld", L.KLDivergence(), YSOFT, P,
     lambda y, p: (np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)),
    ("kld_hard", L.KLDivergence(), Y01, P,
     lambda y, p: (np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)),
    ("poisson", L.Poisson(), np.round(3 * P), 3 * P, lambda y, p: (p - y * np.log(p + EPS)).mean(-1)),
    ("log_cosh", L.LogCosh(), YSOFT, Z, lambda y, p: np.log(np.cosh(p - y)).mean(-1)),
    ("cosine", L.CosineSimilarity(), Z, P - 0.5, lambda y, p: -(normalize(y, -1) * normalize(p, -1)).sum(-1)),
    ("hinge_01", L.Hinge(), Y01, Z, lambda y, p: np.maximum(1 - (2 * y - 1) * p, 0).mean(-1)),
    ("hinge_pm1", L.Hinge(), 2 * Y01 - 1, Z, lambda y, p: np.maximum(1 - y * p, 0).mean(-1)),
    ("squared_hinge", L.SquaredHinge(), Y01, Z, lambda y, p: (np.maximum(1 - (2 * y - 1) * p, 0) ** 2).mean(-1)),
    ("categorical_hinge", L.CategoricalHinge(), ONE_HOT, Z,
     lambda y, p: np.maximum(((1 - y) * p).max(-1) - (y * p).sum(-1) + 1, 0)),
    ("mape", L.MeanAbsolutePercentageError(), Z, P, lambda y, p: 100 * np.abs((y - p) / np.abs(y)).mean(-1)),
    ("msle", L.MeanSquaredLogarithmicError(), 3 * P, Z,
     lambda y, p: ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2).mean(-1)),
    ("binary_focal", L.BinaryFocalCrossentropy(), Y01, P, keras_binary_focal),
    ("binary_focal_balanced_smoothed", L.BinaryFocalCrossentropy(True, alpha=0.3, gamma=0.5, label_smoothing=0.1),
     Y01, P, lambda y, p: keras_binary_focal(y, p, True, 0.3, 0.5, 0.1)),
    ("binary_focal_logits", L.BinaryFocalCrossentropy(gamma=1.0, from_logits=True), Y01, Z,
     lambda y, z: keras_binary_focal(y, sigmoid(z), gamma=1.0)),
    ("categorical_focal", L.CategoricalFocalCrossentropy(), ONE_HOT, P, keras_categorical_focal),
    ("categorical_focal_alphas_smoothed",
     L.CategoricalFocalCrossentropy(alpha=[0.1, 0.2, 0.3, 0.4], gamma=0.5, label_smoothing=0.2), ONE_HOT, P,
     lambda y, p: keras_categorical_focal(y, p, np.array([0.1, 0.2, 0.3, 0.4]), 0.5, 0.2)),
    ("categorical_focal_logits", L.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1), ONE_HOT, Z,
     lambda y, z: keras_categorical_focal(y, softmax(z), smoothing=0.1)),
    ("bce_smoothed", L.BinaryCrossentropy(label_smoothing=0.2), Y01, P,
     lambda y, p: keras_bce(y * 0.8 + 0.1, p).mean(-1)),
    ("bce_logits_smoothed", L.BinaryCrossentropy(from_logits=True, label_smoothing=0.2), Y01, Z,
     lambda y, z: keras_bce(y * 0.8 + 0.1, sigmoid(z)).mean(-1)),
    ("cce_smoothed", L.CategoricalCrossentropy(label_smoothing=0.2), ONE_HOT, P,
     lambda y, p: -((y * 0.8 + 0.05) * np.log(p / p.sum(-1, keepdims=True))).sum(-1)),
    ("cce_logits_smoothed", L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), ONE_HOT, Z,
     lambda y, z: -((y * 0.8 + 0.05) * np.log(softmax(z))).sum(-1)),
    ("cgce", L.CategoricalGeneralizedCrossEntropy(q=0.3), LABELS, P,
     lambda y, p: (1 - p[np.arange(N), y] ** 0.3) / 0.3),
]  # fmt: skip


@pytest.mark.parametrize("weights", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(("name", "loss", "y_true", "y_pred", "formula"), FORMULAS, ids=[f[0] for f in FORMULAS])
def test_loss_is_keras_documented_formula(name, loss, y_true, y_pred, formula, weights) -> None:
    expected = weighted(formula(y_true, y_pred), weights)
    assert loss(y_true, y_pred, sample_weight=weights) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_cosine_similarity_along_a_middle_axis_averages_the_other_axes() -> None:
    y_true, y_pred = RNG.normal(size=(3, 4, 2)), RNG.normal(size=(3, 4, 2))
    expected = -(normalize(y_true, 1) * normalize(y_pred, 1)).sum(axis=1).mean()
    assert L.CosineSimilarity(axis=1)(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------- Keras's docstring examples
MASK_TRUE = np.array([[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]])
MASK_PRED = np.array([[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]])


def test_keras_examples() -> None:
    mape = L.MeanAbsolutePercentageError()(np.array([100.0, 200.0, 300.0]), np.array([90.0, 210.0, 310.0]))
    assert mape == pytest.approx(6.111111, rel=1e-6)
    assert L.LogCosh()(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [0.0, 0.0]])) == pytest.approx(
        0.108, abs=5e-4
    )
    cosine = L.CosineSimilarity(axis=-1)
    y_true, y_pred = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
    assert cosine(y_true, y_pred) == pytest.approx(np.mean([0.0, -1.0, 1.0]), abs=1e-12)
    # binary focal: per sample [0.330, 0.206]; categorical focal: [2.63401289e-04, 6.75912094e-01]
    y, p = np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]])
    assert L.BinaryFocalCrossentropy(gamma=2.0)(y, p) == pytest.approx((0.330 + 0.206) / 2, abs=1e-3)
    y, p = np.array([[0, 1, 0], [0, 0, 1]]), np.array([[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])
    assert L.CategoricalFocalCrossentropy()(y, p) == pytest.approx((2.63401289e-04 + 6.75912094e-01) / 2, rel=1e-7)
    # Dice: 0.6164384 over the batch, [0.5, 0.75757575] per sample
    assert L.Dice()(MASK_TRUE, MASK_PRED) == pytest.approx(0.6164384, rel=1e-6)
    assert L.Dice(axis=(1, 2, 3))(MASK_TRUE, MASK_PRED) == pytest.approx((0.5 + 0.75757575) / 2, rel=1e-6)


# ---------------------------------------------------------------------------- segmentation and Circle by hand
def test_dice_and_tversky_follow_their_formulas_with_weights() -> None:
    y, p = MASK_TRUE, MASK_PRED
    i, t, s = (y * p).sum(), y.sum(), p.sum()
    assert L.Dice()(y, p, sample_weight=W[:2]) == pytest.approx((1 - 2 * i / (t + s + EPS)) * W[:2].mean())
    axes = (1, 2, 3)
    i, fp, fn = (y * p).sum(axes), ((1 - y) * p).sum(axes), (y * (1 - p)).sum(axes)
    per_sample = 1 - i / (i + 0.7 * fp + 0.3 * fn + EPS)
    assert L.Tversky(0.7, 0.3, axis=axes)(y, p, sample_weight=W[:2]) == pytest.approx(weighted(per_sample, W[:2]))
    assert L.Tversky(axis=axes)(y, p) == pytest.approx(L.Dice(axis=axes)(y, p), rel=1e-6)  # eps sits differently


def circle_by_hand(labels, e, gamma=80.0, margin=0.4, remove_diagonal=True, w=None):
    """Keras's ``circle`` as loops: every pair scored, rows with no loss left out of the mean."""
    n = len(e)
    losses = np.zeros(n)
    for i in range(n):
        pos, neg = [], []
        for j in range(n):
            d = max(1.0 - e[i] @ e[j], 0.0)
            if labels[i] == labels[j] and not (remove_diagonal and i == j):
                pos.append(-gamma * max(margin + d, 0.0) * (margin - d))
            elif labels[i] != labels[j]:
                neg.append(gamma * max(1 + margin - d, 0.0) * (1 - margin - d))
        if pos and neg:
            losses[i] = np.logaddexp(0.0, np.logaddexp.reduce(pos) + np.logaddexp.reduce(neg))
    w = np.ones(n) if w is None else w
    valid = losses > 0
    return float((losses * w)[valid].sum() / max(valid.sum(), 1))


@pytest.mark.parametrize(("gamma", "margin", "remove_diagonal"), [(80.0, 0.4, True), (4.0, 0.25, False)])
def test_circle_follows_keras_formula(gamma: float, margin: float, remove_diagonal: bool) -> None:
    e = RNG.normal(size=(7, 3))
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    labels = np.array([0, 0, 1, 1, 1, 2, 3])  # 2 and 3 have no positive: left out, as Keras masks them
    loss = L.Circle(gamma=gamma, margin=margin, remove_diagonal=remove_diagonal)
    for w in (None, RNG.uniform(0.5, 2.0, 7)):
        expected = circle_by_hand(labels, e, gamma, margin, remove_diagonal, w)
        assert loss(labels, e, sample_weight=w) == pytest.approx(expected, rel=1e-12)


def test_circle_of_a_batch_with_no_pairs_is_zero_with_zero_gradient() -> None:
    loss = L.Circle()
    assert loss(np.array([0, 1, 2]), np.eye(3)) == 0.0
    np.testing.assert_array_equal(loss.backward(), 0.0)


# ---------------------------------------------------------------------------- PyTorch, where it has the same function
@torch_missing
@pytest.mark.parametrize("case", ["kld", "poisson", "cce_smoothed", "cosine"])
def test_agrees_with_pytorch_in_float64(case: str) -> None:
    import torch

    y_true, y_pred = YSOFT * 0.9 + 0.05, P  # KL: targets above eps, where Keras's clip and PyTorch agree
    if case == "kld":
        loss = L.KLDivergence()
        reference = lambda p, y: torch.nn.KLDivLoss(reduction="batchmean")(torch.log(p), y)  # noqa: E731
    elif case == "poisson":
        y_true, y_pred = np.round(3 * P), 3 * P
        loss = L.Poisson()
        reference = torch.nn.PoissonNLLLoss(log_input=False, eps=1e-7)
    elif case == "cce_smoothed":
        y_true, y_pred = ONE_HOT, Z
        loss = L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)
        reference = torch.nn.CrossEntropyLoss(label_smoothing=0.2)
    else:  # no vector near zero length, where the two guard the division differently
        y_true, y_pred = Z, P - 0.5
        loss = L.CosineSimilarity()
        reference = lambda p, y: -torch.nn.functional.cosine_similarity(p, y, dim=-1).mean()  # noqa: E731
    p = torch.tensor(y_pred, requires_grad=True)
    expected = reference(p, torch.tensor(y_true))  # every reference takes (prediction, target)
    expected.backward()
    assert loss(y_true, y_pred) == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), p.grad.numpy(), rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------------------- labels, ids, kinks, refusals
def test_hinge_reads_0_1_labels_as_minus_1_1_only_when_all_are_binary() -> None:
    y_pred = np.array([[0.5, -0.5]])
    assert L.Hinge()(np.array([[0.0, 1.0]]), y_pred) == L.Hinge()(np.array([[-1.0, 1.0]]), y_pred) == 1.5
    assert L.Hinge()(np.array([[0.0, -1.0]]), y_pred) == pytest.approx((1.0 + 0.5) / 2)  # not binary: 0 stays 0


def test_kinks_take_the_flat_sides_slope() -> None:
    hinge = L.Hinge()
    hinge(np.array([[1.0, -1.0]]), np.array([[1.0, -1.0]]))  # margins exactly 1
    np.testing.assert_array_equal(hinge.backward(), 0.0)
    mape = L.MeanAbsolutePercentageError()
    mape(np.array([[2.0]]), np.array([[2.0]]))
    np.testing.assert_array_equal(mape.backward(), 0.0)
    categorical = L.CategoricalHinge()
    categorical(np.array([[0.0, 1.0, 0.0]]), np.array([[2.0, 0.5, 2.0]]))  # tie: the first runner-up
    np.testing.assert_array_equal(categorical.backward(), [[1.0, -1.0, 0.0]])


def test_mape_with_a_zero_target_divides_by_eps() -> None:
    assert L.MeanAbsolutePercentageError()(np.array([[0.0]]), np.array([[1e-9]])) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("identifier", "cls"),
    [
        ("kl_divergence", L.KLDivergence), ("kld", L.KLDivergence), ("KLD", L.KLDivergence),
        ("poisson", L.Poisson), ("log_cosh", L.LogCosh), ("cosine_similarity", L.CosineSimilarity),
        ("hinge", L.Hinge), ("squared_hinge", L.SquaredHinge), ("categorical_hinge", L.CategoricalHinge),
        ("mape", L.MeanAbsolutePercentageError), ("mean_absolute_percentage_error", L.MeanAbsolutePercentageError),
        ("msle", L.MeanSquaredLogarithmicError), ("mean_squared_logarithmic_error", L.MeanSquaredLogarithmicError),
        ("binary_focal_crossentropy", L.BinaryFocalCrossentropy), ("bce", L.BinaryCrossentropy),
        ("categorical_focal_crossentropy", L.CategoricalFocalCrossentropy), ("dice", L.Dice), ("tversky", L.Tversky),
        ("circle", L.Circle), ("CategoricalGeneralizedCrossEntropy", L.CategoricalGeneralizedCrossEntropy),
        ("KLDivergence", L.KLDivergence), ("Tversky", L.Tversky),
    ],
)  # fmt: skip
def test_keras_string_ids(identifier: str, cls: type) -> None:
    assert type(L.get(identifier)) is cls


def test_keras_default_names() -> None:
    assert L.KLDivergence().name == "kl_divergence"
    assert L.BinaryFocalCrossentropy().name == "binary_focal_crossentropy"
    assert L.MeanSquaredLogarithmicError().name == "mean_squared_logarithmic_error"


@pytest.mark.parametrize(
    "make",
    [
        lambda: L.BinaryCrossentropy(label_smoothing=1.5),
        lambda: L.BinaryFocalCrossentropy(gamma=-1.0),
        lambda: L.BinaryFocalCrossentropy(alpha=2.0),
        lambda: L.CategoricalFocalCrossentropy(axis=1),
        lambda: L.CategoricalGeneralizedCrossEntropy(q=1.0),
        lambda: L.Tversky(alpha=-0.1),
        lambda: L.Dice(axis="rows"),
        lambda: L.CosineSimilarity(axis=1.5),
    ],
)
def test_bad_settings_are_refused(make) -> None:
    with pytest.raises(tn.errors.InvalidValueError):
        make()


def test_sparse_categorical_crossentropy_takes_no_label_smoothing_as_in_keras() -> None:
    with pytest.raises(TypeError):
        L.SparseCategoricalCrossentropy(label_smoothing=0.1)  # type: ignore[call-arg]
    assert "label_smoothing" not in L.SparseCategoricalCrossentropy().get_config()


@pytest.mark.parametrize(
    ("loss", "y_true", "y_pred", "error"),
    [
        (L.Poisson(), np.ones((2, 2)), -np.ones((2, 2)), tn.errors.InvalidValueError),
        (L.CategoricalGeneralizedCrossEntropy(), np.array([0, 3]), np.full((2, 3), 0.3), tn.errors.InvalidValueError),
        (L.CategoricalGeneralizedCrossEntropy(), np.array([0, 1]), np.full((2, 3), 1.5), tn.errors.InvalidValueError),
        (L.Circle(), np.array([0, 1]), np.ones((3, 2)), tn.errors.ShapeError),
        (L.Dice(axis=0), np.ones((2, 2)), np.ones((2, 2)), tn.errors.InvalidValueError),
        (L.CosineSimilarity(axis=0), np.ones((2, 2)), np.ones((2, 2)), tn.errors.InvalidValueError),
        (L.CategoricalFocalCrossentropy(alpha=[0.5, 0.5]), np.eye(3), np.full((3, 3), 0.3), ValueError),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(loss, y_true, y_pred, error) -> None:
    with pytest.raises(error):
        loss(y_true, y_pred)


# ---------------------------------------------------------------------------- in a model
def test_a_sigmoid_model_with_focal_loss_is_fused_and_agrees_with_the_unfused_loss() -> None:
    x, y = RNG.normal(size=(16, 3)), (RNG.uniform(size=(16, 1)) > 0.5).astype(float)
    model = tn.Sequential([tn.layers.Dense(1, activation="sigmoid")]).astype("float64")
    model.compile(optimizer="sgd", loss=L.BinaryFocalCrossentropy(apply_class_balancing=True, label_smoothing=0.1))
    assert model.compiled_loss.fused
    fused = model.evaluate(x, y, verbose=0)
    plain = L.BinaryFocalCrossentropy(apply_class_balancing=True, label_smoothing=0.1)(y, model.predict(x, verbose=0))
    assert fused == pytest.approx(plain, rel=1e-10)


def test_fit_takes_integer_labels_for_cgce_and_circle() -> None:
    x, labels = RNG.normal(size=(12, 3)), RNG.integers(0, 3, 12)
    model = tn.Sequential([tn.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_generalized_cross_entropy", metrics=["accuracy"])
    history = model.fit(x, labels, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    model = tn.Sequential([tn.layers.Dense(4)])
    model.compile(optimizer="adam", loss="circle")
    assert np.isfinite(model.fit(x, labels, epochs=2, verbose=0).history["loss"]).all()
