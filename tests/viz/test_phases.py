import math

import pytest

from convlens.viz import plot_transfer_phases
from convlens.viz.phases import phase_epochs

PHASES = {"frozen": {"loss": [1.2, 0.9, 0.8], "val_loss": [1.3, 1.0, 0.9], "accuracy": [0.5, 0.6, 0.7],
                     "val_accuracy": [0.45, 0.55, 0.6]},
          "fine_tuned": {"loss": [0.6, 0.5], "val_loss": [0.7, 0.65], "accuracy": [0.8, 0.85],
                         "val_accuracy": [0.75, 0.8]},
          "scratch": {"loss": [2.0, 1.5, 1.2, 1.0, 0.9], "val_loss": [2.1, 1.7, 1.4, 1.2, 1.1],
                      "accuracy": [0.2, 0.4, 0.5, 0.6, 0.65], "val_accuracy": [0.2, 0.35, 0.45, 0.5, 0.55]}}


def test_fine_tuning_continues_the_epochs_and_scratch_starts_at_one():
    assert phase_epochs(PHASES) == {"frozen": [1, 2, 3], "fine_tuned": [4, 5], "scratch": [1, 2, 3, 4, 5]}
    assert phase_epochs({"fine_tuned": {"loss": [1.0]}, "frozen": {"loss": [1.0, 1.0]}})["frozen"] == [2, 3]


def test_every_phase_is_drawn_on_one_axis_with_a_legend():
    fig = plot_transfer_phases(PHASES)
    assert [ax.get_title() for ax in fig.axes] == ["Loss", "Accuracy"]
    lines = {line.get_label(): line for line in fig.axes[1].get_lines()}
    tuned = lines["fine-tuned top layers: validation"]
    assert list(tuned.get_xdata()) == [4, 5] and list(tuned.get_ydata()) == [0.75, 0.8]
    assert list(lines["from scratch: training"].get_xdata()) == [1, 2, 3, 4, 5]
    unfrozen = lines["base unfrozen"]
    assert list(unfrozen.get_xdata()) == [3.5, 3.5]
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert legend[:2] == ["frozen base, new head: validation", "frozen base, new head: training"]
    assert len(legend) == 7


def test_a_phase_without_validation_draws_only_its_training_curve():
    fig = plot_transfer_phases({"frozen": {"loss": [1.0, 0.5], "val_loss": [math.nan, math.nan]}}, metrics=["loss"])
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["frozen base, new head: training"]


def test_bad_phases_are_refused_by_name():
    with pytest.raises(ValueError, match="phases is empty"):
        plot_transfer_phases({})
    with pytest.raises(ValueError, match=r"metrics \['auc'\] are in no phase's history"):
        plot_transfer_phases(PHASES, metrics=["auc"])


def test_the_figure_renders(tmp_path):
    plot_transfer_phases(PHASES, save=tmp_path / "phases.png")
    assert (tmp_path / "phases.png").read_bytes()[:4] == b"\x89PNG"
