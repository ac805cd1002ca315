"""viz figures render as one PNG in a notebook, with or without %matplotlib inline, and are not pyplot's."""
import numpy as np
from matplotlib import pyplot

from convlens.viz import plot_samples


def test_figure_has_png_repr_and_is_not_managed_by_pyplot():
    before = pyplot.get_fignums()
    fig = plot_samples(np.zeros((4, 8, 8)), [0, 1, 2, 3])
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    assert pyplot.get_fignums() == before  # the inline backend would show pyplot's figures a second time
