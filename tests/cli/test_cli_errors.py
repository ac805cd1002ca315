"""CLI mistakes are one line on stderr and a non-zero exit, never a traceback; --version and --help."""
import json
import os
import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image

from convlens.cli.main import main


def _one_line_error(capsys, code, *words):
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    for word in words:
        assert word in lines[0]
    return captured


def test_out_pointing_at_a_file(tmp_path, capsys):
    (tmp_path / "taken").write_text("mine")
    code = main(["train", "--out", str(tmp_path / "taken"), "--epochs", "1"])
    _one_line_error(capsys, code, "is a file")
    code = main(["train", "--out", str(tmp_path / "taken" / "run"), "--epochs", "1"])
    _one_line_error(capsys, code, "is a file")
    assert (tmp_path / "taken").read_text() == "mine"


@pytest.mark.parametrize("argv,words", [
    (["train", "--image-size", "0", "0"], ["--image-size", "got 0"]),
    (["train", "--epochs", "-1"], ["--epochs", "got -1"]),
    (["train", "--epochs", "0"], ["--epochs", "got 0"]),
    (["train", "--validation-split", "1.5"], ["--validation-split"]),
    (["train", "--batch-size", "0"], ["--batch-size"]),
    (["predict", "x.png", "--model", "m", "--top", "0"], ["--top", "got 0"]),
    (["evaluate"], ["required"]),
    (["explain", "conv2d", "--image", "1 2; 3 4", "--kernel", "1", "--stride", "0"], ["stride", "0"]),
    (["explain", "pool2d", "--image", "1 2; 3 4", "--stride", "0"], ["stride", "0"]),
    (["explain", "pool2d", "--image", "1 2; 3 4", "--figure", "step.pnj"], ["--figure", "'.pnj'", ".png"]),
    (["filter", "photo.png", "--out", "edges.pnj"], ["--out", "'.pnj'", ".png"]),
    (["filter", "photo.png", "--all", "--out", "grid"], ["--out", "has no extension", ".svg"]),
])
def test_bad_values_are_one_line(argv, words, capsys):
    _one_line_error(capsys, main(argv), *words)


def test_offline_dataset_download_is_one_line(tmp_path, monkeypatch, capsys):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("Name or service not known")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))
    captured = _one_line_error(capsys, main(["train", "--dataset", "mnist", "--out", str(tmp_path / "r")]),
                               "Could not download")
    assert len(captured.out.splitlines()) <= 1  # at most the "Downloading data from ..." line


def test_missing_model_file_is_one_line(tmp_path, capsys):
    _one_line_error(capsys, main(["predict", "x.png", "--model", str(tmp_path / "nope")]), "does not exist")
    _one_line_error(capsys, main(["evaluate", str(tmp_path)]), "has no model.convlens")


def test_report_after_training_on_a_non_utf8_class_folder(tmp_path, capsys):
    root = tmp_path.as_posix().encode() + b"/data"
    for name in (b"caf\xe9", b"ok"):
        folder = root + b"/" + name
        os.makedirs(folder)
        for i in range(6):
            a = np.zeros((8, 8), np.uint8)
            a[: 4 if name == b"ok" else 8] = 255
            Image.fromarray(a).save(folder.decode("utf-8", "surrogateescape") + f"/{i}.png")
    out = tmp_path / "run"
    assert main(["train", "--dataset", root.decode(), "--model", "notes_mnist_mlp", "--epochs", "1",
                 "--image-size", "8", "8", "--color-mode", "grayscale", "--out", str(out), "--no-report",
                 "--verbose", "0", "--test-split", "0.2", "--validation-split", "0.2"]) == 0
    assert main(["report", str(out)]) == 0, capsys.readouterr().err
    assert json.loads((out / "class_names.json").read_text(encoding="utf-8")) == ["caf\ufffd", "ok"]
    assert (out / "report.html").is_file()


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == "convlens 0.1.0"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "notes_mnist_cnn" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 10)" in text and "(default: mnist_sample)" in text and "notes_cifar10_cnn" in text
