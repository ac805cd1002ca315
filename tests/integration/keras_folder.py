"""A generated image folder for the Keras-program tests: the class is the dominant colour, plus noise."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def write_image_folder(root: Path, classes=("cats", "dogs"), per_class: int = 24, size: int = 20) -> Path:
    rng = np.random.default_rng(0)
    for index, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 90, (size, size + 4, 3), dtype=np.uint8)
            pixels[:, :, index % 3] += 150
            Image.fromarray(pixels).save(root / name / (f"{i}.jpg" if i % 2 else f"{i}.png"))
    return root
