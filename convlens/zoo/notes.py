"""The notes' models by name: the MNIST CNN and perceptron, the CIFAR-10 CNN and the Keras MNIST example.

Example:
    >>> notes_mnist_cnn().count_params()
    38390
"""
from __future__ import annotations

from convlens.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from convlens.models import Sequential
from convlens.zoo.registry import register_model


@register_model(family="notes", published_params=38_390, reference={"input_shape": (28, 28, 1)},
                smoke={"input_shape": (28, 28, 1), "classes": 3}, source="the lecture notes")
def notes_mnist_cnn(input_shape: tuple = (28, 28, 1), classes: int = 10) -> Sequential:
    """The notes' CNN: 24×24×10 → 12×12×10 → 8×8×20 → 4×4×20 → 320 → 100 → 10; 38,390 parameters."""
    return Sequential([
        Conv2D(10, (5, 5), activation="relu", input_shape=input_shape),
        MaxPooling2D((2, 2)),
        Conv2D(20, (5, 5), activation="relu"),
        MaxPooling2D((2, 2)),
        Flatten(),
        Dense(100, activation="relu"),
        Dense(classes, activation="softmax"),
    ], name="notes_mnist_cnn")


@register_model(family="notes", published_params=669_706, reference={"input_shape": (28, 28)},
                smoke={"input_shape": (28, 28), "classes": 3}, source="the lecture notes")
def notes_mnist_mlp(input_shape: tuple = (28, 28), classes: int = 10) -> Sequential:
    """The notes' 512-512-10 perceptron with dropout; 669,706 parameters."""
    return Sequential([
        Flatten(input_shape=input_shape),
        Dense(512, activation="relu"),
        Dropout(0.2),
        Dense(512, activation="relu"),
        Dropout(0.2),
        Dense(classes, activation="softmax"),
    ], name="notes_mnist_mlp")


@register_model(family="notes", published_params=528_054, reference={"input_shape": (32, 32, 3)},
                smoke={"input_shape": (32, 32, 3), "classes": 3}, source="the lecture notes")
def notes_cifar10_cnn(input_shape: tuple = (32, 32, 3), classes: int = 10) -> Sequential:
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
        Dense(classes, activation="softmax"),
    ], name="notes_cifar10_cnn")


@register_model(family="notes", published_params=1_199_882, reference={"input_shape": (28, 28, 1)},
                smoke={"input_shape": (28, 28, 1), "classes": 3}, source="the lecture notes")
def keras_mnist_cnn(input_shape: tuple = (28, 28, 1), classes: int = 10) -> Sequential:
    """The Keras MNIST example in the notes: two 3×3 convolutions, max pooling, dropout, Dense(128)."""
    return Sequential([
        Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=input_shape),
        Conv2D(64, (3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Dropout(0.25),
        Flatten(),
        Dense(128, activation="relu"),
        Dropout(0.5),
        Dense(classes, activation="softmax"),
    ], name="keras_mnist_cnn")
