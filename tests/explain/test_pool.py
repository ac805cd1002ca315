import numpy as np
import pytest

from convlens.explain import pool2d
from .notes_examples import POOL_4x4


def test_notes_max_pool_example():
    trace = pool2d(POOL_4x4, 2)
    np.testing.assert_array_equal(trace.output, [[6, 8], [3, 4]])
    np.testing.assert_array_equal(trace.steps[0].patch, [[1, 1], [5, 6]])
    np.testing.assert_array_equal(trace.steps[2].patch, [[3, 2], [1, 2]])
    assert trace.steps[2].value == 3


@pytest.mark.parametrize("mode, expected", [
    ("average", [[13 / 4, 21 / 4], [8 / 4, 8 / 4]]),
    ("sum", [[13, 21], [8, 8]]),
    ("l2", [[np.sqrt(1 + 1 + 25 + 36), np.sqrt(4 + 16 + 49 + 64)], [np.sqrt(9 + 4 + 1 + 4), np.sqrt(1 + 0 + 9 + 16)]]),
])
def test_pool_modes_against_hand_values(mode, expected):
    np.testing.assert_allclose(pool2d(POOL_4x4, 2, mode=mode).output, expected)


def test_overlapping_stride_and_rectangular_window():
    trace = pool2d(POOL_4x4, (3, 2), stride=1)
    assert trace.output.shape == (2, 3)
    assert trace.output[0, 0] == POOL_4x4[0:3, 0:2].max()
    assert trace.output[1, 2] == POOL_4x4[1:4, 2:4].max()


def test_same_padding_ignores_padded_cells():
    image = -np.ones((3, 3))  # all negative: zero padding would win a max
    trace = pool2d(image, 2, padding="same", mode="max")
    assert trace.output.shape == (2, 2)
    np.testing.assert_array_equal(trace.output, -np.ones((2, 2)))
    average = pool2d(np.arange(9.0).reshape(3, 3), 2, padding="same", mode="average").output
    assert average[1, 1] == 8.0  # the corner window holds one real pixel
    assert average[0, 1] == (2 + 5) / 2


def test_channels_pool_independently():
    image = np.stack([POOL_4x4, -POOL_4x4], axis=-1)
    trace = pool2d(image, 2)
    assert trace.output.shape == (2, 2, 2)
    np.testing.assert_array_equal(trace.output[..., 0], [[6, 8], [3, 4]])
    np.testing.assert_array_equal(trace.output[..., 1], [[-1, -2], [-1, 0]])
    np.testing.assert_array_equal(trace.steps[0].value, [6, -1])


def test_pool_text_shows_windows_and_result():
    text = str(pool2d(POOL_4x4, 2))
    assert "max = 6" in text and "max = 3" in text
    assert "pool2d (max)" in text


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "median"}, "mode must be one of"),
    ({"padding": 1}, "'valid' or 'same'"),
    ({"size": 5}, "pool window 5×5 is larger"),
    ({"size": 0}, "size"),
])
def test_pool_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pool2d(POOL_4x4, **{"size": 2, **kwargs})
