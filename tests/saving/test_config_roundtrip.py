"""``get_config`` / ``from_config`` round trips over the whole catalogue, through the file format's own JSON.

For every layer case of ``tests/cases/``: config -> strict JSON -> registry class ->
``from_config``, then the same weights give bitwise the same outputs; and a ``Sequential``
wrapping the layer saves and loads bitwise (float32 and float64). For every registered
activation, loss, optimizer, learning-rate schedule, initializer, regularizer, constraint and metric (plus
the metrics the registry cannot hold): a hypothesis property over constructor arguments — the
clone has the same type, the same config and the same behaviour. A guard keeps that table complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinynet as tn
from tinynet.registry import _CLASSES, get_registered_class, serialize
from tinynet.saving import load_model, save_model
from tinynet.saving.config import dumps, loads

from ..cases import LAYER_CASES, LayerCase, input_shape
from .helpers import assert_same_weights

layer_cases = pytest.mark.parametrize("case", [c for c in LAYER_CASES if c.saves], ids=lambda c: c.id)  # not Lambda


def through_json(value: Any) -> Any:
    """``value`` written and read back by the model file's own canonical writer and strict reader."""
    return loads(dumps(value), "test config")


def built(case: LayerCase, dtype: str = "float32") -> tuple[tn.Layer, Any, np.ndarray]:
    """The case's layer called on its fixed input (one array, or a list for a merge layer), and that output."""
    layer = case.make().astype(dtype)
    x = case.fixed_input()
    y = layer(x, training=False)
    return layer, x, y


def assert_same_outputs(got: Any, want: Any) -> None:
    """Bitwise equal outputs: one array, or a list of them (a layer that returns its states too)."""
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b, strict=True)
    else:
        np.testing.assert_array_equal(got, want, strict=True)


# ---------------------------------------------------------------------------- layers
@layer_cases
def test_a_layer_config_round_trip_is_exact(case: LayerCase) -> None:
    layer, x, y = built(case)
    entry = through_json(serialize(layer))
    clone = get_registered_class(entry["class_name"]).from_config(entry["config"])
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()
    clone.ensure_built(input_shape(x))
    clone.set_weights(layer.get_weights())
    assert_same_outputs(clone(x, training=False), y)


@layer_cases
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_layer_in_a_sequential_saves_and_loads_bitwise(case: LayerCase, dtype: str, tmp_path: Path) -> None:
    layer, x, _ = built(case, dtype)
    if isinstance(x, list) and not isinstance(layer.input_shape, list):  # initial states: a graph of two inputs
        inputs = [tn.Input(shape=a.shape[1:], dtype=dtype) for a in x]
        model: tn.Model = tn.Model(inputs, layer(inputs)).astype(dtype)
    else:
        model = tn.Sequential([layer])
    y = model(x, training=False)
    save_model(model, tmp_path / "model.npz")
    clone = load_model(tmp_path / "model.npz")
    assert clone.get_config() == model.get_config()
    assert all(w.dtype == np.dtype(dtype) for w in clone.get_weights())
    assert_same_weights(model, clone)
    assert_same_outputs(clone(x, training=False), y)
    save_model(clone, tmp_path / "again.npz")
    assert (tmp_path / "again.npz").read_bytes() == (tmp_path / "model.npz").read_bytes()


# ---------------------------------------------------------------------------- every other family
names = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
dtypes = st.sampled_from(["float32", "float64"])
unit = st.floats(0.0, 1.0, exclude_max=True)
positive = st.floats(1e-4, 10.0)
seeds = st.none() | st.integers(0, 2**31)
A, LS, O, I, R, M = tn.activations, tn.losses, tn.optimizers, tn.initializers, tn.regularizers, tn.metrics
C = tn.constraints
axes = st.integers(-2, 1) | st.sampled_from([[0, 1], [1], [-1, 0]])
exponential_decays = st.builds(O.schedules.ExponentialDecay, positive, st.integers(1, 100), positive, st.booleans())
cosine_decays = st.builds(O.schedules.CosineDecay, positive, st.integers(1, 100), st.floats(0.0, 1.0))
schedules = exponential_decays | cosine_decays


@st.composite
def optimizer_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"learning_rate": draw(st.floats(1e-5, 1.0) | schedules), "name": draw(st.none() | names)}
    kwargs["weight_decay"] = draw(st.none() | st.floats(0.0, 0.1))
    clip = draw(st.sampled_from([None, "clipnorm", "clipvalue", "global_clipnorm"]))
    if clip is not None:
        kwargs[clip] = draw(positive)
    kwargs["use_ema"], kwargs["ema_momentum"] = draw(st.booleans()), draw(st.floats(0.0, 1.0))
    kwargs["ema_overwrite_frequency"] = draw(st.none() | st.integers(1, 100))
    kwargs["gradient_accumulation_steps"] = draw(st.none() | st.integers(2, 16))
    return kwargs


