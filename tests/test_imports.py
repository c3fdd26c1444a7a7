"""Import layering, read from the source with ``ast`` (module-level and function-level imports alike).

- ``tinynet.saving`` sees models through their public methods and imports nothing from ``tinynet.models``
  (no ``Model``, no ``Sequential``), so ``models`` may import ``saving`` at the top without a cycle.
- The callbacks save through ``model.save`` / ``model.save_weights`` and import nothing from ``tinynet.saving``.
- No import cycle between the *parts* of the package (its top-level modules and sub-packages), and the core
  (what knows its own math) never imports the trainer (``models``, ``callbacks``, ``saving``, ``metrics``).
  An import moved into a function hides a cycle from Python, not from these tests; an ``if TYPE_CHECKING:``
  block is for type checkers only and is left out of the graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAVING = sorted((ROOT / "tinynet" / "saving").glob("*.py"))
CALLBACKS = sorted((ROOT / "tinynet" / "callbacks").glob("*.py"))


def imported(source: str, package: str, runtime_only: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module or module.name) for every import anywhere in ``source``, which sits in ``package``.

    ``from ..models import Model`` in ``tinynet.saving`` gives ``tinynet.models`` and ``tinynet.models.Model``;
    ``importlib.import_module("...")`` and ``__import__("...")`` with a literal name count too.
    """
    found: list[tuple[int, str]] = []
    for node in _nodes(ast.parse(source), runtime_only):
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


def _nodes(tree: ast.AST, runtime_only: bool) -> list[ast.AST]:
    """Every node of ``tree``; with ``runtime_only``, not those of an ``if TYPE_CHECKING:`` block."""
    nodes, stack = [], [tree]
    while stack:
        node = stack.pop()
        if runtime_only and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        nodes.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1]).removesuffix(".__init__")


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


# ---------------------------------------------------------------------------- the parts of the package
#: Each knows its own math and nothing of training.
CORE = {
    "layer", "parameter", "loss", "activation", "activations", "layers", "losses", "optimizers", "initializers",
    "regularizers", "_numerics", "_special", "_im2col", "_memory", "_validation", "errors", "registry", "utils",
    "_im2col_nd",
}  # fmt: skip
TRAINER = {"models", "callbacks", "saving", "metrics"}
PARTS = {p.stem for p in (ROOT / "tinynet").glob("*.py")} | {p.name for p in (ROOT / "tinynet").iterdir() if p.is_dir()}


def part_of(module: str) -> str | None:
    """``tinynet.layers.dense`` -> ``layers``; ``None`` for the package itself and for other packages."""
    pieces = module.split(".")
    return pieces[1] if pieces[0] == "tinynet" and len(pieces) > 1 and pieces[1] in PARTS else None


def part_graph() -> dict[str, set[str]]:
    """part -> the other parts it imports at run time (the package's ``__init__``, its facade, is left out)."""
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "tinynet").rglob("*.py"):
        source = part_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if source is None:
            continue
        found = {part_of(module) for _, module in imported(path.read_text(), package_of(path), runtime_only=True)}
        graph.setdefault(source, set()).update(part for part in found if part and part != source)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, ..., a]``, or ``None``."""
    state: dict[str, int] = {}  # 1 on the path being followed, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for following in sorted(graph.get(node, ())):
            if state.get(following) == 1:
                return path[path.index(following) :] + [following]
            if following not in state and (cycle := visit(following)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    return next((cycle for node in sorted(graph) if node not in state and (cycle := visit(node))), None)


def test_the_cycle_finder_finds_cycles_and_leaves_type_checking_imports_out() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .layer import Layer\nfrom . import errors\n"
    assert {m for _, m in imported(source, "tinynet", runtime_only=True)} == {
        "typing", "typing.TYPE_CHECKING", "tinynet", "tinynet.errors"
    }  # fmt: skip


def test_there_is_no_import_cycle_between_the_parts_of_the_package() -> None:
    cycle = find_cycle(part_graph())
    assert cycle is None, f"import cycle: {' -> '.join(cycle or [])}"


def test_the_core_never_imports_the_trainer() -> None:
    graph = part_graph()
    wrong = {part: sorted(graph.get(part, set()) & TRAINER) for part in sorted(CORE)}
    assert not {part: found for part, found in wrong.items() if found}, f"core parts importing the trainer: {wrong}"
