import numpy as np

from convlens.explain import conv1d, conv2d, conv2d_backward, pool2d
from .notes_examples import BINARY_5x5, POOL_4x4, VOLUME_5x5x3, W0, X_FILTER


def _titles(fig):
    return [ax.get_title() for ax in fig.axes]


def test_conv2d_figure_has_input_kernel_and_partial_output():
    fig = conv2d(BINARY_5x5, X_FILTER).figure(step=4)
    titles = _titles(fig)
    assert len(fig.axes) == 3
    assert titles[0] == "input" and titles[1] == "kernel" and titles[2].startswith("output after step 4")
    assert len(fig.axes[0].patches) == 1  # the highlighted patch
    shown = fig.axes[2].images[0].get_array()
    assert shown.mask.sum() == 4  # steps 5..8 not filled yet
    assert shown[1, 1] == 4


def test_conv2d_figure_per_channel_and_padding_title():
    fig = conv2d(VOLUME_5x5x3, W0, stride=2, padding=1).figure(step=-1)
    assert len(fig.axes) == 2 * 3 + 1
    assert "input channel 2 (padded)" in _titles(fig)
    rect = fig.axes[0].patches[0]
    assert rect.get_xy() == (4 - 0.5, 4 - 0.5)  # last step of 3×3 at stride 2 starts at (4, 4)


def test_conv1d_and_pool_and_backward_figures():
    assert len(conv1d(np.arange(6.0), [1.0, -1.0]).figure(step=2).axes) == 3
    pool_fig = pool2d(POOL_4x4, 2).figure(step=1)
    assert len(pool_fig.axes) == 3 and "max 8" in pool_fig.axes[1].get_title()
    back = conv2d_backward(BINARY_5x5, X_FILTER, np.ones((3, 3)))
    assert len(back.figure().axes) == 5


def test_figure_saves_png(tmp_path):
    path = tmp_path / "step.png"
    conv2d(BINARY_5x5, X_FILTER).figure(step=0).savefig(path)
    assert path.read_bytes()[:4] == b"\x89PNG"
