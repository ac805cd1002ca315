"""Find layers in a model, read a layer's output in channels-last layout, and score classes (the model contract of
docs/ARCHITECTURE.md). Sequential, functional and wrapped torch models (``Model.wrap(net, channels_first=True)``)
all look the same from here: feature maps are (N, H, W, C)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from convlens.inspect import layer_outputs

LayerRef = Any  # an index into model.layers, a layer name, or the layer itself


def model_layers(model: Any) -> list[torch.nn.Module]:
    """`model.layers` as a list, with a clear error when the object has none."""
    layers = getattr(model, "layers", None)
    if layers is None:
        raise ValueError(f"expected a model with a `.layers` list, got {type(model).__name__}")
    return list(layers)


def is_wrapped(model: Any) -> bool:
    """True for ``Model.wrap(module, ...)``: a plain torch module behind the Keras methods."""
    return hasattr(model, "module") and getattr(model, "channels_first", None) is not None


def channels_first(model: Any) -> bool:
    """Whether the model's layers compute in (N, C, H, W) (a wrapped torch module fed NCHW)."""
    return bool(getattr(model, "channels_first", False))


def _wrapped_names(model: Any) -> dict[int, str]:
    children = list(model.module.named_children())
    pairs = children or [(type(model.module).__name__.lower(), model.module)]
    return {id(module): name for name, module in pairs}


def layer_name(layer: torch.nn.Module, model: Any = None) -> str:
    """The layer's Keras-style `.name`; inside a wrapped torch module its torch child name ('0', 'conv1')."""
    if model is not None and is_wrapped(model):
        name = _wrapped_names(model).get(id(layer))
        if name is not None:
            return name
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
            if layer_name(candidate, model) == layer:
                return candidate
        raise ValueError(f"no layer named {layer!r}; the model has {[layer_name(l, model) for l in layers]}")
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
        raise ValueError(f"the model has no Conv2D layer (layers: {[layer_name(l, model) for l in model_layers(model)]})")
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


def layer_output(model: Any, x: np.ndarray, layer: LayerRef) -> np.ndarray:
    """The layer's output for the batch `x`, channels-last, from `convlens.inspect.layer_outputs`."""
    target = get_layer(model, layer)
    name = layer_name(target, model)
    outputs = layer_outputs(model, as_input_batch(x, torch.device("cpu")).numpy())
    if name not in outputs:
        raise ValueError(f"layer {name!r} was not called when running the model (recorded: {sorted(outputs)})")
    return outputs[name]


def scores_and_activation(model: Any, x: torch.Tensor, layer: torch.nn.Module
                          ) -> tuple[torch.Tensor, torch.Tensor, str]:
    """Run the model with gradients and return `(class scores (N, K), the layer's output, which score)`.

    The score is the class score before softmax (`model(x, activate=False)`) when the model names its final
    activation; otherwise the model's own output. The layer's output stays in the layout the layer computes in.
    """
    captured: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda _m, _i, output: captured.append(output))
    was_training = bool(getattr(model, "training", False))
    model.eval()  # inference behaviour (no dropout, BatchNorm running statistics) while we look
    activation_name = getattr(model, "output_activation", None)
    try:
        if activation_name:
            output = model(x, activate=False)
            which = f"score before {activation_name}"
        else:
            output = model(x)
            which = "model output (no final activation to skip)"
    finally:
        handle.remove()
        model.train(was_training)
    if not captured:
        raise ValueError(f"layer {layer_name(layer, model)!r} was not called when running the model")
    return output.reshape(output.shape[0], -1), captured[-1], which


def outputs_are_scores(model: Any) -> bool:
    """Whether ``model.predict`` gives raw class scores (logits) rather than probabilities. The model says so — its
    final activation, ``Model.wrap(from_logits=True)``, a compiled ``from_logits=True`` loss — never the numbers."""
    activation = getattr(model, "output_activation", None)
    if activation in ("softmax", "sigmoid"):
        return False
    if isinstance(getattr(model, "outputs", None), list):  # a graph whose last layer has no squashing activation
        return True
    loss = getattr(getattr(model, "compiled", None), "loss", None)
    return bool(getattr(loss, "from_logits", False))


def probabilities(model: Any, x: np.ndarray) -> np.ndarray:
    """Class probabilities (N, K) from ``model.predict``; a single unit becomes two columns ``[1 - p, p]``, and a
    model that outputs scores (see ``outputs_are_scores``) gets its softmax (or sigmoid) here."""
    out = np.asarray(model.predict(np.asarray(x, dtype=np.float32)), dtype=np.float64)
    out = out.reshape(len(out), -1)
    scores = outputs_are_scores(model)
    if out.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-out)) if scores else out
        return np.concatenate([1.0 - p, p], axis=1)
    if scores:
        shifted = np.exp(out - out.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    return out
