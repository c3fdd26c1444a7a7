"""Draw the tutorial's figures from the tutorial's own code.

Runs every ``python`` block of ``docs/tutorial.md`` in order in one
namespace, exactly as ``tests/test_docs.py`` does, then plots from what the
blocks left behind — the trained ``model``, the data and the list of
``costs`` — so the figures show what the page's code computes, not a
separate run of similar code. Writes ``docs/images/tutorial.png``.

Run it with ``make docs-images`` (which installs matplotlib), or
``python docs/scripts/tutorial_figures.py`` from the repository root.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "tutorial.md"
OUT = ROOT / "docs" / "images" / "tutorial.png"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)  # the pattern of tests/test_docs.py


def run_page(page: Path) -> dict[str, Any]:
    """Execute the page's python blocks in order in one namespace and return it."""
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(BLOCK.findall(page.read_text()), start=1):
        exec(compile(block, f"{page.name}[block {number}]", "exec"), namespace)
    return namespace


def draw(ns: dict[str, Any], path: Path) -> None:
    """The decision boundary of ``ns["model"]`` over the moons, and the cost curve ``ns["costs"]``."""
    x, y, model, costs = ns["x"], ns["y"], ns["model"], ns["costs"]
    (x_low, y_low), (x_high, y_high) = x.min(axis=0) - 0.3, x.max(axis=0) + 0.3
    grid_x, grid_y = np.meshgrid(np.linspace(x_low, x_high, 300), np.linspace(y_low, y_high, 300))
    probability = model.predict(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)).reshape(grid_x.shape)

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    filled = left.contourf(grid_x, grid_y, probability, levels=np.linspace(0, 1, 21), cmap="RdBu_r", alpha=0.6)
    left.contour(grid_x, grid_y, probability, levels=[0.5], colors="k", linewidths=1.5)
    left.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu_r", edgecolors="k", linewidths=0.3, s=12)
    left.set_title(f"decision boundary (test accuracy {ns['test_accuracy']:.2f})")
    left.set_xlabel("x[:, 0]")
    left.set_ylabel("x[:, 1]")
    figure.colorbar(filled, ax=left, label="predicted probability of label 1")

    right.plot(np.arange(1, len(costs) + 1), costs)
    right.set_xlabel("epoch")
    right.set_ylabel("binary cross-entropy")
    right.set_title("training cost")
    right.grid(alpha=0.3)

    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, metadata={"Software": None})  # no version stamp: same code, same bytes
    plt.close(figure)


def main() -> None:
    start = time.perf_counter()
    namespace = run_page(PAGE)
    draw(namespace, OUT)
    print(f"ran {PAGE.relative_to(ROOT)} and wrote {OUT.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
