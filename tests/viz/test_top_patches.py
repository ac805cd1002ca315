"""top_patches: the dataset patches that excite each filter most, cut out at the unit's receptive field."""
import numpy as np
import pytest
import torch

from convlens.layers import Conv2D, MaxPooling2D
from convlens.models import Sequential
from convlens.viz import plot_top_patches, top_patches


def _images(n=40, size=12, channels=1, seed=0):
    return np.random.default_rng(seed).random((n, size, size, channels)).astype("float32")


def _activation_at(model, x, layer, image, row, col, filt):
    from convlens.inspect import layer_outputs

    return layer_outputs(model, x[image:image + 1])[layer][0, row, col, filt]


def test_shapes_and_the_patch_is_the_argmax_region(small_cnn):
    x = _images()
    found = top_patches(small_cnn, x, "conv2d_2", k=5)
    assert found.filters == list(range(6)) and found.field == (5, 5)  # two stacked 3×3 convolutions
    assert found.patches.shape == (6, 5, 5, 5, 1) and found.values.shape == (6, 5)
    from convlens.inspect import layer_outputs

    maps = layer_outputs(small_cnn, x)["conv2d_2"]  # (N, 8, 8, 6)
    for f in range(6):
        assert found.values[f, 0] == pytest.approx(maps[..., f].max())  # the strongest unit in the whole dataset
        assert np.all(np.diff(found.values[f]) <= 0)  # strongest first
        assert len(set(found.where[f, :, 0])) == 5  # five different images
        for j in range(5):
            n, r, c = found.where[f, j]
            assert maps[n, r, c, f] == pytest.approx(found.values[f, j]) == pytest.approx(maps[n, ..., f].max())
            np.testing.assert_array_equal(found.patches[f, j], x[n, r:r + 5, c:c + 5])  # valid convs: no offset
            np.testing.assert_array_equal(found.boxes[f, j], [[r, r + 5], [c, c + 5]])


def test_the_patch_is_everything_the_unit_sees():
    torch.manual_seed(1)
    model = Sequential([Conv2D(3, 3, padding="same", input_shape=(10, 10, 1)), MaxPooling2D(2), Conv2D(2, 3)])
    x = _images(20, 10)
    found = top_patches(model, x, 2, k=3, filters=[1])
    assert found.field == (8, 8) and found.patches.shape == (1, 3, 8, 8, 1)  # conv3 → pool2 → conv3: 8×8
    n, r, c = found.where[0, 0]
    (top, bottom), (left, right) = found.boxes[0, 0]
    before = _activation_at(model, x, "conv2d_2", n, r, c, 1)
    outside = x.copy()
    outside[n] += 5.0
    outside[n, top:bottom, left:right] = x[n, top:bottom, left:right]  # change every pixel outside the box
    assert _activation_at(model, outside, "conv2d_2", n, r, c, 1) == pytest.approx(before, abs=1e-5)
    inside = x.copy()
    inside[n, top:bottom, left:right] += 5.0
    assert _activation_at(model, inside, "conv2d_2", n, r, c, 1) != pytest.approx(before, abs=1e-3)


def test_a_field_over_the_border_is_nan_outside_the_image():
    torch.manual_seed(2)
    model = Sequential([Conv2D(2, 5, padding="same", input_shape=(6, 6, 1))])
    x = np.zeros((2, 6, 6, 1), "float32")
    x[0, 0, 0] = 1.0  # a corner pixel: the strongest unit of an all-positive filter sits at the corner
    model.layers[0].set_weights([np.ones((5, 5, 1, 2), "float32"), np.zeros(2, "float32")])
    found = top_patches(model, x, 0, k=1)
    patch = found.patches[0, 0, ..., 0]
    assert found.field == (5, 5)
    n, r, c = found.where[0, 0]
    (top, bottom), (left, right) = found.boxes[0, 0]
    assert top == max(r - 2, 0) and left == max(c - 2, 0)
    assert np.isnan(patch).sum() == 25 - (bottom - top) * (right - left) > 0


def test_figure_has_one_block_per_filter(small_cnn, tmp_path):
    fig = plot_top_patches(small_cnn, _images(), "conv2d_1", k=4, max_filters=3, save=tmp_path / "top.png")
    assert len(fig.axes) == 3 * 4
    assert "3×3 pixels" in fig.subfigs[0].texts[0].get_text()
    assert (tmp_path / "top.png").stat().st_size > 5000


def test_bad_arguments_say_what_was_expected(small_cnn):
    with pytest.raises(ValueError, match="no 2-D receptive field"):
        top_patches(small_cnn, _images(), "flatten_1")
    with pytest.raises(ValueError, match=r"filters \[9\] are outside"):
        top_patches(small_cnn, _images(), "conv2d_1", filters=[9])
    with pytest.raises(ValueError, match="k must be"):
        top_patches(small_cnn, _images(), "conv2d_1", k=0)


def test_rgb_patches_are_drawn_in_colour_with_the_border_marked(tmp_path):
    torch.manual_seed(4)
    model = Sequential([Conv2D(2, 5, padding="same", input_shape=(8, 8, 3))])
    kernel = np.zeros((5, 5, 3, 2), "float32")
    kernel[2, 2] = 1.0  # each unit reports its centre pixel
    model.layers[0].set_weights([kernel, np.zeros(2, "float32")])
    x = np.random.default_rng(3).random((5, 8, 8, 3)).astype("float32") * 0.1
    x[0, 0, 0] = 10.0  # image 0's bright corner pixel: the strongest unit sits at the corner, its field over the edge
    found = top_patches(model, x, 0, k=2)
    assert found.patches.shape == (2, 2, 5, 5, 3)
    fig = plot_top_patches(model, x, 0, k=2, save=tmp_path / "rgb.png")
    shown = fig.axes[0].images[0].get_array()
    assert shown.shape == (5, 5, 3) and np.nanmax(shown) <= 1 and np.nanmin(shown) >= 0
    outside = np.isnan(found.patches[0, 0, ..., 0])
    assert found.where[0, 0, 0] == 0 and outside.sum() == 25 - 3 * 3  # a 3×3 corner of the 5×5 field is inside
    np.testing.assert_allclose(shown[outside], np.broadcast_to((0.91, 0.765, 0.494), shown[outside].shape))
