"""Published parameter counts (counted on the meta device: no memory, no forward pass) and small-input behaviour."""
import pytest
import torch

from convlens import applications
from convlens.zoo import create_model, list_models, model_info


def meta_count(name: str, counts: str = "all", **kwargs) -> int:
    with torch.device("meta"):
        model = create_model(name, **kwargs)
    return sum(t.numel() for t in (*model.parameters(), *(model.buffers() if counts == "all" else ())))


@pytest.mark.parametrize("name", [n for n in list_models() if model_info(n).published_params])
def test_published_parameter_counts(name):
    info = model_info(name)
    assert meta_count(name, info.counts, **info.reference) == info.published_params


def test_reference_figures():
    # torchvision's AlexNet, LeNet-5 with full C3 and C5 as a 5×5 convolution, keras.applications' VGGs.
    assert meta_count("alexnet") == 61_100_840
    assert meta_count("lenet5") == 61_706
    assert meta_count("vgg16") == 138_357_544
    assert meta_count("vgg19") == 143_667_240
    assert meta_count("resnet18", "trainable") == 11_689_512
    # keras.applications' counts (moving statistics included), as ResNet50(weights=None).count_params() gives them
    assert meta_count("resnet50") == 25_636_712
    assert meta_count("mobilenetv2") == 3_538_984
    assert meta_count("xception") == 22_910_480
    assert meta_count("inceptionv3") == 23_851_784


def test_googlenet_follows_table_1():
    from convlens.zoo.googlenet import TABLE_1, inception_module_params
    with torch.device("meta"):
        model = applications.GoogLeNet()
    params = inception_module_params(model)
    assert list(params) == [f"inception_{k}" for k in TABLE_1]
    f1, r3, f3, r5, f5, proj = TABLE_1["3a"]  # 192 channels come in
    assert params["inception_3a"] == (192 * f1 + f1) + (192 * r3 + r3) + (9 * r3 * f3 + f3) + (192 * r5 + r5) \
        + (25 * r5 * f5 + f5) + (192 * proj + proj)
    assert model.get_layer("inception_5b_output").output_shape == (None, 7, 7, 1024)
    stem = (7 * 7 * 3 * 64 + 64) + (64 * 64 + 64) + (9 * 64 * 192 + 192)
    assert meta_count("googlenet") == stem + sum(params.values()) + (1024 * 1000 + 1000)


SMALLEST = {"LeNet5": 32, "AlexNet": 57, "VGG16": 32, "VGG19": 32, "ResNet18": 1, "ResNet34": 1, "ResNet50": 1,
            "GoogLeNet": 1, "MobileNetV2": 1, "Xception": 7, "InceptionV3": 75}


@pytest.mark.parametrize("builder", [getattr(applications, name) for name in SMALLEST])
@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (64, 64, 3)])
def test_small_inputs_build_or_name_the_smallest_input(builder, shape):
    smallest = SMALLEST[builder.__name__]
    with torch.device("meta"):
        if shape[0] < smallest:
            with pytest.raises(ValueError, match=f"smallest input is {smallest}×{smallest}×{shape[2]}"):
                builder(input_shape=shape, classes=10)
        else:
            model = builder(input_shape=shape, classes=10)
            assert model.layers[-1].output_shape == (None, 10)


def test_lenet_takes_28x28_digits_with_same_padding_in_c1():
    model = applications.LeNet5(input_shape=(28, 28, 1), c1_padding="same")
    assert model.count_params() == 61_706
    assert model.predict(torch.zeros(2, 28, 28, 1).numpy()).shape == (2, 10)


def test_include_top_false_and_pooling():
    with torch.device("meta"):
        plain = applications.VGG16(include_top=False, input_shape=(64, 64, 3))
        avg = applications.VGG16(include_top=False, input_shape=(64, 64, 3), pooling="avg")
        top = applications.AlexNet(input_shape=(64, 64, 3), classes=3, classifier_activation=None)
    assert plain.layers[-1].output_shape == (None, 2, 2, 512)
    assert avg.layers[-1].output_shape == (None, 512)
    assert top.output_activation == "linear"


@pytest.mark.parametrize("kwargs, message", [({"pooling": "mean"}, "pooling must be None, 'avg' or 'max'"),
                                             ({"classes": 0}, "classes must be a positive int"),
                                             ({"input_shape": (32, 32)}, "input_shape must be")])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        applications.VGG16(**kwargs)


def test_imagenet_weights_point_to_pretrain():
    with pytest.raises(ValueError, match="convlens pretrain vgg16"):
        applications.VGG16(include_top=False, input_shape=(32, 32, 3), weights="imagenet")


def test_summary_shows_receptive_field_growing_to_the_input():
    model = applications.LeNet5()
    assert "Total params: 61,706" in model.summary(return_string=True)
    fields = [row.receptive_field for row in model.summary_rows()][:5]
    assert fields == ["5×5", "6×6", "14×14", "16×16", "32×32"]  # C5 sees the whole 32×32 input
