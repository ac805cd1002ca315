"""Peak memory (RSS) of one training epoch on full Fashion-MNIST and of predict over 200,000 images.

Each measurement runs in a fresh Python process (``resource.getrusage(...).ru_maxrss`` is a high-water mark per
process) that first imports torch and convlens, so the table shows the import baseline, the data, and the peak.
Goal: both peaks <= 600 MB.

* train: the notes' 38,390-parameter CNN, ``fit`` one epoch at batch 128 on 60,000 images prepared as the notes
  do (``X_train = X_train.astype('float32'); X_train /= 255``: 188 MB).
* predict: the same model's ``predict`` over ``--predict-images`` (default 200,000) uint8 28x28x1 images
  (157 MB; float32 would be 627 MB by itself), batch 1,000; outputs are 200,000 x 10 float32 (8 MB).

Run: ``python benchmarks/memory_benchmark.py [--predict-images 200000]``; the same numbers from outside:
``/usr/bin/time -v python benchmarks/memory_benchmark.py --only train`` ("Maximum resident set size").
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

import machine

GOAL_MB = 600


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def current_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2 ** 20


def child(kind: str, images: int) -> dict[str, float]:
    """Runs inside the fresh process: returns RSS figures in MB."""
    import numpy as np
    import torch
    from convlens.datasets import fashion_mnist
    from convlens.zoo import create_model
    from convlens.optimizers import RMSprop
    figures = {"after imports": current_mb()}
    torch.manual_seed(0)
    model = create_model("notes_mnist_cnn")
    model.compile(optimizer=RMSprop(learning_rate=0.001), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    if kind == "train":
        (x, y), _ = fashion_mnist.load_data()
        x = x.astype("float32").reshape(-1, 28, 28, 1)  # as the notes prepare it: astype, then /= 255 in place
        x /= 255
        figures["with data"] = current_mb()
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    else:
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (images, 28, 28, 1), dtype=np.uint8)
        figures["with data"] = current_mb()
        out = model.predict(x, batch_size=1000)
        assert out.shape == (images, 10), out.shape
    figures["peak"] = peak_mb()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predict-images", type=int, default=200_000)
    parser.add_argument("--only", choices=("train", "predict"), default=None, help="measure one, in this process")
    parser.add_argument("--child", choices=("train", "predict"), default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.only:
        figures = child(args.child or args.only, args.predict_images)
        print(json.dumps(figures) if args.child else figures)
        return
    print(machine.header())
    rows = []
    for kind in ("train", "predict"):
        done = subprocess.run([sys.executable, __file__, "--child", kind, "--predict-images",
                               str(args.predict_images)], capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        label = "fit 1 epoch, 60,000 images" if kind == "train" else f"predict {args.predict_images:,} images"
        rows.append((label, figures))
    print(f"\n{'run':<28}{'after imports':>14}{'with data':>11}{'peak RSS':>10}  goal <= {GOAL_MB} MB")
    for label, f in rows:
        verdict = "met" if f["peak"] <= GOAL_MB else "not met"
        print(f"{label:<28}{f['after imports']:>11.0f} MB{f['with data']:>8.0f} MB{f['peak']:>7.0f} MB  {verdict}")


if __name__ == "__main__":
    main()
