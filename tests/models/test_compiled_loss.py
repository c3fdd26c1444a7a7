"""The fused head of the training loop: a final sigmoid or softmax and the matching
cross-entropy are trained from the logits.

The fused path must equal the plain one (probabilities into the loss, ``backward`` through the activation)
wherever both are finite, stay exact and finite at logits of +-1e4 where the plain one clips, fall back to
the plain path for heads it cannot see, refuse pairings that cannot work, and still give metrics and
``predict`` probabilities.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet.errors import InvalidValueError

Dense = tn.layers.Dense

# loss id -> (output units, final activation)
HEADS = {
    "binary_crossentropy": (1, "sigmoid"),
    "categorical_crossentropy": (3, "softmax"),
    "sparse_categorical_crossentropy": (3, "softmax"),
}


class Identity(tn.Layer):
    """A custom parameter-free layer: ``y = x``. At the end of a model it hides the activation before it."""

    accepts_any_shape = True

    def forward(self, x, training=False):
        self.remember(seen=True)
        return x

    def backward(self, grad):
        self.recall("seen")
        return grad


class SigmoidLayer(tn.Layer):
    """A user's own sigmoid: a custom layer, so the head cannot see it and trains unfused."""

    accepts_any_shape = True

    def forward(self, x, training=False):
        y = 1.0 / (1.0 + np.exp(-x))
        self.remember(y=y)
        return y

    def backward(self, grad):
        (y,) = self.recall("y")
        return grad * y * (1.0 - y)


