"""Original samples above their augmented versions."""
from __future__ import annotations

import os

import numpy as np
from matplotlib.figure import Figure

from convlens.viz._figure import finish, new_figure
from convlens.viz._images import as_image_batch, displayable


def plot_augmented(
    original: np.ndarray,
    augmented: np.ndarray,
    n: int | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Two rows: the first `n` original images ('Original') over the augmented ones ('Augmented').

    `augmented[i]` should come from `original[i]`, e.g. one batch of `datagen.flow(x, shuffle=False)`.

    Example:
        >>> fig = plot_augmented(np.zeros((4, 8, 8, 3)), np.ones((4, 8, 8, 3)))
        >>> len(fig.axes), fig.axes[0].get_ylabel(), fig.axes[4].get_ylabel()
        (8, 'Original', 'Augmented')
    """
    orig = as_image_batch(original, "original")
    aug = as_image_batch(augmented, "augmented")
    count = min(len(orig), len(aug), 12) if n is None else n
    if not 1 <= count <= min(len(orig), len(aug)):
        raise ValueError(f"n must be between 1 and {min(len(orig), len(aug))} (the shorter batch), got {n}")
    fig = new_figure((1.6 * count, 3.6))
    for row, (batch, name) in enumerate(((orig, "Original"), (aug, "Augmented"))):
        for i in range(count):
            ax = fig.add_subplot(2, count, row * count + i + 1, xticks=[], yticks=[])
            arr, cmap = displayable(batch[i])
            ax.imshow(arr, cmap=cmap)
            if i == 0:
                ax.set_ylabel(name)
    return finish(fig, save)
