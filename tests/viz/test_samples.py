import numpy as np
import pytest

from convlens.viz import plot_samples


def test_grid_titles_are_labels_or_class_names():
    images = np.random.default_rng(0).integers(0, 255, (6, 28, 28), dtype=np.uint8)
    fig = plot_samples(images, labels=[5, 0, 4, 1, 9, 2])
    assert [ax.get_title() for ax in fig.axes] == ["5", "0", "4", "1", "9", "2"]
    names = ["cat", "dog", "frog"]
    fig = plot_samples(np.zeros((3, 8, 8, 3)), labels=np.eye(3)[[2, 0, 1]], class_names=names, title="Samples")
    assert [ax.get_title() for ax in fig.axes] == ["frog", "cat", "dog"]
    assert fig._suptitle.get_text() == "Samples"


def test_n_limits_panels_and_grey_images_use_gray_cmap():
    fig = plot_samples(np.zeros((10, 8, 8, 1)), n=4, ncols=2)
    assert len(fig.axes) == 4
    assert fig.axes[0].get_images()[0].get_cmap().name == "gray"
    assert fig.axes[0].get_subplotspec().get_gridspec().get_geometry() == (2, 2)


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match=r"\(5, 5\)"):
        plot_samples(np.zeros((5, 5)))
    with pytest.raises(ValueError, match="n must be"):
        plot_samples(np.zeros((2, 4, 4)), n=3)
    with pytest.raises(ValueError, match="outside class_names"):
        plot_samples(np.zeros((1, 4, 4)), labels=[3], class_names=["a"])
