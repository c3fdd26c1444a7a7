"""One training step of a small decoder-only transformer: tinynet against the same model in PyTorch.

The model (both sides): token embedding + learned position embedding, 2 pre-norm
blocks of causal self-attention (2 heads) and a GELU feed-forward layer (4x the
width), a final LayerNorm and a linear head over the vocabulary; vocabulary 64,
32 steps, width 64, batch 32, Adam 1e-3, sparse categorical cross-entropy on
logits. The two run alternately in one process; the script prints the median
time per step of each and the ratio. It never passes or fails.

    python benchmarks/transformer_step.py                # needs torch==2.13.0 for the peer
    python benchmarks/transformer_step.py --steps 40 --repeats 7
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import tinynet as tn

VOCAB, STEPS, WIDTH, HEADS, BLOCKS, BATCH = 64, 32, 64, 2, 2, 32


def tinynet_model() -> tn.Model:
    tn.utils.set_random_seed(0)
    L = tn.layers
    tokens = tn.Input(shape=(STEPS,), dtype="int64", name="tokens")
    x = L.Embedding(VOCAB, WIDTH)(tokens)
    x = L.Add()([x, L.PositionEmbedding(STEPS)(x)])
    for _ in range(BLOCKS):
        h = L.LayerNorm()(x)
        x = L.Add()([x, L.MultiHeadAttention(HEADS, WIDTH // HEADS)(h, h, use_causal_mask=True)])
        h = L.LayerNorm()(x)
        x = L.Add()([x, L.Dense(WIDTH)(L.Dense(4 * WIDTH, activation="gelu")(h))])
    logits = L.Dense(VOCAB)(L.LayerNorm()(x))
    model = tn.Model(tokens, logits)
    model.compile(optimizer=tn.optimizers.Adam(1e-3), loss=tn.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def torch_step_function():  # noqa: ANN201 - returns a closure over the torch model
    import torch
    from torch import nn

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    torch.manual_seed(0)

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm1, self.norm2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
            self.attention = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
            self.feed = nn.Sequential(nn.Linear(WIDTH, 4 * WIDTH), nn.GELU(), nn.Linear(4 * WIDTH, WIDTH))

        def forward(self, x, mask):  # noqa: ANN001, ANN201
            h = self.norm1(x)
            x = x + self.attention(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.feed(self.norm2(x))

    class Decoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tokens = nn.Embedding(VOCAB, WIDTH)
            self.positions = nn.Parameter(torch.randn(STEPS, WIDTH) * 0.02)
            self.blocks = nn.ModuleList([Block() for _ in range(BLOCKS)])
            self.norm, self.head = nn.LayerNorm(WIDTH), nn.Linear(WIDTH, VOCAB)

        def forward(self, tokens, mask):  # noqa: ANN001, ANN201
            x = self.tokens(tokens) + self.positions
            for block in self.blocks:
                x = block(x, mask)
            return self.head(self.norm(x))

    model = Decoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    mask = torch.triu(torch.ones(STEPS, STEPS, dtype=torch.bool), diagonal=1)  # True: may not attend

    def step(tokens: np.ndarray, targets: np.ndarray) -> float:
        optimizer.zero_grad()
        logits = model(torch.from_numpy(tokens), mask)
        loss = loss_fn(logits.reshape(-1, VOCAB), torch.from_numpy(targets).reshape(-1))
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    return step


def timed(step, batches: list[tuple[np.ndarray, np.ndarray]]) -> float:  # noqa: ANN001
    start = time.perf_counter()
    for tokens, targets in batches:
        step(tokens, targets)
    return (time.perf_counter() - start) / len(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="training steps per timing")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    text = rng.integers(0, VOCAB, size=(args.steps * BATCH, STEPS + 1))
    batches = [(text[i : i + BATCH, :-1], text[i : i + BATCH, 1:]) for i in range(0, len(text), BATCH)]

    model = tinynet_model()
    contenders = {"tinynet": lambda tokens, targets: model.train_on_batch(tokens, targets)}
    try:
        contenders["torch"] = torch_step_function()
    except ImportError:
        print("torch not installed (pip install torch==2.13.0): tinynet alone")
    for step in contenders.values():
        timed(step, batches[:3])  # warm up
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.repeats):
        for name, step in contenders.items():
            times[name].append(timed(step, batches))
    medians = {name: statistics.median(values) for name, values in times.items()}
    params = model.count_params()
    print(f"decoder-only transformer: vocab {VOCAB}, {STEPS} steps, width {WIDTH}, {HEADS} heads, {BLOCKS} blocks, "
          f"batch {BATCH}, Adam; {params:,} parameters")  # fmt: skip
    for name, seconds in medians.items():
        print(f"  {name:<8} {seconds * 1e3:8.2f} ms/step")
    if "torch" in medians:
        print(f"  tinynet / torch = {medians['tinynet'] / medians['torch']:.2f}")


if __name__ == "__main__":
    main()
