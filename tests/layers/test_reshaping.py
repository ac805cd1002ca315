"""Padding, cropping, upsampling and Permute through the harness and against torch / NumPy."""
import numpy as np
import pytest
import torch

from convlens import layers as L
from convlens.arithmetic import ShapeError
from convlens import Sequential

from .harness import run_layer_test


@pytest.mark.parametrize("layer, shape, out", [
    (L.ZeroPadding1D(2), (2, 5, 3), (2, 9, 3)),
    (L.ZeroPadding1D((1, 3)), (2, 5, 3), (2, 9, 3)),
    (L.ZeroPadding2D(), (2, 4, 4, 3), (2, 6, 6, 3)),
    (L.ZeroPadding2D(((1, 0), (2, 3))), (2, 4, 4, 3), (2, 5, 9, 3)),
    (L.ZeroPadding3D((1, 0, 2)), (1, 3, 3, 3, 2), (1, 5, 3, 7, 2)),
])
def test_zero_padding(layer, shape, out):
    y = run_layer_test(layer, shape)
    assert y.shape == out
    x = torch.randn(shape)
    pads = [(0, 0), *layer.padding, (0, 0)]
    np.testing.assert_array_equal(layer(x).numpy(), np.pad(x.numpy(), pads))


def test_cropping2d():
    layer = L.Cropping2D(((1, 2), (0, 3)))
    y = run_layer_test(layer, (2, 8, 8, 3))
    assert y.shape == (2, 5, 5, 3)
    x = torch.randn(2, 8, 8, 3)
    torch.testing.assert_close(layer(x), x[:, 1:6, 0:5])
    assert L.Cropping2D(2)(x).shape == (2, 4, 4, 3)
    with pytest.raises(ShapeError, match="cropping2d.*size 4 - 2 - 2 = 0"):
        L.Cropping2D((2, 0)).compute_output_shape((None, 4, 4, 1))


def test_upsampling2d_nearest_repeats_pixels():
    layer = L.UpSampling2D((2, 3))
    y = run_layer_test(layer, (2, 3, 4, 2))
    assert y.shape == (2, 6, 12, 2)
    x = torch.randn(1, 3, 4, 2)
    expected = np.repeat(np.repeat(x.numpy(), 2, axis=1), 3, axis=2)
    np.testing.assert_array_equal(layer(x).numpy(), expected)


def test_upsampling2d_bilinear_is_half_pixel():
    layer = L.UpSampling2D(2, interpolation="bilinear")
    run_layer_test(layer, (2, 3, 3, 2))
    x = torch.tensor([0.0, 4.0]).reshape(1, 1, 2, 1)
    # half-pixel centres: output columns sample input at -0.25, 0.25, 0.75, 1.25 → clamped at the edges
    assert layer(x).reshape(2, 4)[0].tolist() == [0.0, 1.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="bicubicc"):
        L.UpSampling2D(interpolation="bicubicc")


def test_permute():
    layer = L.Permute((2, 1, 3))
    y = run_layer_test(layer, (2, 3, 5, 4))
    assert y.shape == (2, 5, 3, 4)
    x = torch.randn(2, 3, 5, 4)
    torch.testing.assert_close(layer(x), x.permute(0, 2, 1, 3))
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        L.Permute((0, 1))


def test_receptive_steps_in_the_summary():
    model = Sequential([L.Input(shape=(8, 8, 1)), L.ZeroPadding2D(1), L.Conv2D(2, 3), L.Cropping2D(1),
                        L.Conv2D(2, 3), L.UpSampling2D()])
    rows = model.summary_rows()
    # padding and cropping are 1×1 steps: the 3×3 convolutions still see 3, then 5 pixels
    assert [r.receptive_field for r in rows] == ["1×1", "3×3", "3×3", "5×5", "all"]
    assert [r.output_shape for r in rows][-1] == (None, 8, 8, 2)
    assert L.ZeroPadding2D(((1, 0), (2, 3))).receptive_step((None, 4, 4, 1)) == [(1, 1, 1, 1), (1, 1, 2, 1)]
    assert L.Cropping2D(((1, 0), (2, 3))).receptive_step((None, 9, 9, 1)) == [(1, 1, -1, 1), (1, 1, -2, 1)]
    assert L.UpSampling2D().receptive_step((None, 4, 4, 1)) == "upsample"
