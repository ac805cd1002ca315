import csv

import pytest

from convlens.callbacks import CSVLogger

from .fakes import FakeModel, replay


def read_rows(path, delimiter=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def test_writes_epoch_first_then_sorted_keys(tmp_path):
    path = tmp_path / "log.csv"
    logs = [{"val_loss": 0.5, "loss": 0.7, "accuracy": 0.8, "val_accuracy": 0.75},
            {"val_loss": 0.4, "loss": 0.6, "accuracy": 0.85, "val_accuracy": 0.8}]
    replay([CSVLogger(path)], FakeModel(), logs)
    rows = read_rows(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert rows[1] == ["0", "0.8", "0.7", "0.75", "0.5"]
    assert [float(v) for v in rows[2]] == [1, 0.85, 0.6, 0.8, 0.4]


def test_separator_and_missing_validation_columns(tmp_path):
    path = tmp_path / "log.tsv"
    replay([CSVLogger(path, separator="\t")], FakeModel(), [{"loss": 0.7}, {"loss": 0.6, "val_loss": 0.9}])
    rows = read_rows(path, "\t")
    assert rows == [["epoch", "loss", "val_loss"], ["0", "0.7", "NA"], ["1", "0.6", "0.9"]]


def test_append_keeps_old_rows_without_second_header(tmp_path):
    path = tmp_path / "log.csv"
    replay([CSVLogger(path)], FakeModel(), [{"loss": 0.7, "val_loss": 1.0}])
    replay([CSVLogger(path, append=True)], FakeModel(), [{"loss": 0.5, "val_loss": 0.8}])
    assert read_rows(path) == [["epoch", "loss", "val_loss"], ["0", "0.7", "1.0"], ["0", "0.5", "0.8"]]
    replay([CSVLogger(path)], FakeModel(), [{"loss": 0.1, "val_loss": 0.2}])
    assert len(read_rows(path)) == 2  # append=False overwrites


def test_tensor_and_list_values(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "log.csv"
    replay([CSVLogger(path)], FakeModel(), [{"loss": torch.tensor(0.25), "val_loss": [1, 2]}])
    assert read_rows(path)[1] == ["0", "0.25", "[1, 2]"]


def test_bad_separator():
    with pytest.raises(ValueError, match="'::'"):
        CSVLogger("x.csv", separator="::")
