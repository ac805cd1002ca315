"""``convlens.backend`` helpers on symbolic tensors, whose batch size is unknown (``None``), as Keras answers."""
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

from convlens import Input, backend as K  # noqa: E402
from convlens.layers import Conv2D  # noqa: E402


def test_int_shape_keeps_unknown_sizes_as_none():
    x = Conv2D(4, 3)(Input((28, 28, 1)))
    assert K.int_shape(x) == tuple(keras.layers.Conv2D(4, 3)(keras.Input((28, 28, 1))).shape)
    assert K.int_shape(x) == (None, 26, 26, 4)


def test_count_params_of_an_unknown_size_says_so():
    with pytest.raises(ValueError, match=r"count_params needs every size to be known, got shape \(None, 3\)"):
        K.count_params(Input((3,)))
