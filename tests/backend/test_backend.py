"""``from convlens import backend as K`` against Keras 3's backend functions."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

from convlens import backend as K  # noqa: E402


def test_same_answers_as_keras():
    assert K.image_data_format() == keras.backend.image_data_format() == "channels_last"
    assert K.epsilon() == keras.backend.epsilon()
    assert K.floatx() == keras.backend.floatx()
    assert K.backend() == keras.backend.backend() == "torch"
    x = torch.zeros(2, 3, 4)
    assert K.int_shape(x) == (2, 3, 4)  # Keras 2 name, gone from keras.backend in Keras 3
    assert K.count_params(x) == 24


def test_keras2_channel_check_idiom():
    img_rows, img_cols = 28, 28
    if K.image_data_format() == "channels_first":
        input_shape = (1, img_rows, img_cols)
    else:
        input_shape = (img_rows, img_cols, 1)
    assert input_shape == (28, 28, 1)


def test_setters_accept_the_value_in_force_and_refuse_others_clearly():
    K.set_image_data_format("channels_last")
    K.set_floatx("float32")
    K.set_epsilon(1e-7)
    with pytest.raises(ValueError, match="channels-last only"):
        K.set_image_data_format("channels_first")
    with pytest.raises(ValueError, match="mixed_precision"):
        K.set_floatx("float16")
    with pytest.raises(ValueError, match="epsilon"):
        K.set_epsilon(1e-3)
    with pytest.raises(ValueError, match="training="):
        K.set_learning_phase(1)


def test_clear_session_and_values():
    K.clear_session()
    t = torch.zeros(2)
    K.set_value(t, [1.0, 2.0])
    np.testing.assert_array_equal(K.get_value(t), [1.0, 2.0])
    assert K.get_value(0.5) == 0.5
    with pytest.raises(TypeError, match="learning_rate"):
        K.set_value(0.1, 0.01)
