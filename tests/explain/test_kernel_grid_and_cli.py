"""Issue 13: `convlens filter --all` clipped negative responses to black and never showed a kernel; `convlens
explain` on an image file printed 396 KB with --max-steps 1, died with "Broken pipe" under `head`, and said
"figure of step -1"."""
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from convlens.cli.main import main
from convlens.explain.kernel_grid import kernel_grid
from convlens.kernels import apply


@pytest.fixture
def photo(tmp_path):
    rng = np.random.default_rng(0)
    image = np.zeros((48, 64), np.uint8)
    image[10:38, 16:48] = 200  # a bright square: edges of both signs
    image = np.clip(image + rng.integers(0, 20, image.shape), 0, 255).astype(np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(image).save(path)
    return path


def test_zero_sum_kernels_are_drawn_signed_with_a_colour_bar():
    image = np.zeros((20, 20), np.uint8)
    image[5:15, 5:15] = 200
    fig = kernel_grid(image, ["sobel_x", "box_blur"])
    sobel = [ax for ax in fig.axes if ax.get_title() == "sobel_x"][0]
    shown = sobel.images[0]
    expected = apply(image.astype(np.float64), "sobel_x", clip=False)
    np.testing.assert_allclose(shown.get_array(), expected)
    assert shown.get_array().min() < 0  # the negative half of the edge is there, not clipped to 0
    assert shown.get_cmap().name == "RdBu_r" and shown.get_clim() == (-800.0, 800.0)
    assert len(fig.axes) == 4  # original, sobel_x + its colour bar, box_blur
    assert "sum 0" in sobel.get_xlabel()
    blur = [ax for ax in fig.axes if ax.get_title() == "box_blur"][0]
    assert blur.get_xlabel() == "sum 1: brightness kept"


def test_filter_prints_each_kernel_with_its_sum(photo, tmp_path, capsys):
    assert main(["filter", str(photo), "--all", "--out", str(tmp_path / "grid.png")]) == 0
    out = capsys.readouterr().out
    assert "sobel_x (sum 0):\n  -1  0  1\n  -2  0  2\n  -1  0  1" in out
    assert "gaussian_blur (sum 1):" in out


def test_unnormalised_blur_kernel_gets_a_warning(photo, tmp_path, capsys):
    assert main(["filter", str(photo), "--kernel", "1 2 1; 2 4 2; 1 2 1", "--out", str(tmp_path / "g.png")]) == 0
    captured = capsys.readouterr()
    assert "custom (sum 16):" in captured.out
    assert "sum to 16, not 1" in captured.err and "divide the kernel by 16" in captured.err
    assert main(["filter", str(photo), "--kernel", "1/16 2/16 1/16; 2/16 4/16 2/16; 1/16 2/16 1/16", "--out",
                 str(tmp_path / "g2.png")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_explain_on_an_image_file_is_bounded(photo, tmp_path, capsys):
    figure = tmp_path / "last.png"
    assert main(["explain", "conv2d", "--image", str(photo), "--kernel", "sobel_x", "--max-steps", "1",
                 "--figure", str(figure), "--step", "-1"]) == 0
    out = capsys.readouterr().out
    assert len(out) < 6000
    assert "top-left 12×12 of 48×64 shown" in out
    steps = 46 * 62
    assert f"figure of step {steps - 1} (of 0–{steps - 1}) written" in out and "step -1" not in out
    assert figure.read_bytes()[:4] == b"\x89PNG"


def test_explain_step_out_of_range_is_one_line(photo, capsys):
    assert main(["explain", "conv2d", "--image", "1 2; 3 4", "--kernel", "1", "--figure", "x.png",
                 "--step", "9"]) == 2
    assert "--step 9 is out of range: this conv2d has 4 steps" in capsys.readouterr().err


def test_explain_piped_to_head_has_no_broken_pipe(photo):
    command = [sys.executable, "-m", "convlens.cli.main", "explain", "conv2d", "--image", str(photo), "--kernel",
               "sobel_x", "--max-steps", "-1"]
    script = f"import sys; from convlens.cli.main import main; sys.exit(main({command[3:]!r}))"
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()  # read one line, then stop reading, like `| head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert first.startswith(b"conv2d: input 48")
    assert "Broken pipe" not in err and "Traceback" not in err
