"""LeNet-5 (LeCun et al. 1998): C1–S2–C3–S4–C5–F6–output, tanh, average pooling.

C3 is fully connected to S2's six maps (the paper's sparse table is not reproduced) and C5 is a 5×5 convolution, as
in most modern re-implementations: 61,706 parameters at 32×32×1.

Example:
    >>> LeNet5().count_params()
    61706
"""
from __future__ import annotations

from typing import Any

from convlens.layers import AveragePooling2D, Conv2D, Dense, Flatten
from convlens.models import Sequential
from convlens.zoo._stack import check_top_arguments, stack_model
from convlens.zoo.registry import register_model
from convlens.zoo.weights import load_pretrained


@register_model(family="lenet", published_params=61_706, reference={"input_shape": (32, 32, 1), "classes": 10},
                smoke={"input_shape": (32, 32, 1), "classes": 10}, source="LeCun et al. 1998")
def LeNet5(include_top: bool = True, weights: Any = None, input_shape: tuple = (32, 32, 1),
           pooling: str | None = None, classes: int = 10, classifier_activation: Any = "softmax",
           c1_padding: str = "valid", name: str = "lenet5") -> Sequential:
    """LeNet-5. ``c1_padding='same'`` lets C1 keep 28×28 MNIST digits at full size (the paper centred them in a
    32×32 field instead); everything else is the paper's network."""
    check_top_arguments("LeNet5", include_top, pooling, classes)
    features = [
        Conv2D(6, 5, padding=c1_padding, activation="tanh", name="c1"),
        AveragePooling2D(2, name="s2"),
        Conv2D(16, 5, activation="tanh", name="c3"),
        AveragePooling2D(2, name="s4"),
        Conv2D(120, 5, activation="tanh", name="c5"),
    ]
    top = [Flatten(name="flatten"), Dense(84, activation="tanh", name="f6"),
           Dense(classes, activation=classifier_activation, name="predictions")]
    model = stack_model("LeNet5", name, input_shape, features, top, include_top, pooling,
                        hint="Pad the images to 32×32 or pass c1_padding='same' for 28×28 digits.")
    return load_pretrained(model, weights, "lenet5")
