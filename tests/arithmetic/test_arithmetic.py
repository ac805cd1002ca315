"""The notes' worked examples, computed by convlens.arithmetic."""
import pytest

from convlens import arithmetic as A


def test_alexnet_conv1():
    assert A.conv_output_length(227, 11, stride=4, padding=0) == 55
    assert A.conv_params((11, 11), 3, 96).count == (11 * 11 * 3 + 1) * 96


@pytest.mark.parametrize("stride, expected", [(1, 26), (2, 13)])
def test_28_input_3x3_filter(stride, expected):
    assert A.conv_output_length(28, 3, stride=stride) == expected


def test_5x5x3_pad1_stride2_two_filters():
    assert A.conv_output_shape((5, 5), (3, 3), (2, 2), 1) == (3, 3)
    assert A.conv_params((3, 3), 3, 2).count == 2 * (3 * 3 * 3 + 1)


def test_pool_12_by_3():
    assert A.pool_output_length(12, 3) == 4
    assert A.pool_output_length(12, 3, stride=1) == 10


def test_thirteen_valid_3x3_layers_leave_2x2():
    size = 28
    for _ in range(13):
        size = A.conv_output_length(size, 3)
    assert size == 2
    with pytest.raises(A.ShapeError, match=r"\(2 \+ 0 \+ 0 - 3\) // 1 \+ 1 = 0"):
        A.conv_output_length(size, 3)


@pytest.mark.parametrize("args, count, formula", [
    (((5, 5), 3, 4), 304, "(5·5·3 + 1)·4 = 304"),
    (((3, 3), 1, 32), 320, "(3·3·1 + 1)·32 = 320"),
    (((3, 3), 32, 64), 18496, "(3·3·32 + 1)·64 = 18,496"),
    (((5, 5), 1, 10), 260, "(5·5·1 + 1)·10 = 260"),
])
def test_conv_params(args, count, formula):
    result = A.conv_params(*args)
    assert (result.count, result.formula) == (count, formula)


def test_dense_params():
    assert A.dense_params(3136, 64).count == 200_768
    assert A.dense_params(3136, 64, use_bias=False).count == 200_704
    assert A.dense_params(784, 512).count == 401_920


def test_receptive_field_of_stacked_3x3():
    assert A.receptive_field([(3, 1), (3, 1)]).size == 5
    assert A.receptive_field([(3, 1)] * 3).size == 7
    # pooling doubles the jump: conv5 → pool2 → conv5 sees 5 + 1 + 4·2 = 14 pixels
    field = A.receptive_field([(5, 1), (2, 2), (5, 1)])
    assert (field.size, field.jump) == (14, 2)


@pytest.mark.parametrize("n, k, s, expected", [
    (5, 2, 1, (0, 1)),   # even kernel: the extra zero goes after, as TensorFlow does
    (5, 3, 1, (1, 1)),
    (6, 3, 2, (0, 1)),   # out = 3, total = (3-1)·2 + 3 - 6 = 1
    (7, 3, 2, (1, 1)),
    (4, 4, 1, (1, 2)),
])
def test_same_padding_placement(n, k, s, expected):
    assert A.explicit_padding(n, k, s, "same") == expected
    assert A.conv_output_length(n, k, s, "same") == -(-n // s)


def test_dilation_and_causal():
    assert A.effective_kernel(3, 2) == 5
    assert A.conv_output_length(10, 3, dilation=2) == 6
    assert A.explicit_padding(10, 3, padding="causal", dilation=2) == (4, 0)
    assert A.conv_output_length(10, 3, padding="causal", dilation=2) == 10


@pytest.mark.parametrize("n, k, s, padding, op, expected", [
    (4, 3, 2, "valid", None, 9), (4, 3, 2, "same", None, 8), (4, 2, 2, "valid", None, 8),
    (4, 3, 1, "valid", None, 6), (4, 3, 2, "same", 1, 8), (4, 1, 3, "valid", None, 12),
])
def test_transposed_lengths(n, k, s, padding, op, expected):
    assert A.conv_transpose_output_length(n, k, s, padding, op) == expected


def test_macs_and_batch_norm():
    assert A.conv_macs((24, 24), (5, 5), 1, 10) == 24 * 24 * 10 * 25
    assert A.dense_macs(320, 100) == 32_000
    bn = A.batch_norm_params(64)
    assert (bn.count, bn.trainable, bn.non_trainable) == (256, 128, 128)


def test_separable_and_depthwise_params():
    assert A.depthwise_params((3, 3), 8, 2).count == (9 + 1) * 16
    assert A.separable_params((3, 3), 8, 16).count == 9 * 8 + 8 * 16 + 16


@pytest.mark.parametrize("bad", [0, -1, (1, 2, 3), "3", 2.5, True])
def test_normalize_tuple_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="kernel_size"):
        A.normalize_tuple(bad, 2, "kernel_size")


def test_bad_padding_is_named():
    with pytest.raises(ValueError, match="'full'"):
        A.explicit_padding(5, 3, padding="full")
