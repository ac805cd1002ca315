"""explain.dense_as_conv: Flatten → Dense and a whole-input convolution give the same numbers."""
import os

import numpy as np
import pytest

from convlens.explain.dense_conv import dense_as_conv


def test_both_ways_agree_and_the_trace_is_one_position_per_unit():
    rng = np.random.default_rng(0)
    features, kernel, bias = rng.normal(size=(3, 4, 2)), rng.normal(size=(24, 5)), rng.normal(size=5)
    same = dense_as_conv(features, kernel, bias)
    np.testing.assert_allclose(same.dense, features.reshape(-1) @ kernel + bias)
    np.testing.assert_allclose(same.conv, same.dense, atol=1e-12)
    assert same.filter_shape == (3, 4, 2) and len(same.traces) == 5
    assert all(trace.output.shape == (1, 1) for trace in same.traces)
    np.testing.assert_array_equal(same.traces[2].kernel, kernel[:, 2].reshape(3, 4, 2))
    assert "unit 0: dense" in same.to_text() and "1×1×5" in same.to_text()


def test_grey_map_and_no_bias():
    same = dense_as_conv(np.arange(4.0).reshape(2, 2), np.eye(4))
    assert same.dense.tolist() == same.conv.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_the_reshape_is_keras_flatten_order():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    rng = np.random.default_rng(1)
    features, kernel = rng.normal(size=(1, 3, 3, 2)).astype("float32"), rng.normal(size=(18, 4)).astype("float32")
    flat = keras.Sequential([keras.Input((3, 3, 2)), keras.layers.Flatten(), keras.layers.Dense(4, use_bias=False)])
    flat.layers[-1].set_weights([kernel])
    conv = keras.layers.Conv2D(4, 3, use_bias=False)
    conv.build((None, 3, 3, 2))
    conv.set_weights([kernel.reshape(3, 3, 2, 4)])
    ours = dense_as_conv(features[0], kernel)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(flat(features))[0], ours.dense, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(conv(features)).reshape(-1), ours.conv, rtol=1e-5, atol=1e-5)


def test_a_kernel_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match=r"kernel must have shape \(12, units\)"):
        dense_as_conv(np.zeros((2, 2, 3)), np.zeros((10, 2)))
    with pytest.raises(ValueError, match="bias must have 2 values"):
        dense_as_conv(np.zeros((2, 2, 3)), np.zeros((12, 2)), bias=[1, 2, 3])
