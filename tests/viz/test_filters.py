import numpy as np
import pytest

from convlens.viz import conv_kernel, plot_filters


def test_first_conv_kernel_in_keras_layout(small_cnn):
    kernel, name = conv_kernel(small_cnn)
    assert name == "conv2d_1"
    assert kernel.shape == (3, 3, 1, 4)
    kernel2, name2 = conv_kernel(small_cnn, "conv2d_2")
    assert (name2, kernel2.shape) == ("conv2d_2", (3, 3, 4, 6))


def test_one_panel_per_filter_showing_signed_weights_on_one_scale(small_cnn):
    fig = plot_filters(small_cnn)
    panels = fig.axes[:4]
    assert [ax.get_title() for ax in panels] == [f"filter {i}" for i in range(4)]
    assert "4 filters of 3x3x1" in fig._suptitle.get_text()
    kernel, _ = conv_kernel(small_cnn)
    # the raw weights, not each panel stretched to its own min..max (which hid the sign)
    np.testing.assert_allclose(panels[0].get_images()[0].get_array(), kernel[:, :, 0, 0], rtol=1e-6)
    limits = {ax.get_images()[0].get_clim() for ax in panels}
    peak = float(np.abs(kernel).max())
    assert limits == {(-peak, peak)}
    assert panels[0].get_images()[0].get_cmap().name == "RdBu_r"
    assert len(fig.axes) == 5 and fig.axes[4].get_ylabel() == "weight"  # the colour bar


def test_plain_torch_conv2d_is_accepted():
    import torch

    conv = torch.nn.Conv2d(2, 5, 3)
    kernel, _ = conv_kernel(conv)
    np.testing.assert_allclose(kernel[..., 3], conv.weight[3].detach().numpy().transpose(1, 2, 0))
    fig = plot_filters(conv, channel=1)
    assert [ax.get_title() for ax in fig.axes[:5]] == [f"filter {i}" for i in range(5)]
    np.testing.assert_allclose(fig.axes[2].get_images()[0].get_array(), kernel[:, :, 1, 2], rtol=1e-6)


def test_colour_input_filters_are_rgb_and_max_filters_limits(make_cnn):
    model = make_cnn(channels=3)
    fig = plot_filters(model, max_filters=2)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_images()[0].get_array().shape == (3, 3, 3)


def test_bad_layer_or_channel(small_cnn):
    with pytest.raises(ValueError, match="no 4-D Conv2D kernel"):
        plot_filters(small_cnn, layer=-1)
    with pytest.raises(ValueError, match="channel must be between 0 and 3"):
        plot_filters(small_cnn, layer="conv2d_2", channel=4)
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        plot_filters(small_cnn, layer="nope")
