"""Your folder of photos: images/s of the input pipeline alone and of ``fit`` on a folder of JPEGs, convlens against
an idiomatic PyTorch ``Dataset`` + ``DataLoader(num_workers=2)`` (and Keras 3 where ``tf.data`` imports).

Writes ``--images`` JPEGs (default 2,000; sizes drawn around 500x375, quality 90, 3 classes) into a temporary
folder, then measures, after an untimed warm-up pass over a few batches:

(a) the input pipeline alone, batch 32: decode, resize to 180x180, ``RandomFlip("horizontal")``,
    ``RandomRotation(0.1)``, ``RandomZoom(0.2)``, for
    * convlens ``image_dataset_from_directory(...)`` + the Keras augmentation layers in
      ``ds.map(..., num_parallel_calls=AUTOTUNE)``, without cache,
    * the same with ``.cache().prefetch(AUTOTUNE)`` before the augmentation (a second pass, read from the cache),
    * a PyTorch ``Dataset`` that decodes with Pillow (``convert("RGB")``, ``resize`` bilinear) and augments each
      image in torch (flip; rotation and zoom as one ``affine_grid``/``grid_sample``), ``DataLoader(batch_size=32,
      shuffle=True, num_workers=2)``,
    * Keras 3's ``keras.utils.image_dataset_from_directory`` (it needs TensorFlow's ``tf.data``; skipped, saying
      why, where TensorFlow is not installed);
(b) ``fit`` of the notes' small cats-vs-dogs convnet (Deep Learning with Python, ch. 8: augmentation, Rescaling,
    Conv2D 32-64-128-256-256 with max-pooling, Flatten, Dropout(0.5), Dense(1, sigmoid); RMSprop, binary
    cross-entropy) on two of the classes for ``--fit-steps`` batches, convlens with and without cache, and the
    same network in plain PyTorch fed by the ``DataLoader``. The share of the step spent waiting for the next batch
    (the time inside the loader's ``next``) is printed for each.

Run: ``python benchmarks/folder_benchmark.py [--images 2000] [--fit-steps 8] [--threads T] [--keep DIR]``
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

import machine

SIZE = (180, 180)
BATCH = 32
CLASSES = ("cat", "dog", "fox")
ROTATION, ZOOM = 0.1, 0.2


# --- the folder -------------------------------------------------------------------------------------------------------
def make_folder(root: Path, images: int, seed: int = 0) -> None:
    """``images`` JPEGs of mixed sizes around 500x375 (widths 400-600, heights 300-450), classes in turn: smooth
    colour fields with noise, so the files compress like photos (20-40 kB) rather than like flat colour."""
    rng = np.random.default_rng(seed)
    for name in CLASSES:
        (root / name).mkdir(parents=True, exist_ok=True)
    for i in range(images):
        width, height = int(rng.integers(400, 601)), int(rng.integers(300, 451))
        coarse = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        img = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
        pixels = np.asarray(img, dtype=np.int16) + rng.integers(-12, 13, (height, width, 3), dtype=np.int16)
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(
            root / CLASSES[i % len(CLASSES)] / f"{i:05d}.jpg", quality=90)


# --- convlens ---------------------------------------------------------------------------------------------------------
def convlens_augmentation(seed: int):
    from convlens import layers
    from convlens.models import Sequential
    return Sequential([layers.RandomFlip("horizontal", seed=seed), layers.RandomRotation(ROTATION, seed=seed + 1),
                       layers.RandomZoom(ZOOM, seed=seed + 2)])


def convlens_dataset(root: Path, cache: bool, seed: int, class_names: list[str] | None = None,
                     label_mode: str = "int"):
    from convlens.utils import image_dataset_from_directory
    from convlens.data.dataset import AUTOTUNE
    ds = image_dataset_from_directory(str(root), image_size=SIZE, batch_size=BATCH, seed=seed, verbose=False,
                                      class_names=class_names, label_mode=label_mode)
    return ds.cache().prefetch(AUTOTUNE) if cache else ds


def convlens_pipeline(root: Path, cache: bool, seed: int) -> Callable[[], int]:
    """One pass of decode + resize + augmentation; returns the images it produced."""
    from convlens.data.dataset import AUTOTUNE
    augment = convlens_augmentation(seed)
    ds = convlens_dataset(root, cache, seed).map(lambda x, y: (augment(x, training=True), y),
                                                 num_parallel_calls=AUTOTUNE)  # as the tf.data guides write it

    def one_pass() -> int:
        return sum(len(x) for x, _ in ds)
    if cache:
        one_pass()  # the first pass fills the cache; the timed pass reads it
    return one_pass


# --- PyTorch ----------------------------------------------------------------------------------------------------------
class FolderDataset(torch.utils.data.Dataset):
    """What a PyTorch tutorial writes without torchvision: Pillow decode + resize, augmentation per image in torch."""

    def __init__(self, root: Path, classes: tuple[str, ...] = CLASSES, augment: bool = True) -> None:
        self.items = [(str(path), label) for label, name in enumerate(classes)
                      for path in sorted((root / name).glob("*.jpg"))]
        self.augment = augment

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        path, label = self.items[index]
        with Image.open(path) as img:
            img = img.convert("RGB").resize((SIZE[1], SIZE[0]), Image.Resampling.BILINEAR)
        x = torch.from_numpy(np.array(img)).permute(2, 0, 1).float()  # CHW, 0-255
        return (torch_augment(x) if self.augment else x), label


def torch_augment(x: torch.Tensor) -> torch.Tensor:
    """Horizontal flip (p=0.5), rotation by up to 0.1 of a turn and zoom by up to 20 %, one bilinear warp with
    reflected borders (what ``RandomFlip``/``RandomRotation``/``RandomZoom`` do)."""
    if torch.rand(()) < 0.5:
        x = x.flip(-1)
    angle = float(torch.empty(()).uniform_(-ROTATION, ROTATION)) * 2 * math.pi
    zoom = 1 + float(torch.empty(()).uniform_(-ZOOM, ZOOM))
    cos, sin = math.cos(angle) * zoom, math.sin(angle) * zoom
    theta = torch.tensor([[[cos, -sin, 0.0], [sin, cos, 0.0]]])
    grid = F.affine_grid(theta, [1, *x.shape], align_corners=False)
    return F.grid_sample(x[None], grid, mode="bilinear", padding_mode="reflection", align_corners=False)[0]


def torch_loader(root: Path, classes: tuple[str, ...] = CLASSES) -> torch.utils.data.DataLoader:
    return torch.utils.data.DataLoader(FolderDataset(root, classes), batch_size=BATCH, shuffle=True, num_workers=2,
                                       persistent_workers=False)


def torch_pipeline(root: Path) -> Callable[[], int]:
    loader = torch_loader(root)
    return lambda: sum(len(x) for x, _ in loader)


# --- Keras 3 ----------------------------------------------------------------------------------------------------------
def keras_pipeline(root: Path, seed: int) -> Callable[[], int] | str:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import tensorflow  # noqa: F401  (keras.utils.image_dataset_from_directory builds a tf.data pipeline)
    except ImportError as exc:
        return f"skipped (Keras 3's image_dataset_from_directory needs TensorFlow's tf.data: {exc})"
    import keras
    augment = keras.Sequential([keras.layers.RandomFlip("horizontal", seed=seed),
                                keras.layers.RandomRotation(ROTATION, seed=seed),
                                keras.layers.RandomZoom(ZOOM, seed=seed)])
    ds = keras.utils.image_dataset_from_directory(str(root), image_size=SIZE, batch_size=BATCH, seed=seed,
                                                  verbose=False)
    return lambda: sum(len(augment(x, training=True)) for x, _ in ds)


# --- fit --------------------------------------------------------------------------------------------------------------
class Waiting:
    """A Keras ``Sequence`` around a dataset that adds up the time ``fit`` spends waiting in ``ds[i]``."""

    def __init__(self, ds: Any) -> None:
        self.ds, self.waited = ds, 0.0
        self.class_indices = getattr(ds, "class_indices", None)

    def __len__(self) -> int:
        return len(self.ds)

    def __getitem__(self, index: int) -> Any:
        start = time.perf_counter()
        try:
            return self.ds[index]
        finally:
            self.waited += time.perf_counter() - start

    def on_epoch_end(self) -> None:
        self.ds.on_epoch_end()


def convlens_fit(root: Path, cache: bool, steps: int, seed: int) -> tuple[float, float, int]:
    """(seconds, seconds waiting for data, images) of ``fit`` for ``steps`` batches."""
    from convlens import layers
    from convlens.models import Sequential
    torch.manual_seed(seed)
    model = Sequential([layers.Input((*SIZE, 3)), convlens_augmentation(seed), layers.Rescaling(1 / 255),
                        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
                        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
                        layers.Conv2D(128, 3, activation="relu"), layers.MaxPooling2D(2),
                        layers.Conv2D(256, 3, activation="relu"), layers.MaxPooling2D(2),
                        layers.Conv2D(256, 3, activation="relu"), layers.Flatten(), layers.Dropout(0.5),
                        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    ds = convlens_dataset(root, cache, seed, class_names=list(CLASSES[:2]), label_mode="binary")
    model.fit(Waiting(ds), steps_per_epoch=1, epochs=1, verbose=0)  # untimed: kernels, first cache fill
    if cache:
        for _ in ds:  # the cache fills during the first pass; time the pass that reads it
            pass
    data = Waiting(ds)
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    return time.perf_counter() - start, data.waited, steps * BATCH


class TorchConvnet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        widths = (3, 32, 64, 128, 256, 256)
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3) for a, b in zip(widths, widths[1:]))
        self.dropout = nn.Dropout(0.5)
        self.head = nn.Linear(256 * 7 * 7, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x / 255
        for i, conv in enumerate(self.convs):
            x = torch.relu(conv(x))
            if i < len(self.convs) - 1:
                x = F.max_pool2d(x, 2)
        return self.head(self.dropout(torch.flatten(x, 1))).squeeze(1)


def torch_fit(root: Path, steps: int, seed: int) -> tuple[float, float, int]:
    torch.manual_seed(seed)
    model = TorchConvnet()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    criterion = nn.BCEWithLogitsLoss()
    loader = torch_loader(root, CLASSES[:2])
    waited, images = 0.0, 0
    start = time.perf_counter()
    batches = iter(loader)
    for _ in range(steps):
        before = time.perf_counter()
        x, y = next(batches)
        waited += time.perf_counter() - before
        optimizer.zero_grad()
        loss = criterion(model(x), y.float())
        loss.backward()
        optimizer.step()
        images += len(x)
    seconds = time.perf_counter() - start
    del batches
    return seconds, waited, images


# --- main -------------------------------------------------------------------------------------------------------------
def timed(one_pass: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    images = one_pass()
    return time.perf_counter() - start, images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000, help="JPEGs to write (default 2,000)")
    parser.add_argument("--fit-steps", type=int, default=8, help="batches of 32 timed in each fit (default 8)")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: as is)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", default=None, help="write the JPEGs here and keep them, or reuse the ones there "
                                                     "(default: a temp folder, deleted)")
    parser.add_argument("--no-fit", action="store_true", help="the input pipeline only")
    args = parser.parse_args()
    if args.images < 3 * BATCH or args.fit_steps < 1:
        parser.error(f"--images must be >= {3 * BATCH} and --fit-steps >= 1")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(machine.header())
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="convlens-folder-"))
    try:
        start = time.perf_counter()
        if len(list(root.rglob("*.jpg"))) != args.images:  # --keep DIR from an earlier run is reused as it is
            make_folder(root, args.images, args.seed)
        sizes = [p.stat().st_size for p in root.rglob("*.jpg")]
        print(f"{len(sizes)} JPEGs around 500x375 in {len(CLASSES)} classes, {np.mean(sizes) / 1000:.0f} kB on "
              f"average, ready in {time.perf_counter() - start:.1f} s in {root}")
        print(f"\n(a) input pipeline alone: decode, resize to {SIZE[0]}x{SIZE[1]}, RandomFlip/RandomRotation/"
              f"RandomZoom, batch {BATCH}")
        pipelines: list[tuple[str, Callable[[], Callable[[], int] | str]]] = [
            ("convlens, no cache", lambda: convlens_pipeline(root, False, args.seed)),
            ("torch DataLoader(num_workers=2)", lambda: torch_pipeline(root)),
            ("convlens, cache().prefetch()", lambda: convlens_pipeline(root, True, args.seed)),
            ("keras 3 (tf.data)", lambda: keras_pipeline(root, args.seed)),
        ]
        rates: dict[str, float] = {}
        for name, build in pipelines:
            one_pass = build()
            if isinstance(one_pass, str):
                print(f"  {name:<34}{one_pass}")
                continue
            seconds, images = timed(one_pass)
            rates[name] = images / seconds
            print(f"  {name:<34}{rates[name]:8.0f} images/s  ({images} images in {seconds:.2f} s)", flush=True)
        peer = rates["torch DataLoader(num_workers=2)"]
        ratio = rates["convlens, no cache"] / peer
        print(f"  convlens (no cache) / torch DataLoader = {ratio:.2f}x (goal >= 3x: {'met' if ratio >= 3 else 'not met'})"
              f"; with cache {rates['convlens, cache().prefetch()'] / peer:.2f}x")
        if not args.no_fit:
            print(f"\n(b) fit of the notes' cats-vs-dogs convnet, {args.fit_steps} batches of {BATCH} (2 classes), "
                  f"after one untimed batch")
            fits = [("convlens fit, cache().prefetch()", lambda: convlens_fit(root, True, args.fit_steps, args.seed)),
                    ("convlens fit, no cache", lambda: convlens_fit(root, False, args.fit_steps, args.seed)),
                    ("torch loop + DataLoader(2 workers)", lambda: torch_fit(root, args.fit_steps, args.seed))]
            for name, run in fits:
                seconds, waited, images = run()
                print(f"  {name:<36}{images / seconds:7.1f} images/s  waiting on data {waited / seconds:6.1%} of the "
                      f"step ({waited:.2f} of {seconds:.2f} s)", flush=True)
        print(f"[{machine.load_line()}]")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
