import numpy as np
from PIL import Image

from convlens.cli.main import main

BINARY = "1 1 1 0 0; 0 1 1 1 0; 0 0 1 1 1; 0 0 1 1 0; 0 1 1 0 0"


def test_conv2d_inline_prints_steps_and_output(capsys):
    assert main(["explain", "conv2d", "--image", BINARY, "--kernel", "1 0 1; 0 1 0; 1 0 1"]) == 0
    out = capsys.readouterr().out
    assert "sum = 1 + 0 + 1 + 0 + 1 + 0 + 0 + 0 + 1 = 4 → 4" in out
    assert "output:\n  4 3 4\n  2 4 3\n  2 3 4" in out


def test_conv2d_stride_padding_bias_and_named_kernel(capsys):
    assert main(["explain", "conv2d", "--image", BINARY, "--kernel", "identity", "--stride", "2", "--padding",
                 "1", "--bias", "0.5", "--max-steps", "-1"]) == 0
    out = capsys.readouterr().out
    assert "stride (2, 2), padding ((1, 1), (1, 1))" in out and "step 8:" in out
    # identity centred on padded[2i + 1, 2j + 1] = image[2i, 2j]; first row of the image is 1 1 1 0 0
    assert "output:\n  1.5 1.5 0.5" in out


def test_conv2d_from_csv_and_figure(tmp_path, capsys):
    csv = tmp_path / "grid.csv"
    csv.write_text("\n".join(",".join(str(10 * r + c) for c in range(1, 8)) for r in range(8)))
    fig = tmp_path / "step.png"
    assert main(["explain", "conv2d", "--image", str(csv), "--kernel", "1 1 1; 1 1 1; 1 1 1", "--stride", "2",
                 "--max-steps", "1", "--figure", str(fig), "--step", "3"]) == 0
    out = capsys.readouterr().out
    assert "= 108" in out and "306" in out and "8 more steps" in out
    assert fig.read_bytes()[:4] == b"\x89PNG"


def test_conv2d_from_image_file(tmp_path, capsys):
    png = tmp_path / "tiny.png"
    Image.fromarray(np.array([[0, 10, 20], [30, 40, 50], [60, 70, 80]], dtype=np.uint8)).save(png)
    assert main(["explain", "conv2d", "--image", str(png), "--kernel", "1 0; 0 1"]) == 0
    assert "output:\n   40  60\n  100 120" in capsys.readouterr().out


def test_pool2d_modes(capsys):
    image = "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4"
    assert main(["explain", "pool2d", "--image", image, "--size", "2"]) == 0
    assert "output:\n  6 8\n  3 4" in capsys.readouterr().out
    assert main(["explain", "pool2d", "--image", image, "--mode", "sum"]) == 0
    assert "output:\n  13 21\n   8  8" in capsys.readouterr().out


def test_conv1d(capsys):
    assert main(["explain", "conv1d", "--image", "1 2 3 4", "--kernel", "1 -1"]) == 0
    assert "output:\n  -1 -1 -1" in capsys.readouterr().out


def test_errors_go_to_stderr_with_exit_code_2(capsys):
    assert main(["explain", "conv2d", "--image", "1 2; 3 4", "--kernel", "1 1 1; 1 1 1; 1 1 1"]) == 2
    err = capsys.readouterr().err
    assert "kernel 3×3 is larger than the padded input 2×2" in err
    assert main(["explain", "conv2d", "--image", "1 2; 3 4", "--kernel", "nope"]) == 2
    assert "unknown kernel 'nope'" in capsys.readouterr().err


def test_bad_stride_is_a_one_line_usage_error(capsys):
    assert main(["explain", "conv2d", "--image", "1", "--kernel", "1", "--stride", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "argument --stride" in err[0]
