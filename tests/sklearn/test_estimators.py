"""TinynetClassifier and TinynetRegressor: labels, model functions and their arguments, partial_fit, seeds, errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn", minversion="1.6")

from sklearn.base import clone  # noqa: E402

import tinynet as tn  # noqa: E402
from tinynet.sklearn import TinynetClassifier, TinynetRegressor  # noqa: E402

from . import factories  # noqa: E402


def blobs(n: int = 120, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` well-separated clusters in 2-D, labels 0 .. classes - 1."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    centres = 3.0 * np.stack([np.cos(2 * np.pi * y / classes), np.sin(2 * np.pi * y / classes)], axis=1)
    return (centres + rng.normal(scale=0.5, size=(n, 2))).astype(np.float32), y


def classifier(**params: object) -> TinynetClassifier:
    settings: dict[str, object] = {"optimizer": tn.optimizers.Adam(0.05), "epochs": 20, "random_state": 0}
    return TinynetClassifier(factories.classifier, **{**settings, **params})


# ---------------------------------------------------------------------------- labels and heads
def test_string_labels_come_back_as_labels() -> None:
    x, y = blobs()
    labels = np.array(["cat", "dog", "emu"])[y]
    clf = classifier().fit(x, labels)
    assert clf.classes_.tolist() == ["cat", "dog", "emu"]
    assert clf.predict(x).dtype == labels.dtype and clf.score(x, labels) > 0.95
    proba = clf.predict_proba(x)
    assert proba.shape == (120, 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert (clf.classes_[proba.argmax(axis=1)] == clf.predict(x)).all()


@pytest.mark.parametrize(
    "model, loss",
    [
        (factories.classifier, "binary_crossentropy"),  # one sigmoid unit
        (factories.softmax_classifier, "sparse_categorical_crossentropy"),  # two softmax units, integer labels
        (factories.softmax_classifier, "categorical_crossentropy"),  # two softmax units, one-hot rows
    ],
)
def test_two_classes_with_a_sigmoid_unit_or_a_two_unit_softmax(model: object, loss: str) -> None:
    x, y = blobs(classes=2)
    labels = np.where(y == 1, "yes", "no")
    params = {"model__loss": loss} if model is factories.softmax_classifier else {"optimizer": tn.optimizers.Adam(0.05)}
    clf = TinynetClassifier(model, epochs=20, random_state=0, **params).fit(x, labels)
    assert clf.model_.compute_output_shape((2,)) == ((1,) if model is factories.classifier else (2,))
    assert clf.classes_.tolist() == ["no", "yes"] and clf.score(x, labels) > 0.95
    proba = clf.predict_proba(x)
    assert proba.shape == (120, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]


def test_a_sigmoid_unit_gives_the_probability_of_the_second_class() -> None:
    x, y = blobs(classes=2)
    clf = classifier().fit(x, y + 5)
    p = clf.model_.predict(x)[:, 0]
    np.testing.assert_allclose(clf.predict_proba(x), np.stack([1 - p, p], axis=1), rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(x), np.where(p > 0.5, 6, 5))


def test_logits_out_are_turned_into_probabilities() -> None:
    x, y = blobs()
    clf = TinynetClassifier(factories.logits_classifier, epochs=10, random_state=0).fit(x, y)
    scores = clf.model_.predict(x).astype(np.float64)
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(clf.predict_proba(x), expected / expected.sum(axis=1, keepdims=True), rtol=1e-6)


def test_a_list_of_layers_with_the_default_losses() -> None:
    x, y = blobs()
    layers = [tn.layers.Dense(8, activation="relu"), tn.layers.Dense(3, activation="softmax")]
    clf = TinynetClassifier(layers, optimizer="adam", metrics=["accuracy"], epochs=60, random_state=0).fit(x, y)
    assert type(clf.model_.loss).__name__ == "SparseCategoricalCrossentropy"
    assert set(clf.history_) == {"loss", "accuracy"} and clf.score(x, y) > 0.9
    assert not layers[0].built, "the list's own layers are a specification, never trained"
    target = x @ np.array([[1.0, -2.0], [0.5, 1.0]], dtype=np.float32)
    reg = TinynetRegressor([tn.layers.Dense(2)], optimizer=tn.optimizers.SGD(0.1), epochs=30, random_state=0)
    reg.fit(x / 3, target / 3)
    assert type(reg.model_.loss).__name__ == "MeanSquaredError" and reg.n_outputs_ == 2
    assert reg.predict(x / 3).shape == (120, 2) and reg.score(x / 3, target / 3) > 0.99


def test_regressor_predicts_one_target_as_a_vector() -> None:
    x = np.linspace(-1, 1, 64)[:, None]
    reg = TinynetRegressor(factories.regressor, optimizer=tn.optimizers.Adam(0.02), epochs=60, random_state=0)
    reg.fit(x, np.sin(3 * x[:, 0]))
    assert reg.predict(x).shape == (64,) and reg.predict(x).dtype == np.float64 and reg.n_outputs_ == 1
    assert reg.score(x, np.sin(3 * x[:, 0])) > 0.8


def test_sample_weight_reaches_the_loss() -> None:
    """Weighting one class away makes the classifier give up on it."""
    x, y = blobs(classes=2)
    x[:, :] = np.random.default_rng(1).normal(size=x.shape)  # no signal: only the weights decide
    weights = np.where(y == 1, 1.0, 1e-3)
    clf = classifier(epochs=10).fit(x, y, sample_weight=weights)
    assert (clf.predict(x) == 1).mean() > 0.95


# ---------------------------------------------------------------------------- the model function and its arguments
def test_model_params_reach_the_function_and_the_meta_arguments() -> None:
    seen: dict[str, object] = {}

    def model(n_features_in: int, n_classes: int, units: int, activation: str = "relu") -> tn.Model:
        seen.update(n_features_in=n_features_in, n_classes=n_classes, units=units, activation=activation)
        return factories.classifier(n_features_in, n_classes, units=units)

    x, y = blobs(classes=4)
    clf = TinynetClassifier(model, model__units=5, model__activation="tanh", epochs=1, random_state=0).fit(x, y)
    assert seen == {"n_features_in": 2, "n_classes": 4, "units": 5, "activation": "tanh"}
    assert clf.model_.layers[0].units == 5
    assert clf.get_params()["model__units"] == 5 and clf.get_params(deep=False)["model__activation"] == "tanh"
    clf.set_params(model__units=7, epochs=2)
    assert clf.get_params()["model__units"] == 7 and clf.epochs == 2
    copy = clone(clf)
    assert copy.get_params()["model__units"] == 7 and not hasattr(copy, "model_")
    assert "model__units=7" in repr(copy)


def test_a_function_with_keyword_arguments_takes_any_model_param() -> None:
    def model(**kwargs: int) -> tn.Model:
        assert kwargs == {"units": 3}, "meta-arguments are passed only when declared"
        return factories.regressor(2, 1, units=kwargs["units"])

    x, y = blobs()
    assert TinynetRegressor(model, model__units=3, random_state=0).fit(x, y).model_.layers[0].units == 3


def test_an_unknown_model_param_is_refused_naming_it() -> None:
    x, y = blobs()
    with pytest.raises(ValueError, match=r"model__size was given, but classifier\(\) takes no argument 'size'"):
        classifier(model__size=3).fit(x, y)
    with pytest.raises(TypeError, match=r"unexpected parameter 'epoch'.*prefix 'model__'"):
        classifier(epoch=3).fit(x, y)
    with pytest.raises(ValueError, match="model__units is an argument of a model function, but model= is a list"):
        TinynetClassifier([tn.layers.Dense(3, activation="softmax")], model__units=3).fit(x, y)


def test_a_compiled_model_keeps_its_settings_and_refuses_others() -> None:
    x, y = blobs()
    clf = TinynetClassifier(factories.classifier, model__compiled=True, epochs=2, random_state=0).fit(x, y)
    assert set(clf.history_) == {"loss", "accuracy"}
    with pytest.raises(ValueError, match=r"returned a compiled model, so loss, metrics= would be ignored"):
        clf.set_params(loss="categorical_crossentropy", metrics=["mae"]).fit(x, y)


@pytest.mark.parametrize(
    "model, error, message",
    [
        (None, TypeError, "model= must be a function that returns a compiled tinynet model, or a list of layers"),
        (tn.layers.Dense(3), TypeError, "A model object is not taken: wrap it in a function"),
        (factories.not_a_model, TypeError, r"must return a tinynet Model .* but returned str 'a model'"),
        (factories.two_outputs, ValueError, "the model has 1 inputs and 2 outputs"),
        ([tn.layers.Dense(2, activation="softmax")], ValueError, r"the model has 2 outputs, but y holds 3 classes"),
        ([tn.layers.Reshape((2, 1))], ValueError, r"per-sample shape \(2, 1\); .* needs one axis of outputs"),
    ],
)
def test_a_model_that_cannot_classify_is_refused_before_training(model: object, error: type, message: str) -> None:
    x, y = blobs()
    clf = TinynetClassifier(model)
    with pytest.raises(error, match=message):
        clf.fit(x, y)
    assert not hasattr(clf, "model_")


def test_a_regressor_model_of_the_wrong_width_is_refused() -> None:
    x, y = blobs()
    with pytest.raises(ValueError, match=r"the model has 3 outputs, but y has 1 targets per sample. End the model in"):
        TinynetRegressor([tn.layers.Dense(3)]).fit(x, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"epochs": -1}, "epochs must be an int >= 0"),
        ({"batch_size": 0}, "batch_size must be a positive int"),
        ({"validation_split": 1.0}, r"validation_split must lie in \[0, 1\)"),
        ({"verbose": 3}, "verbose must be 0, 1, 2 or 'auto'"),
        ({"random_state": -2}, "random_state must be an int >= 0"),
        ({"random_state": "seed"}, "random_state must be None, an int >= 0 or a numpy.random.RandomState"),
    ],
)
def test_bad_fit_parameters_are_refused_naming_the_estimator(params: dict[str, object], message: str) -> None:
    x, y = blobs()
    with pytest.raises((ValueError, TypeError), match=f"TinynetClassifier: {message}"):
        classifier(**params).fit(x, y)


def test_one_class_is_refused() -> None:
    x, y = blobs()
    with pytest.raises(ValueError, match=r"y holds one class \(\['only'\]\); a classifier needs at least two"):
        classifier().fit(x, np.full(len(x), "only"))


# ---------------------------------------------------------------------------- partial_fit
def test_partial_fit_is_one_more_epoch_on_the_same_model() -> None:
    x, y = blobs()
    labels = np.array(["a", "b", "c"])[y]
    clf = classifier(epochs=5, model__compiled=True, optimizer=None)
    with pytest.raises(ValueError, match="classes must be passed on the first call to partial_fit"):
        clf.partial_fit(x, labels)
    clf.partial_fit(x[:10], labels[:10], classes=["c", "b", "a"])  # the first batch need not hold every class
    model = clf.model_
    assert clf.classes_.tolist() == ["a", "b", "c"] and len(clf.history_["loss"]) == 1
    clf.partial_fit(x, labels)
    assert clf.model_ is model and len(clf.history_["loss"]) == 2 and model.optimizer.iterations == 1 + 4
    with pytest.raises(ValueError, match=r"y holds labels \['d'\] that are not in classes \['a', 'b', 'c'\]"):
        clf.partial_fit(x[:2], np.array(["a", "d"]))
    with pytest.raises(ValueError, match=r"classes=\['a', 'b'\] differs from the first call"):
        clf.partial_fit(x, labels, classes=["a", "b"])
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.partial_fit(np.ones((4, 3)), labels[:4])
    clf.fit(x, labels)  # fit starts afresh
    assert clf.model_ is not model and len(clf.history_["loss"]) == 5


def test_epochs_of_partial_fit_continue_fit_as_one_longer_fit() -> None:
    x, y = blobs()
    whole = classifier(epochs=4).fit(x, y)
    pieces = classifier(epochs=2).fit(x, y)
    pieces.partial_fit(x, y)
    pieces.partial_fit(x, y)
    np.testing.assert_array_equal(pieces.predict_proba(x), whole.predict_proba(x))
    assert pieces.history_ == whole.history_


def test_regressor_partial_fit() -> None:
    x, y = blobs()
    reg = TinynetRegressor(factories.regressor, random_state=0).partial_fit(x, y)
    reg.partial_fit(x, y)
    assert len(reg.history_["loss"]) == 2
    with pytest.raises(ValueError, match="y has 2 targets per sample, but the model was fitted to 1"):
        reg.partial_fit(x, np.stack([y, y], axis=1))


# ---------------------------------------------------------------------------- seeds and pickles
def test_random_state_makes_fits_identical_and_leaves_the_process_stream_alone() -> None:
    x, y = blobs()
    layers = [tn.layers.Dense(8, activation="relu"), tn.layers.Dropout(0.2), tn.layers.Dense(3, activation="softmax")]
    tn.utils.set_random_seed(7)
    first = TinynetClassifier(layers, epochs=3, random_state=3).fit(x, y)
    after_fit = tn.utils.make_rng().random()
    tn.utils.set_random_seed(7)
    assert tn.utils.make_rng().random() == after_fit, "a seeded fit does not move tinynet's process-wide stream"
    again = clone(first).fit(x, y)
    np.testing.assert_array_equal(again.predict_proba(x), first.predict_proba(x))
    other = clone(first).set_params(random_state=4).fit(x, y)
    assert not np.array_equal(other.predict_proba(x), first.predict_proba(x))
    unseeded = [clone(first).set_params(random_state=None).fit(x, y).predict_proba(x) for _ in range(2)]
    assert not np.array_equal(*unseeded)


def test_a_fitted_estimator_pickles_and_keeps_training_identically() -> None:
    x, y = blobs()
    clf = classifier(epochs=3, model__units=4).fit(x, np.array(["a", "b", "c"])[y])
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(x), clf.predict_proba(x))
    assert restored.get_params()["model__units"] == 4 and restored.history_ == clf.history_
    clf.partial_fit(x, np.array(["a", "b", "c"])[y])
    restored.partial_fit(x, np.array(["a", "b", "c"])[y])
    np.testing.assert_array_equal(restored.predict_proba(x), clf.predict_proba(x))


# ---------------------------------------------------------------------------- importing
def test_importing_tinynet_does_not_import_scikit_learn() -> None:
    import subprocess
    import sys

    code = "import sys, tinynet; assert 'sklearn' not in sys.modules, 'sklearn imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_scikit_learn_the_error_says_what_to_install() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n    import tinynet.sklearn\nexcept ImportError as e:\n    print(type(e).__name__, e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.startswith("MissingDependencyError tinynet.sklearn needs scikit-learn") and (
        "pip install tinynet[sklearn]" in out
    )
