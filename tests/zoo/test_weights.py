"""Weights without a hub: cached bases with model cards, files by path, channel and head adaptation."""
import json

import numpy as np
import pytest
import torch

from convlens import applications
from convlens.zoo import WeightsNote, list_bases, save_base
from convlens.zoo.weights import base_paths, transfer_weights


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path))
    return tmp_path


def test_base_by_name_loads_into_include_top_false(home):
    torch.manual_seed(0)
    full = applications.LeNet5(input_shape=(32, 32, 1))
    card = save_base(full, "lenet5", "demo", {"dataset": "demo", "epochs": 0, "seed": 0, "test_accuracy": 0.1})
    assert list_bases() == [("lenet5", "demo")]
    stored = json.loads(base_paths("lenet5", "demo")[1].read_text())
    assert stored["sha256"] == card["sha256"] and len(stored["sha256"]) == 64
    with pytest.warns(WeightsNote, match="dropped the file's 'f6', 'predictions'"):
        base = applications.LeNet5(include_top=False, weights="demo")
    np.testing.assert_array_equal(base.layers[0].get_weights()[0], full.layers[0].get_weights()[0])
    np.testing.assert_array_equal(base.layers[4].get_weights()[0], full.layers[4].get_weights()[0])


def test_grey_input_sums_the_rgb_kernels_and_another_class_count_drops_the_head(home):
    rgb = applications.LeNet5(input_shape=(32, 32, 3), classes=10)
    save_base(rgb, "lenet5", "rgb", {"dataset": "demo"})
    with pytest.warns(WeightsNote) as notes:
        grey = applications.LeNet5(input_shape=(32, 32, 1), classes=3, weights="rgb")
    messages = " ".join(str(n.message) for n in notes)
    assert "summed its 3 input-channel kernels" in messages and "head keeps fresh weights" in messages
    np.testing.assert_allclose(grey.layers[0].get_weights()[0], rgb.layers[0].get_weights()[0].sum(2, keepdims=True))
    # summing the kernels is what a grey image repeated over RGB would see
    x = np.random.default_rng(0).random((2, 32, 32, 1), dtype=np.float32)
    np.testing.assert_allclose(grey.layers[0](torch.from_numpy(x)).detach().numpy(),
                               rgb.layers[0](torch.from_numpy(np.repeat(x, 3, -1))).detach().numpy(), atol=1e-5)


def test_weights_by_path_and_clear_errors(home, tmp_path):
    source = applications.LeNet5(input_shape=(32, 32, 3), classes=3)
    source.save_weights(tmp_path / "lenet.weights.convlens")
    copy = applications.LeNet5(input_shape=(32, 32, 3), classes=3, weights=tmp_path / "lenet.weights.convlens")
    for a, b in zip(copy.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"no base 'nope' for alexnet .*convlens pretrain alexnet"):
        applications.AlexNet(input_shape=(64, 64, 3), include_top=False, weights="nope")
    with pytest.raises(FileNotFoundError, match="missing.convlens"):
        applications.LeNet5(weights=str(tmp_path / "missing.convlens"))
    with pytest.raises(ValueError, match="trained at another input size"):  # f6 sees 1×1×120 vs 2×2×120
        applications.LeNet5(input_shape=(36, 36, 3), classes=3, weights=tmp_path / "lenet.weights.convlens")


def test_tampered_base_is_refused(home):
    save_base(applications.LeNet5(), "lenet5", "t", {"dataset": "demo"})
    path = base_paths("lenet5", "t")[0]
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="does not match the sha256"):
        applications.LeNet5(weights="t")


def test_transfer_by_layer_name():
    a, b = applications.LeNet5(), applications.LeNet5(include_top=False, pooling="avg")
    with pytest.warns(WeightsNote, match="dropped the file's 'f6', 'predictions'"):
        transfer_weights(b, a.named_weight_arrays())
    np.testing.assert_array_equal(b.get_layer("c5").get_weights()[0], a.get_layer("c5").get_weights()[0])
