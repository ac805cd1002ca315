"""Augmentation throughput: convlens's batched ImageDataGenerator versus Keras's, on CIFAR-shaped uint8 batches.

Run: ``python benchmarks/augment_benchmark.py [--threads 2] [--batches 20]``. Prints images/s for convlens, for
Keras's ``ImageDataGenerator`` when keras imports (skipped with a message otherwise) and their ratio (goal >= 10x),
then, when ``convlens.models.Sequential`` exists, the share of one training step of the notes' CIFAR-10 CNN that
augmentation takes (goal <= 20%).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

import machine

AUGMENT = dict(rotation_range=15, width_shift_range=0.1, height_shift_range=0.1, zoom_range=0.1,
               horizontal_flip=True)
N, H, W, C = 128, 32, 32, 3


def images_per_second(next_batch, batches: int) -> float:
    """Throughput of ``next_batch()`` (one warm-up call, then ``batches`` timed calls of N images)."""
    next_batch()
    start = time.perf_counter()
    for _ in range(batches):
        next_batch()
    return batches * N / (time.perf_counter() - start)


def convlens_rate(x: np.ndarray, y: np.ndarray, batches: int) -> float:
    from convlens.preprocessing import ImageDataGenerator
    it = ImageDataGenerator(**AUGMENT).flow(x, y, batch_size=N, seed=0)
    return images_per_second(lambda: next(it), batches)


def keras_rate(x: np.ndarray, y: np.ndarray, batches: int) -> float | None:
    os.environ.setdefault("KERAS_BACKEND", "torch")  # Keras 3 needs a backend; torch is already installed
    try:
        try:
            from keras.preprocessing.image import ImageDataGenerator as KerasGenerator
        except ImportError:  # Keras >= 3.12 keeps it only under keras.src.legacy
            from keras.src.legacy.preprocessing.image import ImageDataGenerator as KerasGenerator
    except Exception as exc:  # keras missing or without a usable backend
        print(f"keras: skipped ({type(exc).__name__}: {exc})")
        return None
    it = KerasGenerator(**AUGMENT).flow(x, y, batch_size=N, seed=0)
    return images_per_second(lambda: next(it), max(2, batches // 4))


def notes_cifar_cnn():
    """The notes' CIFAR-10 CNN (three conv/pool blocks, Dense 500, Dense 10), compiled with rmsprop."""
    from convlens.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
    from convlens.models import Sequential
    model = Sequential([
        Conv2D(16, 2, padding="same", activation="relu", input_shape=(H, W, C)), MaxPooling2D(2),
        Conv2D(32, 2, padding="same", activation="relu"), MaxPooling2D(2),
        Conv2D(64, 2, padding="same", activation="relu"), MaxPooling2D(2), Dropout(0.3), Flatten(),
        Dense(500, activation="relu"), Dropout(0.4), Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return model


def step_share(x: np.ndarray, y: np.ndarray, augment_rate: float, steps: int) -> None:
    try:
        model = notes_cifar_cnn()
    except ImportError as exc:
        print(f"training step: skipped (convlens.models not importable: {exc})")
        return
    xb, yb = x[:N].astype(np.float32) / 255, y[:N]
    model.fit(xb, yb, batch_size=N, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit(np.concatenate([xb] * steps), np.concatenate([yb] * steps), batch_size=N, epochs=1, verbose=0,
              shuffle=False)
    step = (time.perf_counter() - start) / steps
    augment = N / augment_rate
    print(f"training step of the notes' CIFAR-10 CNN: {step * 1000:.1f} ms; augmentation {augment * 1000:.1f} ms "
          f"= {100 * augment / (augment + step):.1f}% of an augmented step (goal <= 20%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (the goal is stated for 2)")
    parser.add_argument("--batches", type=int, default=20, help="timed batches for convlens")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(machine.header())
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (4 * N, H, W, C), dtype=np.uint8)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 4 * N)]
    ours = convlens_rate(x, y, args.batches)
    print(f"convlens ImageDataGenerator: {ours:,.0f} images/s ({args.threads} threads, batch {N}x{H}x{W}x{C})")
    theirs = keras_rate(x, y, args.batches)
    if theirs is not None:
        print(f"keras ImageDataGenerator:    {theirs:,.0f} images/s")
        print(f"ratio convlens / keras: {ours / theirs:.1f}x (goal >= 10x)")
    step_share(x, y, ours, steps=5)


if __name__ == "__main__":
    main()
