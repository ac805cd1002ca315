import pytest

from convlens import Sequential
from convlens.layers import Conv2D, Dense, Flatten, Input
from convlens.models import Model
from convlens.viz.model_graph import plot_model


def test_plot_model_draws_one_box_per_node_and_one_arrow_per_edge(tmp_path):
    x = Input(shape=(8, 8, 1))
    a = Conv2D(2, 3, padding="same", name="a")(x)
    b = Conv2D(2, 1, name="b")(x)
    model = Model(x, [Conv2D(2, 1, name="c")(a), b])
    fig = plot_model(model, to_file=tmp_path / "g.png", show_shapes=True, dpi=50)
    ax = fig.axes[0]
    assert len(ax.patches) == 4
    assert len([t for t in ax.texts if t.get_text() == ""]) == 3  # arrows x→a, x→b, a→c
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "a (Conv2D)" in texts and "(None, 8, 8, 1) → (None, 8, 8, 2)" in texts
    assert (tmp_path / "g.png").stat().st_size > 1000


def test_plot_model_refuses_what_it_cannot_draw():
    model = Sequential([Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match="rankdir"):
        plot_model(model, rankdir="BT")
    with pytest.raises(ValueError, match="expand_nested"):
        plot_model(model, expand_nested=True)
    assert len(plot_model(Sequential([Flatten(input_shape=(2, 2)), Dense(1)]), rankdir="LR").axes[0].patches) == 3
