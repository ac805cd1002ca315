import pytest

from .small_cnn import build_small_cnn


@pytest.fixture
def small_cnn():
    return build_small_cnn()


@pytest.fixture
def make_cnn():
    return build_small_cnn