def activation(cls: type, **arguments: Any) -> st.SearchStrategy[Any]:
    return st.builds(cls, **arguments, name=names, dtype=dtypes, trainable=st.booleans())


def optimizer(cls: type, **arguments: Any) -> st.SearchStrategy[Any]:
    return optimizer_kwargs().flatmap(
        lambda kwargs: st.builds(cls, **{**{k: st.just(v) for k, v in kwargs.items()}, **arguments})
    )


#: One strategy per class, keyed by the family's ``get`` and the class name.
CATALOGUE: dict[tuple[str, str], st.SearchStrategy[Any]] = {
    **{
        ("activations", cls.__name__): activation(cls)
        for cls in (A.ReLU, A.Sigmoid, A.Tanh, A.Softplus, A.SiLU, A.Linear)
    },
    ("activations", "LeakyReLU"): activation(A.LeakyReLU, negative_slope=unit),
    ("activations", "ELU"): activation(A.ELU, alpha=positive),
    ("activations", "GELU"): activation(A.GELU, approximate=st.booleans()),
    ("activations", "Softmax"): activation(A.Softmax, axis=st.sampled_from([-1, 1])),
    ("activations", "SoftmaxLayer"): activation(tn.layers.Softmax, axis=st.sampled_from([-1, 1])),
    ("activations", "ReLU"): activation(  # replaces the plain entry above: Keras's options too
        A.ReLU, max_value=st.none() | positive, negative_slope=st.floats(0.0, 1.0), threshold=st.floats(0.0, 1.0)
    ),
    ("losses", "MeanSquaredError"): st.builds(LS.MeanSquaredError, name=st.none() | names),
    ("losses", "MeanAbsoluteError"): st.builds(LS.MeanAbsoluteError, name=st.none() | names),
    ("losses", "Huber"): st.builds(LS.Huber, delta=positive, name=st.none() | names),
    **{
        ("losses", cls.__name__): st.builds(
            cls, from_logits=st.booleans(), label_smoothing=unit, name=st.none() | names
        )
        for cls in (LS.BinaryCrossentropy, LS.CategoricalCrossentropy)
    },
    ("losses", "SparseCategoricalCrossentropy"): st.builds(
        LS.SparseCategoricalCrossentropy, from_logits=st.booleans(), name=st.none() | names
    ),
    **{
        ("losses", cls.__name__): st.builds(cls, name=st.none() | names)
        for cls in (
            LS.Hinge,
            LS.SquaredHinge,
            LS.CategoricalHinge,
            LS.KLDivergence,
            LS.Poisson,
            LS.LogCosh,
            LS.MeanAbsolutePercentageError,
            LS.MeanSquaredLogarithmicError,
        )
    },  # fmt: skip
    ("losses", "BinaryFocalCrossentropy"): st.builds(
        LS.BinaryFocalCrossentropy, st.booleans(), unit, positive, st.booleans(), unit, name=st.none() | names
    ),
    ("losses", "CategoricalFocalCrossentropy"): st.builds(
        LS.CategoricalFocalCrossentropy,
        unit | st.lists(unit, min_size=3, max_size=3),
        positive,
        st.booleans(),
        unit,
        name=st.none() | names,
    ),  # fmt: skip
    ("losses", "CategoricalGeneralizedCrossEntropy"): st.builds(
        LS.CategoricalGeneralizedCrossEntropy, st.floats(0.01, 0.99), name=st.none() | names
    ),
    ("losses", "Dice"): st.builds(LS.Dice, st.sampled_from([None, -1, (1,), [1]]), name=st.none() | names),
    ("losses", "Tversky"): st.builds(LS.Tversky, unit, unit, st.sampled_from([None, -1, (1,)]), name=st.none() | names),
    ("losses", "CosineSimilarity"): st.builds(LS.CosineSimilarity, st.sampled_from([-1, 1]), name=st.none() | names),
    ("losses", "Circle"): st.builds(LS.Circle, positive, unit, st.booleans(), name=st.none() | names),
    ("optimizers", "SGD"): optimizer(O.SGD, momentum=unit, nesterov=st.booleans()),
    ("optimizers", "Adam"): optimizer(O.Adam, beta_1=unit, beta_2=unit, epsilon=positive, amsgrad=st.booleans()),
    ("optimizers", "AdamW"): optimizer(O.AdamW, weight_decay=st.floats(0.0, 1.0), amsgrad=st.booleans()),
    ("optimizers", "RMSprop"): optimizer(O.RMSprop, rho=unit, momentum=unit, epsilon=positive, centered=st.booleans()),
    ("optimizers", "Adagrad"): optimizer(O.Adagrad, initial_accumulator_value=st.floats(0.0, 1.0), epsilon=positive),
    ("optimizers", "Nadam"): optimizer(O.Nadam, beta_1=unit, beta_2=unit, epsilon=positive),
    ("optimizers", "Adamax"): optimizer(O.Adamax, beta_1=unit, beta_2=unit, epsilon=positive),
    ("optimizers", "Adadelta"): optimizer(O.Adadelta, rho=unit, epsilon=positive),
    ("optimizers", "Lion"): optimizer(O.Lion, beta_1=st.floats(1e-3, 1.0), beta_2=st.floats(0.0, 1.0)),
    ("optimizers", "Lamb"): optimizer(O.Lamb, beta_1=unit, beta_2=unit, epsilon=positive),
    ("optimizers", "Ftrl"): optimizer(
        O.Ftrl,
        learning_rate=st.floats(1e-3, 1.0),  # > 0 at every step: FTRL divides by it
        learning_rate_power=st.floats(-1.0, 0.0),
        initial_accumulator_value=st.floats(0.0, 1.0),
        l1_regularization_strength=st.floats(0.0, 1.0),
        l2_regularization_strength=st.floats(0.0, 1.0),
        l2_shrinkage_regularization_strength=st.floats(0.0, 1.0),
        beta=st.floats(0.0, 1.0),
    ),
    ("optimizers", "Adafactor"): optimizer(
        O.Adafactor,
        beta_2_decay=st.floats(-1.0, 0.0),
        epsilon_1=st.floats(1e-30, 1e-3),
        epsilon_2=st.floats(0.0, 1e-2),
        clip_threshold=positive,
        relative_step=st.booleans(),
    ),
    ("optimizers", "Muon"): optimizer(
        O.Muon,
        adam_beta_1=unit,
        adam_beta_2=unit,
        adam_weight_decay=st.none() | st.floats(0.0, 0.1),
        epsilon=positive,
        exclude_layers=st.none() | st.lists(st.sampled_from(["output", "^dense$", "head/.*"]), max_size=2),
        exclude_embeddings=st.booleans(),
        muon_a=st.floats(3.0, 3.5),  # other coefficients may diverge (in float64 too)
        momentum=unit,
        ns_steps=st.integers(0, 8),
        nesterov=st.booleans(),
        rms_rate=st.none() | positive,
    ),
    ("optimizers", "ScheduleFreeAdamW"): optimizer(
        O.ScheduleFreeAdamW, beta_1=st.floats(0.01, 1.0), beta_2=unit, epsilon=positive, warmup_steps=st.integers(0, 99)
    ),
    ("schedules", "ExponentialDecay"): exponential_decays,
    ("schedules", "CosineDecay"): cosine_decays,
    **{("initializers", cls.__name__): st.builds(cls) for cls in (I.Zeros, I.Ones)},
    ("initializers", "Constant"): st.builds(I.Constant, st.floats(-10, 10)),
    ("initializers", "RandomNormal"): st.builds(I.RandomNormal, st.floats(-1, 1), positive, seeds),
    ("initializers", "RandomUniform"): st.builds(I.RandomUniform, st.floats(-2, -1), st.floats(1, 2), seeds),
    ("initializers", "TruncatedNormal"): st.builds(I.TruncatedNormal, st.floats(-1, 1), positive, seeds),
    ("initializers", "VarianceScaling"): st.builds(
        I.VarianceScaling,
        positive,
        st.sampled_from(["fan_in", "fan_out", "fan_avg"]),
        st.sampled_from(["uniform", "truncated_normal", "untruncated_normal"]),
        seeds,
    ),
    **{
        ("initializers", cls.__name__): st.builds(cls, seed=seeds)
        for cls in (I.GlorotUniform, I.GlorotNormal, I.HeUniform, I.HeNormal, I.LecunUniform, I.LecunNormal)
    },
    ("initializers", "Orthogonal"): st.builds(I.Orthogonal, gain=positive, seed=seeds),
    ("regularizers", "L1"): st.builds(R.L1, st.floats(0, 1)),
    ("regularizers", "L2"): st.builds(R.L2, st.floats(0, 1)),
    ("regularizers", "L1L2"): st.builds(R.L1L2, st.floats(0, 1), st.floats(0, 1)),
    ("constraints", "MaxNorm"): st.builds(C.MaxNorm, positive, axes),
    ("constraints", "NonNeg"): st.builds(C.NonNeg),
    ("constraints", "UnitNorm"): st.builds(C.UnitNorm, axes),
    ("constraints", "MinMaxNorm"): st.builds(C.MinMaxNorm, st.floats(0.0, 1.0), st.floats(1.0, 5.0), unit, axes),
    ("metrics", "Metric"): st.builds(M.Metric, name=st.none() | names),
    **{
        ("metrics", cls.__name__): st.builds(cls, name=st.none() | names)
        for cls in (
            M.CategoricalAccuracy,
            M.SparseCategoricalAccuracy,
            M.AutoAccuracy,
            M.AUC,
            M.MeanSquaredError,
            M.MeanAbsoluteError,
            M.Mean,
        )
    },
    **{
        ("metrics", cls.__name__): st.builds(cls, name=names)
        for cls in (
            M.Accuracy,
            M.Sum,
            M.RootMeanSquaredError,
            M.LogCoshError,
            M.PearsonCorrelation,
            M.ConcordanceCorrelation,
        )
    },  # fmt: skip
    ("metrics", "TopKCategoricalAccuracy"): st.builds(M.TopKCategoricalAccuracy, k=st.integers(1, 3), name=names),
    ("metrics", "SparseTopKCategoricalAccuracy"): st.builds(
        M.SparseTopKCategoricalAccuracy, k=st.integers(1, 3), name=names
    ),
    ("metrics", "R2Score"): st.builds(
        M.R2Score, st.sampled_from([None, "uniform_average", "variance_weighted_average"]), st.integers(0, 1), names
    ),
    **{
        ("metrics", cls.__name__): st.builds(
            cls, thresholds=st.none() | unit | st.lists(unit, min_size=1, max_size=3), name=st.none() | names
        )
        for cls in (M.TruePositives, M.FalsePositives, M.TrueNegatives, M.FalseNegatives)
    },  # fmt: skip
    **{
        ("metrics", cls.__name__): st.builds(cls, unit, st.integers(1, 300), st.none(), st.none() | names)
        for cls in (M.PrecisionAtRecall, M.RecallAtPrecision, M.SensitivityAtSpecificity, M.SpecificityAtSensitivity)
    },
    ("metrics", "FBetaScore"): st.builds(
        M.FBetaScore, st.sampled_from([None, "micro", "macro", "weighted"]), positive, st.none() | st.just(0.5), names
    ),
    ("metrics", "F1Score"): st.builds(M.F1Score, st.sampled_from([None, "micro", "macro", "weighted"]), name=names),
    ("metrics", "IoU"): st.builds(M.IoU, st.just(3), st.just([0, 2]), st.none() | names, sparse_y_pred=st.just(False)),
    ("metrics", "MeanIoU"): st.builds(M.MeanIoU, st.just(3), st.none() | names, sparse_y_pred=st.just(False)),
    ("metrics", "OneHotIoU"): st.builds(M.OneHotIoU, st.just(3), st.just([1]), st.none() | names),
    ("metrics", "OneHotMeanIoU"): st.builds(M.OneHotMeanIoU, st.just(3), st.none() | names),
    ("metrics", "BinaryIoU"): st.builds(M.BinaryIoU, st.sampled_from([(0, 1), [1]]), unit, st.none() | names),
    ("metrics", "BinaryAccuracy"): st.builds(M.BinaryAccuracy, threshold=unit, name=st.none() | names),
    **{
        ("metrics", cls.__name__): st.builds(
            cls, thresholds=st.none() | unit | st.lists(unit, min_size=1, max_size=3), name=st.none() | names
        )
        for cls in (M.Precision, M.Recall)
    },  # fmt: skip
}
# attn14
CATALOGUE.update(
    {
        ("initializers", "IdentityInitializer"): st.builds(I.Identity, gain=st.floats(-2, 2)),
        ("regularizers", "OrthogonalRegularizer"): st.builds(
            R.OrthogonalRegularizer, st.floats(0, 1), st.sampled_from(["rows", "columns"])
        ),
    }
)

