"""`explain` and `filter` read image files with convlens.data's reader (16-bit, transparency, pipes)."""
import os

import numpy as np
from PIL import Image

from convlens.cli.main import main
from convlens.explain import load_matrix


def test_explain_reads_16_bit_and_transparent_images_like_training(tmp_path):
    Image.fromarray(np.array([[0, 257 * 10], [257 * 200, 65535]], np.uint16)).save(tmp_path / "g16.png")
    assert load_matrix(str(tmp_path / "g16.png")).tolist() == [[0, 10], [200, 255]]
    Image.new("LA", (2, 2), (0, 0)).save(tmp_path / "clear.png")
    assert load_matrix(str(tmp_path / "clear.png")).tolist() == [[255, 255], [255, 255]]


def test_filter_reads_16_bit_grey_as_grey_values(tmp_path, capsys):
    Image.fromarray(np.full((6, 6), 257 * 100, np.uint16)).save(tmp_path / "g16.png")
    out = tmp_path / "out.png"
    assert main(["filter", str(tmp_path / "g16.png"), "--kernel", "identity", "--out", str(out)]) == 0
    assert np.asarray(Image.open(out)).tolist() == [[100] * 6] * 6


def test_filter_and_explain_refuse_a_named_pipe(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.png")
    assert main(["filter", str(tmp_path / "pipe.png")]) == 2
    assert "named pipe" in capsys.readouterr().err
