"""Issue 13: a wrapped channels-first torch module drew 26 panels of 8x26 stripes; Grad-CAM drew stripes;
plot_filters refused a plain nn.Conv2d. The plots must see (H, W, C) maps whatever the model's layout."""
import numpy as np
import torch

from convlens.models import Model
from convlens.viz import feature_maps, grad_cam, plot_feature_maps, plot_filters, plot_grad_cam


def wrapped_net():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(8 * 26 * 26, 3))
    return net, Model.wrap(net, input_shape=(28, 28, 1), channels_first=True)


def test_feature_maps_of_a_wrapped_module_are_channels_last():
    net, model = wrapped_net()
    image = np.random.default_rng(0).random((28, 28, 1), dtype=np.float32)
    maps = feature_maps(model, image, 0)
    assert maps.shape == (26, 26, 8)
    with torch.no_grad():
        direct = net[0](torch.from_numpy(image).permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(maps, direct, rtol=1e-5, atol=1e-6)
    fig = plot_feature_maps(model, image, "0")
    panels = [ax for ax in fig.axes if ax.get_title().startswith("map")]
    assert len(panels) == 8
    assert all(ax.get_images()[0].get_array().shape == (26, 26) for ax in panels)
    assert fig._suptitle.get_text().startswith("0: 26x26x8 feature maps")


def test_grad_cam_of_a_wrapped_module_matches_a_channels_last_computation():
    net, model = wrapped_net()
    image = np.random.default_rng(1).random((28, 28, 1), dtype=np.float32)
    heat, cls = grad_cam(model, image, class_index=2)
    x = torch.from_numpy(image).permute(2, 0, 1)[None]
    act = net[0](x).detach().requires_grad_(True)
    net[3](net[2](net[1](act)))[0, 2].backward()
    cam = torch.relu((act.grad.mean(dim=(2, 3), keepdim=True) * act).sum(1))  # channels-first: sum over axis 1
    cam = torch.nn.functional.interpolate(cam[:, None], size=(28, 28), mode="bilinear", align_corners=False)[0, 0]
    np.testing.assert_allclose(heat, (cam / cam.max()).detach().numpy(), atol=1e-5)
    fig = plot_grad_cam(model, image[None], y_true=[cls])
    heat_panel = [ax for ax in fig.axes if ax.get_title() == "Grad-CAM: 0"][0]
    assert heat_panel.get_images()[0].get_array().shape == (28, 28)
    assert "no final activation" in fig._suptitle.get_text()  # says which score was used


def test_filters_of_a_wrapped_module_and_of_its_conv():
    net, model = wrapped_net()
    fig = plot_filters(model)
    assert sum(ax.get_title().startswith("filter") for ax in fig.axes) == 8
    fig = plot_filters(net[0])
    first = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(first, net[0].weight[0, 0].detach().numpy(), rtol=1e-6)
