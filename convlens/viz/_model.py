"""Find layers in a model and run it with a forward hook (the model contract of docs/ARCHITECTURE.md)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

LayerRef = Any  # an index into model.layers, a layer name, or the layer itself


def model_layers(model: Any) -> list[torch.nn.Module]:
    """`model.layers` as a list, with a clear error when the object has none."""
    layers = getattr(model, "layers", None)
    if layers is None:
        raise ValueError(f"expected a model with a `.layers` list, got {type(model).__name__}")
    return list(layers)


def layer_name(layer: torch.nn.Module) -> str:
    """The layer's Keras-style `.name`, else its class name."""
    return str(getattr(layer, "name", type(layer).__name__))


def get_layer(model: Any, layer: LayerRef) -> torch.nn.Module:
    """Return `model.layers[layer]` for an int, the layer named `layer` for a str, or `layer` itself.

    Example:
        >>> get_layer(model, "conv2d_1") is get_layer(model, 0)  # doctest: +SKIP
        True
    """
    layers = model_layers(model)
    if isinstance(layer, (int, np.integer)):
        if not -len(layers) <= layer < len(layers):
            raise ValueError(f"layer index {layer} is out of range for a model with {len(layers)} layers")
        return layers[int(layer)]
    if isinstance(layer, str):
        for candidate in layers:
            if layer_name(candidate) == layer:
                return candidate
        raise ValueError(f"no layer named {layer!r}; the model has {[layer_name(l) for l in layers]}")
    if isinstance(layer, torch.nn.Module) and any(layer is l for l in layers):
        return layer
    raise ValueError(f"layer must be an index, a layer name or one of model.layers, got {layer!r}")


def is_conv2d(layer: torch.nn.Module) -> bool:
    """True for a Keras-style Conv2D layer (or a bare torch Conv2d)."""
    return type(layer).__name__ == "Conv2D" or isinstance(layer, torch.nn.Conv2d)


def conv_layers(model: Any) -> list[torch.nn.Module]:
    """The model's Conv2D layers in order; ValueError when there are none."""
    convs = [layer for layer in model_layers(model) if is_conv2d(layer)]
    if not convs:
        raise ValueError(f"the model has no Conv2D layer (layers: {[layer_name(l) for l in model_layers(model)]})")
    return convs


def model_device(model: Any) -> torch.device:
    """The device of the model's first parameter (CPU for a model without parameters)."""
    params = model.parameters() if isinstance(model, torch.nn.Module) else iter(())
    first = next(iter(params), None)
    return first.device if first is not None else torch.device("cpu")


def as_input_batch(image: np.ndarray, device: torch.device) -> torch.Tensor:
    """One image (H, W), (H, W, C) or a batch (N, H, W, C) as a float32 channels-last tensor batch."""
    arr = np.asarray(image, dtype=np.float32)
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4:
        raise ValueError(f"expected an image (H, W[, C]) or a batch (N, H, W, C), got shape {np.shape(image)}")
    return torch.from_numpy(np.ascontiguousarray(arr)).to(device)


def run_with_hook(model: Any, x: torch.Tensor, layer: torch.nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """Run `model(x)` and return `(model output, the layer's output)`, captured by a forward hook."""
    captured: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda _module, _inputs, output: captured.append(output))
    # Inference behaviour (no dropout, BatchNorm running stats) while we look; restore the mode after.
    was_training = bool(getattr(model, "training", False))
    if isinstance(model, torch.nn.Module):
        model.eval()
    try:
        output = model(x)
    finally:
        handle.remove()
        if isinstance(model, torch.nn.Module):
            model.train(was_training)
    if not captured:
        raise ValueError(f"layer {layer_name(layer)!r} was not called when running the model")
    return output, captured[-1]
