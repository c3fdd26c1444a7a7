"""The Keras programs in examples/keras_ports/ run on tinynet with their imports changed, and learn.

Each port marks the lines it changed with a comment naming what the Keras (or
TensorFlow) program had; every other line is the program's own. The Fashion-MNIST
programs run here on a small stand-in with the data set's shapes and dtypes (the
Debian package is not needed), so the test checks that the Keras code runs end to end;
the digits program runs as it is and reaches its figure.
"""

from __future__ import annotations

import ast
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

import tinynet as tn

PORTS = Path(__file__).resolve().parent.parent / "examples" / "keras_ports"
MARK = re.compile(r"#\s*(Keras|TensorFlow):")


def stand_in_fashion_mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST's shapes and dtypes, small: each class a bright band at its own rows, plus noise."""
    rng = np.random.default_rng(0)

    def split(n: int) -> tuple[np.ndarray, np.ndarray]:
        labels = np.arange(n) % 10
        images = rng.integers(0, 60, size=(n, 28, 28)).astype(np.uint8)
        for label in range(10):
            images[labels == label, 2 * label + 4 : 2 * label + 7, 4:24] = 250
        return images, labels.astype(np.uint8)

    return split(300), split(100)


@pytest.mark.parametrize("name", ["mnist_convnet", "basic_classification", "max_norm_digits"])
def test_a_port_changes_only_its_marked_import_lines(name: str) -> None:
    source = (PORTS / f"{name}.py").read_text()
    after_docstring = ast.parse(source).body[0].end_lineno or 0
    for number, line in enumerate(source.splitlines()[after_docstring:], start=after_docstring + 1):
        code = line.split("#")[0]
        if "tinynet" in code or "SimpleNamespace" in code:
            assert MARK.search(line) or "SimpleNamespace" in line, f"{name}.py:{number} is not a marked import: {line}"


@pytest.mark.parametrize("name", ["mnist_convnet", "basic_classification"])
def test_a_fashion_mnist_port_runs_end_to_end(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tn.datasets.fashion_mnist, "load_data", stand_in_fashion_mnist)
    tn.utils.set_random_seed(0)
    result = runpy.run_path(str(PORTS / f"{name}.py"), run_name="__main__")
    printed = capsys.readouterr().out
    if name == "mnist_convnet":
        assert result["x_train"].shape == (300, 28, 28, 1) and result["y_train"].shape == (300, 10)
        assert "Test accuracy:" in printed and result["score"][1] >= 0.9
    else:
        assert result["predictions"].shape == (100, 10)
        np.testing.assert_allclose(result["predictions"].sum(axis=1), 1.0, rtol=1e-5)
        assert result["test_acc"] >= 0.9


def test_the_max_norm_port_learns_the_digits_within_its_bound(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    result = runpy.run_path(str(PORTS / "max_norm_digits.py"), run_name="__main__")
    assert result["accuracy"] >= 0.95
    assert result["largest"] <= 2.0 * (1 + 1e-6)
    assert "test accuracy" in capsys.readouterr().out
