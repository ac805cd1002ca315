"""``convlens.applications.<family>`` against real Keras 3: preprocess_input (caffe / tf / torch modes, arrays written
over as Keras does, tensors, channels_first) and decode_predictions read offline."""
import json
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

from convlens import applications  # noqa: E402
from convlens.applications import imagenet_utils  # noqa: E402

FAMILIES = {"vgg16": "VGG16", "vgg19": "VGG19", "resnet50": "ResNet50", "resnet": "ResNet50",
            "mobilenet_v2": "MobileNetV2", "inception_v3": "InceptionV3", "xception": "Xception"}
rng = np.random.default_rng(0)
IMAGES = rng.uniform(0, 255, size=(2, 5, 4, 3)).astype("float32")


@pytest.mark.parametrize("family", FAMILIES)
def test_preprocess_input_matches_keras(family):
    ours_module, theirs_module = getattr(applications, family), getattr(keras.applications, family)
    assert getattr(ours_module, FAMILIES[family]) is getattr(applications, FAMILIES[family])
    mine, theirs = IMAGES.copy(), IMAGES.copy()
    out_mine, out_theirs = ours_module.preprocess_input(mine), theirs_module.preprocess_input(theirs)
    np.testing.assert_allclose(out_mine, np.asarray(out_theirs), atol=1e-4)
    np.testing.assert_allclose(mine, theirs, atol=1e-4)  # Keras writes over a float array: so does convlens
    as_uint8 = IMAGES.astype("uint8")
    np.testing.assert_allclose(ours_module.preprocess_input(as_uint8),
                               np.asarray(theirs_module.preprocess_input(as_uint8.copy())), atol=1e-4)
    assert as_uint8.dtype == np.uint8  # an integer array is not written over
    tensor = torch.tensor(IMAGES)
    np.testing.assert_allclose(ours_module.preprocess_input(tensor).numpy(), out_theirs, atol=1e-4)
    assert torch.equal(tensor, torch.tensor(IMAGES))  # a tensor is left alone


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format, images", [("channels_last", IMAGES[0]),
                                                 ("channels_first", IMAGES.transpose(0, 3, 1, 2)),
                                                 ("channels_first", IMAGES[0].transpose(2, 0, 1))])
def test_imagenet_utils_modes_and_data_formats_match_keras(mode, data_format, images):
    ours = imagenet_utils.preprocess_input(images.copy(), data_format=data_format, mode=mode)
    theirs = keras.applications.imagenet_utils.preprocess_input(images.copy(), data_format=data_format, mode=mode)
    np.testing.assert_allclose(ours, np.asarray(theirs), atol=1e-4)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="mode must be one of .* got 'caffee'"):
        imagenet_utils.preprocess_input(IMAGES.copy(), mode="caffee")
    with pytest.raises(ValueError, match=r"needs 3 RGB channels on axis 3, got shape \(2, 5, 4, 1\)"):
        applications.vgg16.preprocess_input(IMAGES[..., :1].copy())


def class_index(classes=1000):
    return {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(classes)}


def test_decode_predictions_reads_the_cached_class_index_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    preds = rng.uniform(size=(2, 1000)).astype("float32")
    with pytest.raises(FileNotFoundError, match=r"no network; found no imagenet_class_index.json at .*home.*"
                                                r"applications.* Save Keras's file .* or pass class_index="):
        applications.resnet50.decode_predictions(preds)
    (tmp_path / "keras" / "models").mkdir(parents=True)
    (tmp_path / "keras" / "models" / "imagenet_class_index.json").write_text(json.dumps(class_index()))
    decoded = applications.mobilenet_v2.decode_predictions(preds, top=3)  # Keras's own cached copy
    best = np.argsort(preds, axis=1)[:, ::-1][:, :3]
    assert [[c[1] for c in row] for row in decoded] == [[f"class_{i}" for i in row] for row in best]
    assert decoded[0][0] == (f"n{best[0, 0]:08d}", f"class_{best[0, 0]}", pytest.approx(float(preds[0].max())))
    (tmp_path / "home" / "applications").mkdir(parents=True)
    (tmp_path / "home" / "applications" / "imagenet_class_index.json").write_text(
        json.dumps({k: [v[0], v[1].upper()] for k, v in class_index().items()}))
    assert applications.vgg16.decode_predictions(preds, top=1)[0][0][1].startswith("CLASS_")  # convlens's first


def test_decode_predictions_checks_shapes_and_takes_a_dict():
    with pytest.raises(ValueError, match=r"shape \(samples, 1000\).*got an array of shape \(3,\)"):
        imagenet_utils.decode_predictions(np.zeros(3), class_index=class_index())
    assert imagenet_utils.decode_predictions(torch.tensor([[0.2, 0.8]]), top=1, class_index=class_index(2)) == \
        [[("n00000001", "class_1", pytest.approx(0.8))]]
    with pytest.raises(ValueError, match="class_index must map class ids to"):
        imagenet_utils.decode_predictions(np.zeros((1, 2)), class_index={"0": 5, "1": 6})
