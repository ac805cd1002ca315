"""AlexNet (Krizhevsky et al. 2012) in torchvision's single-tower variant: 64-192-384-256-256 filters.

61,100,840 parameters at 224×224×3 with 1,000 classes. Convolutions use ``'same'`` padding, which gives the same
6×6×256 feature map at 224×224 as torchvision's explicit padding; smaller images shrink it (no adaptive pooling),
so the smallest input is 57×57.

Example:
    >>> AlexNet(input_shape=(64, 64, 3), classes=3).layers[-1].output_shape
    (None, 3)
"""
from __future__ import annotations

from typing import Any

from convlens.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from convlens.models import Sequential
from convlens.zoo._stack import check_top_arguments, stack_model
from convlens.zoo.registry import register_model
from convlens.zoo.weights import load_pretrained


@register_model(family="alexnet", published_params=61_100_840,
                reference={"input_shape": (224, 224, 3), "classes": 1000},
                smoke={"input_shape": (64, 64, 3), "include_top": False, "pooling": "avg"}, source="torchvision alexnet")
def AlexNet(include_top: bool = True, weights: Any = None, input_shape: tuple = (224, 224, 3),
            pooling: str | None = None, classes: int = 1000, classifier_activation: Any = "softmax",
            dropout: float = 0.5, name: str = "alexnet") -> Sequential:
    """AlexNet; give ``input_shape=(64, 64, 3)`` (or larger) and ``classes=`` for your own folder of images."""
    check_top_arguments("AlexNet", include_top, pooling, classes)
    features = [
        Conv2D(64, 11, strides=4, padding="same", activation="relu", name="conv1"),
        MaxPooling2D(3, strides=2, name="pool1"),
        Conv2D(192, 5, padding="same", activation="relu", name="conv2"),
        MaxPooling2D(3, strides=2, name="pool2"),
        Conv2D(384, 3, padding="same", activation="relu", name="conv3"),
        Conv2D(256, 3, padding="same", activation="relu", name="conv4"),
        Conv2D(256, 3, padding="same", activation="relu", name="conv5"),
        MaxPooling2D(3, strides=2, name="pool5"),
    ]
    top = [Flatten(name="flatten"), Dropout(dropout, name="drop6"), Dense(4096, activation="relu", name="fc6"),
           Dropout(dropout, name="drop7"), Dense(4096, activation="relu", name="fc7"),
           Dense(classes, activation=classifier_activation, name="predictions")]
    model = stack_model("AlexNet", name, input_shape, features, top, include_top, pooling,
                        hint="Resize the images (e.g. --image-size 64 64) or pick a smaller network (lenet5).")
    return load_pretrained(model, weights, "alexnet")
