"""Does bfloat16 cost accuracy? The notes' MNIST and CIFAR-10 models after 5 epochs, float32 versus bfloat16.

Each model trains twice from the same seed and data order, ``compile(..., precision="float32")`` and
``precision="bfloat16"`` (layers under bfloat16 autocast, weights, loss and optimizer in float32); the test accuracies
must agree within 0.3 point (over several seeds: the median of the per-seed differences). The precision policy
"auto" picks bfloat16 only on CPUs with bfloat16 units (AMX or AVX512-BF16) or a CUDA GPU; on other CPUs torch
emulates bfloat16, which is slow but computes the same numbers, so the accuracy comparison holds there too (and
the timing column does not).

Data (offline): the MNIST model (notes_mnist_cnn, 28x28x1) on Fashion-MNIST (full MNIST is not available offline;
Fashion-MNIST has the same shape and a 10,000-image test set, so 0.3 point is 30 images); the CIFAR-10 model
(notes_cifar10_cnn, 32x32x3) on Fashion-MNIST padded to 32x32 and repeated over 3 channels (no CIFAR-10 archive
offline). ``--limit`` training images (default 20,000), all 10,000 test images, batch 128, RMSprop, 5 epochs.

Run: ``python benchmarks/precision_benchmark.py [--limit 20000] [--epochs 5] [--seeds 0] [--models mnist cifar]``
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import machine
import policy

MODELS = {"mnist": "notes_mnist_cnn", "cifar": "notes_cifar10_cnn"}


def data(kind: str, limit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from convlens.datasets import fashion_mnist
    (x, y), (x_test, y_test) = fashion_mnist.load_data()
    x, y = x[:limit], y[:limit]

    def prepare(images: np.ndarray) -> np.ndarray:
        images = images.astype("float32")[..., None] / 255
        if kind == "cifar":  # 32x32x3, as the CIFAR-10 model expects
            images = np.repeat(np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0))), 3, axis=-1)
        return images

    return prepare(x), y.astype("int64"), prepare(x_test), y_test.astype("int64")


def train(kind: str, precision: str, seed: int, epochs: int, arrays) -> tuple[float, float]:
    """(test accuracy, seconds of training)."""
    from convlens.zoo import create_model
    x, y, x_test, y_test = arrays
    torch.manual_seed(seed)
    np.random.seed(seed)
    model = create_model(MODELS[kind])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  **policy.compile_arguments(model, precision))
    start = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    return float(accuracy), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=20_000, help="training images (default 20,000)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--models", nargs="+", choices=tuple(MODELS), default=list(MODELS))
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(machine.header())
    if not machine.native_bfloat16():
        print("bfloat16 is emulated on this CPU (no AMX / AVX512-BF16): the policy 'auto' would run float32 here; "
              "this run checks the accuracy of bfloat16 only, its seconds are not a speed-up")
    print(f"{args.limit} training images, 10,000 test images, {args.epochs} epochs, seeds {args.seeds}\n", flush=True)
    rows = []
    for kind in args.models:
        arrays = data(kind, args.limit)
        results = {p: [train(kind, p, seed, args.epochs, arrays) for seed in args.seeds]
                   for p in ("float32", "bfloat16")}
        f32 = statistics.median(a for a, _ in results["float32"])
        bf16 = statistics.median(a for a, _ in results["bfloat16"])
        # paired by seed (same initial weights and data order): the median of the per-seed differences
        gap = statistics.median((a16 - a32) * 100 for (a32, _), (a16, _) in zip(results["float32"],
                                                                                 results["bfloat16"]))
        rows.append((MODELS[kind], f32, bf16, gap, statistics.median(s for _, s in results["float32"]),
                     statistics.median(s for _, s in results["bfloat16"])))
        for seed, (a32, _), (a16, _) in zip(args.seeds, results["float32"], results["bfloat16"]):
            print(f"{MODELS[kind]} seed {seed}: float32 {a32:.4f}, bfloat16 {a16:.4f}", flush=True)
        print(f"{MODELS[kind]}: median float32 {f32:.4f}, bfloat16 {bf16:.4f}  [{machine.load_line()}]", flush=True)
    print(f"\n{'model':<20}{'float32':>9}{'bfloat16':>10}{'gap (points)':>14}{'s float32':>11}{'s bfloat16':>12}"
          f"  goal |gap| <= 0.3")
    for name, f32, bf16, gap, s32, s16 in rows:
        print(f"{name:<20}{f32:>9.4f}{bf16:>10.4f}{gap:>+14.2f}{s32:>11.1f}{s16:>12.1f}  "
              f"{'met' if abs(gap) <= 0.3 else 'not met'}")


if __name__ == "__main__":
    main()
