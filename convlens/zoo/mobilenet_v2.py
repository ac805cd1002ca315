"""MobileNetV2 (Sandler et al. 2018) as ``keras.applications.MobileNetV2``: inverted residual blocks (1×1 expand →
3×3 depthwise → 1×1 linear projection), ReLU6, width multiplier ``alpha``. 3,538,984 weights at alpha=1.0.

Example:
    >>> MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, classes=10).layers[-1].output_shape
    (None, 10)
"""
from __future__ import annotations

from typing import Any

from convlens.layers import Add, BatchNormalization, Conv2D, DepthwiseConv2D, ReLU, ZeroPadding2D
from convlens.zoo._graph import Input, Model, build_checked, check_top_arguments, finish
from convlens.zoo.registry import register_model
from convlens.zoo.weights import load_pretrained

# (filters, stride, expansion) of blocks 1 … 16; block 0 is (16, 1, 1)
_BLOCKS = ((24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6), (64, 1, 6),
           (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round a channel count to a multiple of ``divisor`` without losing more than 10 % (as Keras does)."""
    new = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * value else new


def _bn(name: str) -> BatchNormalization:
    return BatchNormalization(epsilon=1e-3, momentum=0.999, name=name)


def _correct_pad(size: tuple[int, int], kernel: int = 3) -> tuple[tuple[int, int], tuple[int, int]]:
    """Keras's ``correct_pad``: pad so a stride-2 'valid' convolution centres its windows like TF's 'same'."""
    adjust = (1 - size[0] % 2, 1 - size[1] % 2)
    half = kernel // 2
    return (half - adjust[0], half), (half - adjust[1], half)


def inverted_residual_block(x: Any, expansion: int, stride: int, alpha: float, filters: int, block_id: int) -> Any:
    inputs, in_channels = x, x.shape[-1]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = Conv2D(expansion * in_channels, 1, padding="same", use_bias=False, name=f"{prefix}expand")(x)
        x = ReLU(6.0, name=f"{prefix}expand_relu")(_bn(f"{prefix}expand_BN")(x))
    if stride == 2:
        x = ZeroPadding2D(padding=_correct_pad(x.shape[1:3]), name=f"{prefix}pad")(x)
    x = DepthwiseConv2D(3, strides=stride, use_bias=False, padding="same" if stride == 1 else "valid",
                        name=f"{prefix}depthwise")(x)
    x = ReLU(6.0, name=f"{prefix}depthwise_relu")(_bn(f"{prefix}depthwise_BN")(x))
    x = Conv2D(pointwise_filters, 1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return Add(name=f"{prefix}add")([inputs, x])
    return x


@register_model(family="mobilenet", published_params=3_538_984, reference={"input_shape": (224, 224, 3)},
                smoke={"input_shape": (32, 32, 3), "alpha": 0.35, "classes": 3},
                source="keras.applications.MobileNetV2")
def MobileNetV2(input_shape: Any = (224, 224, 3), alpha: float = 1.0, include_top: bool = True, weights: Any = None,
                pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
                name: str | None = None) -> Model:
    """MobileNetV2; ``alpha`` scales every layer's width (0.35, 0.5, 0.75, 1.0, 1.3, 1.4 in Keras)."""
    check_top_arguments("MobileNetV2", include_top, pooling, classes)
    if not (isinstance(alpha, (int, float)) and alpha > 0):
        raise ValueError(f"MobileNetV2: alpha must be a positive number, got {alpha!r}")

    def make(shape: tuple) -> Model:
        inputs = Input(shape=shape)
        x = Conv2D(make_divisible(32 * alpha, 8), 3, strides=2, padding="same", use_bias=False, name="Conv1")(inputs)
        x = ReLU(6.0, name="Conv1_relu")(_bn("bn_Conv1")(x))
        x = inverted_residual_block(x, expansion=1, stride=1, alpha=alpha, filters=16, block_id=0)
        for block_id, (filters, stride, expansion) in enumerate(_BLOCKS, start=1):
            x = inverted_residual_block(x, expansion, stride, alpha, filters, block_id)
        last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
        x = Conv2D(last, 1, use_bias=False, name="Conv_1")(x)
        x = ReLU(6.0, name="out_relu")(_bn("Conv_1_bn")(x))
        return finish(inputs, x, include_top, pooling, classes, classifier_activation,
                      name or f"mobilenetv2_{alpha:0.2f}")

    model = build_checked("MobileNetV2", make, input_shape)
    return load_pretrained(model, weights, "mobilenetv2")