GET = {
    "activations": A.get,
    "losses": LS.get,
    "optimizers": O.get,
    "schedules": O.schedules.get,
    "initializers": I.get,
    "regularizers": R.get,
    "constraints": C.get,
    "metrics": M.get,
}
BASES = {
    "activations": tn.Activation,
    "losses": tn.Loss,
    "optimizers": O.Optimizer,
    "schedules": O.schedules.LearningRateSchedule,
    "initializers": I.Initializer,
    "regularizers": R.Regularizer,
    "constraints": C.Constraint,
    "metrics": M.Metric,
}


def test_every_registered_class_of_these_families_has_a_case() -> None:
    """tinynet's own classes; tests may register classes of their own."""
    missing = [
        f"{family}.{name}"
        for name, cls in _CLASSES.items()
        for family, base in BASES.items()
        if cls.__module__.startswith("tinynet.") and issubclass(cls, base) and (family, name) not in CATALOGUE
    ]
    assert not missing, f"add these to CATALOGUE: {missing}"


@pytest.mark.parametrize("key", sorted(CATALOGUE), ids=lambda key: f"{key[0]}.{key[1]}")
def test_a_config_round_trips_through_json(key: tuple[str, str]) -> None:
    family, _ = key

    @given(CATALOGUE[key])
    def prop(obj: Any) -> None:
        entry = through_json(serialize(obj))
        clone = GET[family](entry)
        assert type(clone) is type(obj)
        assert clone.get_config() == obj.get_config()
        assert_behaves_the_same(family, obj, clone)

    prop()


