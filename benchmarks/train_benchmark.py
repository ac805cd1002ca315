"""Training throughput, like for like: convlens ``model.fit`` versus the idiomatic PyTorch loop, in float32 and
under the same bfloat16 autocast, with Keras 3 and Lightning as peers.

Trains the notes' 38,390-parameter CNN (Conv2D 10@5x5, MaxPool, Conv2D 20@5x5, MaxPool, Dense 100, Dense 10)
on Fashion-MNIST for one epoch at batch 128 with RMSprop (lr=0.001, rho=0.9, eps=1e-7). Each round runs, in
turn, convlens float32, the PyTorch loop float32, convlens mixed bfloat16 (``policy.BFLOAT16``) and the PyTorch
loop under ``torch.autocast("cpu", torch.bfloat16)``; then Keras 3 (``KERAS_BACKEND=torch``) and Lightning once
each, in float32 (and Lightning's ``"bf16-mixed"`` with the bfloat16 pair). Prints images/s (median over rounds),
each convlens row's ratio to the PyTorch loop *in the same precision* (goal: >= 2x each), the per-round ratios and
the test accuracy each reached after its epoch (same seed), so a speed-up that costs accuracy would show.
``--profile`` adds where the time of a convlens float32 (and bfloat16) epoch goes (``torch.profiler``).

Run: ``python benchmarks/train_benchmark.py [--rounds 3] [--limit N] [--threads T] [--seed 0] [--no-bf16]
[--profile]`` (``--limit 6000`` for a quick run).
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


def run_torch(data: Data, seed: int, bf16: bool = False) -> tuple[float, float]:
    """(seconds for one epoch of the textbook loop, test accuracy); ``bf16``: forward and loss under
    ``torch.autocast("cpu", dtype=torch.bfloat16)`` as the PyTorch AMP recipe writes it."""
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
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item()  # what tutorials log

    seconds = timed(epoch)
    test = torch.from_numpy(x_test).permute(0, 3, 1, 2).contiguous()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
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


def run_lightning(data: Data, seed: int, precision: str = "32-true") -> tuple[float, float] | str:
    """(seconds, test accuracy) with a LightningModule and ``Trainer.fit`` (``precision``: Lightning's name,
    ``"32-true"`` or ``"bf16-mixed"``), or why it was skipped."""
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
                        enable_progress_bar=False, enable_model_summary=False, precision=precision)
    seconds = timed(lambda: trainer.fit(module, loader))
    test = torch.from_numpy(x_test).permute(0, 3, 1, 2).contiguous()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16-mixed"):
        return seconds, torch_accuracy(module.net, test, torch.from_numpy(y_test))


# --- profile --------------------------------------------------------------------------------------------------------
def profile(data: Data, seed: int, precision: str) -> None:
    """Where one convlens epoch's time goes, by the categories of ``scaling_benchmark`` (operators' own time;
    "Python and framework" is the wall time no operator accounts for)."""
    from collections import defaultdict
    from torch.profiler import ProfilerActivity, profile as torch_profile
    from scaling_benchmark import CATEGORIES
    run_convlens(warm_up_slice(data), seed, precision)
    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        run_convlens(data, seed, precision)  # includes the 10,000-image evaluate, as the timed rows do not
        wall = time.perf_counter() - start
    shares: dict[str, float] = defaultdict(float)
    for event in prof.events():
        parent, in_optimizer = event.cpu_parent, event.name.startswith("Optimizer.")
        while parent is not None and not in_optimizer:
            in_optimizer, parent = parent.name.startswith("Optimizer."), parent.cpu_parent
        label = "optimizer" if in_optimizer else next(
            (label for label, keys in CATEGORIES if any(k in event.name for k in keys)), "other operators")
        shares[label] += event.self_cpu_time_total / 1e6
    shares["Python and framework"] = max(0.0, wall - sum(shares.values()))
    print(f"\nprofile of convlens {precision} fit + evaluate, {len(data[0])} images, batch {BATCH}, "
          f"{torch.get_num_threads()} threads ({wall:.2f} s under the profiler):")
    for label, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<24}{seconds / wall:>6.1%}  ({seconds:.2f} s)")
    print("  top operators by own time:")
    for row in sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)[:12]:
        print(f"    {row.key:<44}{row.self_cpu_time_total / 1e6:7.2f} s  {row.count:7d} calls")


# --- report -----------------------------------------------------------------------------------------------------------
def table(rows: list[tuple[str, ...]]) -> str:
    header = ("trainer", "images/s", "vs torch loop (same precision)", "vs keras 3", "test accuracy")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in [header, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


PAIRS = {"float32": ("convlens float32", "torch loop float32"),
         "bfloat16": ("convlens bfloat16", "torch loop bfloat16")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--limit", type=int, default=None, help="use the first N training images")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: as is)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-peers", action="store_true", help="skip Keras and Lightning")
    parser.add_argument("--no-bf16", action="store_true", help="float32 pair only (bfloat16 is emulated, and slow, "
                                                                  "on a CPU without AVX512-BF16 or AMX)")
    parser.add_argument("--profile", action="store_true", help="then profile a convlens epoch per precision")
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
    precisions = ["float32"] + ([] if args.no_bf16 else ["bfloat16"])
    print(f"{n} training images, batch {BATCH}, 1 epoch, RMSprop; {args.rounds} rounds alternating "
          f"{', '.join(name for p in precisions for name in PAIRS[p])}; convlens bfloat16 = compile(**{policy.BFLOAT16})")
    if "bfloat16" in precisions and policy.default_is_float32():
        print("note: this CPU has no bfloat16 units (AVX512-BF16 / AMX): bfloat16 is emulated here")
    warm = warm_up_slice(data)
    trainers = []
    for p in precisions:
        trainers += [(PAIRS[p][0], lambda d, seed, p=p: run_convlens(d, seed, p)),
                     (PAIRS[p][1], lambda d, seed, p=p: run_torch(d, seed, bf16=p == "bfloat16"))]
    for _, run in trainers:  # untimed: imports, oneDNN kernel creation, allocator warm-up
        run(warm, args.seed)

    results: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in trainers}
    for round_index in range(args.rounds):
        for name, run in trainers:
            seconds, accuracy = run(data, args.seed)
            results[name].append((seconds, accuracy))
            print(f"round {round_index + 1}: {name:<19} {n / seconds:9.0f} images/s  ({seconds:.2f} s, "
                  f"test accuracy {accuracy:.4f})", flush=True)
    if not args.no_peers:
        peers = [("keras 3 (torch)", run_keras), ("lightning float32", run_lightning)]
        if "bfloat16" in precisions:
            peers.append(("lightning bf16-mixed", lambda d, seed: run_lightning(d, seed, "bf16-mixed")))
        for name, run in peers:
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
    accuracy = {name: statistics.median(a for _, a in runs) for name, runs in results.items()}
    keras_rate = rates.get("keras 3 (torch)")

    def loop_of(name: str) -> str:
        return PAIRS["bfloat16"][1] if "bf16" in name or "bfloat16" in name else PAIRS["float32"][1]

    rows = [(name, f"{rates[name]:.0f}", f"{rates[name] / rates[loop_of(name)]:.2f}x",
             f"{rates[name] / keras_rate:.2f}x" if keras_rate else "-", f"{accuracy[name]:.4f}") for name in results]
    print()
    print(table(rows))
    print()
    for p in precisions:
        mine, loop = PAIRS[p]
        ratio = rates[mine] / rates[loop]
        per_round = [t / c for (c, _), (t, _) in zip(results[mine], results[loop])]
        gap = accuracy[mine] - accuracy[loop]
        print(f"{p}: convlens / torch loop = {ratio:.2f}x (goal >= 2x: {'met' if ratio >= 2 else 'not met'}); "
              f"per round {', '.join(f'{r:.2f}x' for r in per_round)}; test accuracy {gap * 100:+.2f} points "
              f"(goal >= -0.5: {'met' if gap >= -0.005 else 'not met'})")
    print(f"images/s and accuracy are medians over {args.rounds} rounds (peers: 1 run after an untimed warm-up); the "
          f"machine's other load shows as spread between rounds. convlens starts from Keras's glorot_uniform, torch "
          f"from kaiming_uniform, so their accuracies differ a little at the same seed")
    print(f"[{machine.load_line()}]")
    if args.profile:
        for p in precisions:
            profile(data, args.seed, p)


if __name__ == "__main__":
    main()
