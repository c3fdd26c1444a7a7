"""Muon and ScheduleFreeAdamW: which parameters take which step, the Newton-Schulz iteration, PyTorch's Muon, the
averaging of Schedule-Free, and their behaviour in training.

Their update equations are checked against float64 references in ``test_optimizers.py`` (its ``CASES``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet import Parameter
from tinynet.errors import InvalidTypeError, InvalidValueError
from tinynet.optimizers import Muon, Optimizer, ScheduleFreeAdamW
from tinynet.optimizers.schedules import CosineDecay


# --------------------------------------------------------------------------- Muon: which step for which parameter
def test_muon_routes_parameters_as_keras_does() -> None:
    """Matrices take Muon's step; vectors, tensors, embeddings and the excluded layers take AdamW's."""
    tn.utils.set_random_seed(0)
    model = tn.Sequential(
        [
            tn.layers.Embedding(20, 4, input_shape=(3,), name="embedding"),  # names given: the automatic ones
            tn.layers.Conv1D(4, 2, name="conv1d"),  # depend on how many layers the session made before
            tn.layers.Flatten(),
            tn.layers.Dense(5, activation="relu", name="hidden"),
            tn.layers.Dense(2, name="output_dense"),
        ]
    )
    opt = Muon(exclude_layers=["output_dense"])
    adamw = {p.path: opt.uses_adamw(p) for p in model.parameters()}
    assert adamw == {
        "embedding/embeddings": True, "conv1d/kernel": True, "conv1d/bias": True, "hidden/kernel": False,
        "hidden/bias": True, "output_dense/kernel": True, "output_dense/bias": True,
    }  # fmt: skip
    assert not Muon(exclude_embeddings=False).uses_adamw(model.parameters()[0])
    model.compile(optimizer=opt, loss="mse")
    model.fit(np.arange(24).reshape(8, 3) % 20, np.zeros((8, 2)), batch_size=8, verbose=0)
    velocity = {p.path: opt.slots[p]["velocity"].shape for p in model.parameters()}
    assert velocity["hidden/kernel"] == () and velocity["output_dense/kernel"] == (5, 2)  # Muon's keeps none


def test_muon_decays_each_kind_of_parameter_by_its_own_rate() -> None:
    matrix, vector = Parameter("m", np.ones((2, 2))), Parameter("v", np.ones(2))
    Muon(learning_rate=0.1, weight_decay=0.5, adam_weight_decay=0.2).step([matrix, vector])  # zero gradients
    np.testing.assert_allclose(matrix.value, np.full((2, 2), 1 - 0.1 * 0.5))
    np.testing.assert_allclose(vector.value, np.full(2, 1 - 0.1 * 0.2))


# --------------------------------------------------------------------------- the Newton-Schulz iteration
@pytest.mark.parametrize("shape", [(8, 5), (5, 8), (6, 6)])
def test_newton_schulz_keeps_the_singular_vectors_and_evens_out_the_values(shape: tuple[int, int]) -> None:
    u = np.random.default_rng(0).normal(size=shape) * np.geomspace(0.5, 5, shape[1])
    o = Muon().newton_schulz(u)
    left, values, right = np.linalg.svd(u, full_matrices=False)
    projected = left.T @ o @ right.T  # diagonal when o = left @ f(diag(values)) @ right
    np.testing.assert_allclose(projected - np.diag(np.diag(projected)), 0.0, atol=1e-10)
    assert values.max() / values.min() > 5  # singular values spread widely ...
    assert np.all((np.diag(projected) > 0.6) & (np.diag(projected) < 1.25))  # ... all brought near 1


def test_newton_schulz_of_a_tall_matrix_is_that_of_its_transpose_transposed() -> None:
    u = np.random.default_rng(1).normal(size=(7, 3))
    np.testing.assert_array_equal(Muon().newton_schulz(u), Muon().newton_schulz(u.T).T)


def test_muon_agrees_with_pytorch_within_its_bfloat16_iteration() -> None:
    """PyTorch's Muon (adjust_lr_fn="match_rms_adamw" is Keras's rms_rate=0.2) runs Newton-Schulz in bfloat16:
    each step agrees to about 1% of its size (started from the same weights), not to float64's precision."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shapes = [(6, 4), (3, 8)]
    params = [Parameter(f"p{i}", rng.normal(size=shape)) for i, shape in enumerate(shapes)]
    tensors = [torch.tensor(p.value, requires_grad=True) for p in params]
    ours = Muon(0.02, weight_decay=0.1, momentum=0.9)
    theirs = torch.optim.Muon(tensors, lr=0.02, weight_decay=0.1, momentum=0.9, adjust_lr_fn="match_rms_adamw")
    for _ in range(6):
        start = [p.value.copy() for p in params]
        for p, t, shape in zip(params, tensors, shapes, strict=True):
            g = rng.normal(size=shape)
            p.grad, t.grad = g, torch.tensor(g)
            t.data[...] = torch.tensor(p.value)
        ours.step(params)
        theirs.step()
        for p, t, w in zip(params, tensors, start, strict=True):
            step, torch_step = p.value - w, t.detach().numpy() - w
            assert np.abs(step - torch_step).max() <= 0.03 * np.abs(step).max()


