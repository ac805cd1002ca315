"""Worked examples of the merge, padding, cropping and upsampling arithmetic."""
import pytest

from convlens import arithmetic as A


def test_residual_add_of_equal_shapes():
    assert A.broadcast_shapes([(None, 56, 56, 64)] * 2) == (None, 56, 56, 64)


def test_squeeze_excitation_multiply_broadcasts_a_1x1_map():
    assert A.broadcast_shapes([(None, 14, 14, 256), (None, 1, 1, 256)]) == (None, 14, 14, 256)


def test_lower_rank_input_is_aligned_on_the_last_axis():
    assert A.broadcast_shapes([(None, 8, 8, 3), (None, 3)]) == (None, 8, 8, 3)


def test_unknown_sizes_agree_with_anything():
    assert A.broadcast_shapes([(None, None, None, 16), (None, 8, 8, 16)]) == (None, None, None, 16)
    assert A.broadcast_shapes([(None, None, 16), (None, 1, 16)]) == (None, None, 16)


def test_mismatched_channels_name_both_shapes_and_the_axis():
    with pytest.raises(A.ShapeError) as err:
        A.broadcast_shapes([(None, 28, 28, 32), (None, 28, 28, 64)], "layer 'add'")
    text = str(err.value)
    assert "layer 'add'" in text and "(None, 28, 28, 32)" in text and "(None, 28, 28, 64)" in text
    assert "axis 3 has sizes 32 and 64" in text


def test_different_batch_sizes_are_refused():
    with pytest.raises(A.ShapeError, match="batch sizes"):
        A.broadcast_shapes([(4, 3), (5, 3)])


def test_inception_3a_concatenates_its_four_branches():
    # GoogLeNet inception (3a): 64 + 128 + 32 + 32 = 256 channels at 28×28
    branches = [(None, 28, 28, 64), (None, 28, 28, 128), (None, 28, 28, 32), (None, 28, 28, 32)]
    assert A.concat_shapes(branches) == (None, 28, 28, 256)
    assert A.concat_shapes(branches, axis=3) == (None, 28, 28, 256)


def test_concatenate_along_width():
    assert A.concat_shapes([(None, 4, 5, 3), (None, 4, 7, 3)], axis=2) == (None, 4, 12, 3)
    assert A.concat_shapes([(None, 4, None, 3), (None, 4, 7, 3)], axis=2) == (None, 4, None, 3)


@pytest.mark.parametrize("shapes, axis, words", [
    ([(None, 28, 28, 64), (None, 14, 14, 64)], -1, ["(None, 28, 28, 64)", "(None, 14, 14, 64)", "axis 1 (28 vs 14)"]),
    ([(None, 8, 8, 3), (None, 8, 3)], -1, ["different ranks", "(None, 8, 3)"]),
    ([(None, 8, 8, 3)], 0, ["axis 0", "non-batch"]),
    ([(None, 8, 8, 3)], 4, ["axis 4"]),
])
def test_concatenate_errors(shapes, axis, words):
    with pytest.raises(A.ShapeError) as err:
        A.concat_shapes(shapes, axis)
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("value, rank, pairs", [
    (2, 2, ((2, 2), (2, 2))), ((1, 3), 2, ((1, 1), (3, 3))), (((0, 1), (2, 3)), 2, ((0, 1), (2, 3))),
    ((1, 2), 1, ((1, 2),)), (3, 1, ((3, 3),)), ((1, 2, 3), 3, ((1, 1), (2, 2), (3, 3))),
])
def test_normalize_pairs(value, rank, pairs):
    assert A.normalize_pairs(value, rank, "padding") == pairs


@pytest.mark.parametrize("value", [-1, (1, 2, 3), ((1, 2, 3), (1, 2)), "same", 1.5, True])
def test_normalize_pairs_refuses(value):
    with pytest.raises(ValueError, match="padding"):
        A.normalize_pairs(value, 2, "padding")


def test_lenet_pads_mnist_to_32():
    assert A.padded_shape((28, 28), A.normalize_pairs(2, 2, "padding")) == (32, 32)
    assert A.padded_shape((None, 28), ((1, 1), (0, 3))) == (None, 31)


def test_cropping_and_its_error():
    assert A.cropped_shape((32, 32), ((2, 2), (2, 2))) == (28, 28)
    with pytest.raises(A.ShapeError, match=r"dimension 2 has size 5 - 3 - 2 = 0"):
        A.cropped_shape((9, 5), ((0, 0), (3, 2)))


def test_upsampling_doubles_a_unet_decoder_map():
    assert A.upsampled_shape((7, 7), (2, 2)) == (14, 14)
    assert A.upsampled_shape((None, 5), (3, 2)) == (None, 10)


@pytest.mark.parametrize("h, w, th, tw, box", [
    (100, 200, 50, 50, (0, 50, 100, 100)), (200, 100, 50, 50, (50, 0, 100, 100)),
    (100, 100, 50, 100, (25, 0, 50, 100)), (32, 32, 224, 224, (0, 0, 32, 32)),
])
def test_aspect_crop_box(h, w, th, tw, box):
    assert A.aspect_crop_box(h, w, th, tw) == box


def test_center_crop_and_aspect_pad():
    assert A.center_crop_box(32, 32, 28, 28) == (2, 2)
    assert A.center_crop_box(7, 8, 4, 4) == (1, 2)
    assert A.aspect_pad_box(100, 200, 50, 50) == (50, 0)


def test_normalization_parameter_counts():
    assert A.layer_norm_params((64,)).count == 128
    assert A.layer_norm_params((8, 8, 3), center=False).count == 192
    count = A.normalization_params((3,))
    assert (count.count, count.non_trainable, count.trainable) == (7, 7, 0)
    assert A.normalization_params(()).count == 3
