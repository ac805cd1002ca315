import numpy as np
import pytest
from matplotlib.colors import to_rgb

from convlens.viz import plot_top_losses, top_losses

PROBS = np.array(
    [
        [0.9, 0.1],  # true 0, right
        [0.6, 0.4],  # true 1, wrong, p(true)=0.4
        [0.99, 0.01],  # true 1, wrong, p(true)=0.01 -> worst
        [0.2, 0.8],  # true 1, right
    ]
)
Y = [0, 1, 1, 1]


def test_top_losses_orders_by_cross_entropy():
    assert top_losses(Y, PROBS, k=3).tolist() == [2, 1, 3]


def test_plot_shows_only_mistakes_worst_first_in_red():
    fig = plot_top_losses(np.zeros((4, 5, 5)), Y, PROBS, class_names=["no", "yes"], k=5)
    titles = [ax.get_title() for ax in fig.axes]
    # fastai's top losses: prediction / actual, then loss / probability of the actual class
    assert titles == ["no / yes\nloss 4.61 / p=0.01", "no / yes\nloss 0.92 / p=0.40"]
    assert all(to_rgb(ax.title.get_color()) == to_rgb("red") for ax in fig.axes)
    assert "prediction / actual / loss / probability" in fig._suptitle.get_text()


def test_labels_follow_the_sort_order():
    # Issue 13: sorted by loss but labelled with the predicted probability, the labels looked random. The shown
    # probability (of the actual class) must rise as the loss falls.
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), size=60)
    y = rng.integers(0, 4, 60)
    fig = plot_top_losses(np.zeros((60, 5, 5)), y, probs, k=8)
    shown = [float(ax.get_title().split("p=")[1]) for ax in fig.axes]
    losses = [float(ax.get_title().split("loss ")[1].split(" ")[0]) for ax in fig.axes]
    assert shown == sorted(shown) and losses == sorted(losses, reverse=True)


def test_no_mistakes_gives_a_single_note_panel():
    fig = plot_top_losses(np.zeros((2, 5, 5)), [0, 1], np.array([[0.9, 0.1], [0.1, 0.9]]))
    assert [ax.get_title() for ax in fig.axes] == ["No mistakes"]


def test_shape_errors():
    with pytest.raises(ValueError, match=r"\(4,\)"):
        top_losses(Y, np.zeros(4))
    with pytest.raises(ValueError, match="k must be"):
        top_losses(Y, PROBS, k=0)
