import numpy as np
import torch
import pytest

from convlens.viz import feature_maps, plot_feature_maps


def test_feature_maps_match_the_layer_output(small_cnn):
    image = np.random.default_rng(1).random((12, 12, 1), dtype=np.float32)
    maps = feature_maps(small_cnn, image, "conv2d_1")
    assert maps.shape == (10, 10, 4)
    with torch.no_grad():
        direct = small_cnn.layers[0](torch.from_numpy(image[None]))[0].numpy()
    np.testing.assert_allclose(maps, direct, rtol=1e-5, atol=1e-6)


def test_plot_one_panel_per_channel(small_cnn):
    image = np.random.default_rng(2).random((12, 12), dtype=np.float32)
    fig = plot_feature_maps(small_cnn, image, 1, max_maps=5)
    assert [ax.get_title() for ax in fig.axes[:5]] == [f"map {i}" for i in range(5)]
    assert fig._suptitle.get_text().startswith("conv2d_2: 8x8x6 feature maps (first 5)")


def test_one_diverging_scale_for_all_maps_with_a_colour_bar(small_cnn):
    image = np.random.default_rng(2).random((12, 12, 1), dtype=np.float32)
    fig = plot_feature_maps(small_cnn, image, 0)
    panels = [ax for ax in fig.axes if ax.get_title().startswith("map")]
    limits = {ax.get_images()[0].get_clim() for ax in panels}
    assert len(limits) == 1  # shared scale: the same value has the same colour in every map
    lo, hi = limits.pop()
    assert lo == -hi and hi == pytest.approx(np.abs(feature_maps(small_cnn, image, 0)).max())
    assert panels[0].get_images()[0].get_cmap().name == "RdBu_r"
    assert len(fig.axes) == len(panels) + 1  # the colour bar


def test_dense_output_is_labelled_with_class_names(small_cnn):
    fig = plot_feature_maps(small_cnn, np.zeros((12, 12, 1)), -1, class_names=["cat", "dog", "bird"])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["cat", "dog", "bird"]
    assert fig.axes[0].get_xlabel() == "class"


def test_flat_output_is_drawn_as_bars(small_cnn):
    fig = plot_feature_maps(small_cnn, np.zeros((12, 12, 1)), -1)
    assert len(fig.axes) == 1
    assert len(fig.axes[0].patches) == 3


def test_model_mode_is_restored(small_cnn):
    small_cnn.train()
    feature_maps(small_cnn, np.zeros((12, 12, 1)), 0)
    assert small_cnn.training
    with pytest.raises(ValueError, match="out of range"):
        feature_maps(small_cnn, np.zeros((12, 12, 1)), 9)
