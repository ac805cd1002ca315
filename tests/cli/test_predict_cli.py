"""`convlens predict` reads images with the one hardened reader of convlens.data."""
import os
import threading

import numpy as np
import pytest
from PIL import Image

from convlens.cli.main import main
from convlens.cli.predict import load_for_model

SHAPE = (None, 8, 8, 1)


def test_transparent_png_is_white_paper(tmp_path):
    img = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    img.paste((0, 0, 0, 255), (4, 4, 12, 12))  # a black square on a transparent page
    img.save(tmp_path / "t.png")
    x = load_for_model(str(tmp_path / "t.png"), SHAPE)
    assert x[0, 0, 0] == 1.0 and x[4, 4, 0] == 0.0


def test_16_bit_grey_png_is_scaled_not_white(tmp_path):
    Image.fromarray(np.full((8, 8), 257 * 64, np.uint16)).save(tmp_path / "g.png")
    assert load_for_model(str(tmp_path / "g.png"), SHAPE)[0, 0, 0] == pytest.approx(64 / 255)


def test_exif_orientation_is_applied(tmp_path):
    a = np.zeros((8, 16), np.uint8)
    a[:, :8] = 255  # stored: left half white, 16 wide and 8 high
    img = Image.fromarray(a)
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    img.save(tmp_path / "phone.jpg", exif=exif, quality=100)
    x = load_for_model(str(tmp_path / "phone.jpg"), (None, 16, 8, 1))  # upright: 16 high, 8 wide
    assert x[:8].mean() > 0.9 and x[8:].mean() < 0.1  # the white half is now on top


def test_named_pipe_is_refused_without_hanging(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.png")
    result = []
    thread = threading.Thread(target=lambda: result.append(load_error(tmp_path / "pipe.png")), daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "reading a named pipe hangs"
    assert "not a regular file (a named pipe)" in result[0]


def load_error(path):
    try:
        load_for_model(str(path), SHAPE)
    except ValueError as err:
        return str(err)
    return "no error"


def test_decompression_bomb_is_one_line_in_the_cli(tmp_path, monkeypatch, capsys):
    model = tmp_path / "m.convlens"
    from convlens import Sequential
    from convlens.layers import Dense, Flatten
    Sequential([Flatten(input_shape=(8, 8, 1)), Dense(2, activation="softmax")]).save(model)
    Image.new("L", (64, 64)).save(tmp_path / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert main(["predict", str(tmp_path / "big.png"), "--model", str(model)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "big.png" in err and "decompression" in err
    (tmp_path / "text.png").write_text("not an image")
    assert main(["predict", str(tmp_path / "text.png"), "--model", str(model)]) == 2
    assert "cannot read image" in capsys.readouterr().err
