"""CLI corners of issue 23: `convlens evaluate` on a weights-only file says so; `convlens report` on a run whose class
names (or folder name) are not valid UTF-8 writes the page with those names shown escaped."""
import json
import os

import numpy as np
import pytest

from convlens import Sequential
from convlens.cli.main import main
from convlens.layers import Conv2D, Dense, Flatten, Input


def _tiny():
    return Sequential([Input((12, 12, 1)), Conv2D(2, 3, activation="relu"), Flatten(),
                       Dense(3, activation="softmax")])


@pytest.mark.parametrize("name", ["weights.convlens", "model.weights.h5"])
@pytest.mark.parametrize("extra", [[], ["--dataset", "mnist_sample"]])
def test_evaluate_on_a_weights_only_file_says_it_holds_weights_only(tmp_path, capsys, name, extra):
    path = tmp_path / name
    _tiny().save_weights(path)
    assert main(["evaluate", str(path), *extra]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "holds weights only" in lines[0] and "records no dataset" not in lines[0]


def _run_folder(folder, names):
    folder.mkdir(parents=True)
    model = _tiny()
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    model.save(folder / "model.convlens")
    rng = np.random.default_rng(0)
    np.savez(folder / "test_data.npz", x_test=rng.integers(0, 256, (12, 12, 12, 1), dtype=np.uint8),
             y_test=np.arange(12) % 3)
    (folder / "class_names.json").write_text(json.dumps(names))  # ASCII-escaped: the surrogates survive
    (folder / "history.csv").write_text("epoch,loss,accuracy\n0,1.1,0.3\n1,0.9,0.5\n")


def test_report_shows_class_names_that_are_not_utf8_escaped(tmp_path, capsys):
    run = tmp_path / "run"
    _run_folder(run, ["caf\udce9", "ok", "\ud800lone"])
    assert main(["report", str(run)]) == 0, capsys.readouterr().err
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "caf\\xe9" in page and "\\ud800lone" in page
    assert "could not be drawn" not in page and "surrogates not allowed" not in page


def test_report_of_a_run_folder_whose_name_is_not_utf8(tmp_path, capsys):
    run = tmp_path / os.fsdecode(b"run-\xff")
    _run_folder(run, ["a", "b", "c"])
    assert main(["report", str(run)]) == 0, capsys.readouterr().err
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "run folder run-\\xff" in page
    assert sorted(os.listdir(run)) == sorted(["class_names.json", "history.csv", "model.convlens", "report.html",
                                              "test_data.npz"])  # written in place, no temp file left


def test_evaluate_on_a_training_checkpoint_says_what_it_is(tmp_path, capsys):
    model = _tiny()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(np.zeros((4, 12, 12, 1), "float32"), np.arange(4) % 3, verbose=0)
    path = tmp_path / "backup.convlens"
    model.trainer.save_checkpoint(path)
    assert main(["evaluate", str(path), "--dataset", "mnist_sample"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "is a training checkpoint (weights and run state, no architecture)" in lines[0]
    fresh = _tiny()
    fresh.load_weights(path)  # what the message suggests works
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), model.get_weights()))
