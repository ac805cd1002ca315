import numpy as np
import pytest
import torch

from convlens.viz import grad_cam, plot_grad_cam


def test_heatmap_is_normalised_at_input_size_and_matches_manual_gradcam(small_cnn):
    image = np.random.default_rng(3).random((12, 12, 1), dtype=np.float32)
    heat, cls = grad_cam(small_cnn, image, layer="conv2d_1")
    assert heat.shape == (12, 12)
    assert heat.min() >= 0.0 and heat.max() <= 1.0 + 1e-6
    probs = small_cnn.predict(image[None])
    assert cls == int(probs[0].argmax())

    # the same computation by hand, without hooks: split the model at conv2d_1
    x = torch.from_numpy(image[None])
    act = small_cnn.layers[0](x).detach().requires_grad_(True)
    out = act
    for layer in list(small_cnn.layers)[1:]:
        out = layer(out)
    out[0, cls].backward()
    cam = torch.relu((act.grad.mean(dim=(1, 2), keepdim=True) * act).sum(-1))
    cam = torch.nn.functional.interpolate(cam[:, None], size=(12, 12), mode="bilinear", align_corners=False)[0, 0]
    expected = (cam / cam.max()).detach().numpy() if cam.max() > 0 else cam.detach().numpy()
    np.testing.assert_allclose(heat, expected, atol=1e-5)


def test_class_index_and_default_layer(small_cnn):
    image = np.random.default_rng(4).random((12, 12, 1), dtype=np.float32)
    _, cls = grad_cam(small_cnn, image, class_index=2)
    assert cls == 2
    with pytest.raises(ValueError, match="between 0 and 2"):
        grad_cam(small_cnn, image, class_index=3)
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        grad_cam(small_cnn, image, layer=-1)


def test_plot_has_input_heatmap_and_overlay(small_cnn):
    image = np.random.default_rng(5).random((12, 12, 1), dtype=np.float32)
    fig = plot_grad_cam(small_cnn, image, class_index=1, class_names=["a", "b", "c"])
    assert [ax.get_title() for ax in fig.axes] == ["Input", "Grad-CAM: conv2d_2", "Overlay: class b"]
    assert len(fig.axes[2].get_images()) == 2