def assert_behaves_the_same(family: str, obj: Any, clone: Any) -> None:
    rng = np.random.default_rng(0)
    if family == "activations":
        x = rng.normal(size=(3, 4)).astype(obj.dtype)
        np.testing.assert_array_equal(clone(x), obj(x), strict=True)
    elif family == "losses":
        y_true, y_pred = _loss_data(obj, rng)
        assert clone(y_true, y_pred) == obj(y_true, y_pred)
    elif family == "optimizers":
        for got, want in zip(_steps(clone), _steps(obj), strict=True):
            np.testing.assert_array_equal(got, want, strict=True)
    elif family == "schedules":
        assert [clone(step) for step in (0, 7, 100)] == [obj(step) for step in (0, 7, 100)]
    elif family == "initializers" and getattr(obj, "seed", 0) is not None:  # seeded, or not random at all
        np.testing.assert_array_equal(clone((3, 4)), obj((3, 4)), strict=True)
    elif family == "regularizers":
        w = rng.normal(size=(3, 2))
        assert clone.penalty(w) == obj.penalty(w)
        np.testing.assert_array_equal(clone.gradient(w), obj.gradient(w), strict=True)
    elif family == "constraints":
        w = rng.normal(size=(3, 2))
        np.testing.assert_array_equal(clone(w), obj(w), strict=True)
    elif family == "metrics" and type(obj) is not M.Metric:
        y_true, y_pred = _metric_data(obj, rng)
        for metric in (obj, clone):
            metric.update_state(y_true, y_pred)
        np.testing.assert_array_equal(clone.result(), obj.result())  # NaN equals NaN; a vector result too