def labels(loss: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Targets in the form each loss takes: (n, 1) for binary, one-hot (n, 3), integer (n,) for sparse."""
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, (n, 1)).astype(np.float64)
    classes = rng.integers(0, 3, n)
    return np.eye(3)[classes] if loss == "categorical_crossentropy" else classes


def two_layer(loss: str, seed: int, scale: float = 1.0, standalone: bool = False) -> tn.Sequential:
    """A float64 4-5-units net ending in the loss's activation, weights drawn from ``seed`` and scaled."""
    units, activation = HEADS[loss]
    last = [Dense(units), tn.activations.get(activation)] if standalone else [Dense(units, activation=activation)]
    model = tn.Sequential([Dense(5, activation="tanh", input_shape=(4,)), *last]).astype("float64")
    rng = np.random.default_rng(seed)
    model.set_weights([scale * rng.normal(size=w.shape) for w in model.get_weights()])
    return model


def fused_loss_and_grads(model: tn.Sequential, x: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """The training step's own computation (the compiled loss), without the optimizer."""
    compiled_loss = model.compiled_loss
    value = compiled_loss.forward(y, model.forward(x, training=True))
    model.backward(compiled_loss.backward())
    return value, [p.grad.copy() for p in model.parameters()]


def logits_of(model: tn.Sequential, x: np.ndarray) -> np.ndarray:
    """The logits the final activation turned into the model's output for ``x``."""
    logits = model.output_activation().logits_of(model.forward(x))
    assert logits is not None
    return logits


def plain_loss_and_grads(
    model: tn.Sequential, loss_id: str, x: np.ndarray, y: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """The unfused computation: probabilities into a probability loss, backward through the activation."""
    loss = tn.losses.get(loss_id)
    assert not loss.from_logits
    value = loss.forward(y, model.forward(x, training=True))
    model.backward(loss.backward())
    return value, [p.grad.copy() for p in model.parameters()]


def assert_same(fused: tuple[float, list[np.ndarray]], plain: tuple[float, list[np.ndarray]]) -> None:
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-9, atol=0)
    assert len(fused[1]) == len(plain[1])
    for index, (a, b) in enumerate(zip(fused[1], plain[1], strict=True)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-13, err_msg=f"gradient of parameter {index}")


# ---------------------------------------------------------------------------- fused == plain
@pytest.mark.parametrize("standalone", [False, True], ids=["dense-activation", "standalone-activation"])
@pytest.mark.parametrize("loss", list(HEADS))
def test_compile_fuses_the_matching_head(loss: str, standalone: bool) -> None:
    """Dense(activation=...) and a standalone Sigmoid/Softmax at the end are both fused."""
    model = two_layer(loss, 0, standalone=standalone)
    model.compile(optimizer="sgd", loss=loss)
    assert model.compiled_loss.fused is True


def moderate(model: tn.Sequential, x: np.ndarray, limit: float = 6.0) -> None:
    """Shrink the last Dense so no logit for ``x`` exceeds ``limit`` in size: no probability gets near the
    plain path's clip at 1e-7 (a softmax's logits then differ by at most 2 * limit)."""
    largest = np.abs(logits_of(model, x)).max()
    if largest > limit:
        last = next(layer for layer in reversed(model.layers) if isinstance(layer, Dense))
        for p in last.parameters():
            p.value *= limit / largest


@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 3.0))
def test_fused_loss_and_gradients_equal_the_plain_computation(seed: int, scale: float) -> None:
    """Property: on moderate logits, the fused loss and every parameter gradient equal the plain path's."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(6, 4))
    for loss in HEADS:
        model = two_layer(loss, seed, scale)
        moderate(model, x)
        model.compile(optimizer="sgd", loss=loss)
        assert model.compiled_loss.fused
        y = labels(loss, 6, rng)
        assert_same(fused_loss_and_grads(model, x, y), plain_loss_and_grads(model, loss, x, y))


@pytest.mark.parametrize("loss", list(HEADS))
def test_train_and_test_steps_report_the_plain_loss(loss: str) -> None:
    """test_on_batch and train_on_batch (before its step) report the loss the plain computation gives."""
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(9, 4)), labels(loss, 9, rng)
    model = two_layer(loss, 3)
    model.compile(optimizer=tn.optimizers.SGD(0.1), loss=loss)
    plain, _ = plain_loss_and_grads(model, loss, x, y)
    np.testing.assert_allclose(model.test_on_batch(x, y), plain, rtol=1e-12)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), plain, rtol=1e-12)
    np.testing.assert_allclose(model.train_on_batch(x, y), plain, rtol=1e-12)


@pytest.mark.parametrize("loss", list(HEADS))
def test_fitting_fused_equals_fitting_an_unfused_twin(loss: str) -> None:
    """fit on the fused model and on a twin whose activation is hidden behind a custom layer agree.

    The twin ends in ``Dense, Sigmoid/Softmax, Identity``: the head sees a custom layer last, so it trains
    plain, with the loss on probabilities. Three epochs of SGD, float64, moderate logits.
    """
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(12, 4)), labels(loss, 12, rng)
    fused = two_layer(loss, 5)
    units, activation = HEADS[loss]
    twin = tn.Sequential(
        [Dense(5, activation="tanh", input_shape=(4,)), Dense(units), tn.activations.get(activation), Identity()]
    ).astype("float64")
    twin.set_weights(fused.get_weights())
    for model in (fused, twin):
        model.compile(optimizer=tn.optimizers.SGD(0.5), loss=loss)
    assert fused.compiled_loss.fused and not twin.compiled_loss.fused
    fused_history = fused.fit(x, y, batch_size=5, epochs=3, shuffle=False, verbose=0).history
    twin_history = twin.fit(x, y, batch_size=5, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(fused_history["loss"], twin_history["loss"], rtol=1e-9)
    for a, b in zip(fused.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-13)


# ---------------------------------------------------------------------------- extreme logits
def extreme_model(loss: str, dtype: str) -> tuple[tn.Sequential, np.ndarray, Any, float, list[np.ndarray]]:
    """A one-layer model whose logits for x = [[1]] are +-1e4 against the label.

    Returns the model, x, y, the exact loss and the exact gradients (kernel, bias).
    """
    units, activation = HEADS[loss]
    model = tn.Sequential([Dense(units, activation=activation, input_shape=(1,))]).astype(dtype)
    x = np.ones((1, 1))
    if loss == "binary_crossentropy":
        model.set_weights([np.array([[1e4]]), np.zeros(1)])  # z = 1e4, label 0: L = softplus(1e4) = 1e4
        dz = np.array([1.0])  # sigmoid(z) - y
        return model, x, np.zeros((1, 1)), 1e4, [dz[None, :], dz]
    model.set_weights([np.array([[1e4, -1e4, 0.0]]), np.zeros(3)])  # label 1: L = 1e4 - (-1e4) = 2e4
    dz = np.array([1.0, -1.0, 0.0])  # softmax(z) - one_hot
    y = np.array([[0.0, 1.0, 0.0]]) if loss == "categorical_crossentropy" else np.array([1])
    return model, x, y, 2e4, [dz[None, :], dz]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("loss", list(HEADS))
def test_fused_head_is_exact_and_finite_at_logits_of_1e4(loss: str, dtype: str) -> None:
    """At logits +-1e4 against the label the fused loss is exactly 1e4 (2e4 for softmax) and the gradients
    are exactly dz = activation(z) - y, with no overflow, divide or invalid-value warning."""
    model, x, y, expected_loss, expected_grads = extreme_model(loss, dtype)
    model.compile(optimizer=tn.optimizers.SGD(0.01), loss=loss)
    assert model.compiled_loss.fused
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value, grads = fused_loss_and_grads(model, x.astype(dtype), y)
        assert value == expected_loss
        for grad, expected in zip(grads, expected_grads, strict=True):
            np.testing.assert_array_equal(grad, expected)
        assert model.test_on_batch(x, y) == expected_loss
        assert model.train_on_batch(x, y) == expected_loss
    kernel, bias = model.get_weights()
    assert np.isfinite(kernel).all() and np.isfinite(bias).all()
    np.testing.assert_allclose(bias, -0.01 * expected_grads[1], rtol=1e-6)  # one SGD step from zero bias


@pytest.mark.parametrize("loss", list(HEADS))
def test_the_plain_path_would_clip_at_logits_of_1e4(loss: str) -> None:
    """The contrast: on probabilities the same case clips to -log(1e-7) ~ 16 and its gradient vanishes."""
    model, x, y, expected_loss, _ = extreme_model(loss, "float64")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value, grads = plain_loss_and_grads(model, loss, x, y)
    assert value == pytest.approx(-np.log(1e-7), rel=1e-6) and value < expected_loss / 100
    assert all((g == 0).all() for g in grads)


def test_metrics_see_probabilities_not_logits() -> None:
    """Logits of 0.2 are probabilities of 0.55: binary accuracy at threshold 0.5 says class 1."""
    model = tn.Sequential([Dense(1, activation="sigmoid", input_shape=(1,))]).astype("float64")
    model.set_weights([np.zeros((1, 1)), np.array([0.2])])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    assert model.compiled_loss.fused
    loss, accuracy = model.evaluate(np.zeros((4, 1)), np.ones(4), verbose=0)
    assert accuracy == 1.0
    assert loss == pytest.approx(np.log1p(np.exp(-0.2)), rel=1e-12)


@pytest.mark.parametrize("loss", list(HEADS))
def test_predict_returns_probabilities(loss: str) -> None:
    """predict gives the activation's output (softmax rows sum to 1), not the logits the loss trains on."""
    model = two_layer(loss, 2, scale=3.0)
    model.compile(optimizer="sgd", loss=loss)
    x = np.random.default_rng(0).normal(size=(10, 4))
    probabilities = model.predict(x)
    logits = logits_of(model, x)
    if loss == "binary_crossentropy":
        np.testing.assert_allclose(probabilities, 1.0 / (1.0 + np.exp(-logits)), rtol=1e-12)
    else:
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        np.testing.assert_allclose(probabilities, shifted / shifted.sum(axis=1, keepdims=True), rtol=1e-12)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    np.testing.assert_array_equal(probabilities, model.forward(x))


