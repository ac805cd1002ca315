"""Training throughput: convlens ``model.fit`` versus an idiomatic PyTorch loop (and Keras 3 / Lightning when present).

Trains the notes' 38,390-parameter CNN (Conv2D 10@5x5, MaxPool, Conv2D 20@5x5, MaxPool, Dense 100, Dense 10)
on Fashion-MNIST for one epoch at batch 128 with RMSprop (lr=0.001, rho=0.9, eps=1e-7), alternating convlens and
PyTorch for ``--rounds`` rounds, then once each with Keras 3 (``KERAS_BACKEND=torch``) and Lightning when they import.
Prints images/s (median over rounds), the ratio to the PyTorch loop (goal: convlens >= 2x) and the test accuracy
each reached after its epoch (same seed), so a speed-up that costs accuracy would show.

"convlens fit" is the default ``compile`` (precision policy "auto": bfloat16 autocast only where the CPU has
bfloat16 units); the float32-only ratio is printed too (on a CPU without bfloat16 units the default *is* float32,
so one row serves both). ``--bf16`` adds convlens forced to bfloat16.

Run: ``python benchmarks/train_benchmark.py [--rounds 5] [--limit N] [--threads T] [--seed 0]``
(``--limit 6000`` for a quick run).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable

import numpy as np
import torch
from torch import nn

import machine
import policy

BATCH = 128
LR, RHO, EPS = 0.001, 0.9, 1e-7
Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # x_train, y_train, x_test, y_test (NHWC float32)


def load(limit: int | None) -> Data:
    """Fashion-MNIST as float32/255 NHWC arrays and int64 labels; ``limit`` keeps the first N training images."""
    from convlens.datasets import fashion_mnist
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]

    def prepare(x: np.ndarray) -> np.ndarray:
        return (x.astype(np.float32) / 255).reshape(-1, 28, 28, 1)

    return prepare(x_train), y_train.astype(np.int64), prepare(x_test), y_test.astype(np.int64)


def warm_up_slice(data: Data, size: int = 4 * BATCH) -> Data:
    """The first ``size`` training and 1,000 test images: enough to warm every code path, untimed."""
    x, y, x_test, y_test = data
    return x[:size], y[:size], x_test[:1000], y_test[:1000]


def timed(train: Callable[[], None]) -> float:
    start = time.perf_counter()
    train()
    return time.perf_counter() - start


# --- convlens ---------------------------------------------------------------------------------------------------------
def run_convlens(data: Data, seed: int, precision: str = "default") -> tuple[float, float]:
    """(seconds for one ``fit`` epoch, test accuracy) under a precision of ``policy.PRECISIONS``."""
    from convlens.zoo import create_model
    from convlens.optimizers import RMSprop
    x, y, x_test, y_test = data
    torch.manual_seed(seed)
    model = create_model("notes_mnist_cnn")
    model.compile(optimizer=RMSprop(learning_rate=LR, rho=RHO, epsilon=EPS),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  **policy.compile_arguments(model, precision))
    seconds = timed(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0))
    _, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    return seconds, float(accuracy)


# --- plain PyTorch ----------------------------------------------------------------------------------------------------
class TorchCNN(nn.Module):
    """The same CNN as a tutorial would write it: NCHW, logits out (CrossEntropyLoss applies the softmax)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(320, 100)
        self.fc2 = nn.Linear(100, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def torch_accuracy(model: nn.Module, x_test: torch.Tensor, y_test: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        correct = sum(int((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum())
                      for i in range(0, len(x_test), 1000))
    return correct / len(x_test)


def run_torch(data: Data, seed: int) -> tuple[float, float]:
    """(seconds for one epoch of the textbook loop, test accuracy)."""
    from torch.utils.data import DataLoader, TensorDataset
    x, y, x_test, y_test = data
    x_nchw = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    torch.manual_seed(seed)
    model = TorchCNN()
    loader = DataLoader(TensorDataset(x_nchw, torch.from_numpy(y)), batch_size=BATCH, shuffle=True)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=LR, alpha=RHO, eps=EPS)

    def epoch() -> None:
        model.train()
        running = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item()  # what tutorials log

    seconds = timed(epoch)
    test = torch.from_numpy(x_test).permute(0, 3, 1, 2).contiguous()
    return seconds, torch_accuracy(model, test, torch.from_numpy(y_test))


# --- Keras 3 and Lightning (optional peers) ---------------------------------------------------------------------------
def run_keras(data: Data, seed: int) -> tuple[float, float] | str:
    """(seconds, test accuracy) with Keras 3 on its torch backend, or why it was skipped."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except Exception as exc:  # not installed, or no usable backend
        return f"skipped ({type(exc).__name__}: {exc})"
    if keras.backend.backend() != "torch":
        return f"skipped (Keras backend is {keras.backend.backend()!r}; set KERAS_BACKEND=torch)"
    x, y, x_test, y_test = data
    keras.utils.set_random_seed(seed)
    layers = keras.layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(10, 5, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(20, 5, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
        layers.Dense(100, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=LR, rho=RHO, epsilon=EPS),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seconds = timed(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0))
    _, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    return seconds, float(accuracy)


def run_lightning(data: Data, seed: int) -> tuple[float, float] | str:
    """(seconds, test accuracy) with a LightningModule and ``Trainer.fit``, or why it was skipped."""
    try:
        import lightning as L
    except ImportError:
        try:
            import pytorch_lightning as L
        except ImportError:
            return "skipped (neither lightning nor pytorch_lightning is installed)"
    import logging
    from torch.utils.data import DataLoader, TensorDataset
    for name in ("lightning.pytorch", "pytorch_lightning", "lightning.fabric"):  # its banner lines, every run
        logging.getLogger(name).setLevel(logging.ERROR)
    x, y, x_test, y_test = data

    class LitCNN(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = TorchCNN()
            self.criterion = nn.CrossEntropyLoss()

        def training_step(self, batch, batch_index):
            xb, yb = batch
            loss = self.criterion(self.net(xb), yb)
            self.log("loss", loss, prog_bar=False)
            return loss

        def configure_optimizers(self):
            return torch.optim.RMSprop(self.parameters(), lr=LR, alpha=RHO, eps=EPS)

    torch.manual_seed(seed)
    module = LitCNN()
    loader = DataLoader(TensorDataset(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y)),
                        batch_size=BATCH, shuffle=True)
    trainer = L.Trainer(max_epochs=1, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    seconds = timed(lambda: trainer.fit(module, loader))
    test = torch.from_numpy(x_test).permute(0, 3, 1, 2).contiguous()
    return seconds, torch_accuracy(module.net, test, torch.from_numpy(y_test))


# --- report -----------------------------------------------------------------------------------------------------------
def table(rows: list[tuple[str, ...]]) -> str:
    header = ("trainer", "images/s", "vs torch loop", "vs keras 3", "test accuracy")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in [header, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating convlens/torch rounds (default 5)")
    parser.add_argument("--limit", type=int, default=None, help="use the first N training images")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: as is)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-peers", action="store_true", help="skip Keras and Lightning")
    parser.add_argument("--bf16", action="store_true", help="also time convlens forced to bfloat16 autocast")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"--rounds must be >= 1, got {args.rounds}")
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be a positive number of images, got {args.limit}")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(machine.header())
    data = load(args.limit)
    n = len(data[0])
    print(f"{n} training images, batch {BATCH}, 1 epoch, RMSprop; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {args.rounds} rounds")
    warm = warm_up_slice(data)
    trainers = [("convlens fit", run_convlens), ("torch loop", run_torch)]
    if not policy.default_is_float32():
        trainers.append(("convlens float32", lambda d, seed: run_convlens(d, seed, "float32")))
    if args.bf16:
        trainers.append(("convlens bf16", lambda d, seed: run_convlens(d, seed, "bfloat16")))
    for _, run in trainers:  # untimed: imports, oneDNN kernel creation, allocator warm-up
        run(warm, args.seed)

    results: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in trainers}
    for round_index in range(args.rounds):
        for name, run in trainers:
            seconds, accuracy = run(data, args.seed)
            results[name].append((seconds, accuracy))
            print(f"round {round_index + 1}: {name:<13} {n / seconds:9.0f} images/s  ({seconds:.2f} s, "
                  f"test accuracy {accuracy:.4f})", flush=True)
    if not args.no_peers:
        for name, run in (("keras 3 (torch)", run_keras), ("lightning", run_lightning)):
            outcome = run(warm, args.seed)  # untimed warm-up, or the reason it was skipped
            if not isinstance(outcome, str):
                outcome = run(data, args.seed)
            if isinstance(outcome, str):
                print(f"{name}: {outcome}")
            else:
                results[name] = [outcome]
                print(f"{name}: {n / outcome[0]:.0f} images/s ({outcome[0]:.2f} s, test accuracy {outcome[1]:.4f})",
                      flush=True)

    rates = {name: statistics.median(n / s for s, _ in runs) for name, runs in results.items()}
    keras_rate = rates.get("keras 3 (torch)")
    rows = [(name, f"{rates[name]:.0f}", f"{rates[name] / rates['torch loop']:.2f}x",
             f"{rates[name] / keras_rate:.2f}x" if keras_rate else "-",
             f"{statistics.median(a for _, a in runs):.4f}") for name, runs in results.items()]
    print()
    print(table(rows))
    ratio = rates["convlens fit"] / rates["torch loop"]
    per_round = [t / c for (c, _), (t, _) in zip(results["convlens fit"], results["torch loop"])]
    print(f"\nconvlens default / torch loop = {ratio:.2f}x (goal >= 2x: {'met' if ratio >= 2 else 'not met'}); "
          f"per round: {', '.join(f'{r:.2f}x' for r in per_round)}")
    float32 = "convlens fit" if policy.default_is_float32() else "convlens float32"
    print(f"float32-only: convlens / torch loop = {rates[float32] / rates['torch loop']:.2f}x"
          + (" (the default is float32 on this CPU: no AMX / AVX512-BF16)" if policy.default_is_float32() else ""))
    if keras_rate:
        to_keras = rates["convlens fit"] / keras_rate
        print(f"convlens default / keras 3 = {to_keras:.2f}x (goal >= 2.5x: {'met' if to_keras >= 2.5 else 'not met'})")
    accuracy = {name: statistics.median(a for _, a in runs) for name, runs in results.items()}
    gap = accuracy["convlens fit"] - accuracy["torch loop"]
    print(f"test accuracy convlens default minus torch loop: {gap * 100:+.2f} points (goal: speed not bought with "
          f"accuracy, i.e. >= -0.5: {'met' if gap >= -0.005 else 'not met'}; the two start from different "
          f"initializers, Keras's glorot_uniform and torch's kaiming_uniform)")
    print(f"images/s and accuracy are medians over {args.rounds} rounds (peers: 1 run after an untimed warm-up); "
          f"the machine's other load shows as spread between rounds")
    print(f"[{machine.load_line()}]")

if __name__ == "__main__":
    main()
