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
    for layer in list(small_cnn.layers)[1:-1]:
        out = layer(out)
    out = small_cnn.layers[-1](out, activate=False)  # the class score before softmax, as in the Grad-CAM paper
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


def test_scores_the_class_before_softmax_not_the_probability(small_cnn):
    # With a saturated softmax the probability's gradient vanishes; the logit's does not. Compare with the
    # probability-based map to show the two differ on this model.
    image = np.random.default_rng(6).random((12, 12, 1), dtype=np.float32)
    heat, cls = grad_cam(small_cnn, image, layer="conv2d_1", class_index=0)
    x = torch.from_numpy(image[None])
    act = small_cnn.layers[0](x).detach().requires_grad_(True)
    out = small_cnn.layers[3](small_cnn.layers[2](small_cnn.layers[1](act)))  # softmax probabilities
    out[0, 0].backward()
    cam = torch.relu((act.grad.mean(dim=(1, 2), keepdim=True) * act).sum(-1))
    cam = torch.nn.functional.interpolate(cam[:, None], size=(12, 12), mode="bilinear", align_corners=False)[0, 0]
    prob_map = (cam / cam.max()).detach().numpy() if cam.max() > 0 else cam.detach().numpy()
    assert not np.allclose(heat, prob_map, atol=1e-3)


def test_plot_rows_per_sample_with_colour_bar_probability_and_verdict(small_cnn):
    images = np.random.default_rng(5).random((3, 12, 12, 1), dtype=np.float32)
    probs = small_cnn.predict(images)
    pred = probs.argmax(1)
    truth = np.array([pred[0], (pred[1] + 1) % 3, pred[2]])
    fig = plot_grad_cam(small_cnn, images, class_names=["a", "b", "c"], y_true=truth)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles.count("Input") == 3 and titles.count("Grad-CAM: conv2d_2") == 3
    overlays = [ax for ax in fig.axes if ax.get_title().startswith("predicted")]
    assert len(overlays) == 3 and all(len(ax.get_images()) == 2 for ax in overlays)
    names = "abc"
    assert overlays[0].get_title() == f"predicted {names[pred[0]]} p={probs[0, pred[0]]:.2f}\nright (true {names[pred[0]]})"
    assert overlays[1].get_title().endswith(f"wrong: true {names[truth[1]]}")
    assert sum(ax.get_ylabel() == "relative importance" for ax in fig.axes) == 3  # one colour bar per heatmap
    assert "before softmax" in fig._suptitle.get_text()


def test_display_images_without_a_channel_axis(small_cnn):
    images = np.random.default_rng(7).random((2, 12, 12, 1), dtype=np.float32)
    originals = (images[..., 0] * 255).astype(np.uint8)  # (N, H, W), as test_data.npz often stores them
    fig = plot_grad_cam(small_cnn, images, display_image=originals)
    inputs = [ax for ax in fig.axes if ax.get_title() == "Input"]
    assert len(inputs) == 2 and inputs[1].get_images()[0].get_array().shape == (12, 12)
    one = plot_grad_cam(small_cnn, images[0], display_image=originals[0])
    assert [ax.get_title() for ax in one.axes].count("Input") == 1
