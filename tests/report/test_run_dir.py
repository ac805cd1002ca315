import json

import numpy as np
import pytest

from convlens.report import load_run
from convlens.report.run_dir import model_summary_text


def test_reads_every_file_of_the_layout(tmp_path):
    (tmp_path / "history.csv").write_text("epoch,loss,val_loss\n0,0.9,1.0\n1,0.5,0.7\n")
    (tmp_path / "summary.txt").write_text("Total params: 42")
    (tmp_path / "metrics.json").write_text(json.dumps({"test_loss": 0.3, "test_accuracy": 0.9}))
    (tmp_path / "class_names.json").write_text(json.dumps(["a", "b"]))
    np.savez(tmp_path / "test_data.npz", x_test=np.zeros((3, 4, 4, 1), np.uint8), y_test=np.array([0, 1, 1]))
    data = load_run(tmp_path)
    assert data.history == {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}
    assert data.summary == "Total params: 42"
    assert data.metrics["test_accuracy"] == 0.9
    assert data.class_names == ["a", "b"]
    assert data.x_test.shape == (3, 4, 4, 1) and data.y_test.tolist() == [0, 1, 1]
    assert data.model is None and "model.convlens" in data.notes["model"]
    assert set(data.notes) == {"model", "run_info"}  # run.json is optional too


def test_missing_and_broken_files_become_notes(tmp_path):
    (tmp_path / "metrics.json").write_text("{not json")
    np.savez(tmp_path / "test_data.npz", images=np.zeros(3))
    data = load_run(tmp_path)
    assert data.history is None and "history.csv" in data.notes["history"]
    assert "summary.txt" in data.notes["summary"]
    assert data.notes["metrics"].startswith("could not read it: JSONDecodeError")
    assert "'x_test' and 'y_test'" in data.notes["test_data"]


def test_given_pieces_win_and_class_names_come_from_npz(tmp_path):
    (tmp_path / "summary.txt").write_text("from file")
    np.savez(tmp_path / "test_data.npz", x_test=np.zeros((1, 2, 2)), y_test=np.array([1]), class_names=np.array(["no", "yes"]))
    data = load_run(tmp_path, summary="given", history={"loss": [1]})
    assert data.summary == "given" and data.history == {"loss": [1.0]}
    assert data.class_names == ["no", "yes"]
    with pytest.raises(ValueError, match="unknown run pieces"):
        load_run(tmp_path, modle=1)


def test_summary_text_from_model_return_string_or_print_fn():
    class ReturnsString:
        def summary(self, return_string=False):
            return "text" if return_string else None

    class PrintsLines:
        def summary(self, print_fn=print):
            print_fn("line 1")
            print_fn("line 2")

    assert model_summary_text(ReturnsString()) == "text"
    assert model_summary_text(PrintsLines()) == "line 1\nline 2"
    assert model_summary_text(object()) is None


def test_a_model_whose_summary_fails_leaves_a_note(tmp_path):
    class Unbuilt:
        def summary(self, return_string=False):
            raise ValueError("this model has no input shape yet")

    data = load_run(tmp_path, model=Unbuilt())
    assert data.summary is None
    assert "no input shape yet" in data.notes["summary"]
