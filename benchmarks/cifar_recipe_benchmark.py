"""The notes' CIFAR-10 recipe (seed 001), augmentation included: convlens versus Keras 3 running the same code.

The 293,930-parameter Conv32-32-64-64-128-128 BatchNormalization/ELU model, Adam, categorical cross-entropy, batch
50, fed by ``ImageDataGenerator(rotation_range=90, width_shift_range=0.1, height_shift_range=0.1,
featurewise_center=True, featurewise_std_normalization=True, horizontal_flip=True)`` after ``datagen.fit(X_train)``.
One function builds and trains it, given either library's names, so the two runs are the same program.

Data: CIFAR-10 from ``convlens.datasets.cifar10`` when its archive is present, else CIFAR-shaped random uint8
images (32x32x3, 10 classes): the speed of an epoch does not depend on the pixels. ``--limit`` images (default
5,000 = 100 steps) keep Keras's epoch short. Goal: convlens images/s >= 3x Keras's.

Run: ``python benchmarks/cifar_recipe_benchmark.py [--limit 5000] [--rounds 2] [--threads T]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from types import SimpleNamespace

import numpy as np
import torch

import machine

BATCH = 50


def cifar_or_shaped(limit: int) -> tuple[np.ndarray, np.ndarray, str]:
    try:
        from convlens.datasets import cifar10
        (x, y), _ = cifar10.load_data()
        return x[:limit], y[:limit].reshape(-1), "CIFAR-10"
    except Exception as exc:  # no archive offline
        rng = np.random.default_rng(0)
        return (rng.integers(0, 256, (limit, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, limit),
                f"CIFAR-shaped random images (no CIFAR-10 archive here and no download: {type(exc).__name__})")


def notes_program(lib: SimpleNamespace, x_uint8: np.ndarray, y: np.ndarray, steps: int | None = None) -> float:
    """The notes' cells 2-7 with ``lib``'s names; returns the seconds of one training epoch (augmentation incl.)."""
    L = lib.layers
    X_train = x_uint8.astype("float32") / 255
    Y_train = lib.to_categorical(y, 10)
    data_generator = lib.ImageDataGenerator(rotation_range=90, width_shift_range=0.1, height_shift_range=0.1,
                                            featurewise_center=True, featurewise_std_normalization=True,
                                            horizontal_flip=True)
    data_generator.fit(X_train)
    model = lib.Sequential()
    model.add(L.Conv2D(32, (3, 3), padding="same", input_shape=X_train.shape[1:]))
    model.add(L.BatchNormalization())
    model.add(L.Activation("elu"))
    model.add(L.Conv2D(32, (3, 3), padding="same"))
    model.add(L.BatchNormalization())
    model.add(L.Activation("elu"))
    model.add(L.MaxPooling2D(pool_size=(2, 2)))
    model.add(L.Dropout(0.2))
    model.add(L.Conv2D(64, (3, 3), padding="same"))
    model.add(L.BatchNormalization())
    model.add(L.Activation("elu"))
    model.add(L.Conv2D(64, (3, 3), padding="same"))
    model.add(L.BatchNormalization())
    model.add(L.Activation("elu"))
    model.add(L.MaxPooling2D(pool_size=(2, 2)))
    model.add(L.Dropout(0.2))
    model.add(L.Conv2D(128, (3, 3)))
    model.add(L.BatchNormalization())
    model.add(L.Activation("elu"))
    model.add(L.Conv2D(128, (3, 3)))
    model.add(L.BatchNormalization())
    model.add(L.Activation("elu"))
    model.add(L.MaxPooling2D(pool_size=(2, 2)))
    model.add(L.Dropout(0.5))
    model.add(L.Flatten())
    model.add(L.Dense(10, activation="softmax"))
    assert model.count_params() == 293_930, model.count_params()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    steps = steps or len(X_train) // BATCH
    start = time.perf_counter()
    model.fit(data_generator.flow(x=X_train, y=Y_train, batch_size=BATCH), steps_per_epoch=steps, epochs=1,
              verbose=0)
    return time.perf_counter() - start


def convlens_names() -> SimpleNamespace:
    from convlens import layers
    from convlens.models import Sequential
    from convlens.preprocessing.image import ImageDataGenerator
    from convlens.utils import to_categorical
    return SimpleNamespace(layers=layers, Sequential=Sequential, ImageDataGenerator=ImageDataGenerator,
                           to_categorical=to_categorical)


def keras_names() -> SimpleNamespace | str:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
        try:
            from keras.preprocessing.image import ImageDataGenerator
        except ImportError:  # Keras >= 3.12 keeps it only under keras.src.legacy
            from keras.src.legacy.preprocessing.image import ImageDataGenerator
        import scipy  # noqa: F401  (Keras's ImageDataGenerator rotates with scipy.ndimage)
    except Exception as exc:
        return f"skipped ({type(exc).__name__}: {exc}; pip install -e '.[bench]')"
    return SimpleNamespace(layers=keras.layers, Sequential=keras.Sequential, ImageDataGenerator=ImageDataGenerator,
                           to_categorical=keras.utils.to_categorical)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=5000, help="training images per epoch (default 5,000)")
    parser.add_argument("--rounds", type=int, default=2, help="convlens epochs timed (Keras: 1)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args()
    if args.limit < 2 * BATCH:
        parser.error(f"--limit must be at least {2 * BATCH} images, got {args.limit}")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(machine.header())
    x, y, source = cifar_or_shaped(args.limit)
    print(f"data: {source}; {len(x)} images, batch {BATCH}, {len(x) // BATCH} steps per epoch\n", flush=True)
    rates = {}
    peers = [("convlens", convlens_names(), args.rounds)]
    if not args.no_keras:
        names = keras_names()
        if isinstance(names, str):
            print(f"keras 3: {names}")
        else:
            peers.append(("keras 3 (torch)", names, 1))
    for label, names, rounds in peers:
        torch.manual_seed(0)
        notes_program(names, x[:4 * BATCH], y[:4 * BATCH], steps=2)  # untimed warm-up
        seconds = [notes_program(names, x, y) for _ in range(rounds)]
        images = (len(x) // BATCH) * BATCH
        rates[label] = statistics.median(images / s for s in seconds)
        print(f"{label}: {rates[label]:.0f} images/s ({', '.join(f'{s:.1f} s' for s in seconds)} per epoch)  "
              f"[{machine.load_line()}]", flush=True)
    if "keras 3 (torch)" in rates:
        ratio = rates["convlens"] / rates["keras 3 (torch)"]
        print(f"\nconvlens / keras 3 = {ratio:.2f}x images/s of an augmented training epoch "
              f"(goal >= 3x: {'met' if ratio >= 3 else 'not met'})")


if __name__ == "__main__":
    main()
