"""Graph model files keep every defence of the format: a hostile graph config is refused as a ModelFileError."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import ModelFileError

from .helpers import members, write_zip


def graph_file(tmp_path: Path) -> Path:
    tn.utils.set_random_seed(0)
    a, b = tn.Input(shape=(3,), name="a"), tn.Input(shape=(2,), name="b")
    joined = tn.layers.Concatenate(name="joined")([tn.layers.Dense(4, name="da")(a), tn.layers.Dense(4, name="db")(b)])
    model = tn.Model([a, b], tn.layers.Dense(1, activation="sigmoid", name="out")(joined))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    path = tmp_path / "graph.npz"
    model.save(path)
    return path


def edited(path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    entries = members(path)
    config = json.loads(dict(entries)["config.json"])
    change(config["model"]["config"])
    out = path.with_name("edited.npz")
    write_zip(
        out, [(n, json.dumps(config).encode() if n == "config.json" else d) for n, d in entries], zipfile.ZIP_STORED
    )
    return out


def node(config: dict[str, Any], layer: str) -> dict[str, Any]:
    return next(n for n in config["nodes"] if n["layer"] == layer)


CASES = {
    "a node reads a tensor nothing makes": (lambda c: node(c, "out").update(inputs=[["nowhere", 0, 0]]), "nowhere"),
    "a node names a layer the graph lacks": (lambda c: node(c, "out").update(layer="ghost"), "ghost"),
    "a node reads a later call": (lambda c: node(c, "joined")["inputs"][0].__setitem__(1, 5), "could not be rebuilt"),
    "a layer named twice": (lambda c: c["layers"][3]["config"].update(name="da"), "named 'da'"),
    "outputs of an unknown kind": (lambda c: c["outputs"].update(kind="tree"), "kind 'tree'"),
    "an input far larger than the weights": (
        lambda c: c["layers"][0]["config"].update(shape=[10**7]),
        "beyond the .* bytes of weights the file holds",
    ),
    "a node's options that are not a dict": (lambda c: node(c, "out").update(options=[1]), "options must be a dict"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_graph_config_is_refused(name: str, tmp_path: Path) -> None:
    change, match = CASES[name]
    path = edited(graph_file(tmp_path), change)
    with pytest.raises(ModelFileError, match=match):
        tn.load_model(path)


def test_a_graph_file_loads_and_predicts_the_same(tmp_path: Path) -> None:
    path = graph_file(tmp_path)
    model = tn.load_model(path)
    xs = [np.ones((2, 3), np.float32), np.zeros((2, 2), np.float32)]
    again = tn.load_model(edited(path, lambda c: None))
    np.testing.assert_array_equal(model.predict(xs), again.predict(xs))
