"""CIFAR-100 small colour images (100 fine / 20 coarse classes), as `keras.datasets.cifar100`."""
from __future__ import annotations

import os

import numpy as np

from convlens.datasets._cifar_format import parse_batch, read_members, to_keras
from convlens.datasets._download import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
# SHA-256 as listed in keras/datasets/cifar100.py; the CIFAR page publishes md5 eb9058c3a382ffc7106e4002c42a8d85.
SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
FOLDER = "cifar-100-python"

class_names = (
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle", "bowl", "boy",
    "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock",
    "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish",
    "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion",
    "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange",
    "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine",
    "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk",
    "skyscraper", "snail", "snake", "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank",
    "telephone", "television", "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale",
    "willow_tree", "wolf", "woman", "worm",
)
coarse_class_names = (
    "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables", "household_electrical_devices",
    "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things",
    "large_natural_outdoor_scenes", "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates",
    "people", "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2",
)
_NUM_CLASSES = {"fine": 100, "coarse": 20}


def load_data(label_mode: str = "fine", path: str | os.PathLike | None = None) -> tuple[
        tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return `(x_train, y_train), (x_test, y_test)`: uint8 images (N, 32, 32, 3), uint8 labels (N, 1).

    `label_mode` is "fine" (100 classes) or "coarse" (20 superclasses). `path` may be an offline copy:
    `cifar-100-python.tar.gz` or the extracted `cifar-100-python` directory.

    Example:
        >>> (x_train, y_train), _ = load_data(label_mode="coarse")  # doctest: +SKIP
        >>> int(y_train.max())  # doctest: +SKIP
        19
    """
    if label_mode not in _NUM_CLASSES:
        raise ValueError(f'label_mode must be "fine" or "coarse"; got label_mode={label_mode!r}.')
    source = path if path is not None else get_file("cifar-100-python.tar.gz", ORIGIN, file_hash=SHA256)
    raw = read_members(source, FOLDER, ["train", "test"])
    key, n = f"{label_mode}_labels", _NUM_CLASSES[label_mode]
    x_train, y_train = parse_batch(raw["train"], f"{source}:train", key, n)
    x_test, y_test = parse_batch(raw["test"], f"{source}:test", key, n)
    return to_keras([x_train], [y_train]), to_keras([x_test], [y_test])
