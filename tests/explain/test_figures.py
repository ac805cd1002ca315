import numpy as np

from convlens.explain import conv1d, conv2d, conv2d_backward, pool2d
from .notes_examples import BINARY_5x5, POOL_4x4, VOLUME_5x5x3, W0, X_FILTER


def _titles(fig):
    return [ax.get_title() for ax in fig.axes]


def test_conv2d_figure_has_input_kernel_and_partial_output():
    fig = conv2d(BINARY_5x5, X_FILTER).figure(step=4)
    titles = _titles(fig)
    assert len(fig.axes) == 4
    assert titles[:3] == ["input", "kernel", "patch × kernel = products"]
    assert titles[3].startswith("output after step 4")
    assert len(fig.axes[0].patches) == 1  # the highlighted patch
    shown = fig.axes[3].images[0].get_array()
    assert shown.mask.sum() == 4  # steps 5..8 not filled yet
    assert shown[1, 1] == 4


def test_conv2d_figure_per_channel_and_padding_title():
    fig = conv2d(VOLUME_5x5x3, W0, stride=2, padding=1).figure(step=-1)
    assert len(fig.axes) == 3 * 3 + 1
    assert "input channel 2 (hatched: padding zeros)" in _titles(fig)
    window = [p for p in fig.axes[0].patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0)][0]
    assert window.get_xy() == (4 - 0.5, 4 - 0.5)  # last step of 3×3 at stride 2 starts at (4, 4)


def test_conv1d_and_pool_and_backward_figures():
    assert len(conv1d(np.arange(6.0), [1.0, -1.0]).figure(step=2).axes) == 4
    pool_fig = pool2d(POOL_4x4, 2).figure(step=1)
    assert len(pool_fig.axes) == 3 and "max = 8" in pool_fig.axes[1].get_title()
    back = conv2d_backward(BINARY_5x5, X_FILTER, np.ones((3, 3)))
    assert len(back.figure().axes) == 5


def test_figure_saves_png(tmp_path):
    path = tmp_path / "step.png"
    conv2d(BINARY_5x5, X_FILTER).figure(step=0).savefig(path)
    assert path.read_bytes()[:4] == b"\x89PNG"


def _clim(ax):
    return ax.images[0].get_clim()


def test_one_colour_scale_per_trace():
    # Issue 13: the same output value 4 was purple at step 0 and yellow at step 4.
    trace = conv2d(BINARY_5x5, X_FILTER)
    early, late = trace.figure(step=0), trace.figure(step=4)
    for panel in range(4):
        assert _clim(early.axes[panel]) == _clim(late.axes[panel])
    out = early.axes[3].images[0]
    assert out.get_clim() == (float(trace.output.min()), float(trace.output.max()))
    assert out.cmap(out.norm(4.0)) == late.axes[3].images[0].cmap(late.axes[3].images[0].norm(4.0))


def test_padding_is_marked_and_products_sum_to_the_output():
    trace = conv2d(BINARY_5x5, X_FILTER, padding=1, bias=1.0)
    fig = trace.figure(step=0)
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 7 * 7 - 5 * 5  # the ring of padding cells
    products = fig.axes[2].images[0].get_array()
    np.testing.assert_array_equal(products, trace.steps[0].products)
    caption = fig._supxlabel.get_text()
    assert caption.endswith(f"= {int(trace.steps[0].total)} + bias 1 → output[0, 0] = {int(trace.steps[0].value)}")
    assert "sum of the 9 products" in caption


def test_pool_max_is_outlined_in_gold_and_padding_hatched():
    fig = pool2d(POOL_4x4, 2).figure(step=1)
    from matplotlib.colors import to_rgba

    gold = [p for p in fig.axes[1].patches if p.get_edgecolor() == to_rgba("gold")]
    assert len(gold) == 1
    window = np.asarray(POOL_4x4)[0:2, 2:4]
    r, c = np.unravel_index(window.argmax(), window.shape)
    assert gold[0].get_xy() == (c - 0.45, r - 0.45)
    padded = pool2d(np.arange(9.0).reshape(3, 3), 2, padding="same").figure(step=3)
    assert any(p.get_hatch() for p in padded.axes[0].patches)


def test_numbers_are_readable_on_dark_cells():
    from matplotlib.colors import to_rgb

    fig = conv2d(BINARY_5x5, X_FILTER).figure(step=0)
    ax = fig.axes[0]  # grey input: 0 is black, 1 is white
    image = ax.images[0]
    for text in ax.texts:
        r, c = round(text.get_position()[1]), round(text.get_position()[0])
        cell = image.cmap(image.norm(image.get_array()[r, c]))
        luminance = 0.299 * cell[0] + 0.587 * cell[1] + 0.114 * cell[2]
        assert to_rgb(text.get_color()) == ((0.0, 0.0, 0.0) if luminance > 0.5 else (1.0, 1.0, 1.0))
