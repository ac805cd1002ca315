import numpy as np
import pytest

from convlens.explain import conv2d
from convlens.kernels import (apply, as_kernel, describe_kernel, get_kernel, list_kernels, parse_kernel,
                              parse_matrix)


def test_bank_has_the_classic_kernels():
    names = set(list_kernels())
    assert {"identity", "edge1", "edge2", "edge3", "sharpen", "box_blur", "gaussian_blur", "gaussian_blur_5x5",
            "sobel_x", "sobel_y", "laplacian", "emboss", "high_pass"} <= names
    assert "edge" in list_kernels(include_aliases=True) and "edge" not in names
    np.testing.assert_array_equal(get_kernel("edge"), [[0, -1, 0], [-1, 4, -1], [0, -1, 0]])
    np.testing.assert_array_equal(get_kernel("edge3"), [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    assert all(describe_kernel(n) for n in names)


@pytest.mark.parametrize("name", ["box_blur", "gaussian_blur", "gaussian_blur_5x5"])
def test_blurs_sum_to_one(name):
    assert get_kernel(name).sum() == pytest.approx(1.0)
    assert (get_kernel(name) > 0).all()


@pytest.mark.parametrize("name", ["edge1", "edge2", "edge3", "sobel_x", "sobel_y", "laplacian", "high_pass"])
def test_edge_kernels_sum_to_zero(name):
    assert get_kernel(name).sum() == pytest.approx(0.0, abs=1e-12)


def test_get_kernel_returns_a_copy():
    get_kernel("identity")[1, 1] = 99
    assert get_kernel("identity")[1, 1] == 1


def test_notes_kernel_sums():
    assert parse_kernel("0 -1 0; -1 4 -1; 0 -1 0").sum() == 0
    assert parse_kernel("-1 -1 -1; -1 8 -1; -1 -1 -1").sum() == 0
    assert parse_kernel("0 -1 0; -1 8 -1; 0 -1 0").sum() == 4
    assert parse_kernel("0 -1 0; -1 4 -2; 0 -1 0").sum() == -1


@pytest.mark.parametrize("name, centre, expected", [
    ("edge3", 0.1, 0.0), ("edge3", 0.2, 0.8), ("sharpen", 0.1, 0.1), ("sharpen", 0.2, 0.6),
])
def test_notes_inner_products(name, centre, expected):
    patch = np.full((3, 3), 0.1)
    patch[1, 1] = centre
    assert float((get_kernel(name) * patch).sum()) == pytest.approx(expected)
    assert conv2d(patch, get_kernel(name)).output[0, 0] == pytest.approx(expected)


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown kernel 'sharpn'.*sharpen.*sobel_x"):
        get_kernel("sharpn")


def test_as_kernel_accepts_names_text_and_arrays():
    np.testing.assert_array_equal(as_kernel("sharpen"), get_kernel("sharpen"))
    np.testing.assert_array_equal(as_kernel("1 0; 0 1"), np.eye(2))
    np.testing.assert_array_equal(as_kernel([[1, 2]]), [[1, 2]])
    with pytest.raises(ValueError, match=r"2-D matrix, got shape \(3,\)"):
        as_kernel(np.ones(3))
    with pytest.raises(ValueError, match=r"2-D matrix, got shape \(2, 2, 2\)"):
        apply(np.ones((4, 4)), np.ones((2, 2, 2)))


def _brute_same(channel, kernel, border):
    kh, kw = kernel.shape
    padded = np.pad(channel.astype(float), ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)), mode=border)
    out = np.zeros(channel.shape)
    for i in range(channel.shape[0]):
        for j in range(channel.shape[1]):
            out[i, j] = (padded[i:i + kh, j:j + kw] * kernel).sum()
    return out


@pytest.mark.parametrize("border", ["constant", "reflect", "edge"])
def test_same_keeps_shape_and_matches_brute_force(border):
    rng = np.random.default_rng(0)
    image = rng.random((6, 7))
    for name in ("sobel_x", "gaussian_blur_5x5", "emboss"):
        out = apply(image, name, clip=False, border=border)
        assert out.shape == image.shape
        np.testing.assert_allclose(out, _brute_same(image, get_kernel(name), border))


def test_valid_shrinks_and_equals_explainer():
    rng = np.random.default_rng(1)
    image = rng.random((6, 7))
    out = apply(image, "laplacian", padding="valid", clip=False)
    assert out.shape == (4, 5)
    np.testing.assert_allclose(out, conv2d(image, get_kernel("laplacian")).output)


def test_rgb_equals_per_channel():
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, size=(9, 8, 3), dtype=np.uint8)
    out = apply(image, "sharpen")
    assert out.shape == image.shape and out.dtype == np.uint8
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], apply(image[..., c], "sharpen"))


def test_clipping_to_display_range():
    image = np.zeros((5, 5), dtype=np.uint8)
    image[2, 2] = 200
    out = apply(image, "edge3")
    assert out.dtype == np.uint8 and out[2, 2] == 255 and out.min() == 0
    raw = apply(image, "edge3", clip=False)
    assert raw[2, 2] == 1600 and raw.min() == -200
    floats = apply(image / 255.0, "edge3")
    assert floats.dtype == np.float64 and floats.max() == 1.0 and floats.min() == 0.0


def test_identity_and_blur_keep_a_flat_image():
    image = np.full((5, 6, 3), 77, dtype=np.uint8)
    np.testing.assert_array_equal(apply(image, "identity"), image)
    np.testing.assert_array_equal(apply(image, "gaussian_blur_5x5"), image)


def test_errors():
    with pytest.raises(ValueError, match=r"kernel of shape \(3, 3\) is larger than the \(padded\) image"):
        apply(np.ones((2, 2)), "sharpen", padding="valid")
    with pytest.raises(ValueError, match="padding must be 'same' or 'valid', got 'full'"):
        apply(np.ones((4, 4)), "sharpen", padding="full")
    with pytest.raises(ValueError, match=r"image must have shape"):
        apply(np.ones(4), "sharpen")
    with pytest.raises(ValueError, match="border must be one of"):
        apply(np.ones((4, 4)), "sharpen", border="wrap")


def test_tiny_image_same_padding_with_big_kernel():
    assert apply(np.ones((2, 2)), "gaussian_blur_5x5", clip=False).shape == (2, 2)


def test_parse_matrix_separators_and_fractions():
    np.testing.assert_array_equal(parse_matrix("1 2 3; 4,5,6\n7 8 9"), np.arange(1, 10).reshape(3, 3))
    assert parse_matrix("1/9 1/9")[0, 0] == pytest.approx(1 / 9)


@pytest.mark.parametrize("text, message", [("", "expected a matrix"), ("1 x", "expected numbers"),
                                           ("1 2; 3", "same number of values")])
def test_parse_matrix_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_matrix(text)
