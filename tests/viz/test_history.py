import csv
import math

import pytest

from convlens.viz.history import accuracy_key, read_history


class FakeHistory:
    def __init__(self, logs):
        self.history = logs


def write_csv(path, rows, header):
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def test_reads_history_object_and_dict():
    logs = {"loss": [1, 0.5], "accuracy": [0.3, 0.7]}
    assert read_history(FakeHistory(logs)) == {"loss": [1.0, 0.5], "accuracy": [0.3, 0.7]}
    assert read_history(logs)["accuracy"] == [0.3, 0.7]


def test_reads_csvlogger_file_and_drops_epoch(tmp_path):
    path = tmp_path / "history.csv"
    write_csv(path, [[0, 0.9, 0.5, 1.0], [1, 0.4, ""  , 0.8]], ["epoch", "loss", "accuracy", "val_loss"])
    logs = read_history(path)
    assert list(logs) == ["loss", "accuracy", "val_loss"]
    assert logs["loss"] == [0.9, 0.4]
    assert logs["accuracy"][0] == 0.5 and math.isnan(logs["accuracy"][1])
    assert read_history(str(path))["val_loss"] == [1.0, 0.8]


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        read_history(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="one value per epoch"):
        read_history({"loss": [1, 2], "val_loss": [1]})
    with pytest.raises(ValueError, match="got int"):
        read_history(3)


def test_accuracy_key_prefers_keras_names():
    assert accuracy_key(["loss", "acc", "val_acc"]) == "acc"
    assert accuracy_key(["loss", "accuracy"]) == "accuracy"
    assert accuracy_key(["loss"]) is None
