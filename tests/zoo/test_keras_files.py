"""Files written by real Keras 3 (torch backend) read into the equivalent convlens model: same outputs."""
import os
import zipfile

os.environ.setdefault("KERAS_BACKEND", "torch")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from convlens import applications  # noqa: E402
from convlens.layers import (Activation, Add, BatchNormalization, Conv2D, Dense, Flatten,  # noqa: E402
                             GlobalAveragePooling2D, Input, MaxPooling2D)
from convlens.models import Functional, Model, Sequential, load_model  # noqa: E402
from convlens.saving import deserialize  # noqa: E402
from convlens.saving.keras_h5 import is_keras_file, keras_model_config, read_keras_weights, refuse_code  # noqa: E402


def keras_net():
    model = keras.Sequential([
        keras.Input((12, 12, 3)), keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.BatchNormalization(),
        keras.layers.MaxPooling2D(2), keras.layers.Conv2D(5, 3, padding="same"), keras.layers.Flatten(),
        keras.layers.Dense(6, activation="relu"), keras.layers.Dense(3, activation="softmax")])
    rng = np.random.default_rng(0)
    model.set_weights([(0.3 * rng.normal(size=w.shape)).astype("float32") if i not in (5,) else
                       rng.uniform(0.5, 2, size=w.shape).astype("float32")  # moving variance > 0
                       for i, w in enumerate(model.get_weights())])
    return model


def convlens_net():
    return Sequential([Conv2D(4, 3, activation="relu", input_shape=(12, 12, 3)), BatchNormalization(),
                       MaxPooling2D(2), Conv2D(5, 3, padding="same"), Flatten(), Dense(6, activation="relu"),
                       Dense(3, activation="softmax")])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from keras.src.legacy.saving import legacy_h5_format
    folder = tmp_path_factory.mktemp("keras")
    model = keras_net()
    model.save_weights(folder / "net.weights.h5")
    model.save(folder / "net.keras")
    model.save(folder / "net.h5")  # legacy full-model HDF5
    with h5py.File(folder / "net_keras2.h5", "w") as handle:  # what Keras 2's save_weights('w.h5') wrote
        legacy_h5_format.save_weights_to_hdf5_group(handle, model)
    x = np.random.default_rng(1).random((4, 12, 12, 3), dtype=np.float32)
    return folder, x, np.asarray(model.predict(x, verbose=0))


@pytest.mark.parametrize("name", ["net.weights.h5", "net.keras", "net.h5", "net_keras2.h5"])
def test_keras_files_give_the_same_outputs(files, name):
    folder, x, expected = files
    assert is_keras_file(folder / name)
    model = convlens_net()
    read_keras_weights(folder / name, model)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)
    assert expected.max() < 0.99  # not saturated: the comparison sees every weight


@pytest.mark.parametrize("name", ["net.keras", "net.h5"])
def test_keras_config_rebuilds_the_sequential(files, name):
    folder, x, expected = files
    # what convlens.saving.load_model would do for a Keras file: the registry rebuilds the converted config
    entry = keras_model_config(folder / name)
    assert entry["class_name"] == "Sequential"
    model = deserialize(entry)
    read_keras_weights(folder / name, model)
    assert [type(layer).__name__ for layer in model.layers][:3] == ["Conv2D", "BatchNormalization", "MaxPooling2D"]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)


def test_a_different_model_is_refused_by_name(files):
    folder, _, _ = files
    other = Sequential([Conv2D(4, 3, activation="relu", input_shape=(12, 12, 3)), BatchNormalization(),
                        MaxPooling2D(2), Conv2D(5, 3, padding="same"), Flatten(), Dense(6)])
    with pytest.raises(ValueError, match="weights for layers the convlens model lacks"):
        read_keras_weights(folder / "net.weights.h5", other)
    wrong = Sequential([Conv2D(7, 3, input_shape=(12, 12, 3)), BatchNormalization(), MaxPooling2D(2),
                        Conv2D(5, 3, padding="same"), Flatten(), Dense(6), Dense(3)])
    with pytest.raises(ValueError, match=r"'layers/conv2d' holds weights of shapes \[\(3, 3, 3, 4\), \(4,\)\]"):
        read_keras_weights(folder / "net.weights.h5", wrong)


