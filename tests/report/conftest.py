import importlib.util
from pathlib import Path

import numpy as np
import pytest


def _small_cnn_module():
    # The test CNN lives with the viz tests; load it by path (pytest runs in importlib mode, tests/ is no package).
    path = Path(__file__).resolve().parents[1] / "viz" / "small_cnn.py"
    spec = importlib.util.spec_from_file_location("convlens_tests_small_cnn", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_small_cnn = _small_cnn_module().build_small_cnn

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
