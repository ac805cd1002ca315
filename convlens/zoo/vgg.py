"""VGG16 and VGG19 (Simonyan & Zisserman 2014): 3×3 convolutions between 2×2 max pools, three dense layers.

Layer names follow ``keras.applications`` (``block1_conv1`` … ``fc1``, ``fc2``, ``predictions``), so Keras weight
files map onto them one to one.

Example:
    >>> VGG16(include_top=False, input_shape=(32, 32, 3), pooling="avg").layers[-1].output_shape
    (None, 512)
"""
from __future__ import annotations

from typing import Any

from convlens.layers import Conv2D, Dense, Flatten, Layer, MaxPooling2D
from convlens.models import Sequential
from convlens.zoo._stack import check_top_arguments, scaled, stack_model
from convlens.zoo.registry import register_model
from convlens.zoo.weights import load_pretrained

_FILTERS = (64, 128, 256, 512, 512)
_SMOKE = {"input_shape": (32, 32, 3), "classes": 3, "width": 0.125}


def _vgg_features(convs_per_block: tuple[int, ...], width: float) -> list[Layer]:
    layers: list[Layer] = []
    for block, (filters, convs) in enumerate(zip(_FILTERS, convs_per_block), start=1):
        layers += [Conv2D(scaled(filters, width), 3, padding="same", activation="relu", name=f"block{block}_conv{i}")
                   for i in range(1, convs + 1)]
        layers.append(MaxPooling2D(2, strides=2, name=f"block{block}_pool"))
    return layers


def _vgg(model_name: str, convs: tuple[int, ...], include_top: bool, weights: Any, input_shape: tuple,
         pooling: str | None, classes: int, classifier_activation: Any, name: str, width: float) -> Sequential:
    check_top_arguments(model_name, include_top, pooling, classes)
    top = [Flatten(name="flatten"), Dense(scaled(4096, width), activation="relu", name="fc1"),
           Dense(scaled(4096, width), activation="relu", name="fc2"),
           Dense(classes, activation=classifier_activation, name="predictions")]
    model = stack_model(model_name, name, input_shape, _vgg_features(convs, width), top, include_top, pooling,
                        hint="Its five 2×2 pools halve the image five times; resize or pad the images.")
    return load_pretrained(model, weights, model_name.lower())


@register_model(family="vgg", reference={"input_shape": (224, 224, 3), "classes": 1000}, smoke=_SMOKE,
                published_params=138_357_544, source="keras.applications.VGG16")
def VGG16(include_top: bool = True, weights: Any = None, input_shape: tuple = (224, 224, 3),
          pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
          name: str = "vgg16", width: float = 1.0) -> Sequential:
    """VGG16: 2-2-3-3-3 convolutions per block; 138,357,544 parameters at 224×224×3. ``width`` scales every
    layer (1.0: the published network)."""
    return _vgg("VGG16", (2, 2, 3, 3, 3), include_top, weights, input_shape, pooling, classes,
                classifier_activation, name, width)


@register_model(family="vgg", reference={"input_shape": (224, 224, 3), "classes": 1000}, smoke=_SMOKE,
                published_params=143_667_240, source="keras.applications.VGG19")
def VGG19(include_top: bool = True, weights: Any = None, input_shape: tuple = (224, 224, 3),
          pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
          name: str = "vgg19", width: float = 1.0) -> Sequential:
    """VGG19: 2-2-4-4-4 convolutions per block; 143,667,240 parameters at 224×224×3."""
    return _vgg("VGG19", (2, 2, 4, 4, 4), include_top, weights, input_shape, pooling, classes,
                classifier_activation, name, width)
