"""Hostile and corrupt model files: every one refused with ``ModelFileError``, running nothing, allocating little.

Each case below builds its file in ``tmp_path`` from a valid model file (or from scratch) and
loads it. Every load must raise exactly :class:`tinynet.saving.ModelFileError` (a ``ValueError``)
with a message that says what is wrong, add no module to ``sys.modules``, never import the
canary module (which appends to a marker file when imported and sits on ``sys.path``), and
stay within a memory and time bound. Where the file is broken below the model config (the
archive, the members, the arrays), ``load_weights`` must refuse it the same way.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.saving import ModelFileError, load_model, load_weights, save_model
from tinynet.saving import archive as archive_module

from .helpers import L, classifier, fit, write_zip

CANARY = "tn_saving_canary"
PICKLE_IMPORTING_CANARY = b"\x80\x02c" + CANARY.encode() + b"\nBoom\n)R."
MEMORY_LIMIT = 8 * 2**20
TIME_LIMIT = 5.0
KERNEL = "weights/0001_kernel.npy"  # (2, 8) float32
BIAS = "weights/0001_bias.npy"

Members = list[tuple[str, bytes]]


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Members]:
    """A trained, compiled 2-8-1 model's file (bytes and members); loading it once warms every import."""
    model = classifier()
    fit(model, 1)
    path = tmp_path_factory.mktemp("valid") / "model.npz"
    save_model(model, path)
    load_model(path)
    load_weights(classifier(), path)
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return path.read_bytes(), members


