"""Streamed data: a ``PyDataset`` or an iterator of batches in ``fit``, ``evaluate`` and ``predict``.

Read in order, a stream of the same batches trains bitwise like the arrays; shuffling a PyDataset shuffles
its batch order with fit's seeded generator; every batch is checked as it comes; what Keras refuses is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidValueError, ShapeError


class Batches(tn.utils.PyDataset):
    """Batches of ``batch_size`` rows of arrays, in order; records what was read and the epoch hooks."""

    def __init__(self, x: Any, y: Any = None, batch_size: int = 8, weights: Any = None) -> None:
        super().__init__()
        self.x, self.y, self.weights, self.batch_size = x, y, weights, batch_size
        self.read: list[int] = []
        self.begun = self.ended = 0

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index: int) -> Any:
        self.read.append(index)
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        if self.y is None:
            return self.x[part]
        if self.weights is None:
            return self.x[part], self.y[part]
        return self.x[part], self.y[part], self.weights[part]

    def on_epoch_begin(self) -> None:
        self.begun += 1

    def on_epoch_end(self) -> None:
        self.ended += 1


def data(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, (x @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.int64)


def model(seed: int = 0, dropout: bool = False) -> tn.Sequential:
    tn.utils.set_random_seed(seed)
    layers: list[Any] = [tn.layers.Dense(8, activation="relu", input_shape=(3,))]
    if dropout:
        layers.append(tn.layers.Dropout(0.25))
    net = tn.Sequential([*layers, tn.layers.Dense(2, activation="softmax")])
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return net


def same_weights(a: tn.Model, b: tn.Model) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(a.get_weights(), b.get_weights(), strict=True))


def generator(x: np.ndarray, y: np.ndarray, batch_size: int = 8, repeat: bool = True) -> Iterator[Any]:
    while True:
        for start in range(0, len(x), batch_size):
            yield x[start : start + batch_size], y[start : start + batch_size]
        if not repeat:
            return


# ---------------------------------------------------------------------------- exactness
@pytest.mark.parametrize("dropout", [False, True])
def test_a_pydataset_read_in_order_trains_bitwise_like_the_arrays(dropout: bool) -> None:
    x, y = data()
    a, b = model(dropout=dropout), model(dropout=dropout)
    weights = np.linspace(0.5, 1.5, len(x)).astype(np.float32)
    ha = a.fit(x, y, batch_size=8, epochs=3, shuffle=False, sample_weight=weights, verbose=0)
    hb = b.fit(Batches(x, y, 8, weights), epochs=3, shuffle=False, verbose=0)
    assert same_weights(a, b) and ha.history == hb.history


def test_a_generator_with_steps_per_epoch_trains_bitwise_like_the_arrays() -> None:
    x, y = data()
    a, b = model(), model()
    a.fit(x, y, batch_size=8, epochs=3, shuffle=False, validation_data=(x, y), verbose=0)
    history = b.fit(
        generator(x, y), steps_per_epoch=5, epochs=3, validation_data=generator(x, y), validation_steps=5, verbose=0
    )
    assert same_weights(a, b) and list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]


def test_shuffle_draws_a_new_batch_order_each_epoch_from_the_seeded_generator() -> None:
    x, y = data()
    orders = []
    for _ in range(2):
        dataset = Batches(x, y, 8)
        model(seed=3).fit(dataset, epochs=3, verbose=0)
        orders.append(dataset.read[1:])  # the first read is fit's check of batch 0
    epochs = [orders[0][i : i + 5] for i in range(0, 15, 5)]
    assert orders[0] == orders[1]  # reproducible under set_random_seed
    assert all(sorted(e) == list(range(5)) for e in epochs) and len({tuple(e) for e in epochs}) > 1
    unshuffled = Batches(x, y, 8)
    model().fit(unshuffled, epochs=2, shuffle=False, verbose=0)
    assert unshuffled.read[1:] == [0, 1, 2, 3, 4] * 2


def test_the_epoch_hooks_of_a_pydataset_run_every_epoch() -> None:
    x, y = data()
    dataset = Batches(x, y, 8)
    model().fit(dataset, epochs=3, verbose=0)
    assert dataset.begun == dataset.ended == 3


def test_steps_per_epoch_continues_the_pass_over_a_pydataset_across_epochs() -> None:
    """As Keras: an epoch of 2 batches takes the next 2 of the current pass; a pass of 4 spans 2 epochs."""
    x, y = data(32)
    dataset = Batches(x, y, 8)
    model().fit(dataset, epochs=4, steps_per_epoch=2, shuffle=False, verbose=0)
    assert dataset.read[1:] == [0, 1, 2, 3] * 2


def test_a_pass_used_up_before_steps_per_epoch_ends_the_epoch_with_a_warning() -> None:
    x, y = data(40)
    with pytest.warns(UserWarning, match="ran out after 1 of the epoch's 2 steps"):
        history = model().fit(Batches(x, y, 8), epochs=3, steps_per_epoch=2, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 3


def test_a_generator_that_runs_out_stops_training_with_a_warning() -> None:
    x, y = data()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model().fit(generator(x, y, repeat=False), steps_per_epoch=3, epochs=4, verbose=0)
    assert len(history.history["loss"]) == 2  # 5 batches: an epoch of 3, an epoch of 2, then nothing


def test_a_generator_without_steps_is_one_epoch_to_its_end() -> None:
    x, y = data()
    net = model()
    history = net.fit(generator(x, y, repeat=False), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    assert net.optimizer.get_state(net.parameters())["iterations"] == 5


# ---------------------------------------------------------------------------- evaluate and predict
def test_evaluate_and_predict_take_a_pydataset_and_a_generator() -> None:
    x, y = data()
    net = model()
    net.fit(x, y, epochs=2, verbose=0)
    expected = net.evaluate(x, y, batch_size=8, verbose=0)
    assert net.evaluate(Batches(x, y, 8), verbose=0) == expected
    assert net.evaluate(generator(x, y), steps=5, verbose=0) == expected
    outputs = net.predict(x)
    np.testing.assert_array_equal(net.predict(Batches(x, y, 8)), outputs)  # the targets are left out
    np.testing.assert_array_equal(net.predict(Batches(x, None, 8)), outputs)
    np.testing.assert_array_equal(net.predict(generator(x, y, repeat=False)), outputs)


def test_a_pydataset_builds_an_unbuilt_model() -> None:
    x, y = data()
    net = tn.Sequential([tn.layers.Dense(2, activation="softmax")])
    net.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    net.fit(Batches(x, y, 8), verbose=0)
    assert net.built and net.input_shape == (3,)


def test_class_weight_weighs_the_batches_of_a_pydataset() -> None:
    x, y = data()
    a, b = model(), model()
    a.fit(x, y, batch_size=8, shuffle=False, class_weight={0: 2.0}, verbose=0)
    b.fit(Batches(x, y, 8), shuffle=False, class_weight={0: 2.0}, verbose=0)
    assert same_weights(a, b)


# ---------------------------------------------------------------------------- refused
def test_what_a_stream_holds_itself_is_refused_before_any_step() -> None:
    x, y = data()
    net = model()
    before = net.get_weights()
    with pytest.raises(InvalidValueError, match="y cannot be passed with a PyDataset"):
        net.fit(Batches(x, y, 8), y, verbose=0)
    with pytest.raises(InvalidValueError, match="validation_split cannot be passed with an iterator"):
        net.fit(generator(x, y), steps_per_epoch=2, validation_split=0.2, verbose=0)
    with pytest.raises(InvalidValueError, match="steps_per_epoch applies to a PyDataset"):
        net.fit(x, y, steps_per_epoch=2, verbose=0)
    with pytest.raises(InvalidValueError, match="validation_steps applies"):
        net.fit(x, y, validation_data=(x, y), validation_steps=2, verbose=0)
    with pytest.raises(InvalidValueError, match="steps applies"):
        net.evaluate(x, y, steps=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights(), strict=True))


def test_a_bad_first_batch_is_refused_before_any_step_and_a_bad_later_one_before_its_step() -> None:
    x, y = data()
    net = model()
    before = net.get_weights()
    with pytest.raises(ShapeError, match="In a batch of x"):
        net.fit(Batches(x[:, :2], y, 8), verbose=0)
    with pytest.raises(InvalidValueError, match=r"must be \(x, y\)"):
        net.fit(Batches(x, None, 8), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights(), strict=True))
    bad = y.copy()
    bad[20] = 7  # in batch 2
    with pytest.raises(InvalidValueError, match="labels must lie in"):
        net.fit(Batches(x, bad, 8), shuffle=False, verbose=0)
    assert net.optimizer.get_state(net.parameters())["iterations"] == 2  # batches 0 and 1 ran, batch 2 did not


def test_a_pydataset_without_len_or_with_no_batch_is_refused() -> None:
    class NoLength(tn.utils.PyDataset):
        pass

    class Empty(Batches):
        def __len__(self) -> int:
            return 0

    x, y = data()
    with pytest.raises(TypeError, match="must define __len__"):
        model().fit(NoLength(), verbose=0)
    with pytest.raises(InvalidValueError, match="number of batches >= 1"):
        model().fit(Empty(x, y), verbose=0)
    with pytest.raises(InvalidValueError, match="gave no batch"):
        model().fit(iter([]), verbose=0)


def test_validation_from_an_exhausted_generator_is_refused_clearly() -> None:
    x, y = data()
    with pytest.raises(InvalidValueError, match="ran out before its first batch"):
        model().fit(x, y, epochs=2, validation_data=generator(x, y, repeat=False), verbose=0)


def test_keras_names_sequence_and_num_batches() -> None:
    x, y = data()
    assert tn.utils.Sequence is tn.utils.PyDataset
    dataset = Batches(x, y, 8)
    assert dataset.num_batches == 5 and len(list(dataset)) == 5
    assert tn.utils.PyDataset(workers=4, use_multiprocessing=True).workers == 4
