"""Draw the transformer tutorial's figure from the tutorial's own code.

Runs every ``python`` block of ``docs/tutorial-transformer.md`` in order in
one namespace, exactly as ``tests/test_docs.py`` does, then plots from what
the blocks left behind — the trained ``transformer``, the model
``read_attention`` that reads its attention weights, and the test sequences —
so the figure shows what the page's code computes, not a separate run of
similar code. Writes ``docs/images/transformer-attention.png``: the attention
weights of each head of the trained block for one test sequence, query step
by key step.

Run it with ``make docs-images`` (which installs matplotlib), or
``python docs/scripts/transformer_figures.py`` from the repository root.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
from tutorial_figures import run_page  # noqa: E402  (the seed tutorial's page runner, beside this file)

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "tutorial-transformer.md"
OUT = ROOT / "docs" / "images" / "transformer-attention.png"
SAMPLE = 0  # which test sequence to show


def draw(ns: dict[str, Any], path: Path) -> None:
    """One heat map per head of ``ns["read_attention"]`` on test sequence ``SAMPLE``: query step × key step."""
    x_test, separator, on_mirror = ns["x_test"], ns["separator"], ns["on_mirror"]
    sequence = x_test[SAMPLE : SAMPLE + 1]
    weights = ns["read_attention"].predict(sequence)[0]  # (heads, steps, steps)
    labels = ["|" if token == separator else str(token) for token in sequence[0]]
    steps = len(labels)

    figure, axes = plt.subplots(1, len(weights), figsize=(5.2 * len(weights), 4.9))
    for head, (ax, table) in enumerate(zip(np.atleast_1d(axes), weights, strict=True)):
        image = ax.imshow(table, cmap="Greys", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(steps), [f"{s}\n{label}" for s, label in enumerate(labels)], fontsize=8)
        ax.set_yticks(range(steps), [f"{t}  {label}" for t, label in enumerate(labels)], fontsize=8)
        ax.set_xlabel("key step s (the token it holds)")
        ax.set_ylabel("query step t (the token it holds)")
        share = f"{on_mirror[head]:.0%} of the weight below the line"
        ax.set_title(f"head {head}: {share}\non the mirror step, over the test set", fontsize=10)
        ax.axhline(steps / 2 - 0.5, color="tab:red", linewidth=0.8, linestyle=":")  # the reversal starts below
    figure.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight", metadata={"Software": None})  # no version stamp
    plt.close(figure)


def main() -> None:
    start = time.perf_counter()
    namespace = run_page(PAGE)
    draw(namespace, OUT)
    print(f"ran {PAGE.relative_to(ROOT)} and wrote {OUT.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
