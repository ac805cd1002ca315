import numpy as np
import pytest
import torch

from convlens.layers import Conv2D, Dense, Flatten
from convlens.models import Sequential


def build_small_cnn() -> Sequential:
    """The report's test model: two Conv2D layers, then a 3-class softmax, on 12x12x1 inputs."""
    torch.manual_seed(0)
    return Sequential(
        [
            Conv2D(4, 3, activation="relu", input_shape=(12, 12, 1), name="conv2d_1"),
            Conv2D(6, 3, activation="relu", name="conv2d_2"),
            Flatten(),
            Dense(3, activation="softmax"),
        ]
    )


HISTORY = {"loss": [1.0, 0.6, 0.4], "accuracy": [0.4, 0.6, 0.8], "val_loss": [1.1, 0.8, 0.7], "val_accuracy": [0.3, 0.5, 0.6]}
CLASS_NAMES = ["circle", "square", "cross"]


@pytest.fixture(scope="session")
def test_samples():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (40, 12, 12, 1), dtype=np.uint8)
    y = rng.integers(0, 3, 40)
    return x, y


@pytest.fixture(scope="session")
def full_report(tmp_path_factory, test_samples):
    """A report written once from explicit pieces; shared by the content and browser tests."""
    from convlens.report import write_report

    run_dir = tmp_path_factory.mktemp("run")
    x, y = test_samples
    path = write_report(
        run_dir,
        build_small_cnn(),
        x_test=x,
        y_test=y,
        history=HISTORY,
        class_names=CLASS_NAMES,
        summary="Model: small\nconv2d_1 (None, 10, 10, 4) 40",
        metrics={"test_loss": 0.5, "test_accuracy": 0.75},
    )
    return path


@pytest.fixture
def make_cnn():
    return build_small_cnn