def test_lambda_layer_in_a_keras_archive_is_refused(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2, name="double"),
                              keras.layers.Dense(2)])
    model.save(tmp_path / "lam.keras")
    with zipfile.ZipFile(tmp_path / "lam.keras") as archive:
        assert "config.json" in archive.namelist()
    with pytest.raises(ValueError, match="layer 'double' is a Lambda layer"):
        read_keras_weights(tmp_path / "lam.keras", Sequential([Dense(2, input_shape=(4,))]))
    with pytest.raises(ValueError, match="Lambda"):
        refuse_code({"layers": [{"class_name": "Lambda", "config": {"name": "x"}}]}, "f")


def test_keras_applications_vgg16_weights_load_into_convlens_vgg16(tmp_path):
    reference = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
    assert reference.count_params() == 14_714_688
    reference.save_weights(tmp_path / "vgg16.weights.h5")
    model = applications.VGG16(include_top=False, input_shape=(32, 32, 3), pooling="avg",
                               weights=tmp_path / "vgg16.weights.h5")
    assert model.count_params() == reference.count_params()
    x = np.random.default_rng(2).random((2, 32, 32, 3), dtype=np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.asarray(reference.predict(x, verbose=0)),
                               rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name", ["VGG16", "VGG19"])
def test_counts_equal_keras_applications_with_a_small_head(name):
    kwargs = {"input_shape": (32, 32, 3), "classes": 10}
    assert getattr(applications, name)(**kwargs).count_params() == \
        getattr(keras.applications, name)(weights=None, **kwargs).count_params()


def test_the_notes_load_weights_line_and_load_model_read_keras_files(files):
    """`model.load_weights('model.weights.best.hdf5')` on a file real Keras wrote, and load_model on a .keras file."""
    folder, x, expected = files
    (folder / "model.weights.best.hdf5").write_bytes((folder / "net.weights.h5").read_bytes())
    model = convlens_net()
    model.load_weights(folder / "model.weights.best.hdf5")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(load_model(folder / "net.keras").predict(x, verbose=0), expected, rtol=1e-4,
                               atol=1e-5)


# --- functional models: the graph from config.json, the weights by Keras's class-based names ------------------------
def randomized(model, scale=0.3):
    """Random weights (moving variances positive) so that a weight landing in the wrong layer changes the output."""
    rng = np.random.default_rng(0)
    model.set_weights([rng.uniform(0.5, 2, size=w.shape).astype("float32") if "variance" in w.path else
                       (scale * rng.normal(size=w.shape)).astype("float32") for w in model.weights])
    return model


def keras_residual():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", use_bias=False)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Activation("relu")(x)
    y = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(x)
    shortcut = keras.layers.Conv2D(4, 1)(inputs)
    x = keras.layers.Add()([x, y, shortcut])
    x = keras.layers.GlobalAveragePooling2D()(x)
    return randomized(keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x)))


def convlens_residual():
    inputs = Input(shape=(8, 8, 3))
    x = Conv2D(4, 3, padding="same", use_bias=False)(inputs)
    x = Activation("relu")(BatchNormalization()(x))
    y = Conv2D(4, 3, padding="same", activation="relu")(x)
    shortcut = Conv2D(4, 1)(inputs)
    x = GlobalAveragePooling2D()(Add()([x, y, shortcut]))
    return Model(inputs, Dense(3, activation="softmax")(x))


