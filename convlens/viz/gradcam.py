"""Grad-CAM: where in the input a conv layer's features pushed the class score up."""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from convlens.viz._figure import finish, new_figure
from convlens.viz._images import displayable, label_text
from convlens.viz._model import (
    LayerRef,
    as_input_batch,
    conv_layers,
    get_layer,
    layer_name,
    model_device,
    run_with_hook,
)


def grad_cam(
    model: Any, image: np.ndarray, layer: LayerRef | None = None, class_index: int | None = None
) -> tuple[np.ndarray, int]:
    """Return `(heatmap (H, W) in [0, 1] at the input's size, class index used)`.

    The heatmap is ReLU(sum_k w_k A_k) where A is the layer's channels-last output and w_k the
    mean over positions of d(score)/dA_k. `layer` defaults to the last Conv2D; `class_index` to
    the predicted class. The score is the model's output for that class (a probability when
    the model ends in softmax).

    Example:
        >>> heat, cls = grad_cam(model, x_test[0])  # doctest: +SKIP
        >>> heat.shape == x_test[0].shape[:2]  # doctest: +SKIP
        True
    """
    target = conv_layers(model)[-1] if layer is None else get_layer(model, layer)
    x = as_input_batch(image, model_device(model))[:1]
    with torch.enable_grad():
        output, activation = run_with_hook(model, x, target)
        if activation.ndim != 4:
            raise ValueError(
                f"Grad-CAM needs a layer with a (N, H, W, C) output; {layer_name(target)!r} gives {tuple(activation.shape)}"
            )
        scores = output.reshape(output.shape[0], -1)
        cls = int(scores[0].argmax()) if class_index is None else int(class_index)
        if not 0 <= cls < scores.shape[1]:
            raise ValueError(f"class_index must be between 0 and {scores.shape[1] - 1}, got {class_index}")
        (grads,) = torch.autograd.grad(scores[0, cls], activation)
    weights = grads.mean(dim=(1, 2), keepdim=True)  # (1, 1, 1, C): one weight per channel
    cam = torch.relu((weights * activation).sum(dim=-1)).detach()  # (1, h, w)
    cam = F.interpolate(cam[:, None], size=tuple(x.shape[1:3]), mode="bilinear", align_corners=False)[0, 0]
    peak = float(cam.max())
    cam = cam / peak if peak > 0 else cam
    return cam.cpu().numpy(), cls


def plot_grad_cam(
    model: Any,
    image: np.ndarray,
    layer: LayerRef | None = None,
    class_index: int | None = None,
    class_names: Sequence[str] | None = None,
    display_image: np.ndarray | None = None,
    alpha: float = 0.45,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Three panels: 'Input', 'Grad-CAM: <layer>' and 'Overlay: class <name>'.

    `image` is the model input; pass `display_image` (e.g. the uint8 original) to show something else.

    Example:
        >>> fig = plot_grad_cam(model, x_test[0])  # doctest: +SKIP
        >>> [ax.get_title() for ax in fig.axes][:2]  # doctest: +SKIP
        ['Input', 'Grad-CAM: conv2d_2']
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    target = conv_layers(model)[-1] if layer is None else get_layer(model, layer)
    heat, cls = grad_cam(model, image, target, class_index)
    shown, cmap = displayable(np.asarray(image if display_image is None else display_image))
    fig = new_figure((10.5, 3.8))
    ax = fig.add_subplot(1, 3, 1, xticks=[], yticks=[])
    ax.imshow(shown, cmap=cmap)
    ax.set_title("Input")
    ax = fig.add_subplot(1, 3, 2, xticks=[], yticks=[])
    ax.imshow(heat, cmap="jet", vmin=0.0, vmax=1.0)
    ax.set_title(f"Grad-CAM: {layer_name(target)}")
    ax = fig.add_subplot(1, 3, 3, xticks=[], yticks=[])
    ax.imshow(shown, cmap=cmap)
    ax.imshow(heat, cmap="jet", alpha=alpha, vmin=0.0, vmax=1.0)
    ax.set_title(f"Overlay: class {label_text(cls, class_names)}")
    return finish(fig, save)
