"""The peers on the same workloads: PyTorch (CPU) and scikit-learn's MLPClassifier, each skipped when absent.

Every function returns ``{peer name: callable}``; a callable trains (or
predicts) once and returns what it trained.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import torch
    from torch import nn

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
except ImportError:
    torch = None  # type: ignore[assignment]

try:
    from sklearn.neural_network import MLPClassifier
except ImportError:
    MLPClassifier = None

Runs = dict[str, Callable[[], object]]


def available() -> str:
    have = []
    have.append(
        f"torch {torch.__version__}" if torch is not None else "torch not installed (pip install torch==2.13.0)"
    )
    if MLPClassifier is not None:
        import sklearn

        have.append(f"scikit-learn {sklearn.__version__}")
    else:
        have.append("scikit-learn not installed")
    return ", ".join(have)


# ---------------------------------------------------------------------------- PyTorch
def _torch_mlp(sizes: list[int]) -> Any:
    torch.manual_seed(0)
    layers: list[Any] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _torch_train(
    sizes: list[int], x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int, optimizer: str, lr: float
) -> Any:
    model = _torch_mlp(sizes)
    xt = torch.from_numpy(x)
    if sizes[-1] == 1:
        yt, loss_fn = torch.from_numpy(y.reshape(-1, 1).astype(np.float32)), nn.BCEWithLogitsLoss()
    else:
        yt, loss_fn = torch.from_numpy(y.astype(np.int64)), nn.CrossEntropyLoss()
    opt = (
        torch.optim.SGD(model.parameters(), lr=lr)
        if optimizer == "sgd"
        else torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    )
    n = len(x)
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator) if batch_size < n else None
        for start in range(0, n, batch_size):
            index = slice(start, start + batch_size) if order is None else order[start : start + batch_size]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xt[index]), yt[index]).backward()
            opt.step()
    return model


# ---------------------------------------------------------------------------- scikit-learn
def _sklearn_train(
    sizes: list[int], x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int, solver: str, lr: float
) -> Any:
    model = MLPClassifier(
        hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver=solver, learning_rate_init=lr, alpha=0.0,
        batch_size=batch_size, max_iter=epochs, momentum=0.0, nesterovs_momentum=False, shuffle=batch_size < len(x),
        tol=0.0, n_iter_no_change=epochs + 1, random_state=0, epsilon=1e-7,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter is the point of a fixed budget
        model.fit(x, y.astype(np.int64))
    return model


# ---------------------------------------------------------------------------- the workloads
def seed_net_full_batch(x: np.ndarray, y: np.ndarray, epochs: int) -> Runs:
    runs: Runs = {}
    if torch is not None:
        runs["torch"] = lambda: _torch_train([2, 25, 50, 50, 25, 1], x, y, epochs, len(x), "sgd", 0.01)
    if MLPClassifier is not None:
        runs["sklearn"] = lambda: _sklearn_train([2, 25, 50, 50, 25, 1], x, y, epochs, len(x), "sgd", 0.01)
    return runs


def seed_net_minibatch(x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int, optimizer: str) -> Runs:
    lr = 0.01 if optimizer == "sgd" else 1e-3
    runs: Runs = {}
    if torch is not None:
        runs["torch"] = lambda: _torch_train([2, 25, 50, 50, 25, 1], x, y, epochs, batch_size, optimizer, lr)
    if MLPClassifier is not None:
        runs["sklearn"] = lambda: _sklearn_train([2, 25, 50, 50, 25, 1], x, y, epochs, batch_size, optimizer, lr)
    return runs


def seed_net_to_accuracy(
    x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, target: float, chunk: int, max_epochs: int
) -> Runs:
    """A97: full-batch SGD 0.01 in chunks of ``chunk`` epochs until the test accuracy reaches ``target``."""
    runs: Runs = {}
    if torch is not None:

        def torch_run() -> object:
            model = _torch_mlp([2, 25, 50, 50, 25, 1])
            xt, yt = torch.from_numpy(x), torch.from_numpy(y.reshape(-1, 1).astype(np.float32))
            opt, loss_fn = torch.optim.SGD(model.parameters(), lr=0.01), nn.BCEWithLogitsLoss()
            epochs = 0
            while epochs < max_epochs:
                for _ in range(chunk):
                    opt.zero_grad(set_to_none=True)
                    loss_fn(model(xt), yt).backward()
                    opt.step()
                epochs += chunk
                if accuracy("torch", model, x_test, y_test) >= target:
                    break
            return epochs

        runs["torch"] = torch_run
    if MLPClassifier is not None:

        def sklearn_run() -> object:
            model = MLPClassifier(
                hidden_layer_sizes=(25, 50, 50, 25), activation="relu", solver="sgd", learning_rate_init=0.01,
                alpha=0.0, batch_size=len(x), max_iter=chunk, momentum=0.0, nesterovs_momentum=False,
                shuffle=False, tol=0.0, n_iter_no_change=max_epochs + 1, random_state=0, warm_start=True,
            )  # fmt: skip
            epochs = 0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                while epochs < max_epochs:
                    model.fit(x, y.astype(np.int64))  # warm_start: another chunk of epochs from where it stopped
                    epochs += chunk
                    if accuracy("sklearn", model, x_test, y_test) >= target:
                        break
            return epochs

        runs["sklearn"] = sklearn_run
    return runs


def mlp_b(x: np.ndarray, y: np.ndarray) -> Runs:
    runs: Runs = {}
    if torch is not None:
        runs["torch"] = lambda: _torch_train([784, 256, 128, 10], x, y, 1, 128, "adam", 1e-3)
    if MLPClassifier is not None:
        runs["sklearn"] = lambda: _sklearn_train([784, 256, 128, 10], x, y, 1, 128, "adam", 1e-3)
    return runs


def predict_b(batch: np.ndarray, count: int) -> Runs:
    runs: Runs = {}
    if torch is not None:
        model = _torch_mlp([784, 256, 128, 10]).eval()
        xt = torch.from_numpy(batch)

        def torch_predict() -> object:
            with torch.no_grad():
                return [torch.softmax(model(xt), dim=1).numpy() for _ in range(count)]

        runs["torch"] = torch_predict
    if MLPClassifier is not None:
        fitted = _sklearn_train(
            [784, 256, 128, 10], np.repeat(batch[:1], 20, axis=0), np.arange(20) % 10, 1, 20, "adam", 1e-3
        )
        runs["sklearn"] = lambda: [fitted.predict_proba(batch) for _ in range(count)]
    return runs


def lenet(images: np.ndarray, y: np.ndarray) -> Runs:
    if torch is None:
        return {}

    def run() -> object:
        torch.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )  # fmt: skip
        xt = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
        yt = torch.from_numpy(y.astype(np.int64))
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        order = torch.randperm(len(xt), generator=torch.Generator().manual_seed(0))
        for start in range(0, len(xt), 64):
            index = order[start : start + 64]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xt[index]), yt[index]).backward()
            opt.step()
        return model

    return {"torch": run}


def convnet(images: np.ndarray, y: np.ndarray) -> Runs:
    """Keras's mnist_convnet: two 3x3 convolutions (32 and 64 filters), 0.5 dropout, Adam 1e-3, batch 128."""
    if torch is None:
        return {}

    def run() -> object:
        torch.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(5 * 5 * 64, 10),
        )  # fmt: skip
        xt = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
        yt = torch.from_numpy(y.astype(np.int64))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()
        order = torch.randperm(len(xt), generator=torch.Generator().manual_seed(0))
        for start in range(0, len(xt), 128):
            index = order[start : start + 128]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xt[index]), yt[index]).backward()
            opt.step()
        return model

    return {"torch": run}


def accuracy(name: str, model: Any, x: np.ndarray, y: np.ndarray) -> float:
    if name == "torch":
        with torch.no_grad():
            logits = model(torch.from_numpy(x)).numpy()
        predicted = (logits[:, 0] > 0) if logits.shape[1] == 1 else logits.argmax(axis=1)
        return float((predicted == y).mean())
    return float((model.predict(x) == y).mean())