# ---------------------------------------------------------------------------- heads that are not fused
def moons() -> tuple[np.ndarray, np.ndarray]:
    return tn.datasets.make_moons(64, noise=0.1, seed=0)


class TwoLayer(tn.Model):
    """A user's Model subclass ending in a sigmoid: the head cannot look inside it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hidden = Dense(8, activation="tanh")
        self.out = Dense(1, activation="sigmoid")

    def forward(self, x, training=False):
        return self.out.forward(self.hidden.forward(x, training), training)

    def backward(self, grad):
        return self.hidden.backward(self.out.backward(grad))

    def build(self, input_shape):
        self.out.ensure_built(self.hidden.compute_output_shape(input_shape))


@pytest.mark.parametrize(
    "make",
    [
        lambda: tn.Sequential([Dense(8, activation="tanh"), tn.Sequential([Dense(1, activation="sigmoid")])]),
        lambda: tn.Sequential([Dense(8, activation="tanh"), Dense(1), SigmoidLayer()]),
        lambda: tn.Sequential([Dense(8, activation="tanh"), Dense(1, activation="sigmoid"), Identity()]),
        TwoLayer,
    ],
    ids=["nested-model", "custom-sigmoid", "custom-layer-after-sigmoid", "model-subclass"],
)
def test_a_head_the_model_does_not_expose_trains_unfused(make: Any) -> None:
    """A nested model, a custom layer or a Model subclass at the end: not fused, but it trains, finitely."""
    tn.utils.set_random_seed(0)
    x, y = moons()
    model = make()
    model.compile(optimizer=tn.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["accuracy"])
    assert model.compiled_loss.fused is False
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0).history
    assert np.isfinite(history["loss"]).all()
    assert history["loss"][-1] < history["loss"][0]
    assert ((model.predict(x) >= 0) & (model.predict(x) <= 1)).all()


def test_unfused_loss_stays_finite_by_clipping_at_extreme_logits() -> None:
    """Unfused at logits of 1e4 against the label: the loss clips to -log(1e-7), finite, no warning."""
    model = tn.Sequential([tn.Sequential([Dense(1, activation="sigmoid", input_shape=(1,))])]).astype("float64")
    model.set_weights([np.array([[1e4]]), np.zeros(1)])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert not model.compiled_loss.fused
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = model.train_on_batch(np.ones((1, 1)), np.zeros((1, 1)))
    assert value == pytest.approx(-np.log(1e-7), rel=1e-6)


def test_logits_loss_after_a_linear_layer_is_accepted_and_not_fused() -> None:
    """from_logits=True after a linear layer is the user's own fusion: accepted, trained as given."""
    model = tn.Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss=tn.losses.BinaryCrossentropy(from_logits=True))
    assert not model.compiled_loss.fused
    x, y = moons()
    assert np.isfinite(model.fit(x, y, epochs=2, verbose=0).history["loss"]).all()


