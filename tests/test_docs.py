"""The docs cannot drift from the code: their examples run, their site map and pictures are complete.

- Every ````python` block in README.md and docs/**/*.md runs, in order, in one namespace per page.
  Code that must not run here (PyTorch, Keras, plotting with matplotlib) is fenced ````py` instead:
  highlighted as Python on the site, shown but not executed. ````text` and ````sh` are for math and shell.
- Every page in docs/ is in the mkdocs.yml nav, and every nav entry exists.
- Every image a page shows exists, and every image in docs/images/ is shown somewhere.
- Every public name (``__all__``) of tinynet's modules has an entry in the API reference (docs/api/).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

import tinynet

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("**/*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
FENCE = re.compile(r"^```(\S*)", re.MULTILINE)
FENCE_LANGUAGES = {"python", "py", "text", "sh"}  # "python" runs; the others are shown only
NAV_ENTRY = re.compile(r"^\s*-\s+(?:[^:#\n]+:\s+)?(\S+\.md)\s*$", re.MULTILINE)  # commented-out lines never match
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")
API_ENTRY = re.compile(r"^::: (\S+)", re.MULTILINE)
API_MODULES = [
    "tinynet", "tinynet.layers", "tinynet.activations", "tinynet.losses", "tinynet.optimizers",
    "tinynet.initializers", "tinynet.regularizers", "tinynet.constraints", "tinynet.metrics", "tinynet.callbacks",
    "tinynet.datasets", "tinynet.saving", "tinynet.testing", "tinynet.utils", "tinynet.errors",
    "tinynet.sklearn",
]  # fmt: skip
API_MODULES += ["tinynet.onnx"]  # imports neither onnx nor onnxruntime: export does


def test_there_are_pages_with_code() -> None:
    assert sum(len(BLOCK.findall(page.read_text())) for page in PAGES) >= 5


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The blocks of one page run in order in one namespace, as a reader would paste them."""
    namespace: dict = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(BLOCK.findall(page.read_text()), start=1):
        try:
            exec(compile(block, f"{page.name}[block {number}]", "exec"), namespace)
        except Exception as error:  # report which block failed
            raise AssertionError(f"{page.name}, python block {number} failed: {error!r}") from error


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_fences_are_known(page: Path) -> None:
    """A misspelt fence (```Python, ```python3) would silently stop a block from running."""
    opening = FENCE.findall(page.read_text())[::2]  # fences alternate: opening, closing
    unknown = sorted({language for language in opening if language not in FENCE_LANGUAGES})
    assert not unknown, f"{page.name}: code fences {unknown}; use one of {sorted(FENCE_LANGUAGES)}"


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    nav = NAV_ENTRY.findall((ROOT / "mkdocs.yml").read_text())
    pages = sorted(str(page.relative_to(DOCS)) for page in DOCS.glob("**/*.md"))
    assert len(nav) == len(set(nav)), f"pages listed twice in the nav: {sorted(p for p in nav if nav.count(p) > 1)}"
    unlisted, missing = sorted(set(pages) - set(nav)), sorted(set(nav) - set(pages))
    assert not unlisted and not missing, f"not in the mkdocs.yml nav: {unlisted}; in the nav but missing: {missing}"


def test_every_image_exists_and_is_shown() -> None:
    shown = set()
    for page in PAGES:
        for target in IMAGE.findall(page.read_text()):
            path = (page.parent / target).resolve()
            assert path.is_file(), f"{page.relative_to(ROOT)} shows {target}, which does not exist"
            shown.add(path)
    unused = sorted(str(p.relative_to(ROOT)) for p in (DOCS / "images").glob("*") if p.resolve() not in shown)
    assert not unused, f"images no page shows: {unused}"


def _resolve(path: str) -> Any:
    """The object a ``::: dotted.path`` entry documents."""
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        module, _, name = path.rpartition(".")
        return getattr(importlib.import_module(module), name)


def test_every_public_name_is_in_the_api_reference() -> None:
    entries = [entry for page in sorted((DOCS / "api").glob("*.md")) for entry in API_ENTRY.findall(page.read_text())]
    documented = {id(_resolve(entry)) for entry in entries}
    missing = []
    for module_name in API_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if module is tinynet and getattr(obj, "__name__", "").startswith("tinynet."):
                continue  # the subpackages are pages of their own
            if f"{module_name}.{name}" not in entries and id(obj) not in documented:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"public names with no entry in docs/api/: {missing}"
