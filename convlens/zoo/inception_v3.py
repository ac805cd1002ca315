"""Inception-v3 (Szegedy et al. 2015) as ``keras.applications.InceptionV3``: factorised inception modules (a 5×5
as two 3×3, a 7×7 as 1×7 + 7×1), 23,851,784 weights at 299×299×3.

Example:
    >>> InceptionV3(input_shape=(75, 75, 3), include_top=False, pooling="avg").layers[-1].output_shape
    (None, 2048)
"""
from __future__ import annotations

from typing import Any

from convlens.layers import Activation, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, MaxPooling2D
from convlens.zoo._graph import Input, Model, build_checked, check_top_arguments, finish
from convlens.zoo._stack import scaled
from convlens.zoo.registry import register_model
from convlens.zoo.weights import load_pretrained


def conv_bn(x: Any, filters: int, rows: int, cols: int, padding: str = "same", strides: int = 1,
            width: float = 1.0) -> Any:
    """Keras's ``conv2d_bn``: convolution without bias, BatchNormalization without scale, ReLU."""
    x = Conv2D(scaled(filters, width), (rows, cols), strides=strides, padding=padding, use_bias=False)(x)
    return Activation("relu")(BatchNormalization(scale=False)(x))


def _avg_branch(x: Any, filters: int, width: float) -> Any:
    return conv_bn(AveragePooling2D(3, strides=1, padding="same")(x), filters, 1, 1, width=width)


@register_model(family="inception", published_params=23_851_784, reference={"input_shape": (299, 299, 3)},
                smoke={"input_shape": (75, 75, 3), "classes": 3, "width": 0.0625},
                source="keras.applications.InceptionV3")
def InceptionV3(include_top: bool = True, weights: Any = None, input_shape: Any = (299, 299, 3),
                pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
                name: str = "inception_v3", width: float = 1.0) -> Model:
    """Inception-v3: stem, mixed0–2 (35×35), mixed3, mixed4–7 (17×17, 7×7 factorised), mixed8, mixed9–10."""
    check_top_arguments("InceptionV3", include_top, pooling, classes)

    def conv_bn_w(x: Any, filters: int, rows: int, cols: int, padding: str = "same", strides: int = 1) -> Any:
        return conv_bn(x, filters, rows, cols, padding, strides, width)

    def make(shape: tuple) -> Model:
        conv_bn = conv_bn_w  # noqa: N806  (the same calls as Keras's code, every width scaled)
        inputs = Input(shape=shape)
        x = conv_bn(inputs, 32, 3, 3, strides=2, padding="valid")
        x = conv_bn(x, 32, 3, 3, padding="valid")
        x = conv_bn(x, 64, 3, 3)
        x = MaxPooling2D(3, strides=2)(x)
        x = conv_bn(x, 80, 1, 1, padding="valid")
        x = conv_bn(x, 192, 3, 3, padding="valid")
        x = MaxPooling2D(3, strides=2)(x)
        for i, pool_filters in enumerate((32, 64, 64)):
            b1 = conv_bn(x, 64, 1, 1)
            b5 = conv_bn(conv_bn(x, 48, 1, 1), 64, 5, 5)
            b3 = conv_bn(conv_bn(conv_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
            x = Concatenate(name=f"mixed{i}")([b1, b5, b3, _avg_branch(x, pool_filters, width)])
        b3 = conv_bn(x, 384, 3, 3, strides=2, padding="valid")
        b3d = conv_bn(conv_bn(conv_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, strides=2, padding="valid")
        x = Concatenate(name="mixed3")([b3, b3d, MaxPooling2D(3, strides=2)(x)])
        for i, c in enumerate((128, 160, 160, 192), start=4):
            b1 = conv_bn(x, 192, 1, 1)
            b7 = conv_bn(conv_bn(conv_bn(x, c, 1, 1), c, 1, 7), 192, 7, 1)
            b7d = conv_bn(x, c, 1, 1)
            for filters, rows, cols in ((c, 7, 1), (c, 1, 7), (c, 7, 1), (192, 1, 7)):
                b7d = conv_bn(b7d, filters, rows, cols)
            x = Concatenate(name=f"mixed{i}")([b1, b7, b7d, _avg_branch(x, 192, width)])
        b3 = conv_bn(conv_bn(x, 192, 1, 1), 320, 3, 3, strides=2, padding="valid")
        b7 = conv_bn(conv_bn(conv_bn(conv_bn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, strides=2,
                     padding="valid")
        x = Concatenate(name="mixed8")([b3, b7, MaxPooling2D(3, strides=2)(x)])
        for i in (9, 10):
            b1 = conv_bn(x, 320, 1, 1)
            b3 = conv_bn(x, 384, 1, 1)
            b3 = Concatenate(name=f"mixed{i}_0")([conv_bn(b3, 384, 1, 3), conv_bn(b3, 384, 3, 1)])
            b3d = conv_bn(conv_bn(x, 448, 1, 1), 384, 3, 3)
            b3d = Concatenate()([conv_bn(b3d, 384, 1, 3), conv_bn(b3d, 384, 3, 1)])
            x = Concatenate(name=f"mixed{i}")([b1, b3, b3d, _avg_branch(x, 192, width)])
        return finish(inputs, x, include_top, pooling, classes, classifier_activation, name)

    model = build_checked("InceptionV3", make, input_shape)
    return load_pretrained(model, weights, "inceptionv3")
