"""The notes' models by name: a registry, so a new architecture needs no wiring.

Example:
    >>> create_model("notes_mnist_cnn").count_params()
    38390
    >>> "notes_cifar10_cnn" in list_models()
    True
"""
from __future__ import annotations

from typing import Callable

from convlens.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from convlens.models.sequential import Sequential

_REGISTRY: dict[str, Callable[..., Sequential]] = {}


def register_model(fn: Callable[..., Sequential]) -> Callable[..., Sequential]:
    """Decorator: make ``fn(input_shape, num_classes)`` available to ``create_model`` and the CLI."""
    _REGISTRY[fn.__name__] = fn
    return fn


def list_models() -> list[str]:
    return sorted(_REGISTRY)


def create_model(name: str, input_shape: tuple = None, num_classes: int | None = None) -> Sequential:
    """Build a registered model; ``input_shape``/``num_classes`` override the notes' defaults."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; registered models: {', '.join(list_models())}")
    kwargs = {k: v for k, v in (("input_shape", input_shape), ("num_classes", num_classes)) if v is not None}
    return _REGISTRY[name](**kwargs)


@register_model
def notes_mnist_cnn(input_shape: tuple = (28, 28, 1), num_classes: int = 10) -> Sequential:
    """The notes' CNN: 24×24×10 → 12×12×10 → 8×8×20 → 4×4×20 → 320 → 100 → 10; 38,390 parameters."""
    return Sequential([
        Conv2D(10, (5, 5), activation="relu", input_shape=input_shape),
        MaxPooling2D((2, 2)),
        Conv2D(20, (5, 5), activation="relu"),
        MaxPooling2D((2, 2)),
        Flatten(),
        Dense(100, activation="relu"),
        Dense(num_classes, activation="softmax"),
    ], name="notes_mnist_cnn")


@register_model
def notes_mnist_mlp(input_shape: tuple = (28, 28), num_classes: int = 10) -> Sequential:
    """The notes' 512-512-10 perceptron with dropout; 669,706 parameters."""
    return Sequential([
        Flatten(input_shape=input_shape),
        Dense(512, activation="relu"),
        Dropout(0.2),
        Dense(512, activation="relu"),
        Dropout(0.2),
        Dense(num_classes, activation="softmax"),
    ], name="notes_mnist_mlp")


@register_model
def notes_cifar10_cnn(input_shape: tuple = (32, 32, 3), num_classes: int = 10) -> Sequential:
    """The notes' CIFAR-10 CNN (16/32/64 filters, kernel 2, 'same'); 528,054 parameters."""
    return Sequential([
        Conv2D(filters=16, kernel_size=2, padding="same", activation="relu", input_shape=input_shape),
        MaxPooling2D(pool_size=2),
        Conv2D(filters=32, kernel_size=2, padding="same", activation="relu"),
        MaxPooling2D(pool_size=2),
        Conv2D(filters=64, kernel_size=2, padding="same", activation="relu"),
        MaxPooling2D(pool_size=2),
        Dropout(0.3),
        Flatten(),
        Dense(500, activation="relu"),
        Dropout(0.4),
        Dense(num_classes, activation="softmax"),
    ], name="notes_cifar10_cnn")


@register_model
def keras_mnist_cnn(input_shape: tuple = (28, 28, 1), num_classes: int = 10) -> Sequential:
    """The Keras MNIST example in the notes: two 3×3 convolutions, max pooling, dropout, Dense(128)."""
    return Sequential([
        Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=input_shape),
        Conv2D(64, (3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Dropout(0.25),
        Flatten(),
        Dense(128, activation="relu"),
        Dropout(0.5),
        Dense(num_classes, activation="softmax"),
    ], name="keras_mnist_cnn")
