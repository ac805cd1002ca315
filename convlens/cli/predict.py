"""``convlens predict``: classify image files with a saved model.

Example:
    $ convlens predict digit.png --model runs/main
"""
from __future__ import annotations

import argparse

import numpy as np

from convlens.cli.evaluate import model_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("predict", help="classify image files with a saved model")
    parser.add_argument("images", nargs="+", help="image files (PNG, JPEG, …)")
    parser.add_argument("--model", required=True, help="run folder or saved model file")
    parser.add_argument("--top", type=int, default=3, help="how many classes to show per image")
    parser.add_argument("--invert", action="store_true",
                        help="invert grey levels (for dark digits on white paper; MNIST is white on black)")
    parser.add_argument("--mnist-style", action="store_true",
                        help="preprocess as MNIST was made (auto-invert, crop, 20 px box, centre of mass centred)")
    parser.set_defaults(func=run)


def load_for_model(path: str, input_shape: tuple, invert: bool = False) -> np.ndarray:
    """Read an image, convert it to the model's channels and size, scale to [0, 1]."""
    from PIL import Image, UnidentifiedImageError
    height, width, channels = input_shape[1], input_shape[2], input_shape[3] if len(input_shape) == 4 else 1
    try:
        with Image.open(path) as img:
            img = img.convert("L" if channels == 1 else "RGB").resize((width, height), Image.BILINEAR)
            array = np.asarray(img, dtype=np.float32) / 255.0
    except (OSError, UnidentifiedImageError) as err:
        raise ValueError(f"cannot read image {path!r}: {err}") from None
    if invert:
        array = 1.0 - array
    return array.reshape(input_shape[1:])


def load_mnist_style(path: str, input_shape: tuple) -> np.ndarray:
    """Read an image of a digit and preprocess it as MNIST was made (``convlens.data.mnist_style``)."""
    from convlens.data import load_image
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
    batch = np.stack([load_mnist_style(p, model.input_shape) if args.mnist_style else
                      load_for_model(p, model.input_shape, args.invert) for p in args.images])
    probabilities = model.predict(batch)
    names = model.class_names or [str(i) for i in range(probabilities.shape[1])]
    for path, probs in zip(args.images, probabilities):
        best = np.argsort(probs)[::-1][:args.top]
        ranked = ", ".join(f"{names[i]} {probs[i]:.1%}" for i in best)
        print(f"{path}: {names[best[0]]}  ({ranked})")
    return 0
