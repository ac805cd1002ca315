"""One process versus N processes under torchrun, side by side: the same ``fit`` of the notes' 38,390-parameter CNN
on Fashion-MNIST (batch 128 global, RMSprop), timing one epoch after a warm-up epoch.

Each configuration runs in fresh processes (``python -m torch.distributed.run --standalone --nproc_per_node=N``)
with ``--threads`` threads per process (default: the cores divided by N, so both rows use the same cores). Prints
the CPU (model, AVX2/AVX-512/AMX flags), torch version and threads first, then seconds per epoch, images/s, the
ratio to one process and the test accuracy each reached (the same global batch, so accuracy should agree).

Run: ``python benchmarks/distributed_benchmark.py [--nproc 2] [--limit 12000] [--epochs 1]``
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import torch

WORKER = textwrap.dedent("""
    import json, os, sys, time
    import numpy as np
    import torch
    from convlens import Sequential
    from convlens.datasets import fashion_mnist
    from convlens.layers import Conv2D, Dense, Flatten, MaxPooling2D
    from convlens.optimizers import RMSprop
    from convlens.utils import set_random_seed

    out, limit, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    (x, y), (xt, yt) = fashion_mnist.load_data()
    x, y = (x[:limit].astype("float32") / 255).reshape(-1, 28, 28, 1), y[:limit].astype("int64")
    xt = (xt.astype("float32") / 255).reshape(-1, 28, 28, 1)
    set_random_seed(0)
    model = Sequential([Conv2D(10, 5, activation="relu", input_shape=(28, 28, 1)), MaxPooling2D(2),
                        Conv2D(20, 5, activation="relu"), MaxPooling2D(2), Flatten(),
                        Dense(100, activation="relu"), Dense(10, activation="softmax")])
    model.compile(RMSprop(learning_rate=0.001), "sparse_categorical_crossentropy", ["accuracy"], device="cpu")
    model.fit(x[:1024], y[:1024], batch_size=128, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    seconds = (time.perf_counter() - start) / epochs
    loss, accuracy = model.evaluate(xt, yt.astype("int64"), batch_size=1000, verbose=0)
    if model.trainer.strategy.is_chief:
        with open(out, "w") as f:
            json.dump({"seconds": seconds, "images": len(x), "accuracy": accuracy,
                       "world": model.trainer.strategy.world_size, "precision": model.precision_policy}, f)
""")


def cpu_line() -> str:
    flags, name = set(), "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and name == "unknown CPU":
                name = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    shown = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flags]
    return f"CPU: {name} | flags: {' '.join(shown) or 'none of avx2/avx512/amx'} | cores: {os.cpu_count()}"


def run(nproc: int, threads: int, limit: int, epochs: int, folder: Path) -> dict:
    script = folder / "worker.py"
    script.write_text(WORKER)
    out = folder / f"result{nproc}.json"
    args = [str(script), str(out), str(limit), str(epochs), str(threads)]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    if nproc > 1:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", *args]
    else:
        command = [sys.executable, *args]
    subprocess.run(command, env=env, check=True)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nproc", type=int, default=2)
    parser.add_argument("--limit", type=int, default=60000, help="training images (default: all 60,000)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None, help="threads per process (default cores / nproc)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(cpu_line())
    print(f"torch {torch.__version__}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for nproc in (1, args.nproc):
            threads = args.threads or max(1, cores // nproc)
            result = run(nproc, threads, args.limit, args.epochs, Path(tmp))
            rows.append((nproc, threads, result))
    base = rows[0][2]["seconds"]
    print(f"{'processes':>9} {'threads/proc':>12} {'s/epoch':>8} {'img/s':>8} {'vs 1 proc':>9} {'test acc':>8} "
          f"{'precision':>9}")
    for nproc, threads, r in rows:
        print(f"{nproc:>9} {threads:>12} {r['seconds']:>8.2f} {r['images'] / r['seconds']:>8.0f} "
              f"{base / r['seconds']:>8.2f}x {r['accuracy']:>8.4f} {r['precision']:>9}")


if __name__ == "__main__":
    main()
