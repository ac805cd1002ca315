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


def test_csvlogger_na_cells_from_a_run_without_validation(tmp_path):
    # convlens's CSVLogger writes NA where a key was missing (no validation data); that file must still plot.
    path = tmp_path / "history.csv"
    path.write_text("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.2,NA,NA\n1,0.7,0.8,NA,NA\n")
    fig = plot_training_curves(str(path))
    assert [ax.get_title() for ax in fig.axes] == ["Loss", "Accuracy"]
    assert line_data(fig.axes[0]) == {"train": [1.2, 0.8]}  # no empty validation line


def test_mark_best_draws_the_restored_epoch():
    logs = {"loss": [0.9, 0.5, 0.3, 0.2], "val_loss": [1.0, 0.6, 0.7, 0.8]}
    fig = plot_training_curves(logs, mark_best="val_loss")
    marks = [line for line in fig.axes[0].get_lines() if line.get_label().startswith("best")]
    assert len(marks) == 1 and list(marks[0].get_xdata()) == [2, 2]
    assert marks[0].get_label() == "best val_loss: epoch 2"
    with pytest.raises(ValueError, match="mark_best='val_acc'"):
        plot_training_curves(logs, mark_best="val_acc")
