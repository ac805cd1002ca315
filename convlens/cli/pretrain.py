"""``convlens pretrain``: train a zoo model on a dataset and cache it as a named base with a model card.

Example:
    $ convlens pretrain lenet5 --dataset fashion_mnist --pad 2 --epochs 3
    $ python -c "from convlens import applications; applications.LeNet5(weights='fashion_mnist', include_top=False)"
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from convlens.cli._common import ARRAY_DATASETS, load_arrays, scale


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("pretrain", help="train a zoo model and cache it as a base for weights=NAME",
                                   description="Train a registered model and write it under $CONVLENS_HOME/bases "
                                               "with a model card (dataset, epochs, seed, test accuracy, sha256).")
    parser.add_argument("model", help="registered model name (see `python -c 'import convlens.zoo as z; "
                                      "print(z.list_models())'`)")
    parser.add_argument("--dataset", default="fashion_mnist",
                        help=f"one of {', '.join(ARRAY_DATASETS)} or a folder of class sub-folders")
    parser.add_argument("--name", default=None, help="base name (default: the dataset's name)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--pad", type=int, default=0, help="zero pixels added on each side (28×28 → 32×32: 2)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    parser.add_argument("--image-size", type=int, nargs=2, default=(64, 64), metavar=("H", "W"),
                        help="image size for folder datasets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    parser.set_defaults(func=run)


def prepare(x: np.ndarray, pad: int) -> np.ndarray:
    """uint8 images → float32 in [0, 1], zero-padded by ``pad`` pixels on each side."""
    if pad < 0:
        raise ValueError(f"--pad must be >= 0, got {pad}")
    x = scale(x)
    return np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0))) if pad else x


def folder_arrays(folder: str, image_size: tuple[int, int], seed: int):
    """A folder of class sub-folders as arrays: 80 % train, 20 % test (Keras's validation_split order)."""
    from convlens.preprocessing.image import ImageDataGenerator
    datagen = ImageDataGenerator(rescale=1 / 255, validation_split=0.2)
    common = dict(target_size=tuple(image_size), batch_size=256, seed=seed, class_mode="sparse", shuffle=False)
    parts = []
    for subset in ("training", "validation"):
        iterator = datagen.flow_from_directory(folder, subset=subset, **common)
        xs, ys = zip(*(iterator[i] for i in range(len(iterator))))
        parts.append((np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)))
    names = sorted(iterator.class_indices, key=iterator.class_indices.get)
    return parts[0], parts[1], names


def load(args: argparse.Namespace):
    from pathlib import Path
    if Path(args.dataset).is_dir():
        (x_train, y_train), (x_test, y_test), names = folder_arrays(args.dataset, args.image_size, args.seed)
        pad = args.pad
        x_train = np.pad(x_train, ((0, 0), (pad, pad), (pad, pad), (0, 0))) if pad else x_train
        x_test = np.pad(x_test, ((0, 0), (pad, pad), (pad, pad), (0, 0))) if pad else x_test
    else:
        (x_train, y_train), (x_test, y_test), names = load_arrays(args.dataset)
        x_train, x_test = prepare(x_train, args.pad), prepare(x_test, args.pad)
    if args.limit is not None:
        if args.limit < 1:
            raise ValueError(f"--limit must be >= 1, got {args.limit}")
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64)), names


def run(args: argparse.Namespace) -> int:
    from convlens.utils import set_random_seed
    from convlens.zoo.transfer import pretrain
    from convlens.zoo.weights import base_paths

    set_random_seed(args.seed)
    train, test, names = load(args)
    dataset = args.dataset.rstrip("/").split("/")[-1]
    card = pretrain(args.model, train, test, dataset=dataset, base_name=args.name, epochs=args.epochs,
                    batch_size=args.batch_size, seed=args.seed, optimizer=args.optimizer, verbose=args.verbose,
                    class_names=names)
    weights, card_path = base_paths(args.model, card["base"])
    print(json.dumps({k: v for k, v in card.items() if k != "class_names"}, indent=2))
    print(f"Base {card['base']!r} of {args.model}: {weights}\nModel card: {card_path}\n"
          f"Load it with applications / create_model({args.model!r}, weights={card['base']!r}, include_top=False)")
    return 0
