"""Files written by real Keras 3 (torch backend) read into the equivalent convlens model: same outputs."""
import os
import zipfile

os.environ.setdefault("KERAS_BACKEND", "torch")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from convlens import applications  # noqa: E402
from convlens.layers import BatchNormalization, Conv2D, Dense, Flatten, MaxPooling2D  # noqa: E402
from convlens.models import Sequential  # noqa: E402
from convlens.saving import deserialize  # noqa: E402
from convlens.saving.keras_h5 import (is_keras_file, keras_sequential_config, read_keras_weights,  # noqa: E402
                                      refuse_code)


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
    model = deserialize({"class_name": "Sequential", "config": keras_sequential_config(folder / name)})
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
    from convlens.models import load_model
    folder, x, expected = files
    (folder / "model.weights.best.hdf5").write_bytes((folder / "net.weights.h5").read_bytes())
    model = convlens_net()
    model.load_weights(folder / "model.weights.best.hdf5")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(load_model(folder / "net.keras").predict(x, verbose=0), expected, rtol=1e-4,
                               atol=1e-5)
