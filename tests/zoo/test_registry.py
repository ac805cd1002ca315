import warnings

import pytest

from convlens.models import Sequential
from convlens.layers import Dense, Flatten
from convlens.zoo import create_model, list_models, model_info, register_model, unregister_model


def test_list_models_filters_by_pattern_and_family():
    assert list_models("vgg*") == ["vgg16", "vgg19"]
    assert set(list_models(family="notes")) == {"notes_mnist_cnn", "notes_mnist_mlp", "notes_cifar10_cnn",
                                                "keras_mnist_cnn"}
    assert {"lenet5", "alexnet", "vgg16", "vgg19"} <= set(list_models())


def test_create_model_passes_keyword_arguments_and_num_classes_alias():
    model = create_model("lenet5", input_shape=(32, 32, 3), num_classes=4)
    assert model.layers[-1].output_shape == (None, 4)
    with pytest.raises(ValueError, match="not both"):
        create_model("lenet5", classes=3, num_classes=4)


def test_unknown_model_names_the_registered_ones():
    with pytest.raises(ValueError, match=r"unknown model 'vgg17'.*did you mean vgg16, vgg19"):
        create_model("vgg17")


def test_register_a_users_model_and_overwrite_warns():
    def tiny(input_shape=(4, 4, 1), classes=2):
        return Sequential([Flatten(input_shape=input_shape), Dense(classes)])
    try:
        register_model(tiny, name="my_tiny", family="mine")
        assert create_model("my_tiny", classes=5).count_params() == 16 * 5 + 5
        assert model_info("my_tiny").family == "mine"

        def tiny2(**kwargs):
            return tiny(**kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            register_model(tiny2, name="my_tiny")
        assert "registered already" in str(caught[0].message)
    finally:
        unregister_model("my_tiny")
    assert "my_tiny" not in list_models()