# ---------------------------------------------------------------------------- refused pairings
REFUSED = [
    (lambda: Dense(1, activation="softmax"), "categorical_crossentropy", ["binary_crossentropy", "k units"]),
    (lambda: Dense(1, activation="sigmoid"), "categorical_crossentropy", ["binary_crossentropy"]),
    (lambda: Dense(1, activation="sigmoid"), lambda: tn.losses.BinaryCrossentropy(from_logits=True), ["from_logits"]),
    (
        lambda: Dense(3, activation="softmax"),
        lambda: tn.losses.CategoricalCrossentropy(from_logits=True),
        ["from_logits", "remove the final activation"],
    ),
    (lambda: Dense(1), "binary_crossentropy", ["activation='sigmoid'", "from_logits=True"]),
    (lambda: Dense(3), "categorical_crossentropy", ["activation='softmax'", "from_logits=True"]),
    (lambda: Dense(3, activation="linear"), "sparse_categorical_crossentropy", ["activation='softmax'"]),
]
REFUSED_IDS = [
    "categorical-after-1-unit-softmax", "categorical-after-1-unit-sigmoid", "logits-after-sigmoid",
    "logits-after-softmax", "binary-after-linear", "categorical-after-linear", "sparse-after-linear",
]  # fmt: skip


def _loss(identifier: Any) -> Any:
    return identifier() if callable(identifier) else identifier


@pytest.mark.parametrize(("make_last", "loss", "fragments"), REFUSED, ids=REFUSED_IDS)
def test_compile_refuses_a_loss_that_cannot_fit_the_output(make_last: Any, loss: Any, fragments: list[str]) -> None:
    """A built model: compile raises InvalidValueError saying what to do, and stays uncompiled."""
    model = tn.Sequential([Dense(4, activation="relu", input_shape=(2,)), make_last()])
    with pytest.raises(InvalidValueError) as info:
        model.compile(optimizer="sgd", loss=_loss(loss))
    for fragment in fragments:
        assert fragment in str(info.value)
    assert not model.compiled and model.optimizer is None and model.loss is None


@pytest.mark.parametrize(("make_last", "loss", "fragments"), REFUSED, ids=REFUSED_IDS)
def test_an_unbuilt_model_is_refused_at_the_first_fit(make_last: Any, loss: Any, fragments: list[str]) -> None:
    """Not built at compile: the refusal comes at the first fit, and the model stays unbuilt."""
    model = tn.Sequential([Dense(4, activation="relu"), make_last()])
    model.compile(optimizer="sgd", loss=_loss(loss))
    x, y = np.ones((4, 2)), np.zeros(4)
    with pytest.raises(InvalidValueError) as info:
        model.fit(x, y, epochs=1, verbose=0)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert not model.built and model.parameters() == [] and model.optimizer.iterations == 0


def test_a_refused_recompile_keeps_the_previous_compile_state() -> None:
    """A model compiled once and then refused keeps its optimizer, loss, metrics and head."""
    model = tn.Sequential([Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    before = (model.optimizer, model.loss, list(model.compiled_metrics), model.compiled_loss)
    with pytest.raises(InvalidValueError):
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert (model.optimizer, model.loss, model.compiled_metrics, model.compiled_loss) == before
