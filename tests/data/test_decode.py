import numpy as np
import pytest
from PIL import Image, ImageOps

from convlens.data.decode import ImageTooLargeError, load_image, verify_image


def _save(img, path):
    img.save(path)
    return path


def test_rgba_is_composited_on_white_and_kept_in_rgba_mode(tmp_path):
    img = Image.new("RGBA", (4, 4), (255, 0, 0, 255))
    img.putpixel((0, 0), (0, 0, 255, 0))
    path = _save(img, tmp_path / "a.png")
    rgb = load_image(path, "rgb")
    assert rgb.shape == (4, 4, 3) and rgb.dtype == np.uint8
    assert rgb[0, 0].tolist() == [255, 255, 255] and rgb[1, 1].tolist() == [255, 0, 0]
    assert load_image(path, "rgba")[0, 0, 3] == 0
    assert load_image(path, "grayscale")[0, 0, 0] == 255


@pytest.mark.parametrize("mode,value", [("L", 77), ("LA", (77, 0)), ("1", 1), ("CMYK", (0, 0, 0, 255))])
def test_modes_convert_to_requested_channels(tmp_path, mode, value):
    path = _save(Image.new(mode, (3, 5), value), tmp_path / ("x.tif" if mode == "CMYK" else "x.png"))
    for color_mode, channels in (("rgb", 3), ("grayscale", 1), ("rgba", 4)):
        assert load_image(path, color_mode).shape == (5, 3, channels)
    if mode == "LA":
        assert load_image(path, "grayscale")[0, 0, 0] == 255
    if mode == "CMYK":
        assert load_image(path, "rgb").max() == 0


def test_palette_with_transparency(tmp_path):
    img = Image.new("P", (2, 1))
    img.putpalette([0, 255, 0, 10, 10, 10] + [0] * 762)
    img.putpixel((1, 0), 1)
    path = tmp_path / "p.png"
    img.save(path, transparency=1)
    rgb = load_image(path, "rgb")
    assert rgb[0, 0].tolist() == [0, 255, 0] and rgb[0, 1].tolist() == [255, 255, 255]
    assert load_image(path, "rgba")[0, 1, 3] == 0


@pytest.mark.parametrize("suffix", ["png", "tif"])
def test_16_bit_greyscale_is_scaled_not_clipped(tmp_path, suffix):
    a = np.array([[0, 257 * 100, 65535]], dtype=np.uint16)
    path = _save(Image.fromarray(a), tmp_path / f"g16.{suffix}")
    assert Image.open(path).mode.startswith("I")
    assert load_image(path, "grayscale")[0, :, 0].tolist() == [0, 100, 255]
    assert load_image(path, "rgb")[0, 1].tolist() == [100, 100, 100]


def test_resize_uses_height_width_order(tmp_path):
    path = _save(Image.new("RGB", (10, 6)), tmp_path / "r.png")
    assert load_image(path, target_size=(4, 8)).shape == (4, 8, 3)
    assert load_image(path, target_size=(4, 4), crop_to_aspect_ratio=True).shape == (4, 4, 3)


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    path = _save(Image.new("L", (20, 20)), tmp_path / "big.png")
    assert verify_image(path) is None
    assert "decompression-bomb" in verify_image(path, max_pixels=399)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)  # above Pillow's limit: Pillow only warns, we refuse
    with pytest.raises(ImageTooLargeError, match="400 pixels"):
        load_image(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # above twice the limit: Pillow itself refuses
    with pytest.raises(ImageTooLargeError, match="big.png"):
        load_image(path)
    assert verify_image(path) is not None


def test_verify_reports_empty_truncated_and_non_images(tmp_path):
    empty = tmp_path / "e.png"
    empty.write_bytes(b"")
    text = tmp_path / "t.png"
    text.write_text("not an image")
    good = _save(Image.new("RGB", (16, 16), (1, 2, 3)), tmp_path / "g.png")
    truncated = tmp_path / "tr.png"
    truncated.write_bytes(good.read_bytes()[:40])
    assert verify_image(empty) == "empty file (0 bytes)"
    assert "UnidentifiedImageError" in verify_image(text)
    assert verify_image(truncated) is not None
    assert verify_image(good) is None


def test_bad_color_mode():
    with pytest.raises(ValueError, match="color_mode='rgbx'"):
        load_image("whatever.png", "rgbx")


def _halves_jpeg(path, orientation=1):
    """A 400x200 JPEG stored red on the left, blue on the right, with an EXIF orientation."""
    img = Image.new("RGB", (400, 200), (220, 0, 0))
    img.paste((0, 0, 220), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(path, quality=95, exif=exif)
    return path


def test_draft_decoding_keeps_size_and_exif_orientation(tmp_path):
    path = _halves_jpeg(tmp_path / "sideways.jpg", orientation=6)  # shown turned 90 degrees clockwise: 200x400
    drafted = load_image(path, "rgb", target_size=(100, 50), interpolation="bilinear", draft=True)
    full = load_image(path, "rgb", target_size=(100, 50), interpolation="bilinear")
    assert drafted.shape == full.shape == (100, 50, 3)
    # upright, the stored left (red) half is on top and the right (blue) half below
    assert drafted[10, 25].tolist()[0] > 180 and drafted[90, 25].tolist()[2] > 180
    assert np.abs(drafted.astype(int) - full.astype(int)).mean() < 3
    # and it really decoded at a reduced scale: Pillow's own 1/4-scale decode, turned upright, is the same picture
    with Image.open(path) as img:
        img.draft("RGB", (100, 50))
        assert img.size == (100, 50)
        img.load()
        expected = np.asarray(ImageOps.exif_transpose(img))
    np.testing.assert_array_equal(drafted, expected)


def test_draft_with_crop_to_aspect_ratio_and_upright_target(tmp_path):
    path = _halves_jpeg(tmp_path / "upright.jpg")
    image = load_image(path, "rgb", target_size=(40, 40), crop_to_aspect_ratio=True, draft=True)
    assert image.shape == (40, 40, 3)
    assert image[20, 5].tolist()[0] > 180 and image[20, 35].tolist()[2] > 180  # the centre square: red | blue


def test_draft_leaves_other_formats_alpha_and_the_bomb_guard_alone(tmp_path, monkeypatch):
    img = Image.new("RGBA", (64, 64), (255, 0, 0, 255))
    img.putpixel((0, 0), (0, 0, 255, 0))
    path = _save(img, tmp_path / "a.png")
    np.testing.assert_array_equal(load_image(path, "rgba", (8, 8), draft=True), load_image(path, "rgba", (8, 8)))
    jpeg = _halves_jpeg(tmp_path / "big.jpg")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ImageTooLargeError, match="big.jpg"):  # refused from the header, drafted or not
        load_image(jpeg, "rgb", (10, 10), draft=True)
