"""GoogLeNet / Inception v1 (Szegedy et al. 2014) with the filter counts of the paper's Table 1: inception
modules of parallel 1×1, 1×1→3×3, 1×1→5×5 and 3×3-max-pool→1×1 branches, concatenated.

As in the paper: ReLU convolutions with bias, 5×5 in the third branch, average pooling, dropout 0.4, one linear
layer. Left out: local response normalisation and the two auxiliary classifiers (training aids only).

Example:
    >>> model = GoogLeNet(input_shape=(64, 64, 3), classes=10)
    >>> inception_module_params(model)["inception_3a"]
    163696
"""
from __future__ import annotations

from typing import Any

from convlens.layers import Concatenate, Conv2D, MaxPooling2D
from convlens.zoo._graph import Input, Model, block_params, build_checked, check_top_arguments, finish
from convlens.zoo._stack import scaled
from convlens.zoo.registry import register_model
from convlens.zoo.weights import load_pretrained

# Table 1: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj
TABLE_1 = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64), "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64), "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}


def inception_module(x: Any, filters: tuple[int, ...], name: str) -> Any:
    f1, r3, f3, r5, f5, proj = filters

    def conv(t: Any, n: int, k: int, part: str) -> Any:
        return Conv2D(n, k, padding="same", activation="relu", name=f"{name}_{part}")(t)
    b1 = conv(x, f1, 1, "1x1")
    b3 = conv(conv(x, r3, 1, "3x3_reduce"), f3, 3, "3x3")
    b5 = conv(conv(x, r5, 1, "5x5_reduce"), f5, 5, "5x5")
    bp = conv(MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x), proj, 1, "pool_proj")
    return Concatenate(name=f"{name}_output")([b1, b3, b5, bp])


def inception_module_params(model: Model) -> dict[str, int]:
    """Parameters of each inception module, e.g. ``{'inception_3a': 163696, …}``."""
    return {f"inception_{key}": block_params(model, f"inception_{key}_") for key in TABLE_1
            if any(layer.name.startswith(f"inception_{key}_") for layer in model.layers)}


@register_model(family="inception", published_params=None, reference={"input_shape": (224, 224, 3)},
                smoke={"input_shape": (32, 32, 3), "classes": 3, "width": 0.125}, source="Szegedy et al. 2014, Table 1")
def GoogLeNet(include_top: bool = True, weights: Any = None, input_shape: Any = (224, 224, 3),
              pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
              dropout: float = 0.4, name: str = "googlenet", width: float = 1.0) -> Model:
    """GoogLeNet (Inception v1). At 224×224 the last map is 7×7 and the 7×7 average pool of the paper is global
    average pooling; smaller inputs keep working down to 32×32 (maps of 1×1 at the end)."""
    check_top_arguments("GoogLeNet", include_top, pooling, classes)

    def make(shape: tuple) -> Model:
        inputs = Input(shape=shape)
        x = Conv2D(scaled(64, width), 7, strides=2, padding="same", activation="relu", name="conv1_7x7_s2")(inputs)
        x = MaxPooling2D(3, strides=2, padding="same", name="pool1_3x3_s2")(x)
        x = Conv2D(scaled(64, width), 1, activation="relu", name="conv2_3x3_reduce")(x)
        x = Conv2D(scaled(192, width), 3, padding="same", activation="relu", name="conv2_3x3")(x)
        x = MaxPooling2D(3, strides=2, padding="same", name="pool2_3x3_s2")(x)
        for key in ("3a", "3b"):
            x = inception_module(x, tuple(scaled(f, width) for f in TABLE_1[key]), f"inception_{key}")
        x = MaxPooling2D(3, strides=2, padding="same", name="pool3_3x3_s2")(x)
        for key in ("4a", "4b", "4c", "4d", "4e"):
            x = inception_module(x, tuple(scaled(f, width) for f in TABLE_1[key]), f"inception_{key}")
        x = MaxPooling2D(3, strides=2, padding="same", name="pool4_3x3_s2")(x)
        for key in ("5a", "5b"):
            x = inception_module(x, tuple(scaled(f, width) for f in TABLE_1[key]), f"inception_{key}")
        return finish(inputs, x, include_top, pooling, classes, classifier_activation, name, top_dropout=dropout)

    model = build_checked("GoogLeNet", make, input_shape)
    return load_pretrained(model, weights, "googlenet")
