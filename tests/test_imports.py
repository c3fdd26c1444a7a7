"""Import layering, read from the source with ``ast`` (module-level and function-level imports alike).

- ``tinynet.saving`` sees models through their public methods and imports nothing from ``tinynet.models``
  (no ``Model``, no ``Sequential``), so ``models`` may import ``saving`` at the top without a cycle.
- The callbacks save through ``model.save`` / ``model.save_weights`` and import nothing from ``tinynet.saving``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAVING = sorted((ROOT / "tinynet" / "saving").glob("*.py"))
CALLBACKS = sorted((ROOT / "tinynet" / "callbacks").glob("*.py"))


def imported(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute module or module.name) for every import anywhere in ``source``, which sits in ``package``.

    ``from ..models import Model`` in ``tinynet.saving`` gives ``tinynet.models`` and ``tinynet.models.Model``;
    ``importlib.import_module("...")`` and ``__import__("...")`` with a literal name count too.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).parent.parts)


def offending(paths: list[Path], forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in paths
        for line, module in imported(path.read_text(), package_of(path))
        if module == forbidden or module.startswith(forbidden + ".")
    ]


def test_the_checker_finds_imports_at_every_level_and_in_every_form() -> None:
    source = (
        "from ..models import Model\n"
        "def f():\n"
        "    from ..models.sequential import Sequential\n"
        "    import tinynet.models\n"
        "    from .. import models\n"
        "    importlib.import_module('tinynet.models.model')\n"
        "from . import document\n"
        "from ..layer import Layer\n"
    )
    found = [module for _, module in imported(source, "tinynet.saving")]
    hits = [m for m in found if m == "tinynet.models" or m.startswith("tinynet.models.")]
    assert sorted(set(hits)) == [
        "tinynet.models", "tinynet.models.Model", "tinynet.models.model", "tinynet.models.sequential",
        "tinynet.models.sequential.Sequential",
    ]  # fmt: skip
    assert "tinynet.saving.document" in found and "tinynet.layer.Layer" in found


@pytest.mark.parametrize("path", SAVING, ids=lambda p: p.name)
def test_saving_imports_nothing_from_the_models(path: Path) -> None:
    assert not offending([path], "tinynet.models")


def test_the_callbacks_import_nothing_from_saving() -> None:
    assert CALLBACKS and not offending(CALLBACKS, "tinynet.saving")
