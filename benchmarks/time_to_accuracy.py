"""Time to accuracy: convlens's fast recipe versus the notes' Keras recipe run in Keras 3, on the same machine.

Fashion-MNIST (full, Debian's copy): ``convlens.recipes.train_fast`` for ``--seeds`` (goal: >= 92.0 % test accuracy
within 60 s wall, median over seeds), then the notes' seed-002 Keras program (Conv32-pool-Conv64-pool-Dense64,
RMSprop, batch 64) in Keras 3 on its torch backend, epoch by epoch until ``--keras-seconds`` of training.
MNIST: the same recipe without flips on the 5,000-digit MNIST sample (4,000 training / 1,000 test images: full
MNIST is not available offline), goal >= 99.0 % within 20 s.

The clock: data loading + training, stopped while the benchmark scores the test set after each epoch; the time to
an accuracy is the clock at the end of the first epoch that reached it plus that one scoring (what a user waits).
"wall" is the whole run including every scoring.

Run: ``python benchmarks/time_to_accuracy.py [--seeds 0 1 2] [--epochs 6] [--keras-seconds 240] [--no-keras]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Callable

import numpy as np
import torch

import machine

THRESHOLDS = (0.85, 0.90, 0.91, 0.92)
MNIST_THRESHOLDS = (0.97, 0.98, 0.99)


class Clock:
    """Seconds of work, pausable while the benchmark does its own bookkeeping."""

    def __init__(self) -> None:
        self.total, self.started = 0.0, time.perf_counter()

    def pause(self) -> None:
        self.total += time.perf_counter() - self.started

    def resume(self) -> None:
        self.started = time.perf_counter()


def crossings(curve: list[tuple[float, float]], thresholds: tuple[float, ...]) -> list[str]:
    """For each threshold, the first time on ``curve`` [(seconds, accuracy)] at or above it, or '-'."""
    return [next((f"{t:.1f}" for t, a in curve if a >= threshold), "-") for threshold in thresholds]


def run_recipe(load: Callable, seed: int, epochs: int, flip: bool, shift: int, batch_size: int, peak: float,
               widths: tuple[int, ...]) -> tuple[list[tuple[float, float]], float]:
    """The fast recipe: (curve of (seconds, test accuracy) per epoch, wall seconds)."""
    from convlens.callbacks import Callback
    from convlens.recipes import fast

    start = time.perf_counter()
    clock = Clock()
    (x, y), (x_test, y_test) = load()
    curve: list[tuple[float, float]] = []

    class Score(Callback):
        def on_epoch_end(self, epoch, logs=None):
            clock.pause()
            scoring = time.perf_counter()
            accuracy = fast.evaluate_fast(self.model, x_test, y_test, flip=flip)
            curve.append((clock.total + time.perf_counter() - scoring, accuracy))
            clock.resume()

    fast.train_fast(x, y, epochs=epochs, batch_size=batch_size, peak_learning_rate=peak, flip=flip, shift=shift,
                    widths=widths,
                    seed=seed, callbacks=[Score()])
    return curve, time.perf_counter() - start


def run_keras_notes(load: Callable, seed: int, budget: float, max_epochs: int) -> list[tuple[float, float]] | str:
    """The notes' seed-002 program in Keras 3 (torch backend), one epoch at a time until ``budget`` seconds."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except Exception as exc:
        return f"skipped ({type(exc).__name__}: {exc})"
    from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
    keras.utils.set_random_seed(seed)
    clock = Clock()
    (x, y), (x_test, y_test) = load()
    x = x.reshape(-1, 28, 28, 1).astype("float32") / 255
    x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
    y, y_test = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(y_test, 10)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        Conv2D(32, kernel_size=(3, 3), padding="same", activation="relu"), MaxPooling2D(pool_size=(2, 2)),
        Conv2D(64, (3, 3), padding="same", activation="relu"), MaxPooling2D(pool_size=(2, 2)),
        Flatten(), Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    curve = []
    for _ in range(max_epochs):
        model.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=True)
        clock.pause()
        scoring = time.perf_counter()
        accuracy = float(model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1])
        curve.append((clock.total + time.perf_counter() - scoring, accuracy))
        clock.resume()
        if clock.total >= budget:
            break
    return curve