def _loss_data(loss: Any, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if loss.y_true_kind == "sample_label":
        return np.array([0, 0, 1]), rng.normal(size=(3, 2))
    if loss.y_true_kind == "class_index":
        return np.array([0, 2, 1]), rng.dirichlet(np.ones(3), size=3)
    if isinstance(loss, LS.CategoricalCrossentropy):
        return np.eye(3)[[0, 2, 1]], rng.dirichlet(np.ones(3), size=3)
    if isinstance(loss, (LS.BinaryCrossentropy, LS.Poisson)):
        return np.array([[0.0], [1.0], [1.0]]), rng.uniform(0.05, 0.95, size=(3, 1))
    return rng.normal(size=(3, 2)), rng.normal(size=(3, 2))


def _metric_data(metric: Any, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    sparse = (M.SparseCategoricalAccuracy, M.AutoAccuracy, M.SparseTopKCategoricalAccuracy, M.IoU, M.MeanIoU)
    if isinstance(metric, sparse):
        return np.array([0, 2, 1, 2]), rng.dirichlet(np.ones(3), size=4)
    if isinstance(metric, (M.CategoricalAccuracy, M.TopKCategoricalAccuracy, M.OneHotIoU, M.OneHotMeanIoU)):
        return np.eye(3)[[0, 2, 1, 2]], rng.dirichlet(np.ones(3), size=4)
    return np.array([[0.0], [1.0], [1.0], [0.0]]), rng.uniform(size=(4, 1))


def _steps(optimizer: Any) -> list[np.ndarray]:
    """The values of one parameter over three steps with fixed gradients."""
    rng = np.random.default_rng(1)
    p = tn.Parameter("w", rng.normal(size=(3, 2)))
    values = []
    for _ in range(3):
        p.grad = rng.normal(size=(3, 2))
        optimizer.step([p])
        values.append(p.value.copy())
    return values
