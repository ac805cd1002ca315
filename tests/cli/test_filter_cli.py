import numpy as np
import pytest
from PIL import Image

from convlens.cli.main import main
from convlens.kernels import apply, list_kernels


@pytest.fixture
def photo(tmp_path):
    """A small photo-like RGB image: smooth gradients, a bright disc and a dark square."""
    h, w = 64, 80
    yy, xx = np.mgrid[0:h, 0:w]
    image = np.stack([xx / w * 200 + 30, yy / h * 180 + 40, (xx + yy) / (h + w) * 120 + 60], axis=-1)
    image[(yy - 24) ** 2 + (xx - 26) ** 2 < 12 ** 2] = (250, 230, 90)
    image[38:56, 48:70] = (20, 40, 120)
    path = tmp_path / "photo.png"
    Image.fromarray(image.astype(np.uint8)).save(path)
    return path


def test_filter_one_kernel(photo, tmp_path, capsys):
    out = tmp_path / "sharp.png"
    assert main(["filter", str(photo), "--kernel", "sharpen", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    original = np.asarray(Image.open(photo))
    result = np.asarray(Image.open(out))
    assert result.shape == original.shape
    np.testing.assert_array_equal(result, apply(original, "sharpen"))


def test_filter_custom_kernel_gray_default_name(photo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["filter", str(photo), "--kernel", "0 0 0; 0 1 0; 0 0 0", "--gray"]) == 0
    result = np.asarray(Image.open(tmp_path / "photo_custom.png"))
    np.testing.assert_array_equal(result, np.asarray(Image.open(photo).convert("L")))


def test_filter_all_writes_grid(photo, tmp_path):
    out = tmp_path / "grid.png"
    assert main(["filter", str(photo), "--all", "--out", str(out)]) == 0
    with Image.open(out) as grid:
        assert grid.width > 600 and grid.height > 400


def test_kernel_grid_figure_has_every_kernel():
    from convlens.explain.kernel_grid import kernel_grid

    fig = kernel_grid(np.zeros((10, 10, 3), dtype=np.uint8))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]  # colour bars have no title
    assert titles == ["original"] + list_kernels()


def test_filter_list(capsys):
    assert main(["filter", "--list"]) == 0
    out = capsys.readouterr().out
    assert "sobel_x" in out and "edge " in out


def test_filter_errors(photo, tmp_path, capsys):
    assert main(["filter", str(photo), "--kernel", "nope", "--out", str(tmp_path / "x.png")]) == 2
    assert "valid names" in capsys.readouterr().err
    assert main(["filter", str(tmp_path / "missing.png")]) == 2
    assert main(["filter"]) == 2
