import csv

import pytest
from matplotlib.figure import Figure

from convlens.viz import plot_training_curves


def line_data(ax):
    return {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}


def test_loss_and_accuracy_panels_train_vs_validation():
    logs = {"loss": [0.9, 0.5, 0.3], "accuracy": [0.6, 0.8, 0.9], "val_loss": [1.0, 0.7, 0.6], "val_accuracy": [0.5, 0.7, 0.8]}
    fig = plot_training_curves(logs)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["Loss", "Accuracy"]
    assert line_data(fig.axes[0]) == {"train": logs["loss"], "validation": logs["val_loss"]}
    assert line_data(fig.axes[1]) == {"train": logs["accuracy"], "validation": logs["val_accuracy"]}
    assert list(fig.axes[0].get_lines()[0].get_xdata()) == [1, 2, 3]
    assert fig.axes[0].get_xlabel() == "Epoch"


def test_without_validation_or_accuracy_draws_one_line_one_panel():
    fig = plot_training_curves({"loss": [2.0, 1.0]})
    assert len(fig.axes) == 1
    assert list(line_data(fig.axes[0])) == ["train"]


def test_from_csvlogger_file_and_saves_png(tmp_path):
    path = tmp_path / "history.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["epoch", "acc", "loss", "val_acc", "val_loss"])
        writer.writerows([[0, 0.5, 1.2, 0.4, 1.3], [1, 0.7, 0.8, 0.6, 0.9]])
    out = tmp_path / "curves.png"
    fig = plot_training_curves(path, save=out)
    assert [ax.get_title() for ax in fig.axes] == ["Loss", "Accuracy"]
    assert line_data(fig.axes[1])["validation"] == [0.4, 0.6]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_metric_is_rejected():
    with pytest.raises(ValueError, match="'auc'"):
        plot_training_curves({"loss": [1.0]}, metrics=["auc"])
