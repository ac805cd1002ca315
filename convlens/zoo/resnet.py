"""ResNet (He et al. 2015): residual blocks whose skip connections add the input back.

``ResNet50`` follows ``keras.applications.ResNet50`` (bottleneck blocks 1×1 → 3×3 → 1×1, convolutions with bias,
25,636,712 weights). ``ResNet18`` and ``ResNet34`` follow torchvision (basic 3×3 + 3×3 blocks, convolutions without
bias): 11,689,512 and 21,797,672 trainable parameters.

Example:
    >>> model = ResNet18(input_shape=(32, 32, 3), classes=10)
    >>> model.layers[-1].output_shape
    (None, 10)
"""
from __future__ import annotations

from typing import Any

from convlens.layers import Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, ZeroPadding2D
from convlens.zoo._graph import Input, Model, build_checked, check_top_arguments, finish
from convlens.zoo._stack import scaled
from convlens.zoo.registry import register_model
from convlens.zoo.weights import load_pretrained

_EPS = 1.001e-5  # keras.applications' ResNet BatchNormalization epsilon


def _bn(name: str) -> BatchNormalization:
    return BatchNormalization(epsilon=_EPS, name=name)


def _stem(inputs: Any, use_bias: bool, width: float) -> Any:
    x = ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = Conv2D(scaled(64, width), 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    x = Activation("relu", name="conv1_relu")(_bn("conv1_bn")(x))
    x = ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    return MaxPooling2D(3, strides=2, name="pool1_pool")(x)


def bottleneck_block(x: Any, filters: int, stride: int = 1, conv_shortcut: bool = True, name: str = "") -> Any:
    """Keras's ``block1``: 1×1 (stride) → 3×3 → 1×1 (4·filters), plus the shortcut (a 1×1 convolution when the
    shape changes)."""
    if conv_shortcut:
        shortcut = _bn(f"{name}_0_bn")(Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x))
    else:
        shortcut = x
    x = Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = Activation("relu", name=f"{name}_1_relu")(_bn(f"{name}_1_bn")(x))
    x = Conv2D(filters, 3, padding="same", name=f"{name}_2_conv")(x)
    x = Activation("relu", name=f"{name}_2_relu")(_bn(f"{name}_2_bn")(x))
    x = _bn(f"{name}_3_bn")(Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x))
    return Activation("relu", name=f"{name}_out")(Add(name=f"{name}_add")([shortcut, x]))


def basic_block(x: Any, filters: int, stride: int = 1, name: str = "") -> Any:
    """torchvision's ``BasicBlock``: 3×3 (stride) → 3×3, no biases, plus the shortcut (1×1 when the shape
    changes)."""
    if stride != 1 or x.shape[-1] != filters:
        shortcut = _bn(f"{name}_0_bn")(Conv2D(filters, 1, strides=stride, use_bias=False, name=f"{name}_0_conv")(x))
    else:
        shortcut = x
    x = Conv2D(filters, 3, strides=stride, padding="same", use_bias=False, name=f"{name}_1_conv")(x)
    x = Activation("relu", name=f"{name}_1_relu")(_bn(f"{name}_1_bn")(x))
    x = _bn(f"{name}_2_bn")(Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(x))
    return Activation("relu", name=f"{name}_out")(Add(name=f"{name}_add")([shortcut, x]))


def _resnet(model_name: str, blocks: tuple[int, ...], bottleneck: bool, include_top: bool, weights: Any,
            input_shape: Any, pooling: str | None, classes: int, classifier_activation: Any, name: str,
            width: float) -> Model:
    check_top_arguments(model_name, include_top, pooling, classes)

    def make(shape: tuple) -> Model:
        inputs = Input(shape=shape)
        x = _stem(inputs, use_bias=bottleneck, width=width)
        for stage, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks), start=2):
            filters = scaled(filters, width)
            for i in range(1, count + 1):
                stride = 2 if (i == 1 and stage > 2) else 1
                if bottleneck:
                    x = bottleneck_block(x, filters, stride, conv_shortcut=i == 1, name=f"conv{stage}_block{i}")
                else:
                    x = basic_block(x, filters, stride, name=f"conv{stage}_block{i}")
        return finish(inputs, x, include_top, pooling, classes, classifier_activation, name)

    model = build_checked(model_name, make, input_shape)
    return load_pretrained(model, weights, model_name.lower())


_SMOKE = {"input_shape": (32, 32, 3), "classes": 3, "width": 0.125}


@register_model(family="resnet", published_params=11_689_512, reference={"input_shape": (224, 224, 3)},
                smoke=_SMOKE, source="torchvision resnet18", counts="trainable")
def ResNet18(include_top: bool = True, weights: Any = None, input_shape: Any = (224, 224, 3),
             pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
             name: str = "resnet18", width: float = 1.0) -> Model:
    """ResNet-18: basic blocks 2-2-2-2."""
    return _resnet("ResNet18", (2, 2, 2, 2), False, include_top, weights, input_shape, pooling, classes,
                   classifier_activation, name, width)


@register_model(family="resnet", published_params=21_797_672, reference={"input_shape": (224, 224, 3)},
                smoke=_SMOKE, source="torchvision resnet34", counts="trainable")
def ResNet34(include_top: bool = True, weights: Any = None, input_shape: Any = (224, 224, 3),
             pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
             name: str = "resnet34", width: float = 1.0) -> Model:
    """ResNet-34: basic blocks 3-4-6-3."""
    return _resnet("ResNet34", (3, 4, 6, 3), False, include_top, weights, input_shape, pooling, classes,
                   classifier_activation, name, width)


@register_model(family="resnet", published_params=25_636_712, reference={"input_shape": (224, 224, 3)},
                smoke=_SMOKE, source="keras.applications.ResNet50")
def ResNet50(include_top: bool = True, weights: Any = None, input_shape: Any = (224, 224, 3),
             pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
             name: str = "resnet50", width: float = 1.0) -> Model:
    """ResNet-50 as ``keras.applications.ResNet50``: bottleneck blocks 3-4-6-3."""
    return _resnet("ResNet50", (3, 4, 6, 3), True, include_top, weights, input_shape, pooling, classes,
                   classifier_activation, name, width)
