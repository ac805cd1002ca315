"""Scaling and profile: images/s and seconds per epoch for 1/2 threads x batch 32/128/512 on the notes' models,
then where the time of a convlens ``fit`` goes.

Models: notes_mnist_cnn (38,390 parameters) on Fashion-MNIST (60,000 images per epoch) and notes_cifar10_cnn
(528,054 parameters) on CIFAR-shaped images (50,000 per epoch); RMSprop, the compile default precision. Each cell
times ``fit`` over ``--images`` training images after an untimed warm-up and reports images/s and the seconds a
full epoch takes at that rate.

The profile (``torch.profiler``, one run of ``--images`` images at batch 128, 2 threads) sorts the operators' own
time into convolution forward / backward, pooling, dense layers, activations + loss, optimizer, data (batch
gathering and conversion) and other operators (metrics, zero-filling, ...); "Python and framework" is the wall time no operator accounts for.

Run: ``python benchmarks/scaling_benchmark.py [--images 15000] [--no-profile]``
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
import torch

import machine

EPOCH = {"notes_mnist_cnn": 60_000, "notes_cifar10_cnn": 50_000}
CATEGORIES = (  # (label, substrings of aten operator names), first match wins
    ("convolution backward", ("convolution_backward",)),
    ("convolution forward", ("convolution", "conv2d")),
    ("pooling", ("pool",)),
    ("dense layers", ("addmm", "aten::mm", "matmul", "linear")),
    ("activations + loss", ("relu", "clamp_min", "threshold", "softmax", "nll", "cross_entropy", "elu")),
    ("data", ("index", "randperm", "aten::to", "_to_copy", "copy_")),
)


def arrays(name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    if name == "notes_mnist_cnn":
        from convlens.datasets import fashion_mnist
        (x, y), _ = fashion_mnist.load_data()
        return (x[:n].astype("float32") / 255)[..., None], y[:n].astype("int64")
    rng = np.random.default_rng(0)
    return rng.random((n, 32, 32, 3), dtype=np.float32), rng.integers(0, 10, n)


def compiled(name: str):
    from convlens.zoo import create_model
    torch.manual_seed(0)
    model = create_model(name)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def rate(name: str, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    model = compiled(name)
    model.fit(x[:4 * batch], y[:4 * batch], batch_size=batch, verbose=0)  # untimed warm-up
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, verbose=0)
    return len(x) / (time.perf_counter() - start)


def profile(name: str, x: np.ndarray, y: np.ndarray, batch: int = 128) -> None:
    from torch.profiler import ProfilerActivity
    model = compiled(name)
    model.fit(x[:4 * batch], y[:4 * batch], batch_size=batch, verbose=0)
    with torch.profiler.profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, verbose=0)
        wall = time.perf_counter() - start
    shares: dict[str, float] = defaultdict(float)
    for event in prof.events():
        parent, in_optimizer = event.cpu_parent, event.name.startswith("Optimizer.")
        while parent is not None and not in_optimizer:  # whatever runs inside optimizer.step / zero_grad
            in_optimizer, parent = parent.name.startswith("Optimizer."), parent.cpu_parent
        label = "optimizer" if in_optimizer else next(
            (label for label, keys in CATEGORIES if any(k in event.name for k in keys)), "other operators")
        shares[label] += event.self_cpu_time_total / 1e6
    profiled_wall = wall
    shares["Python and framework"] = max(0.0, profiled_wall - sum(shares.values()))
    print(f"\nprofile of {name} fit, {len(x)} images, batch {batch}, {torch.get_num_threads()} threads "
          f"({profiled_wall:.2f} s under the profiler):")
    for label, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<24}{seconds / profiled_wall:>6.1%}  ({seconds:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=15_000, help="images timed per cell (default 15,000)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 128, 512])
    parser.add_argument("--models", nargs="+", default=list(EPOCH), choices=tuple(EPOCH))
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    initial_threads = torch.get_num_threads()
    print(machine.header())
    print(f"\n{'model':<19}{'threads':>8}{'batch':>7}{'images/s':>10}{'s/epoch':>9}")
    for name in args.models:
        x, y = arrays(name, args.images)
        for threads in args.threads:
            torch.set_num_threads(threads)
            for batch in args.batches:
                images_per_s = rate(name, x, y, batch)
                print(f"{name:<19}{threads:>8}{batch:>7}{images_per_s:>10.0f}{EPOCH[name] / images_per_s:>9.1f}",
                      flush=True)
    torch.set_num_threads(initial_threads)
    print(f"[{machine.load_line()}]")
    if not args.no_profile:
        x, y = arrays("notes_mnist_cnn", args.images)
        profile("notes_mnist_cnn", x, y)


if __name__ == "__main__":
    main()
