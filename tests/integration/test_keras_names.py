"""The ``keras.X`` paths CNN programs reach exist under ``import convlens as keras`` (and in real Keras 3)."""
import importlib
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras as real_keras  # noqa: E402

import convlens as keras  # noqa: E402

PATHS = """
Sequential Model Input Layer
layers.Conv2D layers.MaxPooling2D layers.Dense layers.Flatten layers.Dropout layers.BatchNormalization
layers.Rescaling layers.RandomFlip layers.RandomRotation layers.RandomZoom layers.GlobalAveragePooling2D
layers.Activation layers.Input
models.Sequential models.Model models.load_model models.clone_model models.model_from_json
utils.to_categorical utils.image_dataset_from_directory utils.load_img utils.img_to_array utils.array_to_img
utils.save_img utils.set_random_seed utils.normalize utils.Sequence utils.PyDataset utils.get_file
metrics.BinaryAccuracy metrics.CategoricalAccuracy metrics.SparseCategoricalAccuracy
metrics.TopKCategoricalAccuracy metrics.SparseTopKCategoricalAccuracy metrics.Precision metrics.Recall
metrics.AUC metrics.MeanSquaredError metrics.MeanAbsoluteError
optimizers.SGD optimizers.RMSprop optimizers.Adam optimizers.AdamW optimizers.Adagrad optimizers.Adadelta
optimizers.get optimizers.schedules.ExponentialDecay optimizers.schedules.PiecewiseConstantDecay
optimizers.schedules.CosineDecay optimizers.schedules.InverseTimeDecay optimizers.schedules.PolynomialDecay
optimizers.schedules.LearningRateSchedule
losses.CategoricalCrossentropy losses.SparseCategoricalCrossentropy losses.BinaryCrossentropy
losses.MeanSquaredError losses.categorical_crossentropy losses.sparse_categorical_crossentropy
callbacks.ModelCheckpoint callbacks.EarlyStopping callbacks.ReduceLROnPlateau callbacks.LearningRateScheduler
callbacks.CSVLogger callbacks.History callbacks.Callback
backend.image_data_format backend.clear_session backend.epsilon backend.floatx backend.set_image_data_format
datasets.mnist datasets.fashion_mnist datasets.cifar10
preprocessing.image.ImageDataGenerator preprocessing.image.load_img preprocessing.image.img_to_array
preprocessing.image.array_to_img preprocessing.image_dataset_from_directory
""".split()


KERAS2_ONLY = {"preprocessing.image.ImageDataGenerator"}  # gone from Keras 3, still in the notes' code


def resolve(root, path):
    obj = root
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("path", PATHS)
def test_path_exists_in_convlens_and_in_keras(path):
    assert resolve(keras, path) is not None
    if path.startswith("datasets."):  # Keras's dataset modules load lazily too
        importlib.import_module(f"keras.{path}")
    if path not in KERAS2_ONLY:
        assert resolve(real_keras, path) is not None


def test_data_autotune_and_keras2_backend_import():
    from convlens import backend as K
    assert K.image_data_format() == "channels_last" and keras.data.AUTOTUNE == -1
