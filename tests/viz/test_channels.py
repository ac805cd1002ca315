import numpy as np
import pytest

from convlens.viz import plot_rgb_channels


def test_three_channel_panels_show_each_channel():
    img = np.zeros((4, 4, 3), dtype=np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 10, 20, 30
    fig = plot_rgb_channels(img)
    assert [ax.get_title() for ax in fig.axes] == ["Original", "R channel", "G channel", "B channel"]
    for ax, value in zip(fig.axes[1:], (10, 20, 30)):
        shown = ax.get_images()[0]
        assert np.all(shown.get_array() == value)
        assert shown.get_cmap().name == "gray"


def test_grey_image_is_rejected():
    with pytest.raises(ValueError, match=r"\(4, 4, 1\)"):
        plot_rgb_channels(np.zeros((4, 4, 1)))
