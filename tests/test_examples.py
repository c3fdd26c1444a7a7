"""The examples run and reach their figures (the cheap ones here; the seed's demo in tests/models)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import tinynet as tn

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_digits_mlp_reaches_97_percent() -> None:
    pytest.importorskip("sklearn")
    result = example("digits_mlp").train(epochs=30)
    assert result["test_accuracy"] >= 0.97


def test_digits_cnn_reaches_97_percent() -> None:
    """Issue figure: a small CNN on the bundled 8x8 digits reaches at least 97% test accuracy."""
    pytest.importorskip("sklearn")
    result = example("digits_cnn").train(epochs=15)
    assert result["test_accuracy"] >= 0.97


def test_lstm_learns_to_add() -> None:
    """Issue figure: the LSTM learns the generated task — its error falls far below predicting the mean."""
    result = example("sequence_sum").train(epochs=20)
    assert result["test_rmse"] < 0.1 * result["baseline_rmse"]


def test_addition_rnn_learns_two_digit_sums() -> None:
    """Keras's seq2seq addition at a small size (2-digit numbers, 1,800 questions, about 3 s): per character
    far above writing each position's most frequent character (0.40), and most whole answers right."""
    addition = example("addition_rnn")
    with addition.one_blas_thread():
        result = addition.train(digits=2, size=2000, units=32, epochs=40, learning_rate=0.01)
    assert result["baseline"] < 0.45
    assert result["char_accuracy"] >= 0.85 and result["answer_accuracy"] >= 0.6
    question, answer, _ = result["samples"][0]
    a, b = (int(n) for n in question.split("+"))
    assert int(answer) == a + b and addition.decode(addition.encode([answer], 3)) == [answer]


def test_custom_layer_example_proves_and_learns() -> None:
    result = example("custom_layer").main()
    np.testing.assert_allclose(result["alpha"], 2.0, atol=0.05)


def test_gan_example_learns_the_ring_with_its_own_train_step() -> None:
    """Two models and one custom train_step, trained by fit: the generated points lie on the ring, all round it."""
    gan = example("gan")
    result = gan.train()
    assert set(result["history"]) == {"d_loss", "g_loss"} and len(result["history"]["d_loss"]) == 60
    assert abs(result["mean_radius"] - gan.RADIUS) < 0.25 and result["radius_spread"] < 0.4
    np.testing.assert_allclose(result["centre"], gan.CENTRE, atol=0.25)
    assert result["octants_covered"] == 8


def test_resnet_digits_residual_and_plain_nets_differ_only_by_the_skip_connections() -> None:
    resnet_digits = example("resnet_digits")
    residual, plain = resnet_digits.build(residual=True), resnet_digits.build(residual=False)
    adds = [layer.name for layer in residual.layers if isinstance(layer, tn.layers.Add)]
    assert adds == [f"block{i}_add" for i in range(1, resnet_digits.BLOCKS + 1)]
    assert [layer.name for layer in residual.layers if layer.name not in adds] == [layer.name for layer in plain.layers]
    assert residual.count_params() == plain.count_params()


def test_resnet_digits_reaches_95_percent() -> None:
    """The residual CNN, a graph model with three skip connections, learns the bundled digits in a few epochs."""
    pytest.importorskip("sklearn")
    result = example("resnet_digits").train(epochs=8, residual=True)
    assert result["test_accuracy"] >= 0.95


def test_two_inputs_example_learns_both_outputs_and_reloads() -> None:
    """Two inputs by name, two outputs with their own losses and metrics; the saved model predicts the same."""
    pytest.importorskip("sklearn")
    result = example("two_inputs").train(epochs=20)
    history = result["history"]
    assert list(history) == ["loss", "cultivar_loss", "alcohol_loss", "cultivar_accuracy", "alcohol_mae"]
    assert result["test_accuracy"] >= 0.93
    assert history["alcohol_loss"][-1] < 0.5 * history["alcohol_loss"][0]
    assert result["test_alcohol_mse"] < 0.6 * result["baseline_alcohol_mse"]
    assert result["loaded_predicts_the_same"]


def syllable_words() -> list[str]:
    """300 words of a made-up language: a consonant-vowel syllable said two, three or four times ("bobobo")."""
    syllables = [c + v for c in "bcdfghjklmnpqrstvwxz" for v in "aeiou"]
    return [s * k for s in syllables for k in (2, 3, 4)]


def test_char_transformer_beats_the_bigram_on_a_small_word_list_and_writes_words() -> None:
    """No wamerican needed: on made-up words the transformer reads two characters back, which a bigram cannot."""
    char_transformer = example("char_transformer")
    words = syllable_words()
    result = char_transformer.train(
        words, epochs=40, steps=10, width=32, heads=2, blocks=1, batch_size=32, learning_rate=1e-2, samples=20
    )
    assert result["train_words"] == 270 and result["val_words"] == 30
    assert result["uniform_bits"] == pytest.approx(np.log2(27))
    assert result["bigram_bits"] > 3.0
    assert result["val_bits"] < result["bigram_bits"] - 1.5
    samples = result["samples"]
    assert len(samples) == 20 and all(re.fullmatch(r"[a-z]*\$", s) for s in samples)
    assert sum(s[:-1] in words for s in samples) >= 10
    # causal: what follows step t, padding included, changes nothing the model predicts up to t
    x, _, _ = char_transformer.encode(words[:8], steps=10)
    changed = x.copy()
    changed[:, 4:] = np.random.default_rng(0).integers(0, len(char_transformer.VOCAB), size=(8, 6))
    model = result["model"]
    np.testing.assert_array_equal(model.predict(x)[:, :4], model.predict(changed)[:, :4])


def test_char_transformer_without_the_word_list_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    char_transformer = example("char_transformer")
    monkeypatch.setattr(char_transformer, "DICTIONARY", tmp_path / "american-english")
    with pytest.raises(FileNotFoundError, match=r"apt-get install wamerican.*train\(words=\[\.\.\.\]\)"):
        char_transformer.train()


def test_stream_fashion_mnist_trains_from_a_memory_mapped_cache_on_stand_in_files(tmp_path: Path) -> None:
    """No dataset-fashion-mnist needed: generated IDX files go through the same cache and PyDataset as the real ones."""
    stream = example("stream_fashion_mnist")
    source = stream.write_stand_in(tmp_path / "idx")
    result = stream.train(tmp_path / "cache", source, epochs=3)
    assert isinstance(result["batches"].images, np.memmap) and len(result["batches"]) == 16
    assert result["history"]["loss"][-1] < 0.5 * result["history"]["loss"][0]
    assert result["test_accuracy"] >= 0.9  # chance is 0.1
    again = stream.train(tmp_path / "cache", tmp_path / "absent", epochs=1, limit=256)  # the cache is read, not the IDX
    assert len(again["batches"]) == 2


def test_stream_fashion_mnist_without_the_package_or_a_cache_names_the_package(tmp_path: Path) -> None:
    stream = example("stream_fashion_mnist")
    with pytest.raises(tn.datasets.DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"):
        stream.train(tmp_path / "cache", tmp_path / "absent")
    assert not (tmp_path / "cache").exists()
