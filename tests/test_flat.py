"""Flat buffers (tinynet._flat): while a model trains, its parameters are views of one array, stepped at once.

The flat step must give exactly the numbers of a step per parameter, keep the
parameters usable as before (set_weights, astype, saving), and step no parameter
that another path must handle (regularizers, constraints, frozen flags).
"""

from __future__ import annotations

import numpy as np
import pytest

import tinynet as tn
from tinynet._flat import FlatParameters

X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
Y = (X.sum(axis=1, keepdims=True) > 0).astype(np.float32)


def model(optimizer: tn.optimizers.Optimizer) -> tn.Sequential:
    tn.utils.set_random_seed(0)
    m = tn.Sequential(
        [tn.layers.Dense(5, activation="relu", input_shape=(3,)), tn.layers.Dense(1, activation="sigmoid")]
    )
    m.compile(optimizer=optimizer, loss="binary_crossentropy")
    return m


def per_parameter(optimizer: tn.optimizers.Optimizer) -> tn.optimizers.Optimizer:
    """The same optimizer, made to step one parameter at a time."""
    optimizer.elementwise = False  # an instance attribute: this one takes the per-parameter path
    return optimizer


@pytest.mark.parametrize(
    "make",
    [
        lambda: tn.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
        lambda: tn.optimizers.Adam(1e-2),
        lambda: tn.optimizers.AdamW(1e-2),
        lambda: tn.optimizers.RMSprop(1e-2),
        lambda: tn.optimizers.Nadam(1e-2),
        lambda: tn.optimizers.Lion(1e-3),
    ],
    ids=["sgd", "adam", "adamw", "rmsprop", "nadam", "lion"],
)
def test_the_flat_step_gives_the_numbers_of_a_step_per_parameter(make) -> None:
    flat, plain = model(make()), model(per_parameter(make()))
    flat.fit(X, Y, epochs=3, batch_size=8, verbose=0)
    plain.fit(X, Y, epochs=3, batch_size=8, verbose=0)
    assert flat.optimizer._flat_state is not None and plain.optimizer._flat_state is None  # the two paths ran
    for a, b in zip(flat.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    pairs = zip(flat.trainable_parameters(), plain.trainable_parameters(), strict=True)
    for p, q in pairs:  # the slots too, each parameter's a view of the optimizer's flat ones
        for name, array in flat.optimizer.slots[p].items():
            np.testing.assert_array_equal(array, plain.optimizer.slots[q][name])


def test_while_training_the_parameters_are_views_of_one_buffer() -> None:
    m = model(tn.optimizers.SGD(0.1))
    seen = []

    class Look(tn.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):  # type: ignore[no-untyped-def]
            seen.append(m.trainable_parameters())

    m.fit(X, Y, epochs=1, batch_size=20, verbose=0, callbacks=[Look()])
    flat = seen[0]
    assert isinstance(flat, FlatParameters) and flat is seen[-1]
    assert all(np.shares_memory(p.value, flat.values) and np.shares_memory(p.grad, flat.grads) for p in flat)
    assert not isinstance(m.trainable_parameters(), FlatParameters)  # outside fit: a plain list


def test_set_weights_and_astype_keep_working_after_training() -> None:
    m = model(tn.optimizers.Adam(1e-2))
    m.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    kernel = m.layers[0].kernel
    kept = kernel.value
    m.set_weights([np.full(w.shape, 0.5, np.float32) for w in m.get_weights()])
    assert kernel.value is kept and np.all(kernel.value == 0.5)  # copied into the buffer's view
    m.astype("float64")  # new arrays: out of the buffer
    assert kernel.value.dtype == np.float64 and not np.shares_memory(kernel.value, kept)
    m.fit(X.astype(np.float64), Y, epochs=1, batch_size=8, verbose=0)  # flattened anew, in float64
    assert all(w.dtype == np.float64 for w in m.get_weights())


def test_a_regularized_or_constrained_parameter_takes_the_per_parameter_path() -> None:
    tn.utils.set_random_seed(0)
    m = tn.Sequential(
        [tn.layers.Dense(4, input_shape=(3,), kernel_regularizer="l2", kernel_constraint=tn.constraints.MaxNorm(0.5))]
    )
    m.compile(optimizer="sgd", loss="mse")
    m.fit(X, np.repeat(Y, 4, axis=1), epochs=2, batch_size=8, verbose=0)
    assert np.linalg.norm(m.layers[0].kernel.value, axis=0).max() <= 0.5 * (1 + 1e-6)


def test_a_regularizer_or_constraint_set_between_steps_is_seen_at_the_next_step() -> None:
    """plain() keeps its answer between steps, but setting any parameter's regularizer, constraint or
    trainable flag makes it look again: the next step takes the per-parameter path and applies them."""
    tn.utils.set_random_seed(0)
    m = tn.Sequential([tn.layers.Dense(4, input_shape=(3,))])
    m.compile(optimizer="sgd", loss="mse")
    y = np.repeat(Y, 4, axis=1)
    m.train_on_batch(X, y)
    with tn.models.loops.training(m, walk_afresh=False):
        flat = m.trainable_parameters()
    assert isinstance(flat, FlatParameters) and flat.plain()
    kernel = m.layers[0].kernel
    kernel.constraint = tn.constraints.MaxNorm(0.01)
    assert not flat.plain()
    m.train_on_batch(X, y)
    assert np.linalg.norm(kernel.value, axis=0).max() <= 0.01 * (1 + 1e-6)
    kernel.constraint = None
    assert flat.plain()
    kernel.regularizer = tn.regularizers.L2(0.5)
    assert not flat.plain()


def test_a_model_resumes_bitwise_from_a_file_saved_mid_training(tmp_path) -> None:  # type: ignore[no-untyped-def]
    whole, halves = model(tn.optimizers.Adam(1e-2)), model(tn.optimizers.Adam(1e-2))
    whole.fit(X, Y, epochs=4, batch_size=8, verbose=0, shuffle=False)
    halves.fit(X, Y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    halves.save(tmp_path / "half.tinynet")
    resumed = tn.load_model(tmp_path / "half.tinynet")
    resumed.fit(X, Y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(whole.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_flat_buffers_and_slots_stay_from_one_fit_to_the_next() -> None:
    """Making them anew copies every weight and slot; a second fit on the same parameters reuses them."""
    net = model(tn.optimizers.Adam(0.01))
    net.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    flat, slots = net._flat[1], net.optimizer._flat_state
    assert isinstance(flat, FlatParameters)
    net.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    assert net._flat[1] is flat and net.optimizer._flat_state[1] is slots[1]
    net.astype("float64")  # new arrays: the next fit pins them into new buffers
    net.fit(X.astype(np.float64), Y.astype(np.float64), epochs=1, batch_size=8, verbose=0)
    assert net._flat[1] is not flat and net._flat[1].values.dtype == np.float64
    net.layers[0].trainable = False  # another walk: other parameters, other buffers
    kept = net._flat[1]
    net.fit(X.astype(np.float64), Y.astype(np.float64), epochs=1, batch_size=8, verbose=0)
    assert net._flat[1] is not kept and len(net._flat[1]) == len(kept) - 2


@pytest.mark.parametrize("copy", ["pickle", "deepcopy"])
def test_a_copied_model_trains_its_own_parameters(copy: str) -> None:
    """A copy's parameters are arrays of their own: its flat buffers are made anew, not taken over from the original."""
    import copy as copying
    import pickle

    net = model(tn.optimizers.Adam(0.01))
    net.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    twin = pickle.loads(pickle.dumps(net)) if copy == "pickle" else copying.deepcopy(net)
    before = [w.copy() for w in twin.get_weights()]
    net.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    twin.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(twin.get_weights(), net.get_weights(), strict=True))
    assert not any(np.array_equal(a, b) for a, b in zip(twin.get_weights(), before, strict=True))


def test_train_on_batch_sees_a_frozen_layer_and_keeps_its_buffers_between_calls() -> None:
    """A custom loop calls train_on_batch every step: the walk is kept, yet freezing a layer is seen at once."""
    net = model(tn.optimizers.SGD(0.1))
    net.train_on_batch(X, Y)
    flat = net._flat[1]
    net.train_on_batch(X, Y)
    assert net._flat[1] is flat  # no new buffers from one call to the next
    first = [w.copy() for w in net.layers[0].get_weights()]
    net.layers[0].trainable = False
    net.train_on_batch(X, Y)
    assert all(np.array_equal(a, b) for a, b in zip(net.layers[0].get_weights(), first, strict=True))
    with pytest.raises(tn.errors.ShapeError):
        net.train_on_batch(X[:, :2], Y)  # refused by the checks: nothing to undo on a built model
    assert all(np.array_equal(a, b) for a, b in zip(net.layers[0].get_weights(), first, strict=True))
