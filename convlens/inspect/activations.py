"""``layer_outputs``: every layer's output for a batch, channels-last, from one forward pass.

Forward hooks record each layer as the model runs, so it works for Sequential, functional, nested and wrapped
``torch.nn.Module`` models alike; a wrapped channels-first module's feature maps are moved to channels-last, so
plots and the live page see one layout.

Example:
    >>> import torch, numpy as np
    >>> from convlens.models import Model
    >>> net = Model.wrap(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten()), input_shape=(5, 5, 1),
    ...                  channels_first=True)
    >>> layer_outputs(net, np.zeros((1, 5, 5, 1), "float32"))["0"].shape   # (N, H, W, C), not (N, C, H, W)
    (1, 3, 3, 2)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


def _leaf_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` for every layer to record: convlens layers by their Keras name, inner layers of nested
    models included; a wrapped torch module's children by their torch name (or the module itself)."""
    if hasattr(model, "module") and getattr(model, "channels_first", None) is not None:  # Model.wrap(...)
        children = list(model.module.named_children())
        return children or [(type(model.module).__name__.lower(), model.module)]
    found: list[tuple[str, nn.Module]] = []
    for layer in getattr(model, "layers", []):
        if hasattr(layer, "layers") and isinstance(layer, nn.Module) and layer is not model:
            found.extend((f"{layer.name}/{name}", inner) for name, inner in _leaf_layers(layer))
        found.append((getattr(layer, "name", type(layer).__name__.lower()), layer))
    return found


def layer_outputs(model: nn.Module, x: Any, training: bool = False) -> dict[str, np.ndarray]:
    """Run ``model`` once on the batch ``x`` (channels-last) and return ``{layer name: output array}``.

    Nested models appear as ``"base/conv2d_1"`` and, as a whole, under their own name.
    """
    channels_first = bool(getattr(model, "channels_first", False))
    recorded: dict[str, np.ndarray] = {}
    handles = []
    for name, layer in _leaf_layers(model):
        def hook(_module: nn.Module, _inputs: Any, output: Any, name: str = name) -> None:
            tensor = output[0] if isinstance(output, (tuple, list)) else output
            tensor = tensor.detach().float()
            if channels_first and tensor.dim() > 2:
                tensor = tensor.movedim(1, -1)
            recorded[name] = tensor.cpu().numpy()
        handles.append(layer.register_forward_hook(hook))
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    batch = torch.as_tensor(np.asarray(x, dtype=np.float32)).to(device)
    was_training = model.training
    model.train(training)
    try:
        with torch.no_grad():
            model(batch)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return recorded
