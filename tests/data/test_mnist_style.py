"""MNIST-style preprocessing: a digit anywhere, at any size, ends 20 px tall with its centre of mass centred."""
import numpy as np
import pytest

from convlens.data.mnist_style import BOX, SIZE, center_of_mass, mnist_style

CENTRE = 14.0  # MNIST's centre of mass, pixel (14, 14)


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(image.max(axis=1) > 0)
    cols = np.flatnonzero(image.max(axis=0) > 0)
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def seven(height: int, width: int, top: int, left: int, thickness: int, canvas: tuple[int, int],
          paper: bool = True) -> np.ndarray:
    """A "7" (top bar and a slanted stroke) drawn on a canvas: dark ink on light paper, or the reverse."""
    image = np.zeros(canvas, np.float32)
    image[top:top + thickness, left:left + width] = 1.0
    for r in range(height):
        c = left + width - thickness - int(r * (width - thickness) * 0.6 / height)
        image[top + r, c:c + thickness] = 1.0
    return (255 * (1 - image) if paper else 255 * image).astype(np.uint8)


@pytest.mark.parametrize("top, left, height, width, thickness", [
    (10, 10, 60, 40, 6),         # small, top-left
    (150, 200, 240, 160, 24),    # big, bottom-right
    (40, 300, 90, 200, 12),      # wider than tall
])
def test_shifted_scaled_digit_is_centred_in_a_20_px_box(top, left, height, width, thickness):
    drawing = seven(height, width, top, left, thickness, (400, 520))
    result = mnist_style(drawing)
    assert result.inverted
    assert result.image.shape == (SIZE, SIZE) and result.image.dtype == np.float32
    row, col = center_of_mass(result.image)
    assert abs(row - CENTRE) <= 0.5 and abs(col - CENTRE) <= 0.5, (row, col)
    assert max(ink_box(result.image)) == BOX


def test_white_ink_on_black_is_not_inverted_and_gives_the_same_digit():
    dark = seven(100, 70, 30, 30, 10, (200, 200), paper=True)
    light = seven(100, 70, 30, 30, 10, (200, 200), paper=False)
    a, b = mnist_style(dark), mnist_style(light)
    assert a.inverted and not b.inverted
    np.testing.assert_allclose(a.image, b.image, atol=1e-6)
    assert mnist_style(dark, invert=False).stages["cropped"].shape == (200, 200)  # not inverted: the page is "ink"


def test_every_stage_is_returned_and_the_naive_resize_differs():
    result = mnist_style(seven(60, 40, 10, 10, 6, (300, 300)))
    assert set(result.stages) == {"grey", "inverted", "cropped", "scaled", "centred", "naive"}
    assert result.stages["grey"].shape == (300, 300) and result.stages["naive"].shape == (SIZE, SIZE)
    assert max(result.stages["scaled"].shape) == BOX
    assert np.array_equal(result.stages["centred"], result.image)
    naive_row, naive_col = center_of_mass(result.stages["naive"])
    assert abs(naive_row - CENTRE) > 3 and abs(naive_col - CENTRE) > 3  # the naive resize keeps the digit off-centre


def test_blank_and_bad_inputs():
    blank = mnist_style(np.full((50, 50), 255, np.uint8))
    assert not blank.image.any()
    rgb = mnist_style(np.stack([seven(60, 40, 10, 10, 6, (100, 100))] * 3, axis=-1))
    assert rgb.image.any()
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        mnist_style(np.zeros((2, 3, 4, 5)))
