"""Bad input to ``compile`` / ``fit`` / ``evaluate`` / ``predict`` / ``*_on_batch`` (refused before any state changes).

Every case raises the matching :mod:`tinynet.errors` type, with a message that names what was expected
and what was received, before any state changes: weights bitwise unchanged, the optimizer's step count
and slots unchanged, what the layers remembered unchanged, the shuffling generator not advanced, the
compile state kept — and a model that was not built stays unbuilt, with no parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import CallOrderError, InvalidTypeError, InvalidValueError, ShapeError, UnknownIdentifierError

Dense = tn.layers.Dense
N = 10

HEADS = {
    "binary": (1, "sigmoid", "binary_crossentropy"),
    "sparse": (3, "softmax", "sparse_categorical_crossentropy"),
    "categorical": (3, "softmax", "categorical_crossentropy"),
}


def make_model(kind: str = "binary", built: bool = True, compiled: bool = True) -> tn.Sequential:
    """A 3-4-units model; a built one has been fitted one Adam step, so its optimizer has slots and a count
    and the model a History."""
    units, activation, loss = HEADS[kind]
    tn.utils.set_random_seed(0)
    first = Dense(4, activation="tanh", input_shape=(3,) if built else None)
    model = tn.Sequential([first, Dense(units, activation=activation)])
    if compiled:
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
        if built:
            x, y = good_data(kind)
            model.fit(x, y, batch_size=N, epochs=1, verbose=0)
            assert model.optimizer.iterations == 1 and model.optimizer.slots and model.history is not None
    return model


def good_data(kind: str = "binary", n: int = N) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 3))
    if kind == "binary":
        return x, rng.integers(0, 2, n).astype(np.float64)
    labels = np.arange(n) % 3
    return x, labels if kind == "sparse" else np.eye(3)[labels]


def snapshot(model: tn.Model) -> dict[str, Any]:
    optimizer = model.optimizer
    rng = model._shuffle_rng
    return {
        "weights": model.get_weights(),
        "parameters": list(model.parameters()),
        "built": [(layer, layer.built, layer.input_shape) for layer in model.walk()],
        "memory": [(layer, layer._memory) for layer in model.walk()],
        "iterations": None if optimizer is None else optimizer.iterations,
        "slots": None
        if optimizer is None
        else [(p, {k: v.copy() for k, v in s.items()}) for p, s in optimizer.slots.items()],
        "compiled": (model.optimizer, model.loss, list(model.compiled_metrics), model.compiled_loss),
        "rng": None if rng is None else rng.bit_generator.state,
        "history": model.history,
    }


def assert_unchanged(before: dict[str, Any], model: tn.Model) -> None:
    after = snapshot(model)
    assert len(before["weights"]) == len(after["weights"])
    for a, b in zip(before["weights"], after["weights"], strict=True):
        np.testing.assert_array_equal(a, b)
    assert after["parameters"] == before["parameters"]
    assert after["built"] == before["built"]
    assert all(m1 is m2 for (_, m1), (_, m2) in zip(before["memory"], after["memory"], strict=True))
    assert after["iterations"] == before["iterations"]
    if before["slots"] is not None:
        assert [p for p, _ in after["slots"]] == [p for p, _ in before["slots"]]
        for (_, s1), (_, s2) in zip(before["slots"], after["slots"], strict=True):
            assert s1.keys() == s2.keys()
            for key in s1:
                np.testing.assert_array_equal(s1[key], s2[key])
    assert after["compiled"] == before["compiled"]
    assert after["rng"] == before["rng"]
    assert after["history"] is before["history"]


def refused(model: tn.Model, call: Callable[[], Any], error: type[Exception], fragments: tuple[str, ...] = ()) -> str:
    """Run ``call``: it must raise ``error`` (mentioning each fragment) and leave ``model`` as it was."""
    before = snapshot(model)
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert_unchanged(before, model)
    if not before["built"][0][1]:
        assert not model.built and model.parameters() == []
    return message


def with_nan(array: np.ndarray, value: float = np.nan) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array.flat[array.size // 2] = value
    return array


# ---------------------------------------------------------------------------- fit
def case(case_id: str, call: Any, error: type[Exception], *fragments: str, kind: str = "binary") -> Any:
    return pytest.param(kind, call, error, fragments, id=case_id)


def fit(x: Any = None, y: Any = None, **kwargs: Any) -> Callable[[tn.Model, np.ndarray, np.ndarray], Any]:
    """``model.fit`` on the good data, with ``x`` / ``y`` transformed by the given functions and ``kwargs``."""

    def call(model: tn.Model, good_x: np.ndarray, good_y: np.ndarray) -> Any:
        kwargs.setdefault("verbose", 0)
        return model.fit(good_x if x is None else x(good_x), good_y if y is None else y(good_y), **kwargs)

    return call


def inf(array: np.ndarray) -> np.ndarray:
    return with_nan(array, np.inf)


ONES, WEIGHTS_NAN, WEIGHTS_INF = np.ones(N), with_nan(np.ones(N)), with_nan(np.ones(N), np.inf)
X_VAL, Y_VAL = good_data()

FIT_CASES = [
    case("y-shorter", fit(y=lambda y: y[:-1]), ShapeError, "10", "9"),
    case("x-shorter", fit(x=lambda x: x[:-2]), ShapeError, "8", "10"),
    case("nan-in-x", fit(x=with_nan), InvalidValueError, "x", "NaN"),
    case("inf-in-x", fit(x=inf), InvalidValueError, "x", "Inf"),
    case("minus-inf-in-x", fit(x=lambda x: with_nan(x, -np.inf)), InvalidValueError, "x", "-inf"),
    case("nan-in-y", fit(y=with_nan), InvalidValueError, "y", "NaN"),
    case("inf-in-y", fit(y=inf), InvalidValueError, "y", "Inf"),
    case("nan-in-sample-weight", fit(sample_weight=WEIGHTS_NAN), InvalidValueError, "sample_weight", "NaN"),
    case("inf-in-sample-weight", fit(sample_weight=WEIGHTS_INF), InvalidValueError, "sample_weight", "Inf"),
    case("negative-sample-weight", fit(sample_weight=-ONES), InvalidValueError, "sample_weight", ">= 0"),
    case("sample-weight-length", fit(sample_weight=ONES[:-1]), ShapeError, "sample_weight", "(10,)"),
    case("binary-y-above-1", fit(y=lambda y: y + 1.0), InvalidValueError, "[0, 1]"),
    case("y-wrong-width", fit(y=lambda y: np.c_[y, y]), ShapeError, "(10, 1)", "(10, 2)"),
    case("sparse-label-too-big", fit(y=lambda y: np.r_[y[:-1], 3]), InvalidValueError, "[0, 3)", kind="sparse"),
    case("sparse-label-negative", fit(y=lambda y: np.r_[y[:-1], -1]), InvalidValueError, "-1", kind="sparse"),
    case("sparse-label-fraction", fit(y=lambda y: y + 0.5), InvalidValueError, "integer", kind="sparse"),
    case("sparse-given-one-hot", fit(y=lambda y: np.eye(3)[y]), ShapeError, "one integer label", kind="sparse"),
    case("one-hot-too-narrow", fit(y=lambda y: y[:, :2]), ShapeError, "(10, 3)", "(10, 2)", kind="categorical"),
    case("one-hot-too-wide", fit(y=lambda y: np.c_[y, y[:, :1]]), ShapeError, "(10, 4)", kind="categorical"),
    case("one-hot-given-integers", fit(y=lambda y: y.argmax(1)), ShapeError, "sparse", kind="categorical"),
    case("batch-size-0", fit(batch_size=0), InvalidValueError, "batch_size", "0"),
    case("batch-size-minus-1", fit(batch_size=-1), InvalidValueError, "batch_size", "-1"),
    case("batch-size-true", fit(batch_size=True), InvalidValueError, "batch_size", "True"),
    case("batch-size-2.5", fit(batch_size=2.5), InvalidValueError, "batch_size", "2.5"),
    case("batch-size-string", fit(batch_size="8"), InvalidValueError, "batch_size", "'8'"),
    case("epochs-minus-1", fit(epochs=-1), InvalidValueError, "epochs", "-1"),
    case("epochs-float", fit(epochs=2.0), InvalidValueError, "epochs", "2.0"),
    case("initial-epoch-minus-1", fit(initial_epoch=-1), InvalidValueError, "initial_epoch"),
    case("validation-split-minus-0.1", fit(validation_split=-0.1), InvalidValueError, "validation_split", "-0.1"),
    case("validation-split-1.0", fit(validation_split=1.0), InvalidValueError, "validation_split", "[0, 1)"),
    case("validation-split-1.5", fit(validation_split=1.5), InvalidValueError, "validation_split", "1.5"),
    case("validation-split-nan", fit(validation_split=float("nan")), InvalidValueError, "validation_split"),
    case("validation-split-empty", fit(validation_split=0.05), InvalidValueError, "validation_split", "at least"),
    case("verbose-3", fit(verbose=3), InvalidValueError, "verbose", "3"),
    case("verbose-true", fit(verbose=True), InvalidValueError, "verbose", "True"),
    case("verbose-string", fit(verbose="loud"), InvalidValueError, "verbose", "'loud'"),
    case("shuffle-string", fit(shuffle="yes"), InvalidTypeError, "shuffle", "'yes'"),
    case("validation-data-array", fit(validation_data=X_VAL), InvalidTypeError, "(x_val, y_val)"),
    case("validation-data-1-tuple", fit(validation_data=(X_VAL,)), InvalidTypeError, "validation_data"),
    case("validation-data-4-tuple", fit(validation_data=(X_VAL, Y_VAL, ONES, ONES)), InvalidTypeError, "(x_val"),
    case("validation-data-string", fit(validation_data="val"), InvalidTypeError, "validation_data"),
    case("validation-y-length", fit(validation_data=(X_VAL, Y_VAL[:-1])), ShapeError, "validation y"),
    case("validation-x-nan", fit(validation_data=(with_nan(X_VAL), Y_VAL)), InvalidValueError, "validation x"),
    case("validation-weight-negative", fit(validation_data=(X_VAL, Y_VAL, -ONES)), InvalidValueError, ">= 0"),
    case("validation-y-above-1", fit(validation_data=(X_VAL, Y_VAL + 1)), InvalidValueError, "validation y"),
    case("class-weight-list", fit(class_weight=[1.0, 2.0]), InvalidTypeError, "class_weight", "dict"),
    case("class-weight-negative", fit(class_weight={0: -1.0}), InvalidValueError, "class_weight[0]"),
    case("class-weight-string-key", fit(class_weight={"a": 1.0}), InvalidValueError, "class_weight key"),
    case("callbacks-string", fit(callbacks="history"), InvalidTypeError, "Callback", "str"),
    case("callbacks-object", fit(callbacks=[object()]), InvalidTypeError, "callbacks[0]"),
    case("y-none", fit(y=lambda y: None), InvalidValueError, "x and y"),
    case("x-1d", fit(x=lambda x: x[:, 0]), ShapeError, "reshape(-1, 1)"),
    case("x-strings", fit(x=lambda x: x.astype(str)), InvalidTypeError, "numeric"),
    case("x-ragged", fit(x=lambda x: [[1.0, 2.0, 3.0], [1.0]], y=lambda y: y[:2]), InvalidTypeError, "rectangular"),
    case("x-beyond-float32", fit(x=lambda x: x * 1e300), InvalidValueError, "float32"),
]


@pytest.mark.parametrize("built", [True, False], ids=["built", "unbuilt"])
@pytest.mark.parametrize(("kind", "call", "error", "fragments"), FIT_CASES)
def test_fit_refuses_bad_input_before_any_change(
    kind: str, call: Callable[..., Any], error: type[Exception], fragments: tuple[str, ...], built: bool
) -> None:
    model = make_model(kind, built=built)
    x, y = good_data(kind)
    refused(model, lambda: call(model, x, y), error, fragments)


@pytest.mark.parametrize("built", [True, False], ids=["built", "unbuilt"])
def test_the_same_calls_succeed_with_good_input(built: bool) -> None:
    """The control for the table above: the good data and arguments train."""
    for kind in HEADS:
        model = make_model(kind, built=built)
        x, y = good_data(kind)
        model.fit(x, y, batch_size=4, epochs=1, validation_split=0.2, verbose=0)
        model.fit(x, y, epochs=1, validation_data=(x, y, np.ones(N)), class_weight={0: 2.0}, verbose=0)
        assert model.built and model.optimizer.iterations > 0


@pytest.mark.parametrize("built", [True, False], ids=["built", "unbuilt"])
def test_fit_before_compile_is_a_call_order_error(built: bool) -> None:
    model = make_model(built=built, compiled=False)
    x, y = good_data()
    message = refused(model, lambda: model.fit(x, y, verbose=0), CallOrderError, ("compile",))
    assert "before compile" in message
    assert isinstance(CallOrderError(), RuntimeError)


def test_wrong_feature_count_names_both_shapes() -> None:
    model = make_model()
    x, y = good_data()
    wide = np.c_[x, x[:, :1]]
    message = refused(model, lambda: model.fit(wide, y, verbose=0), ShapeError)
    assert "(4,)" in message and "(3,)" in message
    refused(model, lambda: model.fit(x, y, validation_data=(wide, y), verbose=0), ShapeError, ("(4,)", "(3,)"))


def test_an_unbuilt_model_that_cannot_build_on_x_stays_unbuilt() -> None:
    """Reshape((4,)) cannot take 3 features: the half-built chain is undone."""
    model = make_model(built=False)
    model.layers.insert(0, tn.layers.Reshape((4,)))
    x, y = good_data()
    refused(model, lambda: model.fit(x, y, verbose=0), ShapeError, ("target_shape (4,)",))
    refused(model, lambda: model.predict(x), ShapeError, ("target_shape (4,)",))


def test_an_unbuilt_model_built_on_x_that_y_does_not_fit_stays_unbuilt() -> None:
    """Dense takes (batch, 2, 3) along its last axis; y of shape (N,) does not fit the (2, 1) output."""
    model = make_model(built=False)
    _, y = good_data()
    refused(model, lambda: model.fit(np.ones((N, 2, 3)), y, verbose=0), ShapeError, ("(10, 2, 1)",))


# ---------------------------------------------------------------------------- compile
@pytest.mark.parametrize(
    ("arguments", "unknown"),
    [
        ({"optimizer": "adamm", "loss": "mse"}, "adamm"),
        ({"optimizer": "sgd", "loss": "binary_crossentropyy"}, "binary_crossentropyy"),
        ({"optimizer": "sgd", "loss": "mse", "metrics": ["acuracy"]}, "acuracy"),
        ({"optimizer": "sgd", "loss": "mse", "metrics": ["accuracy", "f1"]}, "f1"),
    ],
    ids=["optimizer", "loss", "metric", "second-metric"],
)
@pytest.mark.parametrize("compiled", [True, False], ids=["recompile", "first-compile"])
def test_compile_refuses_an_unknown_id_and_keeps_the_previous_compile_state(
    arguments: dict[str, Any], unknown: str, compiled: bool
) -> None:
    """The error names the unknown id; a compiled model keeps its optimizer, loss, metrics and head."""
    model = make_model(compiled=compiled)
    refused(model, lambda: model.compile(**arguments), UnknownIdentifierError, (repr(unknown),))
    assert model.compiled is compiled


@pytest.mark.parametrize(
    ("arguments", "error", "fragment"),
    [
        ({"optimizer": "sgd"}, InvalidValueError, "needs a loss"),
        ({"optimizer": "sgd", "loss": "mse", "metrics": "accuracy"}, InvalidTypeError, "list"),
        ({"optimizer": "sgd", "loss": "mse", "metrics": {"out": "accuracy"}}, InvalidTypeError, "list"),
        ({"optimizer": 3, "loss": "mse"}, UnknownIdentifierError, "optimizer"),
    ],
    ids=["no-loss", "metrics-string", "metrics-dict", "optimizer-int"],
)
def test_compile_refuses_bad_arguments(arguments: dict[str, Any], error: type[Exception], fragment: str) -> None:
    model = make_model()
    refused(model, lambda: model.compile(**arguments), error, (fragment,))


# ---------------------------------------------------------------------------- evaluate, predict, the *_on_batch
def call(method: str, x: Any = None, y: Any = None, **kwargs: Any) -> Callable[[tn.Model, np.ndarray, np.ndarray], Any]:
    """``model.<method>`` on the good data (x alone for the predicts), transformed as in :func:`fit`."""

    def run(model: tn.Model, good_x: np.ndarray, good_y: np.ndarray) -> Any:
        arguments = [good_x if x is None else x(good_x)]
        if not method.startswith("predict"):
            arguments.append(good_y if y is None else y(good_y))
        if method == "evaluate":
            kwargs.setdefault("verbose", 0)
        return getattr(model, method)(*arguments, **kwargs)

    return run


OTHER_CASES = [
    case("evaluate-y-shorter", call("evaluate", y=lambda y: y[:-1]), ShapeError, "10", "9"),
    case("evaluate-nan-x", call("evaluate", x=with_nan), InvalidValueError, "NaN"),
    case("evaluate-nan-weight", call("evaluate", sample_weight=WEIGHTS_NAN), InvalidValueError, "sample_weight"),
    case("evaluate-y-above-1", call("evaluate", y=lambda y: y + 2.0), InvalidValueError, "[0, 1]"),
    case("evaluate-batch-size-0", call("evaluate", batch_size=0), InvalidValueError, "batch_size"),
    case("evaluate-batch-size-2.5", call("evaluate", batch_size=2.5), InvalidValueError, "batch_size"),
    case("evaluate-verbose-3", call("evaluate", verbose=3), InvalidValueError, "verbose"),
    case("predict-inf", call("predict", x=inf), InvalidValueError, "Inf"),
    case("predict-batch-size-minus-1", call("predict", batch_size=-1), InvalidValueError, "batch_size"),
    case("predict-batch-size-true", call("predict", batch_size=True), InvalidValueError, "batch_size"),
    case("predict-verbose-3", call("predict", verbose=3), InvalidValueError, "verbose"),
    case("predict-1d", call("predict", x=lambda x: x[0]), ShapeError, "batch axis"),
    case("predict-scalar", call("predict", x=lambda x: np.array(1.0)), ShapeError, "scalar"),
    case("predict-none", call("predict", x=lambda x: None), InvalidTypeError, "numeric"),
    case("predict-on-batch-nan", call("predict_on_batch", x=with_nan), InvalidValueError, "NaN"),
    case("train-on-batch-y-shorter", call("train_on_batch", y=lambda y: y[:-1]), ShapeError, "10", "9"),
    case("train-on-batch-nan-x", call("train_on_batch", x=with_nan), InvalidValueError, "NaN"),
    case("train-on-batch-nan-y", call("train_on_batch", y=with_nan), InvalidValueError, "NaN"),
    case("train-on-batch-negative-weight", call("train_on_batch", sample_weight=-ONES), InvalidValueError, ">= 0"),
    case("train-on-batch-class-weight", call("train_on_batch", class_weight="balanced"), InvalidTypeError, "dict"),
    case("train-on-batch-y-above-1", call("train_on_batch", y=lambda y: 2 * y + 1), InvalidValueError, "[0, 1]"),
    case("test-on-batch-y-shorter", call("test_on_batch", y=lambda y: y[:-1]), ShapeError, "10", "9"),
    case("test-on-batch-minus-inf-y", call("test_on_batch", y=lambda y: with_nan(y, -np.inf)), InvalidValueError, "y"),
]


@pytest.mark.parametrize("built", [True, False], ids=["built", "unbuilt"])
@pytest.mark.parametrize(("method", "call", "error", "fragments"), OTHER_CASES)
def test_evaluate_predict_and_one_batch_calls_refuse_bad_input_before_any_change(
    method: str, call: Callable[..., Any], error: type[Exception], fragments: tuple[str, ...], built: bool
) -> None:
    model = make_model(built=built)
    x, y = good_data()
    refused(model, lambda: call(model, x, y), error, fragments)


@pytest.mark.parametrize("method", ["evaluate", "predict", "train_on_batch", "test_on_batch", "predict_on_batch"])
def test_wrong_feature_count_is_refused_everywhere(method: str) -> None:
    model = make_model()
    x, y = good_data()
    wide = np.c_[x, x[:, :1]]
    arguments = (wide,) if method.startswith("predict") else (wide, y)
    refused(model, lambda: getattr(model, method)(*arguments), ShapeError, ("(4,)", "(3,)"))


@pytest.mark.parametrize("method", ["evaluate", "train_on_batch", "test_on_batch"])
@pytest.mark.parametrize("built", [True, False], ids=["built", "unbuilt"])
def test_evaluate_and_one_batch_calls_before_compile_are_call_order_errors(method: str, built: bool) -> None:
    model = make_model(built=built, compiled=False)
    x, y = good_data()
    refused(model, lambda: getattr(model, method)(x, y), CallOrderError, ("compile",))


def test_predict_needs_no_compile_and_builds_an_unbuilt_model() -> None:
    model = make_model(built=False, compiled=False)
    x, _ = good_data()
    assert model.predict(x).shape == (N, 1) and model.built


def test_sparse_labels_out_of_range_are_refused_by_every_entry_point() -> None:
    model = make_model("sparse")
    x, y = good_data("sparse")
    bad = np.r_[y[:-1], 5]
    for call in (
        lambda: model.fit(x, bad, verbose=0),
        lambda: model.evaluate(x, bad, verbose=0),
        lambda: model.train_on_batch(x, bad),
        lambda: model.test_on_batch(x, bad),
        lambda: model.fit(x, y, validation_data=(x, bad), verbose=0),
    ):
        refused(model, call, InvalidValueError, ("[0, 3)",))


def test_errors_are_also_the_builtins_users_catch() -> None:
    model = make_model()
    x, y = good_data()
    with pytest.raises(ValueError):
        model.fit(x, y[:-1], verbose=0)
    with pytest.raises(TypeError):
        model.fit(x, y, validation_data=x, verbose=0)
    with pytest.raises(RuntimeError):
        make_model(compiled=False).fit(x, y, verbose=0)


# ---------------------------------------------------------------------------- gaps found and fixed
@pytest.mark.parametrize(
    ("x", "error"),
    [(np.array(1.0), ShapeError), (None, InvalidTypeError), ([[1.0, 2.0, 3.0], [1.0]], InvalidTypeError)],
    ids=["scalar", "none", "ragged"],
)
def test_predict_on_batch_refuses_bad_input_like_predict(x: Any, error: type[Exception]) -> None:
    model = make_model()
    refused(model, lambda: model.predict(x), error)  # predict itself is right
    refused(model, lambda: model.predict_on_batch(x), error)


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_empty_data_is_refused(method: str) -> None:
    model = make_model()
    x, y = np.zeros((0, 3)), np.zeros(0)
    kwargs = {"verbose": 0} if method in ("fit", "evaluate") else {}
    refused(model, lambda: getattr(model, method)(x, y, **kwargs), InvalidValueError, ("sample",))
