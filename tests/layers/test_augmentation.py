"""Random* layers: identity at inference; in training batched, seeded, different per image, in range."""
import numpy as np
import pytest
import torch

from convlens import layers as L

from .harness import run_layer_test

MAKERS = [
    lambda seed: L.RandomFlip(seed=seed),
    lambda seed: L.RandomRotation(0.2, seed=seed),
    lambda seed: L.RandomZoom(0.3, seed=seed),
    lambda seed: L.RandomZoom((-0.3, 0.2), width_factor=0.1, fill_mode="constant", seed=seed),
    lambda seed: L.RandomTranslation(0.2, 0.3, fill_mode="wrap", interpolation="nearest", seed=seed),
    lambda seed: L.RandomContrast(0.5, value_range=(0, 1), seed=seed),
    lambda seed: L.RandomBrightness(0.3, value_range=(0, 1), seed=seed),
]


def images(n=8, size=12, channels=3):
    return torch.rand(n, size, size, channels, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("make", MAKERS)
def test_harness(make):
    assert run_layer_test(make(3), (4, 10, 10, 3)).shape == (4, 10, 10, 3)


@pytest.mark.parametrize("make", MAKERS)
def test_identity_at_inference(make):
    layer, x = make(0), images()
    assert layer(x, training=False) is x
    layer.eval()
    assert layer(x) is x
    layer.train()
    assert not torch.equal(layer(x), x)  # training=None follows layer.training


@pytest.mark.parametrize("make", MAKERS)
def test_training_is_seeded_per_layer_and_different_per_image(make):
    x = images()
    first, twin = make(7), make(7)
    y1, y2 = first(x, training=True), twin(x, training=True)
    torch.testing.assert_close(y1, y2)  # the same seed, the same augmentations
    assert not torch.equal(first(x, training=True), y1)  # the generator moves on
    assert not torch.equal(make(8)(x, training=True), y1)
    # every image draws its own transformation: the change differs between images
    # (a flip is a coin, so several of 8 images may share one; some must differ)
    same = images(1).expand(8, -1, -1, -1).contiguous()
    out = make(7)(same, training=True)
    assert len({tuple(np.round(o.flatten().numpy(), 5)) for o in out}) > 1
    assert y1.shape == x.shape and y1.dtype == x.dtype
    assert float(y1.min()) >= 0.0 and float(y1.max()) <= 1.0  # inside the input's range


def test_no_seed_follows_torch_manual_seed():
    layer, x = L.RandomRotation(0.3), images()
    torch.manual_seed(5)
    a = layer(x, training=True)
    torch.manual_seed(5)
    torch.testing.assert_close(layer(x, training=True), a)


def test_flip_modes():
    x = images(64)
    horizontal = L.RandomFlip("horizontal", seed=0)(x, training=True)
    flipped = [torch.equal(h, i.flip(1)) for h, i in zip(horizontal, x)]
    kept = [torch.equal(h, i) for h, i in zip(horizontal, x)]
    assert all(f or k for f, k in zip(flipped, kept)) and 10 < sum(flipped) < 54
    vertical = L.RandomFlip("vertical", seed=0)(x, training=True)
    assert all(torch.equal(v, i) or torch.equal(v, i.flip(0)) for v, i in zip(vertical, x))
    with pytest.raises(ValueError, match="diagonal"):
        L.RandomFlip("diagonal")


def test_rotation_by_a_quarter_turn_is_counter_clockwise():
    x = torch.arange(25.0).reshape(1, 5, 5, 1)
    y = L.RandomRotation((0.25, 0.25), interpolation="nearest", seed=0)(x, training=True)
    np.testing.assert_allclose(y[0, ..., 0].numpy(), np.rot90(x[0, ..., 0].numpy()), atol=1e-4)


def test_translation_moves_content_down_and_right():
    x = torch.zeros(1, 10, 10, 1)
    x[0, 2, 3] = 1.0
    y = L.RandomTranslation((0.2, 0.2), (0.1, 0.1), fill_mode="constant", seed=0)(x, training=True)
    assert y[0, 4, 4, 0] == 1.0 and y.sum() == 1.0


def test_zoom_out_shrinks_and_fills():
    x = torch.ones(2, 8, 8, 1)
    y = L.RandomZoom((0.5, 0.5), fill_mode="constant", fill_value=0.0, seed=0)(x, training=True)
    assert y[:, 3:5, 3:5].eq(1).all() and y[:, 0, 0].eq(0).all()


def test_contrast_and_brightness_ranges():
    x = images(256)
    brightness = L.RandomBrightness((0.2, 0.2), value_range=(0, 10), seed=0)(x, training=True)
    torch.testing.assert_close(brightness, x + 2.0)  # 0.2 of the range's width, clipped at 10
    contrast = L.RandomContrast(0.5, value_range=(-100, 100), seed=0)
    y = contrast(x, training=True)
    mean = x.mean(dim=(1, 2), keepdim=True)
    factors = ((y - mean) / (x - mean)).median(dim=1).values.median(dim=1).values[:, 0]
    assert 0.5 <= float(factors.min()) < 0.6 and 1.4 < float(factors.max()) <= 1.5  # [1 - 0.5, 1 + 0.5]
    with pytest.raises(ValueError, match="1.5"):
        L.RandomBrightness(1.5)
    with pytest.raises(ValueError, match="fill_mode"):
        L.RandomRotation(0.1, fill_mode="mirror")


def test_integer_pixels_become_floats():
    pixels = torch.randint(0, 256, (2, 6, 6, 3), dtype=torch.uint8)
    assert L.RandomRotation(0.1, seed=0)(pixels, training=True).dtype == torch.float32
