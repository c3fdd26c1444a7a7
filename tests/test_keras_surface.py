"""How much of Keras's public surface tinynet offers: a count against the list kept in keras_surface.json.

The list holds Keras 3.15.1's public layers, losses, optimizers, metrics, callbacks,
initializers and regularizers, each with every name Keras exports it under; the
preprocessing layers, the bridges to other backends, the abstract base classes and
mixed precision are left out of the count, with the reason, in the file itself. A
class counts as offered when tinynet's module for its section has any of its names.
The test fails when the whole falls below 85%, and prints the figures by section.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import tinynet as tn

SURFACE = json.loads((Path(__file__).parent / "keras_surface.json").read_text())
MODULES: dict[str, ModuleType] = {
    "layers": tn.layers, "losses": tn.losses, "optimizers": tn.optimizers, "metrics": tn.metrics,
    "callbacks": tn.callbacks, "initializers": tn.initializers, "regularizers": tn.regularizers,
}  # fmt: skip
TARGET = 0.85


def offered(section: str, names: list[str]) -> bool:
    module = MODULES[section]
    return any(callable(getattr(module, name, None)) for name in names)


def coverage() -> dict[str, tuple[int, int, list[str]]]:
    """Per section: classes offered, classes in scope, and the names of the missing ones."""
    figures = {}
    for section, classes in SURFACE["sections"].items():
        missing = [names[0] for names in classes if not offered(section, names)]
        figures[section] = (len(classes) - len(missing), len(classes), missing)
    return figures


def test_the_list_names_every_section_tinynet_has_a_module_for() -> None:
    assert set(SURFACE["sections"]) == set(MODULES)
    assert all(names for classes in SURFACE["sections"].values() for names in classes)


def test_tinynet_offers_at_least_85_percent_of_kerass_surface() -> None:
    figures = coverage()
    have = sum(f[0] for f in figures.values())
    total = sum(f[1] for f in figures.values())
    report = "; ".join(f"{s} {f[0]}/{f[1]} (missing: {', '.join(f[2]) or '-'})" for s, f in figures.items())
    print(f"Keras {SURFACE['keras_version']} surface: {have}/{total} = {have / total:.0%}. {report}")
    assert have / total >= TARGET, f"{have}/{total} = {have / total:.1%} < {TARGET:.0%}: {report}"


def test_the_keras_guide_says_why_each_missing_class_is_missing() -> None:
    """The coming-from-Keras guide ends with a table of what is missing and why: every missing class is in it."""
    guide = (Path(__file__).parent.parent / "docs" / "guides" / "coming-from-keras.md").read_text()
    missing_section = guide.split("## What is still missing, and why")[-1]
    figures = coverage()
    have, total = sum(f[0] for f in figures.values()), sum(f[1] for f in figures.values())
    assert f"{have} of {total}" in missing_section, "the guide's count is out of date"
    for section, (offered_count, in_scope, missing) in figures.items():
        assert f"{section} {offered_count}/{in_scope}" in missing_section, (
            f"the guide's {section} figure is out of date"
        )
        for name in missing:
            assert f"`{name}`" in missing_section, f"{name} is missing from tinynet but not explained in the guide"
