import numpy as np
import pytest

from convlens.explain import conv1d, conv2d
from .notes_examples import B0, B1, BINARY_5x5, GRID_8x7, VOLUME_5x5x3, W0, W1, X_FILTER
from .reference import brute_conv2d


def test_notes_binary_image_with_x_filter():
    trace = conv2d(BINARY_5x5, X_FILTER)
    np.testing.assert_array_equal(trace.output, [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


def test_notes_4x4_variant():
    np.testing.assert_array_equal(conv2d(BINARY_5x5[1:, 1:], X_FILTER).output, [[4, 3], [3, 4]])


def test_notes_stride_2_grid_of_ones_filter():
    assert GRID_8x7[0, 0] == 1 and GRID_8x7[-1, -1] == 77 and GRID_8x7.shape == (8, 7)
    trace = conv2d(GRID_8x7, np.ones((3, 3)), stride=2)
    assert trace.output.shape == (3, 3)
    np.testing.assert_array_equal(trace.output[:2, :2], [[108, 126], [288, 306]])


def test_notes_volume_example_two_filters_pad_1_stride_2():
    maps = [conv2d(VOLUME_5x5x3, w, stride=2, padding=1, bias=b).output for w, b in ((W0, B0), (W1, B1))]
    volume = np.stack(maps, axis=-1)
    assert volume.shape == (3, 3, 2)
    np.testing.assert_array_equal(volume[..., 0], [[2, 3, 3], [3, 7, 3], [8, 10, -3]])
    np.testing.assert_array_equal(volume[..., 1], [[-8, -8, -3], [-3, 1, 0], [-3, -8, -5]])


def test_notes_edge_kernel_pixel_equals_60():
    patch = np.array([[9, 140, 9], [225, 220, 205], [9, 250, 9]])  # corners do not matter: kernel is 0 there
    step = conv2d(patch, [[0, -1, 0], [-1, 4, -1], [0, -1, 0]]).steps[0]
    np.testing.assert_array_equal(step.products, [[0, -140, 0], [-225, 880, -205], [0, -250, 0]])
    assert step.value == 60


def test_step_zero_patch_products_and_sum():
    trace = conv2d(BINARY_5x5, X_FILTER, bias=0.5)
    step = trace.steps[0]
    assert step.position == (0, 0) and step.origin == (0, 0)
    np.testing.assert_array_equal(step.patch, BINARY_5x5[:3, :3])
    np.testing.assert_array_equal(step.products, BINARY_5x5[:3, :3] * X_FILTER)
    assert step.total == step.products.sum()
    assert step.bias == 0.5
    assert step.value == trace.output[0, 0]


def test_every_step_matches_its_output_value():
    trace = conv2d(GRID_8x7, np.arange(6).reshape(2, 3), stride=(2, 1), padding=1)
    assert len(trace.steps) == trace.output.size
    for step in trace.steps:
        assert step.value == pytest.approx(trace.output[step.position])
    last = trace.steps[-1]
    assert last.position == (trace.output.shape[0] - 1, trace.output.shape[1] - 1)


@pytest.mark.parametrize("stride, padding, pads", [
    (1, 0, ((0, 0), (0, 0))),
    (2, 1, ((1, 1), (1, 1))),
    ((1, 2), "same", ((1, 1), (0, 1))),  # width 6, stride 2: one zero, after (Keras)
    (3, "valid", ((0, 0), (0, 0))),
    (1, (2, 0), ((2, 2), (0, 0))),
    (2, ((0, 1), (2, 0)), ((0, 1), (2, 0))),
])
def test_padding_and_stride_variants_match_brute_force(stride, padding, pads):
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 3))
    trace = conv2d(image, kernel, stride=stride, padding=padding, bias=0.25)
    assert trace.padding == pads
    strides = stride if isinstance(stride, tuple) else (stride, stride)
    np.testing.assert_allclose(trace.output, brute_conv2d(image, kernel, strides, pads, bias=0.25))


def test_same_padding_keeps_shape_with_even_kernel():
    trace = conv2d(np.ones((5, 4)), np.ones((2, 2)), padding="same")
    assert trace.output.shape == (5, 4)
    assert trace.padding == ((0, 1), (0, 1))  # Keras puts the odd zero after


def test_multichannel_matches_brute_force_and_steps_keep_channels():
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(5, 6, 3)), rng.normal(size=(3, 2, 3))
    trace = conv2d(image, kernel, stride=2, padding=1)
    np.testing.assert_allclose(trace.output, brute_conv2d(image, kernel, (2, 2), ((1, 1), (1, 1))))
    assert trace.steps[0].patch.shape == (3, 2, 3)


def test_conv1d_against_numpy_correlate_and_padding():
    signal, kernel = np.array([1.0, 3, -2, 5, 4, 0]), np.array([2.0, -1, 0.5])
    np.testing.assert_allclose(conv1d(signal, kernel).output, np.correlate(signal, kernel, mode="valid"))
    trace = conv1d(signal, kernel, stride=2, padding=1)
    padded = np.pad(signal, 1)
    np.testing.assert_allclose(trace.output, np.correlate(padded, kernel, mode="valid")[::2])
    assert trace.steps[1].origin == (2,)
    np.testing.assert_array_equal(trace.steps[1].patch, padded[2:5])
    assert conv1d(signal, kernel, padding=(2, 0)).output.shape == (6,)


def test_conv1d_with_channels():
    signal = np.arange(12, dtype=float).reshape(6, 2)
    kernel = np.array([[1.0, 0], [0, 1]])
    np.testing.assert_allclose(conv1d(signal, kernel).output, signal[:-1, 0] + signal[1:, 1])


def test_str_contains_numbers_and_output():
    text = str(conv2d(GRID_8x7, np.ones((3, 3)), stride=2))
    assert "108" in text and "306" in text
    assert "step 0" in text and "1 + 2 + 3 + 11 + 12 + 13 + 21 + 22 + 23 = 108" in text
    assert "output" in text.splitlines()[0]


def test_to_text_limits_steps():
    trace = conv2d(BINARY_5x5, X_FILTER)
    assert "step 8:" in trace.to_text(max_steps=None)
    limited = trace.to_text(max_steps=2)
    assert "step 1:" in limited and "step 2:" not in limited and "7 more steps" in limited


def test_kernel_larger_than_padded_image_names_shapes():
    with pytest.raises(ValueError, match=r"kernel 3×3 is larger than the padded input 2×4"):
        conv2d(np.ones((2, 4)), np.ones((3, 3)))
    conv2d(np.ones((2, 4)), np.ones((3, 3)), padding=1)  # fits once padded


@pytest.mark.parametrize("image, kernel, message", [
    (np.ones((4,)), np.ones((2, 2)), "image must have shape"),
    (np.ones((4, 4)), np.ones((2, 2, 2, 2)), "kernel must have shape"),
    (np.ones((4, 4, 3)), np.ones((2, 2)), "channel"),
])
def test_bad_shapes_raise(image, kernel, message):
    with pytest.raises(ValueError, match=message):
        conv2d(image, kernel)


def test_bad_stride_and_padding_raise():
    with pytest.raises(ValueError, match="stride"):
        conv2d(np.ones((4, 4)), np.ones((2, 2)), stride=0)
    with pytest.raises(ValueError, match="padding"):
        conv2d(np.ones((4, 4)), np.ones((2, 2)), padding="full")


def test_step_index_out_of_range():
    with pytest.raises(IndexError, match="9 steps"):
        conv2d(BINARY_5x5, X_FILTER).steps[9]
