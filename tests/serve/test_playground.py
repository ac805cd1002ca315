"""The kernel playground's computation (no server): the bank of `convlens filter`, zero padding, one pixel's sum."""
import base64

import numpy as np
import pytest

from convlens import kernels
from convlens.serve.playground import filter_input, kernel_bank


def test_the_bank_is_convlens_filter_s():
    bank = kernel_bank()
    assert [k["name"] for k in bank] == kernels.list_kernels()
    for k in bank:
        np.testing.assert_array_equal(k["values"], kernels.get_kernel(k["name"]))
        assert k["description"] == kernels.describe_kernel(k["name"])


@pytest.mark.parametrize("kernel", ["edge2", "sobel_x", "gaussian_blur_5x5", "0 -1 0; -1 5 -1; 0 -1 0",
                                    [[1, 0, -1], [2, 0, -2], [1, 0, -1]]])
def test_output_is_the_kernel_with_zero_padding(kernel):
    x = np.random.default_rng(0).random((9, 11, 1))
    result = filter_input(x, kernel)
    expected = kernels.apply(x[..., 0], kernel, padding="same", clip=False, border="constant")
    np.testing.assert_allclose(np.reshape(result["output"], result["shape"]), expected, atol=1e-12)
    assert result["min"] == pytest.approx(expected.min()) and result["max"] == pytest.approx(expected.max())
    pixels = np.frombuffer(base64.b64decode(result["input"]), np.uint8).reshape(9, 11)
    np.testing.assert_array_equal(pixels, np.round(x[..., 0] * 255))


def test_the_hovered_pixel_s_arithmetic():
    x = np.zeros((5, 5, 1))
    x[1:4, 2] = 1.0  # a vertical bar
    result = filter_input(x, "edge2", row=2, col=2)
    assert (result["row"], result["col"]) == (2, 2)
    assert result["output"][2 * 5 + 2] == 2.0
    assert "sum = 0 + -1 + 0 + 0 + 4 + 0 + 0 + -1 + 0 = 2 → 2" in result["step"]
    corner = filter_input(x, "edge2", row=0, col=0)["step"]
    assert corner.startswith("output[0, 0] ← input[0:3, 0:3] of the zero-padded input")


def test_rgb_is_averaged_and_big_inputs_are_resized():
    rgb = np.random.default_rng(1).random((6, 6, 3))
    result = filter_input(rgb, "identity")
    np.testing.assert_allclose(np.reshape(result["output"], (6, 6)), rgb.mean(axis=-1))
    big = filter_input(np.ones((256, 200, 1)), "box_blur")
    assert big["shape"] == [128, 100] and "resized to 128×100" in big["note"]


@pytest.mark.parametrize("kernel, message", [("blurry", "unknown kernel 'blurry'"), ("1 2; 3", "row"),
                                             (np.ones((9, 9)).tolist(), "up to 7×7"),
                                             ([[1, float("nan")]], "finite")])
def test_bad_kernels_say_what_was_expected(kernel, message):
    with pytest.raises(ValueError, match=message):
        filter_input(np.zeros((5, 5, 1)), kernel)
    with pytest.raises(ValueError, match=r"pixel \(5, 0\) is outside the 5×5 output"):
        filter_input(np.zeros((5, 5, 1)), "edge2", row=5, col=0)