def curve_table(rows: list[tuple[str, list[tuple[float, float]], str]], thresholds: tuple[float, ...]) -> str:
    header = ["run", *[f"{t:.0%}" for t in thresholds], "final", "epochs", "wall s"]
    body = [[name, *crossings(curve, thresholds), f"{curve[-1][1]:.2%}", str(len(curve)), wall]
            for name, curve, wall in rows]
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in [header, *body]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def goal_line(seeds: list[int], finals: list[float], walls: list[float], accuracy: float, seconds: float) -> str:
    """The medians over seeds of the final accuracy and the wall time, against the goal."""
    median_final, median_wall = statistics.median(finals), statistics.median(walls)
    met = median_final >= accuracy and median_wall <= seconds
    return (f"median over seeds {seeds}: test accuracy {median_final:.2%}, wall {median_wall:.1f} s "
            f"(goal >= {accuracy * 100:.1f} % in <= {seconds:g} s: {'met' if met else 'not met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=6, help="fast recipe epochs on Fashion-MNIST (default 6)")
    parser.add_argument("--mnist-epochs", type=int, default=12, help="fast recipe epochs on the MNIST sample")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--peak", type=float, default=0.2, help="one-cycle peak learning rate")
    parser.add_argument("--widths", type=int, nargs=3, default=None, help="filters of the three blocks")
    parser.add_argument("--keras-seconds", type=float, default=240, help="Keras training budget in seconds")
    parser.add_argument("--keras-epochs", type=int, default=10, help="at most this many Keras epochs (notes: 10)")
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras 3 run")
    parser.add_argument("--no-mnist", action="store_true", help="skip the MNIST-sample runs")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: as is)")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    from convlens.datasets import fashion_mnist, mnist_sample
    from convlens.recipes import fast
    widths = tuple(args.widths) if args.widths else fast.WIDTHS
    print(machine.header())
    print(f"precision: the compile default; bfloat16 only with native bfloat16 units, so float32 here"
          if not machine.native_bfloat16() else "precision: the compile default (bfloat16 autocast on this CPU)")
    print(f"fast recipe: widths {widths}, batch {args.batch_size}, one-cycle peak {args.peak}, "
          f"{args.epochs} epochs (Fashion-MNIST), {args.mnist_epochs} epochs (MNIST sample)\n", flush=True)

    def fashion():
        (x, y), (x_test, y_test) = fashion_mnist.load_data()
        return (x[..., None], y), (x_test[..., None], y_test)

    rows, walls, finals = [], [], []
    for seed in args.seeds:
        curve, wall = run_recipe(fashion, seed, args.epochs, True, 0, args.batch_size, args.peak, widths)
        rows.append((f"convlens fast, seed {seed}", curve, f"{wall:.1f}"))
        walls.append(wall)
        finals.append(curve[-1][1])
        print(f"Fashion-MNIST seed {seed}: " + ", ".join(f"{t:.1f}s {a:.2%}" for t, a in curve) +
              f"; wall {wall:.1f} s  [{machine.load_line()}]", flush=True)
    if not args.no_keras:
        keras_curve = run_keras_notes(fashion, args.seeds[0], args.keras_seconds, args.keras_epochs)
        if isinstance(keras_curve, str):
            print(f"keras 3: {keras_curve}")
        else:
            rows.append((f"keras 3 notes' recipe, seed {args.seeds[0]}", keras_curve, f"{keras_curve[-1][0]:.1f}*"))
            print("Keras 3 notes' recipe: " + ", ".join(f"{t:.1f}s {a:.2%}" for t, a in keras_curve) +
                  f"  [{machine.load_line()}]", flush=True)
    print("\nFashion-MNIST test accuracy: seconds to reach each level (clock: loading + training + that scoring)")
    print(curve_table(rows, THRESHOLDS))
    print(goal_line(args.seeds, finals, walls, 0.92, 60))
    if not args.no_keras:
        print("* Keras: its clock (training + loading, each epoch's scoring excluded except the last)")

    if not args.no_mnist:
        rows, walls, finals = [], [], []
        for seed in args.seeds:
            curve, wall = run_recipe(lambda: mnist_sample.load_data(seed=0), seed, args.mnist_epochs, False,
                                     2, 128, args.peak, widths)
            rows.append((f"convlens fast (no flip), seed {seed}", curve, f"{wall:.1f}"))
            walls.append(wall)
            finals.append(curve[-1][1])
        print("\nMNIST sample (4,000 train / 1,000 test digits; full MNIST is not available offline), batch 128")
        print(curve_table(rows, MNIST_THRESHOLDS))
        print(goal_line(args.seeds, finals, walls, 0.99, 20))
    print(f"\n[{machine.load_line()}]")


if __name__ == "__main__":
    sys.exit(main())
