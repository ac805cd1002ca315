"""Grad-CAM: where in the input a conv layer's feature maps pushed the class score up."""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from convlens.viz._figure import finish, new_figure
from convlens.viz._images import as_class_ids, displayable, label_text
from convlens.viz._model import (
    LayerRef,
    as_input_batch,
    channels_first,
    conv_layers,
    get_layer,
    layer_name,
    model_device,
    probabilities,
    scores_and_activation,
)
from convlens.viz.predictions import RIGHT_COLOR, WRONG_COLOR


def grad_cam(
    model: Any, image: np.ndarray, layer: LayerRef | None = None, class_index: int | None = None
) -> tuple[np.ndarray, int]:
    """Return `(heatmap (H, W) in [0, 1] at the input's size, class index used)`.

    The heatmap is ReLU(sum_k w_k A_k) where A is the layer's feature maps and w_k the mean over positions of
    d(score)/dA_k. The score is the class score before softmax (as in the Grad-CAM paper and the Keras example:
    `model(x, activate=False)`) when the model names its final activation, else the model's output.
    `layer` defaults to the last Conv2D; `class_index` to the predicted class.

    Example:
        >>> heat, cls = grad_cam(model, x_test[0])  # doctest: +SKIP
        >>> heat.shape == x_test[0].shape[:2]  # doctest: +SKIP
        True
    """
    target = conv_layers(model)[-1] if layer is None else get_layer(model, layer)
    heat, cls, _ = _grad_cam(model, image, target, class_index)
    return heat, cls


def score_used(model: Any) -> str:
    """Which score Grad-CAM differentiates for this model, in words."""
    activation = getattr(model, "output_activation", None)
    return f"class score before {activation}" if activation else "model output (it has no final activation)"


def _grad_cam(model: Any, image: np.ndarray, target: torch.nn.Module, class_index: int | None
              ) -> tuple[np.ndarray, int, str]:
    x = as_input_batch(image, model_device(model))[:1]
    with torch.enable_grad():
        scores, activation, which = scores_and_activation(model, x, target)
        if activation.ndim != 4:
            raise ValueError(f"Grad-CAM needs a layer with a (N, H, W, C) output; "
                             f"{layer_name(target, model)!r} gives {tuple(activation.shape)}")
        cls = int(scores[0].argmax()) if class_index is None else int(class_index)
        if not 0 <= cls < scores.shape[1]:
            raise ValueError(f"class_index must be between 0 and {scores.shape[1] - 1}, got {class_index}")
        (grads,) = torch.autograd.grad(scores[0, cls], activation)
    if channels_first(model):  # the layer computed in (N, C, H, W): look at it channels-last like every other map
        grads, activation = grads.movedim(1, -1), activation.movedim(1, -1)
    weights = grads.mean(dim=(1, 2), keepdim=True)  # (1, 1, 1, C): one weight per channel
    cam = torch.relu((weights * activation).sum(dim=-1)).detach()  # (1, h, w)
    cam = F.interpolate(cam[:, None], size=tuple(x.shape[1:3]), mode="bilinear", align_corners=False)[0, 0]
    peak = float(cam.max())
    cam = cam / peak if peak > 0 else cam
    return cam.cpu().numpy(), cls, which


def plot_grad_cam(
    model: Any,
    image: np.ndarray,
    layer: LayerRef | None = None,
    class_index: int | None = None,
    class_names: Sequence[str] | None = None,
    display_image: np.ndarray | None = None,
    alpha: float = 0.45,
    y_true: np.ndarray | Sequence[int] | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """One row per sample: the input, the Grad-CAM heatmap (with a colour bar) and the overlay.

    `image` is one model input (H, W[, C]) or a batch (N, H, W, C); pass `display_image` (e.g. the uint8
    originals) to show something else. Each row's title gives the class explained with its probability and,
    when `y_true` is given, whether the prediction is right (blue) or wrong (red).

    Example:
        >>> fig = plot_grad_cam(model, x_test[:3], y_true=y_test[:3])  # doctest: +SKIP
        >>> [ax.get_title() for ax in fig.axes][:2]  # doctest: +SKIP
        ['Input', 'Grad-CAM: conv2d_2']
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    target = conv_layers(model)[-1] if layer is None else get_layer(model, layer)
    given = np.asarray(image)
    one = given.ndim < 4  # one image (H, W[, C]) rather than a batch (N, H, W, C)
    batch = as_input_batch(given, torch.device("cpu")).numpy()
    shown_batch = batch if display_image is None else np.asarray(display_image)
    if display_image is not None and one:
        shown_batch = shown_batch[None]
    if len(shown_batch) != len(batch):
        raise ValueError(f"display_image must hold one image per input ({len(batch)}), got shape {shown_batch.shape}")
    truth = None if y_true is None else as_class_ids(np.atleast_1d(np.asarray(y_true)), "y_true")
    if truth is not None and len(truth) != len(batch):
        raise ValueError(f"y_true must have one label per image ({len(batch)}), got {len(truth)}")
    probs = probabilities(model, batch)
    n = len(batch)
    fig = new_figure((10.5, 3.3 * n + 0.5))
    heat_artist = None
    for i in range(n):
        heat, cls, _ = _grad_cam(model, batch[i], target, class_index)
        shown, cmap = displayable(shown_batch[i])
        predicted = int(probs[i].argmax())
        ax = fig.add_subplot(n, 3, 3 * i + 1, xticks=[], yticks=[])
        ax.imshow(shown, cmap=cmap)
        ax.set_title("Input")
        verdict, colour = "", "black"
        if truth is not None:
            right = predicted == int(truth[i])
            verdict = (f"right (true {label_text(int(truth[i]), class_names)})" if right
                       else f"wrong: true {label_text(int(truth[i]), class_names)}")
            colour = RIGHT_COLOR if right else WRONG_COLOR
        ax.set_ylabel(f"sample {i}" if n > 1 else "")
        ax = fig.add_subplot(n, 3, 3 * i + 2, xticks=[], yticks=[])
        heat_artist = ax.imshow(heat, cmap="jet", vmin=0.0, vmax=1.0)
        title = f"Grad-CAM: {layer_name(target, model)}"
        if not heat.any():  # every position's weighted sum is <= 0: the feature maps only lowered the score
            title += "\nno positive evidence here"
        ax.set_title(title)
        fig.colorbar(heat_artist, ax=ax, fraction=0.046, pad=0.04, label="relative importance")
        ax = fig.add_subplot(n, 3, 3 * i + 3, xticks=[], yticks=[])
        ax.imshow(shown, cmap=cmap)
        ax.imshow(heat, cmap="jet", alpha=alpha, vmin=0.0, vmax=1.0)
        what = "predicted" if cls == predicted else "explained"
        ax.set_title(f"{what} {label_text(cls, class_names)} p={probs[i, cls]:.2f}" + (f"\n{verdict}" if verdict else ""),
                     color=colour, fontsize=10)
    fig.suptitle(f"Grad-CAM on the {score_used(model)}: red = where the feature maps raised it", fontsize=10)
    return finish(fig, save)
