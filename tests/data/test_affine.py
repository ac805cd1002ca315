import numpy as np
import pytest
import torch

from convlens.data.affine import (affine_warp, keras_affine_matrices, random_affine, rotate, translate)


def _square(n=1, size=6, channels=2):
    return torch.arange(n * size * size * channels, dtype=torch.float32).reshape(n, size, size, channels)


@pytest.mark.parametrize("mode", ["nearest", "constant", "reflect", "wrap"])
def test_zero_ranges_are_exactly_identity(mode):
    x = torch.rand(5, 7, 9, 3, generator=torch.Generator().manual_seed(1))
    out = random_affine(x, torch.Generator().manual_seed(0), fill_mode=mode)
    assert torch.equal(out, x)


def test_rotate_90_matches_rot90_on_a_square():
    x = _square()
    expected = np.rot90(x[0].numpy(), k=1, axes=(0, 1))
    np.testing.assert_allclose(rotate(x, 90.0)[0].numpy(), expected, atol=1e-3)
    np.testing.assert_allclose(rotate(x, -90.0)[0].numpy(), np.rot90(x[0].numpy(), k=-1, axes=(0, 1)), atol=1e-3)


def test_keras_positive_theta_is_clockwise_on_screen():
    x = _square()
    m = keras_affine_matrices(*(torch.tensor([v], dtype=torch.float64) for v in (90.0, 0, 0, 0, 1, 1)))
    np.testing.assert_allclose(affine_warp(x, m)[0].numpy(), np.rot90(x[0].numpy(), k=-1, axes=(0, 1)), atol=1e-3)


def test_translate_moves_a_bright_pixel():
    x = torch.zeros(1, 9, 11, 1)
    x[0, 4, 5, 0] = 1.0
    out = translate(x, dx=3, dy=-2, fill_mode="constant")
    assert out[0, 2, 8, 0] == pytest.approx(1.0, abs=1e-5)
    assert float(out.sum()) == pytest.approx(1.0, abs=1e-5)


def test_keras_tx_shifts_rows_and_content_moves_up():
    x = torch.zeros(1, 8, 8, 1)
    x[0, 5, 3, 0] = 1.0
    m = keras_affine_matrices(*(torch.tensor([v], dtype=torch.float64) for v in (0, 2.0, 0, 0, 1, 1)))
    out = affine_warp(x, m, fill_mode="constant")
    assert out[0, 3, 3, 0] == pytest.approx(1.0, abs=1e-5)


def test_constant_fill_uses_cval_and_nearest_repeats_edge():
    x = torch.ones(1, 4, 4, 1)
    shifted = translate(x, dx=2, dy=0, fill_mode="constant", cval=7.0)
    assert torch.allclose(shifted[0, :, :2, 0], torch.full((4, 2), 7.0))
    assert torch.allclose(shifted[0, :, 2:, 0], torch.ones(4, 2))
    ramp = torch.arange(4.0).repeat(4, 1).reshape(1, 4, 4, 1)
    edge = translate(ramp, dx=1, dy=0, fill_mode="nearest")
    assert torch.allclose(edge[0, :, 0, 0], torch.zeros(4))


def test_reflect_mirrors_about_the_edge():
    ramp = torch.arange(4.0).reshape(1, 1, 4, 1)
    out = translate(ramp, dx=2, dy=0, fill_mode="reflect")
    assert out[0, 0, :, 0].tolist() == pytest.approx([1.0, 0.0, 0.0, 1.0], abs=1e-5)


def test_each_image_gets_its_own_matrix_and_seed_reproduces():
    x = _square(n=4, size=8, channels=1).expand(4, 8, 8, 1).clone()
    x[:] = x[0]
    a = random_affine(x, torch.Generator().manual_seed(3), rotation_range=40, zoom_range=0.2)
    b = random_affine(x, torch.Generator().manual_seed(3), rotation_range=40, zoom_range=0.2)
    assert torch.equal(a, b)
    assert not torch.allclose(a[0], a[1])


def test_bad_arguments_raise_value_errors():
    x = torch.zeros(1, 4, 4, 1)
    with pytest.raises(ValueError, match="fill_mode='mirror'"):
        rotate(x, 10, fill_mode="mirror")
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        affine_warp(torch.zeros(4, 4, 1), torch.eye(3)[None])
