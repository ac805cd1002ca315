"""Rescaling, Resizing, CenterCrop and Normalization through the harness and against NumPy."""
import numpy as np
import pytest
import torch

from convlens import layers as L

from .harness import run_layer_test


def test_rescaling():
    layer = L.Rescaling(1 / 127.5, offset=-1)
    run_layer_test(layer, (2, 4, 4, 3))
    pixels = torch.tensor([0, 127, 255], dtype=torch.uint8).reshape(1, 1, 3, 1)
    y = layer(pixels)
    assert y.dtype == torch.float32
    np.testing.assert_allclose(y.flatten().numpy(), [-1.0, 127 / 127.5 - 1, 1.0], atol=1e-6)
    per_channel = L.Rescaling([1.0, 2.0, 3.0])
    assert per_channel(torch.ones(1, 1, 1, 3)).flatten().tolist() == [1.0, 2.0, 3.0]
    assert L.Rescaling.from_config(per_channel.get_config()).scale == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="'half'"):
        L.Rescaling("half")


@pytest.mark.parametrize("kwargs, shape, out", [
    (dict(height=8, width=6), (2, 4, 4, 3), (2, 8, 6, 3)),
    (dict(height=3, width=3, interpolation="nearest"), (2, 6, 6, 1), (2, 3, 3, 1)),
    (dict(height=4, width=4, crop_to_aspect_ratio=True), (2, 4, 8, 2), (2, 4, 4, 2)),
    (dict(height=4, width=4, pad_to_aspect_ratio=True, fill_value=1.0), (2, 4, 8, 2), (2, 4, 4, 2)),
    (dict(height=5, width=5, interpolation="bicubic"), (1, 3, 3, 1), (1, 5, 5, 1)),
])
def test_resizing(kwargs, shape, out):
    assert run_layer_test(L.Resizing(**kwargs), shape).shape == out


def test_resizing_semantics():
    x = torch.arange(16.0).reshape(1, 4, 4, 1)
    # halving with bilinear half-pixel sampling averages each 2×2 block
    expected = x.reshape(1, 2, 2, 2, 2, 1).mean(dim=(2, 4))
    torch.testing.assert_close(L.Resizing(2, 2)(x), expected)
    # nearest picks the pixel under each output centre: rows/cols 1 and 3 ... of 0..3 → 0.5·(2i+1)·2 − 0.5
    np.testing.assert_array_equal(L.Resizing(2, 2, interpolation="nearest")(x)[0, ..., 0].numpy(),
                                  x[0, 1::2, 1::2, 0].numpy())
    wide = torch.arange(8.0).reshape(1, 1, 8, 1).expand(1, 4, 8, 1)
    cropped = L.Resizing(4, 4, crop_to_aspect_ratio=True)(wide)
    torch.testing.assert_close(cropped, wide[:, :, 2:6])  # the centre 4×4, no resampling needed
    padded = L.Resizing(8, 8, pad_to_aspect_ratio=True, fill_value=-1.0)(wide)
    assert padded[0, :2].eq(-1).all() and padded[0, -2:].eq(-1).all()
    torch.testing.assert_close(padded[:, 2:6], wide)
    pixels = torch.randint(0, 256, (1, 5, 5, 3), dtype=torch.uint8)
    assert L.Resizing(3, 3)(pixels).dtype == torch.uint8
    with pytest.raises(ValueError, match="lanczos3"):
        L.Resizing(3, 3, interpolation="lanczos3")
    with pytest.raises(ValueError, match="only one"):
        L.Resizing(3, 3, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)


def test_center_crop():
    layer = L.CenterCrop(4, 3)
    assert run_layer_test(layer, (2, 7, 8, 2)).shape == (2, 4, 3, 2)
    x = torch.randn(2, 7, 8, 2)
    torch.testing.assert_close(layer(x), x[:, 1:5, 2:5])
    small = torch.ones(1, 2, 2, 1)
    torch.testing.assert_close(L.CenterCrop(4, 4)(small), torch.ones(1, 4, 4, 1))  # resized up, as in Keras
    with pytest.raises(ValueError, match="height.*0"):
        L.CenterCrop(0, 3)


def test_normalization_with_given_statistics():
    layer = L.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    run_layer_test(layer, (3, 5, 2))
    assert layer.get_weights() == []
    x = torch.randn(3, 5, 2)
    torch.testing.assert_close(layer(x), (x - torch.tensor([1.0, 2.0])) / torch.tensor([2.0, 3.0]))
    inverse = L.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    torch.testing.assert_close(inverse(layer(x)), x)
    scalar = L.Normalization(axis=None, mean=3.0, variance=4.0)
    assert scalar(torch.full((1, 2, 2, 3), 5.0)).eq(1.0).all()
    with pytest.raises(ValueError, match="together"):
        L.Normalization(mean=1.0)


def test_normalization_adapt_from_array_tensor_and_batches():
    rng = np.random.default_rng(0)
    data = rng.normal(3.0, 2.0, size=(50, 6, 6, 3)).astype("float32") * np.array([1, 10, 100], "float32")
    expected_mean, expected_var = data.mean(axis=(0, 1, 2)), data.var(axis=(0, 1, 2))
    uneven_batches = [(data[i:i + 7], np.zeros(len(data[i:i + 7]))) for i in range(0, 50, 7)]  # (x, y) pairs
    for source in (data, torch.from_numpy(data), uneven_batches, iter(data[i:i + 16] for i in range(0, 50, 16))):
        layer = L.Normalization()
        layer.adapt(source)
        mean, var, count = layer.get_weights()
        np.testing.assert_allclose(mean, expected_mean, rtol=1e-5)
        np.testing.assert_allclose(var, expected_var, rtol=1e-5)
        assert count == 50 * 36
    out = layer(torch.from_numpy(data)).numpy()
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-4)
    run_layer_test(layer, (2, 6, 6, 3))


def test_normalization_axes_and_counts():
    layer = L.Normalization(axis=(1, 2))
    layer.adapt(np.arange(24, dtype="float32").reshape(2, 3, 4))
    assert [w.shape for w in layer.get_weights()] == [(3, 4), (3, 4), ()]
    assert layer.param_count((None, 3, 4)).non_trainable == 25
    scalar = L.Normalization(axis=None)
    scalar.adapt(np.array([1.0, 3.0]))
    assert [float(w) for w in scalar.get_weights()] == [2.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="given mean and variance"):
        L.Normalization(mean=0.0, variance=1.0).adapt(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="axis"):
        L.Normalization(axis="channels")