@pytest.fixture(scope="module")
def residual_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("residual")
    model = keras_residual()
    model.save_weights(folder / "res.weights.h5")
    model.save(folder / "res.keras")
    model.save(folder / "res.h5")  # legacy HDF5: Keras 2's [name, node, index, kwargs] inbound nodes
    x = np.random.default_rng(1).random((4, 8, 8, 3), dtype=np.float32)
    expected = np.asarray(model.predict(x, verbose=0))
    assert expected.max() < 0.99  # not saturated: the comparison sees every weight
    return folder, x, expected, [layer.name for layer in model.layers]


@pytest.mark.parametrize("name", ["res.keras", "res.h5"])
def test_load_model_rebuilds_a_keras_functional_residual_block(residual_files, name):
    folder, x, expected, names = residual_files
    model = load_model(folder / name)
    assert isinstance(model, Functional)
    assert [layer.name for layer in model.layers] == names
    add = model.get_layer(names[6])
    assert [type(t.node.layer).__name__ for t in add._inbound_nodes[0].input_tensors] == \
        ["Activation", "Conv2D", "Conv2D"]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["res.weights.h5", "res.keras"])
def test_load_weights_of_a_keras_functional_model_into_the_convlens_one(residual_files, name):
    folder, x, expected, _ = residual_files
    model = convlens_residual()
    model.load_weights(folder / name)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-6)


def test_keras_mobilenet_v2_files_load_into_convlens_mobilenet_v2(tmp_path):
    kwargs = {"input_shape": (32, 32, 3), "alpha": 0.35, "classes": 10, "classifier_activation": None}
    reference = randomized(keras.applications.MobileNetV2(weights=None, **kwargs), scale=0.1)
    reference.save_weights(tmp_path / "mnv2.weights.h5")
    reference.save(tmp_path / "mnv2.keras")
    x = np.random.default_rng(2).random((2, 32, 32, 3), dtype=np.float32)
    expected = np.asarray(reference.predict(x, verbose=0))
    assert np.abs(expected).max() > 1e-3
    model = applications.MobileNetV2(weights=tmp_path / "mnv2.weights.h5", **kwargs)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-3, atol=1e-5 * np.abs(expected).max())
    rebuilt = load_model(tmp_path / "mnv2.keras")
    assert len(rebuilt.layers) == len(reference.layers)
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), expected, rtol=1e-3,
                               atol=1e-5 * np.abs(expected).max())


def test_load_model_rebuilds_a_nested_frozen_base_with_two_inputs(tmp_path):
    base_input = keras.Input((8, 8, 3))
    h = keras.layers.BatchNormalization()(keras.layers.Conv2D(4, 3, activation="relu")(base_input))
    base = keras.Model(base_input, keras.layers.GlobalAveragePooling2D()(h), name="base")
    base.trainable = False
    a, b = keras.Input((8, 8, 3), name="a"), keras.Input((8, 8, 3), name="b")
    side = keras.layers.Flatten()(keras.layers.Conv2D(2, 3)(b))
    features = keras.layers.Concatenate()([base(a, training=False), side])
    reference = randomized(keras.Model([a, b], keras.layers.Dense(3, activation="softmax")(features)))
    reference.save(tmp_path / "nested.keras")
    xs = [np.random.default_rng(i).random((2, 8, 8, 3), dtype=np.float32) for i in (3, 4)]
    expected = np.asarray(reference.predict(xs, verbose=0))
    model = load_model(tmp_path / "nested.keras")
    assert not model.get_layer("base").trainable
    call = model.get_layer("base")._inbound_nodes[-1]
    assert call.kwargs == {"training": False}
    with torch.no_grad():
        got = model([torch.as_tensor(v) for v in xs]).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_lambda_in_a_keras_functional_file_is_refused_by_name(tmp_path):
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(2)(keras.layers.Lambda(lambda t: t * 2, name="twice")(inputs))
    keras.Model(inputs, outputs).save(tmp_path / "lam.keras")
    with pytest.raises(ValueError, match="layer 'twice' is a Lambda layer"):
        load_model(tmp_path / "lam.keras")
