"""Xception (Chollet 2017) as ``keras.applications.Xception``: depthwise-separable convolutions with residual
connections in 14 blocks; 22,910,480 weights at 299×299×3.

Example:
    >>> Xception(input_shape=(32, 32, 3), include_top=False, pooling="avg").layers[-1].output_shape
    (None, 2048)
"""
from __future__ import annotations

from typing import Any

from convlens.layers import Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, SeparableConv2D
from convlens.zoo._graph import Input, Model, build_checked, check_top_arguments, finish
from convlens.zoo._stack import scaled
from convlens.zoo.registry import register_model
from convlens.zoo.weights import load_pretrained


def _sep(x: Any, filters: int, name: str) -> Any:
    x = SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    return BatchNormalization(name=f"{name}_bn")(x)


def _residual(x: Any, filters: int) -> Any:
    return BatchNormalization()(Conv2D(filters, 1, strides=2, padding="same", use_bias=False)(x))


def _downsampling_block(x: Any, filters: tuple[int, int], block: int, relu_first: bool) -> Any:
    residual = _residual(x, filters[1])
    if relu_first:
        x = Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _sep(x, filters[0], f"block{block}_sepconv1")
    x = Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _sep(x, filters[1], f"block{block}_sepconv2")
    x = MaxPooling2D(3, strides=2, padding="same", name=f"block{block}_pool")(x)
    return Add()([x, residual])


@register_model(family="xception", published_params=22_910_480, reference={"input_shape": (299, 299, 3)},
                smoke={"input_shape": (32, 32, 3), "classes": 3, "width": 0.0625},
                source="keras.applications.Xception")
def Xception(include_top: bool = True, weights: Any = None, input_shape: Any = (299, 299, 3),
             pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
             name: str = "xception", width: float = 1.0) -> Model:
    """Xception: entry flow (blocks 1–4), middle flow (8 × block 5–12), exit flow (13–14)."""
    check_top_arguments("Xception", include_top, pooling, classes)

    def w(filters: int) -> int:
        return scaled(filters, width)

    def make(shape: tuple) -> Model:
        inputs = Input(shape=shape)
        x = Conv2D(w(32), 3, strides=2, use_bias=False, name="block1_conv1")(inputs)
        x = Activation("relu", name="block1_conv1_act")(BatchNormalization(name="block1_conv1_bn")(x))
        x = Conv2D(w(64), 3, use_bias=False, name="block1_conv2")(x)
        x = Activation("relu", name="block1_conv2_act")(BatchNormalization(name="block1_conv2_bn")(x))
        x = _downsampling_block(x, (w(128), w(128)), 2, relu_first=False)
        x = _downsampling_block(x, (w(256), w(256)), 3, relu_first=True)
        x = _downsampling_block(x, (w(728), w(728)), 4, relu_first=True)
        for block in range(5, 13):
            residual = x
            for i in (1, 2, 3):
                x = Activation("relu", name=f"block{block}_sepconv{i}_act")(x)
                x = _sep(x, w(728), f"block{block}_sepconv{i}")
            x = Add()([x, residual])
        x = _downsampling_block(x, (w(728), w(1024)), 13, relu_first=True)
        x = Activation("relu", name="block14_sepconv1_act")(_sep(x, w(1536), "block14_sepconv1"))
        x = Activation("relu", name="block14_sepconv2_act")(_sep(x, w(2048), "block14_sepconv2"))
        return finish(inputs, x, include_top, pooling, classes, classifier_activation, name)

    model = build_checked("Xception", make, input_shape)
    return load_pretrained(model, weights, "xception")
