"""BatchNorm and LayerNorm: stable statistics, training against inference mode, the moving statistics,
frozen layers, the refused batch of one, Keras's parameter order, configs, and training inside a model.

Gradients in both modes are checked by the catalogue (tests/cases/normalization.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError
from tinynet.layers.normalization import BatchNorm, LayerNorm
from tinynet.registry import get_registered_class

I = tn.initializers


def reference(x: np.ndarray, mean: np.ndarray, var: np.ndarray, gamma=1.0, beta=0.0, epsilon=1e-3) -> np.ndarray:
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta


def moving_stats(layer: BatchNorm) -> tuple[np.ndarray, np.ndarray]:
    return layer.moving_mean.value.copy(), layer.moving_variance.value.copy()


def batch(shape=(6, 3), seed=0, loc=0.0, scale=1.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(loc, scale, size=shape)


# ---------------------------------------------------------------------------- numerics
@pytest.mark.parametrize("axis_shape", [(-1, (512, 3)), (-1, (8, 8, 8, 2)), (1, (128, 3, 2))])
def test_batchnorm_float32_with_mean_1e4_and_std_1e_minus2_is_finite_and_correct(axis_shape) -> None:
    axis, shape = axis_shape
    x = (1e4 + 1e-2 * batch(shape, seed=1)).astype(np.float32)
    layer = BatchNorm(axis=axis, epsilon=1e-8)
    y = layer(x, training=True)
    axes = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    assert y.dtype == np.float32 and np.isfinite(y).all()
    np.testing.assert_allclose(y.mean(axis=axes), 0.0, atol=1e-3)
    np.testing.assert_allclose(y.std(axis=axes), 1.0, atol=1e-3)
    # against float64 statistics of the very same float32 values, at Keras's epsilon as well
    x64 = x.astype(np.float64)
    expected = reference(x64, x64.mean(axis=axes, keepdims=True), x64.var(axis=axes, keepdims=True), epsilon=1e-3)
    np.testing.assert_allclose(BatchNorm(axis=axis)(x, training=True), expected, atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.value, 0.99 * 0 + 0.01 * x64.mean(axis=axes), rtol=1e-6)


def test_layernorm_float32_with_mean_1e4_and_std_1e_minus2_is_finite_and_correct() -> None:
    x = (1e4 + 1e-2 * batch((4, 512), seed=2)).astype(np.float32)
    y = LayerNorm(epsilon=1e-8)(x)
    assert y.dtype == np.float32 and np.isfinite(y).all()
    np.testing.assert_allclose(y.mean(axis=1), 0.0, atol=1e-3)
    np.testing.assert_allclose(y.std(axis=1), 1.0, atol=1e-3)


def test_constant_features_normalize_to_beta_without_warnings() -> None:
    x = np.full((4, 2), 7.0)
    layer = BatchNorm(beta_initializer=I.Constant(0.5))
    np.testing.assert_array_equal(layer(x, training=True), 0.5)
    np.testing.assert_array_equal(LayerNorm(beta_initializer=I.Constant(0.5))(x), 0.5)


# ---------------------------------------------------------------------------- training and inference
def test_training_uses_batch_statistics_and_inference_the_moving_ones() -> None:
    x = batch(loc=3.0, scale=2.0)
    layer = BatchNorm(
        gamma_initializer=I.Constant(2.0),
        beta_initializer=I.Constant(-1.0),
        moving_mean_initializer=I.Constant(0.5),
        moving_variance_initializer=I.Constant(4.0),
    ).astype("float64")
    np.testing.assert_allclose(layer(x, training=True), reference(x, x.mean(0), x.var(0), 2.0, -1.0), rtol=1e-12)
    mean, var = moving_stats(layer)
    np.testing.assert_allclose(layer(x), reference(x, mean, var, 2.0, -1.0), rtol=1e-12)
    np.testing.assert_allclose(layer(x, training=False), layer.forward(x), rtol=0)


def test_moving_statistics_follow_kerass_update_with_the_biased_variance() -> None:
    layer = BatchNorm(momentum=0.9, moving_mean_initializer=I.Constant(1.0)).astype("float64")
    mean, var = np.array([1.0, 1.0, 1.0]), np.ones(3)
    for seed in range(3):
        x = batch(seed=seed, loc=seed, scale=seed + 1.0)
        layer(x, training=True)
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        var = 0.9 * var + 0.1 * x.var(axis=0)  # ddof=0: Keras 3
        np.testing.assert_allclose(layer.moving_mean.value, mean, rtol=1e-12)
        np.testing.assert_allclose(layer.moving_variance.value, var, rtol=1e-12)
    before = moving_stats(layer)
    layer(batch(seed=9))  # inference changes nothing
    np.testing.assert_array_equal(moving_stats(layer)[0], before[0])
    np.testing.assert_array_equal(moving_stats(layer)[1], before[1])


def test_moving_statistics_are_updated_in_place_and_stay_float32() -> None:
    layer = BatchNorm()
    layer(batch(), training=True)
    values = layer.moving_mean.value, layer.moving_variance.value
    layer(batch(seed=1), training=True)
    assert layer.moving_mean.value is values[0] and layer.moving_variance.value is values[1]
    assert all(p.value.dtype == np.float32 for p in layer.parameters())


def test_4d_input_normalizes_each_channel_over_batch_and_space() -> None:
    x = batch((3, 4, 5, 2), loc=2.0)
    layer = BatchNorm(momentum=0.0).astype("float64")
    y = layer(x, training=True)
    np.testing.assert_allclose(y, reference(x, x.mean((0, 1, 2)), x.var((0, 1, 2))), rtol=1e-12)
    np.testing.assert_allclose(layer.moving_mean.value, x.mean((0, 1, 2)), rtol=1e-12)
    assert layer.gamma.shape == (2,)


def test_inference_backward_is_the_affine_derivative() -> None:
    layer = BatchNorm(gamma_initializer=I.Constant(3.0), moving_variance_initializer=I.Constant(0.25))
    layer.astype("float64")
    x = batch()
    layer(x)
    grad = batch(seed=5)
    np.testing.assert_allclose(layer.backward(grad), grad * 3.0 / np.sqrt(0.25 + 1e-3), rtol=1e-12)


def test_a_training_backward_with_the_inference_derivative_fails_the_gradient_check() -> None:
    """The tester is tested: batch statistics depend on x, and check_gradients sees it."""

    class Wrong(BatchNorm):
        def backward(self, grad):
            super().backward(grad)
            (inv_std,) = self.recall("inv_std")
            return grad * self._gamma() * inv_std

    x = batch((5, 3))
    tn.testing.check_gradients(Wrong(), x, training=False)
    with pytest.raises(AssertionError, match="'input'"):
        tn.testing.check_gradients(Wrong(), x, training=True)


# ---------------------------------------------------------------------------- frozen layers
def test_a_frozen_batchnorm_runs_in_inference_mode_even_with_training_true() -> None:
    x = batch(loc=4.0)
    frozen = BatchNorm(trainable=False, moving_variance_initializer=I.Constant(2.0))
    frozen.ensure_built((3,))
    before = moving_stats(frozen)
    y = frozen(x, training=True)
    np.testing.assert_array_equal(y, frozen(x, training=False))
    np.testing.assert_array_equal(moving_stats(frozen)[0], before[0])
    np.testing.assert_array_equal(moving_stats(frozen)[1], before[1])
    frozen.forward(x[:1].astype(np.float32), training=True)  # a batch of one is fine: no batch statistics
    frozen.trainable = True
    frozen(x, training=True)
    assert not np.array_equal(moving_stats(frozen)[0], before[0])


def test_freezing_the_parent_model_freezes_the_batchnorm_inside() -> None:
    bn = BatchNorm()
    inner = tn.Sequential([tn.layers.Dense(3, input_shape=(2,)), bn])
    model = tn.Sequential([inner, tn.layers.Dense(1)])
    x = batch((6, 2)).astype(np.float32)
    model.ensure_built((2,))
    model.trainable = False
    before = moving_stats(bn)
    y = model.forward(x, training=True)
    model(x, training=True)
    np.testing.assert_array_equal(moving_stats(bn)[0], before[0])
    np.testing.assert_array_equal(moving_stats(bn)[1], before[1])
    np.testing.assert_array_equal(y, model.forward(x, training=False))
    model.trainable = True
    model.forward(x, training=True)
    assert not np.array_equal(moving_stats(bn)[0], before[0])


# ---------------------------------------------------------------------------- a batch of one
def test_training_on_one_sample_is_refused_and_changes_nothing() -> None:
    layer = BatchNorm()
    x = batch((4, 3)).astype(np.float32)
    layer(x, training=True)
    y = layer.forward(x, training=True)
    grads = (layer.backward(np.ones_like(y)), layer.gamma.grad.copy())
    state = moving_stats(layer)
    for call in (layer, layer.forward):
        with pytest.raises(InvalidValueError, match=r"BatchNorm 'batch_norm.*1 sample.*inference mode.*larger batch"):
            call(x[:1], training=True)
    np.testing.assert_array_equal(moving_stats(layer)[0], state[0])
    np.testing.assert_array_equal(moving_stats(layer)[1], state[1])
    np.testing.assert_array_equal(layer.backward(np.ones_like(y)), grads[0])  # memory of the last forward kept
    np.testing.assert_array_equal(layer.gamma.grad, grads[1])
    assert layer(x[:1]).shape == (1, 3)  # inference on one sample is fine


def test_a_refused_first_call_leaves_the_layer_unbuilt() -> None:
    layer = BatchNorm()
    with pytest.raises(InvalidValueError, match="shape \\(1, 3\\)"):
        layer(np.ones((1, 3)), training=True)
    assert not layer.built and layer.parameters() == []


def test_one_image_has_enough_values_per_channel_but_one_pixel_does_not() -> None:
    BatchNorm()(batch((1, 2, 2, 3)), training=True)
    with pytest.raises(InvalidValueError, match="1 value per feature"):
        BatchNorm()(batch((1, 1, 1, 3)), training=True)


# ---------------------------------------------------------------------------- parameters
def test_get_weights_follows_kerass_order_and_moving_statistics_are_not_trainable() -> None:
    layer = BatchNorm()
    layer.ensure_built((4,))
    assert [p.name for p in layer.parameters()] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.shape for w in layer.get_weights()] == [(4,)] * 4
    assert [p.name for p in layer.trainable_parameters()] == ["gamma", "beta"]
    np.testing.assert_array_equal(np.stack(layer.get_weights()), [[1] * 4, [0] * 4, [0] * 4, [1] * 4])
    plain = BatchNorm(center=False, scale=False)
    plain.ensure_built((4,))
    assert [p.name for p in plain.parameters()] == ["moving_mean", "moving_variance"]
    assert plain.trainable_parameters() == []


def test_set_weights_round_trip_gives_the_same_inference_output() -> None:
    x = batch()
    trained = BatchNorm()
    for seed in range(3):
        trained(batch(seed=seed, loc=1.0), training=True)
    clone = BatchNorm()
    clone.ensure_built((3,))
    clone.set_weights(trained.get_weights())
    np.testing.assert_array_equal(clone(x), trained(x))


def test_layernorm_has_gamma_and_beta_of_the_feature_axis_and_normalizes_each_sample_alone() -> None:
    layer = LayerNorm(gamma_initializer=I.Constant(2.0)).astype("float64")
    x = batch((4, 2, 5), loc=3.0)
    y = layer(x)
    assert [(p.name, p.shape) for p in layer.parameters()] == [("gamma", (5,)), ("beta", (5,))]
    np.testing.assert_allclose(y, reference(x, x.mean(-1, keepdims=True), x.var(-1, keepdims=True), 2.0), rtol=1e-12)
    np.testing.assert_array_equal(layer(x[:1]), y[:1])  # independent of the rest of the batch
    np.testing.assert_array_equal(layer(x, training=True), y)  # one behaviour in both modes


# ---------------------------------------------------------------------------- arguments and config
@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"momentum": 1.5}, "momentum must lie in \\[0, 1\\]"),
        ({"momentum": -0.1}, "momentum must be a float >= 0"),
        ({"epsilon": 0.0}, "epsilon must be a positive float"),
        ({"axis": 1.5}, "axis must be an int"),
    ],
)
def test_bad_arguments_are_refused(kwargs, fragment) -> None:
    with pytest.raises(InvalidValueError, match=fragment):
        BatchNorm(**kwargs)


@pytest.mark.parametrize("layer_cls", [BatchNorm, LayerNorm])
@pytest.mark.parametrize("axis", [0, 2, -3])
def test_an_axis_that_is_not_a_feature_axis_is_refused_and_leaves_the_layer_unbuilt(layer_cls, axis) -> None:
    layer = layer_cls(axis=axis)
    with pytest.raises(ShapeError, match=f"axis {axis} is not a feature axis of a 2-D input"):
        layer(np.ones((3, 4)), training=True)
    assert not layer.built


@pytest.mark.parametrize(
    "layer",
    [
        BatchNorm(axis=1, momentum=0.9, epsilon=1e-5, center=False, gamma_regularizer="l2", name="bn"),
        LayerNorm(epsilon=1e-6, scale=False, beta_regularizer=tn.regularizers.L1(0.1), beta_initializer="ones"),
    ],
    ids=["batchnorm", "layernorm"],
)
def test_config_round_trips_through_json(layer) -> None:
    config = json.loads(json.dumps(layer.get_config()))
    clone = get_registered_class(type(layer).__name__).from_config(config)
    assert clone.get_config() == layer.get_config()
    x = batch((5, 3, 2))
    np.testing.assert_array_equal(clone(x, training=True), layer(x, training=True))


# ---------------------------------------------------------------------------- in a model
def test_a_model_with_batchnorm_trains_with_fit_and_predicts_with_the_moving_statistics() -> None:
    tn.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 3.0, size=(64, 2))
    y = (x @ np.array([[1.0], [-2.0]]) / 3.0).astype(np.float32)
    bn = BatchNorm(momentum=0.5)
    model = tn.Sequential([bn, tn.layers.Dense(1)])
    model.compile(tn.optimizers.SGD(0.05), "mse")
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    assert bn.parameters()[2] not in model.trainable_parameters()
    np.testing.assert_allclose(bn.moving_mean.value, x.mean(0), atol=1.5)
    state = moving_stats(bn)
    predicted = model.predict(x)
    np.testing.assert_array_equal(moving_stats(bn)[0], state[0])
    x32 = x.astype(np.float32)
    expected = model.layers[1].forward(reference(x32, state[0], state[1], bn.gamma.value, bn.beta.value))
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-5)