# --------------------------------------------------------------------------- Schedule-Free AdamW
def test_schedule_free_average_is_the_mean_of_the_z_sequence() -> None:
    p, opt = Parameter("w", np.array([1.0, -2.0, 0.5])), ScheduleFreeAdamW(0.05, beta_1=0.8)
    history = [p.value.copy()]  # z starts at w; x_1 = z_1, and x_t the mean of z_1 ... z_t
    zs = []
    for step in range(6):
        p.grad = np.sin(np.arange(3) + step)
        opt.step([p])
        zs.append(opt.slots[p]["momentum"].copy())
        (x,) = opt.average_values([p])
        np.testing.assert_allclose(x, np.mean(zs, axis=0), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(p.value, 0.2 * zs[-1] + 0.8 * x, rtol=1e-12)  # w between z and x
    assert len(history) == 1
    fresh = Parameter("fresh", np.ones(2))
    np.testing.assert_array_equal(opt.average_values([fresh])[0], fresh.value)  # never stepped: its weights


def test_schedule_free_warmup_grows_the_learning_rate_linearly() -> None:
    p, opt = Parameter("w", np.zeros(1)), ScheduleFreeAdamW(0.1, warmup_steps=4)
    moves = []
    for _ in range(6):
        z = opt.slots[p]["momentum"].copy() if p in opt.slots else p.value.copy()
        p.grad = [1.0]
        opt.step([p])
        moves.append(float(z[0] - opt.slots[p]["momentum"][0]))
    np.testing.assert_allclose(moves, [0.025, 0.05, 0.075, 0.1, 0.1, 0.1], rtol=1e-6)  # |g| / sqrt(v_hat) = 1


@pytest.mark.parametrize(
    "factory",
    [lambda: Muon(CosineDecay(0.2, 400), weight_decay=None), lambda: ScheduleFreeAdamW(0.1)],
    ids=["muon", "schedulefreeadamw"],
)
def test_minimizes_a_quadratic(factory: Callable[[], Optimizer]) -> None:
    """0.5 * ||a * (W - C)||^2 for a matrix W (Muon's step) and a vector (AdamW's); Schedule-Free needs no schedule."""
    target_w, target_b = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]]), np.array([1.0, -2.0])
    w, b, opt = Parameter("w", np.zeros((3, 2))), Parameter("b", np.zeros(2)), factory()
    for _ in range(400):
        w.grad, b.grad = np.array([[1.0], [10.0], [0.3]]) * (w.value - target_w), 3.0 * (b.value - target_b)
        opt.step([w, b])
    np.testing.assert_allclose(w.value, target_w, atol=5e-2)
    np.testing.assert_allclose(b.value, target_b, atol=5e-2)


# --------------------------------------------------------------------------- defaults, ids, arguments
def test_default_arguments_are_keras_s() -> None:
    muon = Muon()
    assert muon.get_config() == {
        "name": "muon", "learning_rate": 0.001, "weight_decay": 0.004, "clipnorm": None, "clipvalue": None,
        "global_clipnorm": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
        "gradient_accumulation_steps": None, "adam_beta_1": 0.9, "adam_beta_2": 0.999, "adam_weight_decay": 0.004,
        "epsilon": 1e-7, "exclude_layers": [], "exclude_embeddings": True, "muon_a": 3.4445, "muon_b": -4.775,
        "muon_c": 2.0315, "adam_lr_ratio": 1.0, "momentum": 0.95, "ns_steps": 5, "nesterov": True, "rms_rate": 0.2,
    }  # fmt: skip
    free = ScheduleFreeAdamW()
    assert (free.learning_rate, free.beta_1, free.beta_2, free.epsilon, free.warmup_steps, free.weight_decay) == (
        0.0025, 0.9, 0.999, 1e-8, 0, None,
    )  # fmt: skip


