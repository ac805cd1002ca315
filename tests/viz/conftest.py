"""A small real convlens CNN for the model-based plots."""
import pytest
import torch

from convlens.layers import Conv2D, Dense, Flatten
from convlens.models import Sequential


def build_small_cnn(channels: int = 1, size: int = 12, classes: int = 3) -> Sequential:
    """conv2d_1 (4 filters) -> conv2d_2 (6 filters) -> flatten -> dense softmax; input (size, size, channels)."""
    torch.manual_seed(0)
    return Sequential(
        [
            Conv2D(4, 3, activation="relu", input_shape=(size, size, channels), name="conv2d_1"),
            Conv2D(6, 3, activation="relu", name="conv2d_2"),
            Flatten(),
            Dense(classes, activation="softmax"),
        ]
    )


@pytest.fixture
def small_cnn():
    return build_small_cnn()


@pytest.fixture
def make_cnn():
    return build_small_cnn
