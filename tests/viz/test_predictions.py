import numpy as np
import pytest
from matplotlib.colors import to_rgb

from convlens.viz import plot_predictions


def test_titles_read_pred_true_blue_when_right_red_when_wrong():
    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    fig = plot_predictions(np.zeros((3, 8, 8, 3)), y_true=[1, 1, 0], y_pred=probs, class_names=["cat", "dog"])
    assert [ax.get_title() for ax in fig.axes] == ["dog (dog)", "cat (dog)", "dog (cat)"]
    colours = [to_rgb(ax.title.get_color()) for ax in fig.axes]
    assert colours == [to_rgb("blue"), to_rgb("red"), to_rgb("red")]


def test_one_hot_true_labels_and_n():
    fig = plot_predictions(np.zeros((4, 8, 8)), y_true=np.eye(3)[[0, 1, 2, 0]], y_pred=[0, 1, 2, 2], n=2)
    assert [ax.get_title() for ax in fig.axes] == ["0 (0)", "1 (1)"]


def test_length_mismatch_is_rejected():
    with pytest.raises(ValueError, match="2, 3, 2"):
        plot_predictions(np.zeros((2, 4, 4)), [0, 1, 1], [0, 1])
