import pytest
import torch

from convlens.data.augment import (adjust_brightness, adjust_contrast, channel_shift, compose, cutout,
                                   flip_left_right, flip_up_down, random_brightness, random_crop, random_flip)


def test_flip_twice_is_identity():
    x = torch.rand(3, 5, 6, 2)
    assert torch.equal(flip_left_right(flip_left_right(x)), x)
    assert torch.equal(flip_up_down(flip_up_down(x)), x)
    assert torch.equal(flip_left_right(x)[:, :, 0], x[:, :, -1])


def test_random_flip_flips_some_images_only():
    x = torch.rand(64, 4, 4, 1)
    out = random_flip(x, torch.Generator().manual_seed(0))
    flipped = [torch.equal(out[i], x[i].flip(1)) for i in range(64)]
    same = [torch.equal(out[i], x[i]) for i in range(64)]
    assert all(f or s for f, s in zip(flipped, same))
    assert 10 < sum(flipped) < 54


def test_random_crop_windows_come_from_the_padded_image():
    x = torch.arange(36.0).reshape(1, 6, 6, 1).repeat(16, 1, 1, 1)
    out = random_crop(x, torch.Generator().manual_seed(0), padding=2, fill_mode="constant", cval=-1.0)
    assert out.shape == x.shape
    padded = torch.nn.functional.pad(x[0, ..., 0], (2, 2, 2, 2), value=-1.0)
    for img in out[..., 0]:
        assert any(torch.equal(img, padded[t:t + 6, l:l + 6]) for t in range(5) for l in range(5))
    assert torch.equal(random_crop(x, torch.Generator(), padding=0), x)


def test_cutout_blanks_at_most_one_square_per_image():
    out = cutout(torch.ones(8, 10, 10, 3), torch.Generator().manual_seed(1), size=4, value=0.0)
    zeros = (out[..., 0] == 0).sum(dim=(1, 2))
    assert (zeros <= 16).all() and (zeros > 0).all()
    assert torch.equal(out[..., 0] == 0, out[..., 2] == 0)


def test_brightness_contrast_and_channel_shift():
    x = torch.full((2, 2, 2, 3), 200.0)
    assert adjust_brightness(x, torch.tensor([0.5, 2.0]))[:, 0, 0, 0].tolist() == [100.0, 255.0]
    y = torch.tensor([[0.0, 4.0]]).reshape(1, 1, 2, 1)
    assert adjust_contrast(y, 0.5).flatten().tolist() == [1.0, 3.0]
    assert channel_shift(y, -1.0).flatten().tolist() == [0.0, 3.0]
    low = random_brightness(x, torch.Generator().manual_seed(0), (1.0, 1.0))
    assert torch.equal(low, x)


def test_compose_applies_steps_in_order():
    def add_one(images, generator):
        return images + 1

    def double(images, generator):
        return images * 2

    x = torch.zeros(1, 1, 1, 1)
    assert compose(add_one, double)(x, torch.Generator()).item() == 2.0


def test_bad_crop_arguments():
    with pytest.raises(ValueError, match="fill_mode='wrap'"):
        random_crop(torch.zeros(1, 4, 4, 1), torch.Generator(), fill_mode="wrap")