@pytest.fixture
def canary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A module on sys.path that appends to a marker file when imported; yields the marker's path."""
    folder = tmp_path / "importable"
    folder.mkdir()
    marker = tmp_path / "canary-was-imported.txt"
    (folder / f"{CANARY}.py").write_text(
        f"with open({str(marker)!r}, 'a') as f:\n    f.write('imported\\n')\n\nclass Boom:\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    sys.modules.pop(CANARY, None)
    yield marker
    sys.modules.pop(CANARY, None)


def test_the_canary_and_the_pickle_payload_are_live(canary: Path) -> None:
    """What the suite guards against is real: unpickling the payload imports the canary and writes the marker."""
    assert not canary.exists()
    pickle.loads(PICKLE_IMPORTING_CANARY)  # noqa: S301 - the point of the test
    assert canary.read_text() == "imported\n"


# ---------------------------------------------------------------------------- building hostile files
def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def raw_npy(header: str, data: bytes = b"", version: tuple[int, int] = (1, 0)) -> bytes:
    """A ``.npy`` with a header written verbatim (padded as numpy pads it)."""
    text = header.encode("latin1")
    size = 2 if version == (1, 0) else 4
    padding = (64 - (6 + 2 + size + len(text) + 1) % 64) % 64
    text += b" " * padding + b"\n"
    length = struct.pack("<H" if size == 2 else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + length + text + data


def config_of(members: Members) -> dict[str, Any]:
    return json.loads(dict(members)["config.json"])


def replace(members: Members, name: str, data: bytes | None, new_name: str | None = None) -> Members:
    """``members`` with ``name`` given new data (or removed when ``data`` is None), optionally renamed."""
    out = []
    for member, content in members:
        if member != name:
            out.append((member, content))
        elif data is not None:
            out.append((new_name or member, content if data is ... else data))
    return out


def with_config(members: Members, change: Callable[[dict[str, Any]], Any]) -> Members:
    config = config_of(members)
    change(config)
    return replace(members, "config.json", json.dumps(config).encode())


def with_config_text(members: Members, change: Callable[[str], str]) -> Members:
    return replace(members, "config.json", change(dict(members)["config.json"].decode()).encode())


def first_layer(config: dict[str, Any]) -> dict[str, Any]:
    return config["model"]["config"]["layers"][0]


def flip_byte(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]


def central_directory(data: bytes) -> tuple[int, int, int]:
    """(offset of the central directory, its size, number of entries) from the end record (no comment)."""
    signature, _, _, _, entries, size, offset, _ = struct.unpack("<4sHHHHIIH", data[-22:])
    assert signature == b"PK\x05\x06"
    return offset, size, entries


def patch_central_entry(data: bytes, field_offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of the first central-directory entry."""
    offset, _, _ = central_directory(data)
    position = offset + field_offset
    return data[:position] + struct.pack(fmt, value) + data[position + struct.calcsize(fmt) :]


def overlapping(tmp: Path) -> bytes:
    """One 4000-byte member, and five directory entries that all point at it."""
    write_zip(tmp / "one.zip", [("weights/a.npy", b"\x00" * 4000)])
    data = (tmp / "one.zip").read_bytes()
    offset, size, _ = central_directory(data)
    entry = data[offset : offset + size]
    entries = b"".join(entry.replace(b"weights/a.npy", f"weights/{c}.npy".encode()) for c in "abcde")
    end = data[offset + size :]
    end = end[:8] + struct.pack("<HHI", 5, 5, len(entries)) + end[16:]
    return data[:offset] + entries + end


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[bytes, Members, Path], bytes | Members]
    match: str
    weights_too: bool = True  # load_weights reads this part of the file too, and must refuse it
    memory: int = MEMORY_LIMIT  # parsing a config near the container cap takes more than the default


CASES = [
    # ------------------------------------------------------------ not a zip at all
    Case("empty_file", lambda d, m, t: b"", "is empty"),
    Case("plain_text", lambda d, m, t: b'{"format": "tinynet", "format_version": 1}', "is not a zip archive"),
    Case("wrong_magic", lambda d, m, t: b"MZ\x90\x00" + d[4:], "is not a zip archive: it starts with b'MZ"),
    Case("zip_magic_of_an_end_record", lambda d, m, t: b"PK\x05\x06" + d[4:], "does not start with a zip file entry"),
    Case("pickle_importing_the_canary", lambda d, m, t: PICKLE_IMPORTING_CANARY, "looks like a pickle"),
    Case("bare_npy_file", lambda d, m, t: npy(np.zeros(3)), "bare .npy array"),
    # ------------------------------------------------------------ broken archives
    Case("truncated_to_half", lambda d, m, t: d[: len(d) // 2], "not a readable zip archive"),
    Case("truncated_end_record", lambda d, m, t: d[:-7], "not a readable zip archive"),
    Case("bytes_cut_from_the_middle", lambda d, m, t: d[:300] + d[600:], "corrupt|runs past|not a readable"),
    Case("flipped_bit_in_weights", lambda d, m, t: flip_byte(d, d.index(b"\x93NUMPY") + 140), "corrupt.*CRC"),
    Case("directory_size_lie", lambda d, m, t: patch_central_entry(d, 24, "<I", 10**9), "claims 1000000000 bytes"),
    Case("encrypted_member", lambda d, m, t: patch_central_entry(d, 8, "<H", 1), "encrypted member"),
    Case("overlapping_entries", lambda d, m, t: overlapping(t), "entries overlap"),
    # ------------------------------------------------------------ members
    Case("missing_config", lambda d, m, t: replace(m, "config.json", None), "has no config.json member"),
    Case("missing_weight", lambda d, m, t: replace(m, BIAS, None), f"lacks the member.*'{BIAS}'"),
    Case("extra_member", lambda d, m, t: [*m, ("weights/payload.py", b"import os")], "unexpected member"),
    Case("path_traversal", lambda d, m, t: [*m, ("../../evil.npy", npy(np.zeros(2)))], r"climbs out .*'\.\.'"),
    Case("absolute_member", lambda d, m, t: [*m, ("/etc/cron.d/evil", b"x")], "absolute path"),
    Case("backslash_member", lambda d, m, t: replace(m, KERNEL, ..., KERNEL.replace("/", "\\")), "backslash"),
    Case("duplicate_members", lambda d, m, t: [*m, ("config.json", b"{}")], "two members named 'config.json'"),
    Case("compressed_member", lambda d, m, t: m, "compressed member"),  # written deflated, see test
    Case("zip_bomb", lambda d, m, t: [("config.json", b" " * (64 * 2**20))], "compressed member"),
    # ------------------------------------------------------------ arrays
    Case(
        "object_array_pickle",
        lambda d, m, t: replace(
            m, KERNEL, raw_npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", PICKLE_IMPORTING_CANARY)
        ),
        "holds Python objects",
    ),
    Case(
        "header_claims_a_huge_shape",
        lambda d, m, t: replace(
            m,
            KERNEL,
            raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1024), }", b"\x00" * 64),
        ),
        r"declares shape \(1099511627776, 1024\).*but holds",
    ),
    Case(
        "header_and_config_claim_a_huge_shape",
        lambda d, m, t: with_config(
            replace(
                m, KERNEL, raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 8), }", b"\x00" * 64)
            ),
            lambda c: [
                entry.update(shape=[2**32, 8]) for entry in (c["weights"][0], *c["optimizer_state"]["slots"][:2])
            ],
        ),
        "declares shape .* but holds",
    ),
    Case(
        "header_with_code",
        lambda d, m, t: replace(
            m,
            KERNEL,
            raw_npy(f"{{'descr': __import__('{CANARY}'), 'fortran_order': False, 'shape': (2, 8), }}", b"\x00" * 64),
        ),
        "not a valid .npy array",
    ),
    Case(
        "negative_shape",
        lambda d, m, t: replace(m, KERNEL, raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 8), }")),
        "negative shape",
    ),
    Case("trailing_bytes", lambda d, m, t: replace(m, KERNEL, dict(m)[KERNEL] + b"\x00" * 8), "but holds"),
    Case("member_is_not_npy", lambda d, m, t: replace(m, KERNEL, b"just text, not an array"), "not a valid .npy"),
    Case("structured_dtype", lambda d, m, t: replace(m, KERNEL, npy(np.zeros(16, "<f4,<f4"))), "structured dtype"),
    Case(
        "npy_format_3",
        lambda d, m, t: replace(
            m, KERNEL, raw_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8), }", b"\x00" * 64, (3, 0))
        ),
        r"format \(3, 0\)",
    ),
    Case(
        "shape_mismatch",
        lambda d, m, t: replace(m, KERNEL, npy(np.zeros((3, 4), np.float32))),
        r"shape \(3, 4\) but config.json .* says \(2, 8\)",
    ),
    Case(
        "dtype_mismatch",
        lambda d, m, t: replace(m, KERNEL, npy(np.zeros((2, 8), np.float64))),
        "dtype <f8 but config.json .* says <f4",
    ),
    Case("big_endian", lambda d, m, t: replace(m, KERNEL, npy(np.zeros((2, 8), ">f4"))), "dtype >f4"),
    # ------------------------------------------------------------ config.json as text
    Case("config_not_utf8", lambda d, m, t: replace(m, "config.json", b"\xff\xfe{\x00}\x00"), "not UTF-8"),
    Case("config_not_json", lambda d, m, t: replace(m, "config.json", b"{'format': 'tinynet'"), "not valid JSON"),
    Case("config_a_list", lambda d, m, t: replace(m, "config.json", b"[]"), "must hold a JSON object"),
    Case(
        "duplicate_json_keys",
        lambda d, m, t: with_config_text(m, lambda s: '{"kind": "weights", ' + s[1:]),
        "the key 'kind' appears twice",
    ),
    Case(
        "nan_in_json",
        lambda d, m, t: with_config_text(m, lambda s: s.replace('"learning_rate":0.001', '"learning_rate":NaN')),
        "NaN is not a JSON number",
    ),
    Case(
        "infinity_in_json",
        lambda d, m, t: with_config_text(m, lambda s: s.replace('"units":8', '"units":-Infinity')),
        "-Infinity is not a JSON number",
    ),
    Case(
        "overflowing_number",
        lambda d, m, t: with_config_text(m, lambda s: s.replace('"units":8', '"units":1e999')),
        "overflows to infinity",
    ),
    Case(
        "integer_of_5000_digits",
        lambda d, m, t: with_config_text(m, lambda s: s.replace('"units":8', '"units":' + "9" * 5000)),
        "5000 digits",
    ),
    Case(
        "absurdly_nested",
        lambda d, m, t: with_config_text(
            m, lambda s: s.replace('"units":8', '"units":' + "[" * 100_000 + "]" * 100_000)
        ),
        "nested 100006 levels deep; the limit is 100",
    ),
    Case(
        "json_container_bomb",
        lambda d, m, t: with_config_text(m, lambda s: s.replace('"units":8', '"units":[' + "{}," * 200_000 + "{}]")),
        r"holds 2000\d\d objects and lists; the limit is 100000",
    ),
    Case(
        "json_value_bomb",
        lambda d, m, t: with_config_text(m, lambda s: s.replace('"units":8', '"units":[' + "0," * 1_100_000 + "0]")),
        "values; the limit is 1000000",
    ),
    Case(
        "config_over_16_mib",
        lambda d, m, t: with_config_text(m, lambda s: s + " " * (17 * 2**20)),
        "the limit is 16777216",
    ),
    # ------------------------------------------------------------ config.json's fields
    Case(
        "format_version_2",
        lambda d, m, t: with_config(m, lambda c: c.update(format_version=2)),
        "format_version 2; this tinynet reads format_version 1",
    ),
    Case(
        "format_version_string",
        lambda d, m, t: with_config(m, lambda c: c.update(format_version="1")),
        "format_version '1'",
    ),
    Case("no_format", lambda d, m, t: with_config(m, lambda c: c.pop("format")), "not a tinynet config"),
    Case(
        "unknown_top_level_key",
        lambda d, m, t: with_config(m, lambda c: c.update(__reduce__="os.system")),
        r"at the top level: it has the unknown keys \['__reduce__'\]",
    ),
    Case(
        "input_shape_mixing_ints_and_lists",
        lambda d, m, t: with_config(m, lambda c: c.update(input_shape=[[2], 3])),
        r"input_shape = \[\[2\], 3\]; expected a list of non-negative integers",
    ),
    Case(
        "input_shape_of_too_many_inputs",
        lambda d, m, t: with_config(m, lambda c: c.update(input_shape=[[2]] * 1001)),
        "input_shape with 1001 shapes; at most 1000 inputs are read",
    ),
    Case(
        "input_shapes_holding_a_bad_shape",
        lambda d, m, t: with_config(m, lambda c: c["layers"][1].update(input_shape=[[2], [-1]])),
        r"layers\[1\]\.input_shape\[1\] = \[-1\]; expected a list of non-negative integers",
    ),
    Case(
        "input_shape_holding_a_string",
        lambda d, m, t: with_config(m, lambda c: c.update(input_shape=["7", 2])),
        r"input_shape = \['7', 2\]; expected a list of non-negative integers or nulls",
    ),
    Case(
        "weight_shape_holding_null",  # null is a size unknown, for input shapes only: a weight has every size
        lambda d, m, t: with_config(m, lambda c: c["weights"][0].update(shape=[None, 8])),
        r"weights\[0\]\.shape = \[None, 8\]; expected a list of non-negative integers\.",
    ),
    Case(
        "weights_member_renamed",
        lambda d, m, t: with_config(m, lambda c: c["weights"][0].update(member="weights/x.npy")),
        "by position it must be 'weights/0001_kernel.npy'",
    ),
    Case(
        "unlisted_dtype",
        lambda d, m, t: with_config(m, lambda c: c["weights"][0].update(dtype="object")),
        "dtype = 'object'; expected one of float16",
    ),
    Case(
        "slot_shape_mismatch",
        lambda d, m, t: with_config(m, lambda c: c["optimizer_state"]["slots"][0].update(shape=[3, 3])),
        r"gives optimizer_state.slots\[0\] shape \(3, 3\)",
    ),
    Case(
        "bad_generator_state",
        lambda d, m, t: with_config(m, lambda c: c["shuffle_rng"].update(state="0x1337")),
        "not a PCG64 state",
    ),
    # ------------------------------------------------------------ class names and configs (load_model only)
    Case(
        "unknown_class",
        lambda d, m, t: with_config(m, lambda c: first_layer(c).update(class_name="EvilLayer")),
        "'EvilLayer' at model.config.layers\\[0\\], which is neither registered",
        weights_too=False,
    ),
    Case(
        "dotted_os_system",
        lambda d, m, t: with_config(m, lambda c: first_layer(c).update(class_name="os.system")),
        "'os.system' .* never imports modules",
        weights_too=False,
    ),
    Case(
        "canary_module_class",
        lambda d, m, t: with_config(m, lambda c: c["compile"]["loss"].update(class_name=f"{CANARY}.Boom")),
        f"'{CANARY}.Boom' at compile.loss",
        weights_too=False,
    ),
    Case(
        "import_expression_class",
        lambda d, m, t: with_config(m, lambda c: c["model"].update(class_name=f"__import__('{CANARY}')")),
        "never imports modules",
        weights_too=False,
    ),
    Case(
        "class_name_not_a_string",
        lambda d, m, t: with_config(m, lambda c: first_layer(c).update(class_name=["os", "system"])),
        "a class name is a string",
        weights_too=False,
    ),
    Case(
        "loss_naming_a_layer",
        lambda d, m, t: with_config(m, lambda c: c["compile"]["loss"].update(class_name="Dense")),
        "could not be restored.*'Dense' is not a loss",
        weights_too=False,
    ),
    Case(
        "model_naming_an_optimizer",
        lambda d, m, t: with_config(m, lambda c: c["model"].update(class_name="Adam")),
        "at model the class 'Adam', which is not a layer",
        weights_too=False,
    ),
    Case(
        "layer_naming_an_optimizer",
        lambda d, m, t: with_config(m, lambda c: first_layer(c).update(class_name="Adam")),
        "could not be rebuilt: InvalidTypeError: .*'Adam', which is not a Layer",
        weights_too=False,
    ),
    Case(
        "unexpected_argument",
        lambda d, m, t: with_config(m, lambda c: first_layer(c)["config"].update(command="rm -rf /")),
        "could not be rebuilt: TypeError.*command",
        weights_too=False,
    ),
    Case(
        "config_smaller_than_weights",
        lambda d, m, t: with_config(m, lambda c: first_layer(c)["config"].update(units=7)),
        r"rebuilds Dense \(input shape \(7,\)\) as layer 3, but config.json lists Dense '\w+' \(input shape \(8,\)\)",
        weights_too=False,
    ),
    Case(
        "config_builds_a_huge_layer",
        lambda d, m, t: with_config(m, lambda c: first_layer(c)["config"].update(units=10**9)),
        "beyond the .* bytes of weights the file holds; refused before allocating",
        weights_too=False,
    ),
    Case(
        "twenty_four_thousand_layers",
        lambda d, m, t: with_config(
            m,
            lambda c: c["model"]["config"]["layers"].extend(
                [{"class_name": "ReLU", "config": {"name": "r", "dtype": "float32", "trainable": True}}] * 24_000
            ),
        ),
        "a model config naming 24005 layers, but its list of layers holds 5",
        weights_too=False,
        memory=32 * 2**20,
    ),
    Case(
        "generator_the_layer_lacks",
        lambda d, m, t: with_config(
            m, lambda c: c["generators"].append({"layer": 1, "attribute": "rng", "state": c["shuffle_rng"]})
        ),
        "random generator 'rng' of layer 1",
        weights_too=False,
    ),
    Case(
        "negative_iterations",
        lambda d, m, t: replace(m, "optimizer/iterations.npy", npy(np.array(-5, np.int64))),
        "could not be restored.*'iterations' must be one integer >= 0",
        weights_too=False,
    ),
]


def test_there_are_at_least_24_kinds_of_hostile_file() -> None:
    assert len(CASES) >= 24 and len({case.id for case in CASES}) == len(CASES)


def _write(case: Case, valid: tuple[bytes, Members], tmp_path: Path) -> Path:
    data, members = valid
    made = case.make(data, members, tmp_path)
    path = tmp_path / f"{case.id}.npz"
    if isinstance(made, bytes):
        path.write_bytes(made)
    else:
        compressed = case.id in ("compressed_member", "zip_bomb")
        write_zip(path, made, zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED)
    return path


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_hostile_file_is_refused_safely(
    case: Case, valid: tuple[bytes, Members], tmp_path: Path, canary: Path
) -> None:
    path = _write(case, valid, tmp_path)
    loaders: list[Callable[[], Any]] = [lambda: load_model(path)]
    if case.weights_too:
        target = tn.Sequential([L.Dense(8, activation="relu"), L.Dense(1, activation="sigmoid")])
        loaders.append(lambda: load_weights(target, path))
    for load in loaders:
        modules = set(sys.modules)
        tracemalloc.start()
        start = time.perf_counter()
        try:
            with pytest.raises(ModelFileError, match=case.match) as caught:
                load()
        finally:
            elapsed = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert type(caught.value) is ModelFileError and isinstance(caught.value, ValueError)
        assert repr(str(path))[1:-1] in str(caught.value)  # the message names the file
        assert set(sys.modules) == modules, f"new modules: {set(sys.modules) - modules}"
        assert not canary.exists() and CANARY not in sys.modules
        assert peak < case.memory, f"peak memory {peak} bytes"
        assert elapsed < TIME_LIMIT, f"took {elapsed:.2f} s"
    if case.weights_too:
        assert not target.built  # a refused load_weights leaves the model as it was


def test_too_many_members_are_refused(
    valid: tuple[bytes, Members], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 10)
    path = write_zip(tmp_path / "many.npz", [*valid[1], *((f"pad/{i}.bin", b"") for i in range(5))])
    with pytest.raises(ModelFileError, match="has 19 members; the limit is 10"):
        load_model(path)


def test_an_oversized_file_is_refused_before_reading(
    valid: tuple[bytes, Members], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_module, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "model.npz"
    path.write_bytes(valid[0])
    with pytest.raises(ModelFileError, match="the limit is 1000 bytes"):
        load_model(path)


def test_the_valid_file_itself_loads(valid: tuple[bytes, Members], tmp_path: Path) -> None:
    """The surgery helpers change only what each case says: unchanged members re-zipped still load."""
    path = write_zip(tmp_path / "model.npz", valid[1])
    assert isinstance(load_model(path), tn.Sequential)
