"""``convlens.config`` answers as keras.config does for a channels-last float32 program."""
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

from convlens import config  # noqa: E402


def test_config_reports_what_keras_reports_by_default():
    for name in ("floatx", "image_data_format", "epsilon", "backend"):
        assert getattr(config, name)() == getattr(keras.config, name)(), name
    assert config.dtype_policy().name == keras.config.dtype_policy().name == "float32"


def test_setters_accept_the_value_in_force_and_explain_the_rest():
    config.set_floatx("float32")
    config.set_epsilon(1e-7)
    config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="channels-last only"):
        config.set_image_data_format("channels_first")
    with pytest.raises(ValueError, match="set_floatx\\('float16'\\) is not supported"):
        config.set_floatx("float16")
    with pytest.raises(ValueError, match="fixed epsilon"):
        config.set_epsilon(1e-3)