@pytest.mark.parametrize("identifier, cls", [("muon", Muon), ("schedulefreeadamw", ScheduleFreeAdamW)])
def test_get_string_ids(identifier: str, cls: type) -> None:
    opt = tn.optimizers.get(identifier)
    assert type(opt) is cls and opt.name == identifier


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: Muon(momentum=1.0), InvalidValueError, r"Muon: momentum must be a finite float in \[0, 1\)"),
        (lambda: Muon(adam_beta_2=1.0), InvalidValueError, r"Muon: adam_beta_2 must be a finite float in \[0, 1\)"),
        (lambda: Muon(ns_steps=2.5), InvalidTypeError, "Muon: ns_steps must be an int >= 0"),
        (lambda: Muon(rms_rate=-0.2), InvalidValueError, "Muon: rms_rate must be a finite float >= 0"),
        (lambda: Muon(exclude_layers="dense"), InvalidTypeError, "Muon: exclude_layers must be a list of strings"),
        (lambda: Muon(exclude_layers=["(dense"]), InvalidValueError, "exclude_layers holds '\\(dense', which is not"),
        (lambda: Muon(nesterov="yes"), InvalidTypeError, "Muon: nesterov must be True or False"),
        (lambda: ScheduleFreeAdamW(beta_1=0.0), InvalidValueError, r"ScheduleFreeAdamW: beta_1 .* in \(0, 1\]"),
        (lambda: ScheduleFreeAdamW(warmup_steps=-1), InvalidValueError, "warmup_steps must be an int >= 0"),
        (lambda: ScheduleFreeAdamW(epsilon=0.0), InvalidValueError, "epsilon must be a finite float > 0"),
    ],
)  # fmt: skip
def test_constructor_arguments_are_checked(build: Callable[[], Optimizer], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()


@pytest.mark.parametrize("name", ["muon", "schedulefreeadamw"])
def test_a_keras_program_trains_saves_and_resumes_bitwise(name: str, tmp_path: Any) -> None:
    x, y = tn.datasets.make_moons(48, noise=0.2, random_state=0)
    tn.utils.set_random_seed(0)
    model = tn.Sequential([tn.layers.Dense(8, activation="relu", input_shape=(2,)), tn.layers.Dense(1)])
    model.compile(optimizer=name, loss="mse")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / "model.npz")
    twin = tn.load_model(tmp_path / "model.npz")
    assert type(twin.optimizer) is type(model.optimizer) and twin.optimizer.iterations == 3
    for m in (model, twin):
        m.fit(x, y, epochs=1, batch_size=16, verbose=0)
    for a, b in zip(model.get_weights(), twin.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


# --------------------------------------------------------------------------- the checks catch a wrong update
class _BrokenScheduleFree(ScheduleFreeAdamW):
    """Averages with weight 1 / (t + 1) where Keras's uses 1 / t: x no longer the mean of the z's."""

    def update_step(self, w: Any, g: Any, slots: dict[str, Any], lr: float) -> None:
        self._steps += 1  # iterations one ahead during the update only
        try:
            super().update_step(w, g, slots, lr)
        finally:
            self._steps -= 1


@pytest.mark.parametrize(
    "broken, reference",
    [
        (lambda: Muon(0.02, muon_c=2.0316), "muon"),  # one coefficient off by 1e-4
        (lambda: Muon(0.02, nesterov=False), "muon"),
        (lambda: _BrokenScheduleFree(0.01), "schedulefreeadamw"),
    ],
)
def test_a_wrong_update_fails_the_reference_check(broken: Callable[[], Optimizer], reference: str) -> None:
    from .test_optimizers import CASES, test_update_matches_float64_reference

    case = next(case for case in CASES if case[0] == reference)
    test_update_matches_float64_reference(*case)  # the right update passes ...
    with pytest.raises(AssertionError):
        test_update_matches_float64_reference(reference, broken, *case[2:])  # ... a wrong one does not
