import numpy as np
import pytest

from convlens.viz import plot_augmented


def test_two_rows_original_over_augmented():
    orig = np.zeros((5, 6, 6, 3), dtype=np.uint8)
    aug = np.full((5, 6, 6, 3), 255, dtype=np.uint8)
    fig = plot_augmented(orig, aug, n=3)
    assert len(fig.axes) == 6
    assert [ax.get_ylabel() for ax in fig.axes] == ["Original", "", "", "Augmented", "", ""]
    assert fig.axes[0].get_images()[0].get_array().max() == 0
    assert fig.axes[3].get_images()[0].get_array().min() == 255


def test_n_beyond_shorter_batch_is_rejected():
    with pytest.raises(ValueError, match="shorter batch"):
        plot_augmented(np.zeros((2, 4, 4)), np.zeros((3, 4, 4)), n=3)
