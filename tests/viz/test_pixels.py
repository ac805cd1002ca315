import numpy as np
import pytest

from convlens.viz import plot_pixel_values
from convlens.viz.pixels import annotate_pixels
from convlens.viz._figure import new_figure


def test_every_pixel_is_annotated_with_its_value_and_contrast_colour():
    img = np.array([[0, 50], [200, 255]], dtype=np.uint8)
    fig = plot_pixel_values(img)
    texts = fig.axes[0].texts
    assert [t.get_text() for t in texts] == ["0", "50", "200", "255"]
    # threshold max/2.5 = 102: dark pixels get white text
    assert [t.get_color() for t in texts] == ["white", "white", "black", "black"]
    assert texts[1].xy == (1, 0)


def test_float_values_are_rounded_and_channel_axis_squeezed():
    ax = new_figure((2, 2)).add_subplot(1, 1, 1)
    annotate_pixels(ax, np.array([[[0.123456]], [[1.0]]]), decimals=2)
    assert [t.get_text() for t in ax.texts] == ["0.12", "1.0"]


def test_colour_image_is_rejected():
    with pytest.raises(ValueError, match=r"\(4, 4, 3\)"):
        plot_pixel_values(np.zeros((4, 4, 3)))
