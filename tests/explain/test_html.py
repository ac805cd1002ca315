"""An explainer result as the last expression of a notebook cell: tables with the values rounded as in the text."""
import numpy as np

from convlens import explain


def test_conv_html_rounds_and_shades_padding():
    trace = explain.conv2d(np.full((3, 3), 0.1), [[0, -1, 0], [-1, 4, -1], [0, -1, 0]], padding=1)
    assert trace.steps[4].total != 0  # floating point: 2.8e-17
    page = trace._repr_html_()
    assert "<caption>output</caption>" in page and "e-17" not in page
    assert page.count('<td class="pad">') == 5 * 5 - 3 * 3
    assert "input (padded)" in page and "… 7 more steps" in page


def test_multichannel_and_pool_html():
    volume = np.arange(2 * 4 * 4).reshape(4, 4, 2)
    page = explain.conv2d(volume, np.ones((3, 3, 2)), stride=1)._repr_html_()
    assert "input [..., 0]" in page and "kernel [..., 1]" in page
    pool = explain.pool2d([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2)._repr_html_()
    assert "<tr><td>6</td><td>8</td></tr><tr><td>3</td><td>4</td></tr>" in pool
