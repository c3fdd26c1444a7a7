"""Identity and Lambda: a Lambda runs forward, runs backward only with a backward_function, and never saves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import CallOrderError, InvalidTypeError
from tinynet.layers import Dense, Identity, Lambda


def test_identity_passes_its_input_and_mask_on() -> None:
    x = np.ones((2, 3), dtype=np.float32)
    layer = Identity()
    assert layer(x) is x and layer.backward(x) is x
    assert layer.compute_mask(x, np.ones((2, 3), dtype=bool)) is not None
    assert Identity.from_config(layer.get_config()).get_config() == layer.get_config()


def test_lambda_applies_its_function_with_arguments_and_training() -> None:
    def scaled(x: np.ndarray, factor: float, training: bool = False) -> np.ndarray:
        return x * (factor if training else 1.0)

    layer = Lambda(scaled, arguments={"factor": 3.0})
    x = np.ones((1, 2), dtype=np.float32)
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer(x, training=True), 3.0 * x)
    assert Lambda(np.tanh)(x).dtype == np.float32  # a NumPy ufunc: no signature to read


def test_lambda_output_shape_given_or_found() -> None:
    assert Lambda(lambda x: x[:, :2]).compute_output_shape((5,)) == (2,)
    assert Lambda(lambda x: x, output_shape=(7,)).compute_output_shape((5,)) == (7,)
    assert Lambda(lambda x: x, output_shape=lambda s: (s[0] * 2,)).compute_output_shape((5,)) == (10,)
    model = tn.Sequential([tn.Input(shape=(4,)), Lambda(lambda x: x.reshape(len(x), 2, 2)), tn.layers.Flatten()])
    assert model.compute_output_shape((4,)) == (4,)


def test_lambda_backward_without_a_backward_function_says_what_to_do() -> None:
    layer = Lambda(lambda x: x * 2.0)
    layer(np.ones((1, 2)))
    with pytest.raises(CallOrderError, match="backward_function=lambda x, grad"):
        layer.backward(np.ones((1, 2)))
    layer.needs_input_grad = False
    assert layer.backward(np.ones((1, 2))) is None


def test_a_lambda_first_in_a_model_trains_without_a_backward_function() -> None:
    x = np.random.default_rng(0).uniform(0, 255, size=(32, 2))
    y = (x[:, :1] > 128).astype(np.float32)
    model = tn.Sequential([tn.Input(shape=(2,)), Lambda(lambda x: x / 255.0), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_a_lambda_with_a_backward_function_trains_anywhere() -> None:
    model = tn.Sequential(
        [
            Dense(3, input_shape=(2,)),
            Lambda(lambda x: x * x, backward_function=lambda x, grad: 2.0 * x * grad),
            Dense(1),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0)


def test_a_lambda_refuses_its_config_and_a_model_file_but_saves_weights(tmp_path: Path) -> None:
    layer = Lambda(lambda x: x)
    with pytest.raises(InvalidTypeError, match="never store"):
        layer.get_config()
    model = tn.Sequential([Dense(2, input_shape=(2,)), layer])
    with pytest.raises(InvalidTypeError, match="subclass tn.Layer"):
        model.save(tmp_path / "model.npz")
    assert not list(tmp_path.iterdir())
    model.save_weights(tmp_path / "model.weights.npz")
    other = tn.Sequential([Dense(2, input_shape=(2,)), Lambda(lambda x: x)])
    other.load_weights(tmp_path / "model.weights.npz")
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvalidTypeError, match="function must be callable"):
        Lambda(3)
    with pytest.raises(InvalidTypeError, match="backward_function must be callable"):
        Lambda(np.tanh, backward_function="grad")
    with pytest.raises(InvalidTypeError, match="arguments must be a dict"):
        Lambda(np.tanh, arguments=[1])


@pytest.mark.parametrize("directions", [None, 3], ids=["entries", "directions"])
@pytest.mark.parametrize(
    "backward_function",
    [lambda x, grad: x * grad, lambda x, grad: 2.0 * grad, lambda x, grad: 2.0 * x * grad.mean(axis=0)],
    ids=["factor_two_missing", "x_missing", "upstream_averaged"],
)
def test_a_wrong_backward_function_is_caught(backward_function: object, directions: int | None) -> None:
    layer = Lambda(lambda x: x * x, backward_function=backward_function)
    x = np.random.default_rng(1).uniform(0.5, 2.0, size=(3, 4))
    with pytest.raises(AssertionError, match="check_gradients: the gradient of"):
        tn.testing.check_gradients(layer, x, directions=directions)
