"""``convlens predict``: classify image files with a saved model.

Images are read by :func:`convlens.data.load_image` (EXIF orientation, transparency on white, 16-bit scaled, the
decompression-bomb guard) and resized as the run's training data was (its ``dataset.json``).

Example:
    $ convlens predict digit.png --model runs/main
"""
from __future__ import annotations

import argparse

import numpy as np

from convlens.cli import _folder
from convlens.cli._common import model_path, positive_int, read_dataset_record
from convlens.data import load_image


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("predict", help="classify image files with a saved model")
    parser.add_argument("images", nargs="+", help="image files (PNG, JPEG, …)")
    parser.add_argument("--model", required=True, help="run folder or saved model file")
    parser.add_argument("--top", type=positive_int, default=3, help="how many classes to show per image")
    parser.add_argument("--invert", action="store_true",
                        help="invert grey levels (for dark digits on white paper; MNIST is white on black)")
    parser.add_argument("--mnist-style", action="store_true",
                        help="preprocess as MNIST was made (auto-invert, crop, 20 px box, centre of mass centred)")
    parser.set_defaults(func=run)


def load_for_model(path: str, input_shape: tuple, invert: bool = False,
                   interpolation: str = _folder.INTERPOLATION) -> np.ndarray:
    """Read an image, convert it to the model's channels and size, scale to [0, 1].

    Example:
        >>> import os, tempfile
        >>> from PIL import Image
        >>> path = os.path.join(tempfile.mkdtemp(), "a.png"); Image.new("RGBA", (56, 56)).save(path)
        >>> x = load_for_model(path, (None, 28, 28, 1))
        >>> x.shape, float(x.min())   # a transparent image is white paper
        ((28, 28, 1), 1.0)
    """
    height, width = int(input_shape[1]), int(input_shape[2])
    channels = int(input_shape[3]) if len(input_shape) == 4 else 1
    if channels not in (1, 3, 4):
        raise ValueError(f"the model takes {channels}-channel images; predict reads grey (1), RGB (3) or RGBA (4)")
    color_mode = {1: "grayscale", 3: "rgb", 4: "rgba"}[channels]
    array = load_image(path, color_mode, (height, width), interpolation).astype(np.float32) / 255.0
    if invert:
        array = 1.0 - array
    return array.reshape(tuple(input_shape[1:]))


def load_mnist_style(path: str, input_shape: tuple) -> np.ndarray:
    """Read an image of a digit and preprocess it as MNIST was made (``convlens.data.mnist_style``)."""
    from convlens.data.mnist_style import mnist_style
    if tuple(input_shape[1:]) != (28, 28, 1):
        raise ValueError(f"--mnist-style needs a model taking 28×28×1 digits; this one takes {input_shape[1:]}")
    try:
        return mnist_style(load_image(path, "grayscale")).image[..., None]
    except OSError as err:
        raise ValueError(f"cannot read image {path!r}: {err}") from None


def run(args: argparse.Namespace) -> int:
    from convlens.models import load_model
    model = load_model(model_path(args.model), compile=False)
    if args.mnist_style and args.invert:
        raise ValueError("--mnist-style inverts by itself when the background is light; drop --invert")
    record = read_dataset_record(args.model) or {}
    interpolation = record.get("interpolation", _folder.INTERPOLATION)
    batch = np.stack([load_mnist_style(p, model.input_shape) if args.mnist_style else
                      load_for_model(p, model.input_shape, args.invert, interpolation) for p in args.images])
    probabilities = model.predict(batch)
    names = model.class_names or [str(i) for i in range(probabilities.shape[1])]
    for path, probs in zip(args.images, probabilities):
        best = np.argsort(probs)[::-1][:args.top]
        ranked = ", ".join(f"{names[i]} {probs[i]:.1%}" for i in best)
        print(f"{path}: {names[best[0]]}  ({ranked})")
    return 0
