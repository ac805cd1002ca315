"""Weights keyed by layer path; configs rebuild any model through one registry; files are recognised positively."""
import json
import struct

import numpy as np
import pytest
import torch
from safetensors.torch import save as st_save

import convlens
from convlens import Sequential, saving
from convlens.layers import BatchNormalization, Conv2D, Dense, Flatten, GlobalAveragePooling2D, Input, Layer
from convlens.models import Model, clone_model, load_model, model_from_json
from convlens.saving import UnsafeFileError, read_file


def nested_model():
    base = Sequential([Input(shape=(8, 8, 1)), Conv2D(3, 3), BatchNormalization()], name="base")
    x = Input(shape=(8, 8, 1), name="image")
    y = Dense(2, activation="softmax", name="head")(GlobalAveragePooling2D()(base(x)))
    return Model(x, y, name="classifier")


def batch():
    return np.random.default_rng(1).random((4, 8, 8, 1), dtype=np.float32)


def test_weights_are_keyed_by_layer_path(tmp_path):
    model = nested_model()
    model.save_weights(tmp_path / "w.h5")
    tensors, _ = read_file(tmp_path / "w.h5")
    assert {"weights/base/conv2d_1/kernel", "weights/base/batch_normalization_1/moving_variance",
            "weights/head/kernel"} <= set(tensors)
    assert tuple(tensors["weights/base/conv2d_1/kernel"].shape) == (3, 3, 1, 3)  # Keras layout


def test_nested_functional_model_round_trip(tmp_path):
    model = nested_model()
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    model.fit(batch(), np.array([0, 1, 0, 1]), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert type(loaded).__name__ == "Functional" and loaded.name == "classifier"
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(batch(), verbose=0), model.predict(batch(), verbose=0))


def test_load_weights_reports_every_mismatch_and_changes_nothing(tmp_path):
    Sequential([Dense(4, input_shape=(3,), name="a"), Dense(2, name="b")]).save_weights(tmp_path / "w.h5")
    target = Sequential([Dense(4, input_shape=(3,), name="a"), Dense(5, name="b"), Dense(1, name="c")])
    before = target.get_weights()
    with pytest.raises(ValueError) as info:
        target.load_weights(tmp_path / "w.h5")
    message = str(info.value)
    assert "b/kernel: the file has shape (4, 2), the model (4, 5)" in message
    assert "c/kernel: missing from the file" in message
    for old, new in zip(before, target.get_weights()):
        np.testing.assert_array_equal(old, new)
    with pytest.warns(UserWarning, match="skipped"):
        target.load_weights(tmp_path / "w.h5", skip_mismatch=True)
    loaded = {w.path: w.numpy() for w in target.weights}
    source = Sequential([Dense(4, input_shape=(3,), name="a"), Dense(2, name="b")])
    source.load_weights(tmp_path / "w.h5")
    np.testing.assert_array_equal(loaded["a/kernel"], source.get_layer("a").get_weights()[0])


def test_format_1_files_still_load(tmp_path):
    model = Sequential([Dense(3, input_shape=(2,)), Dense(1)])
    weights = model.get_weights()
    tensors = {f"weights/{i:04d}": torch.from_numpy(w) for i, w in enumerate(weights)}
    config = {"name": "sequential", "input_shape": [2], "layers": [
        {"class_name": "Dense", "config": {"name": "dense_1", "trainable": True, "units": 3}},
        {"class_name": "Dense", "config": {"name": "dense_2", "trainable": True, "units": 1}}]}
    meta = {"format": "convlens", "version": "1", "kind": json.dumps("model"), "class_name": json.dumps("Sequential"),
            "config": json.dumps(config), "class_names": json.dumps(None)}
    (tmp_path / "old.convlens").write_bytes(st_save(tensors, metadata=meta))
    loaded = load_model(tmp_path / "old.convlens")
    x = np.ones((2, 2), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    fresh = Sequential([Dense(3, input_shape=(2,)), Dense(1)])
    fresh.load_weights(tmp_path / "old.convlens")
    np.testing.assert_array_equal(fresh.get_weights()[0], weights[0])


def test_files_are_recognised_whatever_their_header_length(tmp_path):
    """The first byte of a safetensors file is the low byte of its header length: 0x80 once looked like pickle."""
    low_bytes = set()
    for length in range(1, 300):  # safetensors pads its header to 8 bytes: every multiple of 8 comes round
        model = Sequential([Dense(1, input_shape=(1,), name="d" * length)])
        path = tmp_path / f"m{length}.keras"
        model.save(path)
        low_bytes.add(path.read_bytes()[0])
        load_model(path)
        model.load_weights(path)
    assert low_bytes == set(range(0, 256, 8))  # 0x80 (pickle's first byte) and 0x50 ('P' of a zip) included


def test_foreign_and_damaged_files_are_refused_by_name(tmp_path):
    (tmp_path / "pickle.h5").write_bytes(b"\x80\x04K\x01.")
    (tmp_path / "zip.keras").write_bytes(b"PK\x03\x04" + bytes(40))
    (tmp_path / "hdf5.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(40))
    good = tmp_path / "good.keras"
    Sequential([Dense(1, input_shape=(1,))]).save(good)
    (tmp_path / "cut.keras").write_bytes(good.read_bytes()[:-3])
    for name, words in [("pickle.h5", "pickle"), ("zip.keras", "zip"), ("hdf5.h5", "HDF5"), ("cut.keras", "not a convlens")]:
        with pytest.raises(UnsafeFileError, match=words):
            read_file(tmp_path / name)


def test_crafted_config_is_refused_before_memory_is_taken(tmp_path):
    path = tmp_path / "m.keras"
    Sequential([Dense(2, input_shape=(3,), name="d")]).save(path)
    tensors, meta = read_file(path)
    meta["model"]["config"]["layers"][0]["config"]["units"] = 10 ** 10  # 30 billion weights if built for real
    raw = {"format": "convlens", "version": "2", **{k: json.dumps(v) for k, v in meta.items() if k != "_version"}}
    (tmp_path / "evil.keras").write_bytes(st_save(tensors, metadata=raw))
    with pytest.raises(ValueError, match="does not match its weights"):
        load_model(tmp_path / "evil.keras")
    raw["model"] = json.dumps({"class_name": "Dense", "config": {"units": "many"}})
    (tmp_path / "bad.keras").write_bytes(st_save(tensors, metadata=raw))
    with pytest.raises(ValueError, match="bad.keras|units"):
        load_model(tmp_path / "bad.keras")


def test_registry_rebuilds_a_users_layer_and_warns_on_overwrite(tmp_path):
    @saving.register_serializable(package="tests")
    class Scale(Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def forward(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = Sequential([Input(shape=(2,)), Scale(3.0), Dense(1)])
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.layers[0].factor == 3.0
    with pytest.warns(UserWarning, match="registered"):
        @saving.register_serializable(package="tests", name="Scale")
        class Other(Layer):
            pass


def test_json_and_clone_give_the_same_architecture_with_new_weights():
    model = nested_model()
    rebuilt = model_from_json(model.to_json())
    twin = clone_model(model)
    for other in (rebuilt, twin):
        assert [w.path for w in other.weights] == [w.path for w in model.weights]
        assert not np.array_equal(other.get_weights()[0], model.get_weights()[0])
    assert convlens.models.model_from_json(Sequential([Dense(1, input_shape=(2,))]).to_json()).count_params() == 3
