"""Image helpers and small utilities against real Keras 3 (torch backend)."""
import os

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

from convlens import utils  # noqa: E402
from convlens.preprocessing import image as pre_image  # noqa: E402

rng = np.random.default_rng(0)


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "p.png"
    Image.fromarray(rng.integers(0, 256, (9, 13, 3), dtype=np.uint8)).save(path)
    return path


@pytest.mark.parametrize("kwargs", [{}, {"target_size": (5, 7)}, {"color_mode": "grayscale"},
                                    {"color_mode": "rgba", "target_size": (4, 4), "interpolation": "bilinear"},
                                    {"target_size": (6, 6), "keep_aspect_ratio": True}])
def test_load_img_and_img_to_array_match_keras(picture, kwargs):
    ours = utils.img_to_array(utils.load_img(picture, **kwargs))
    theirs = keras.utils.img_to_array(keras.utils.load_img(picture, **kwargs))
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
    assert pre_image.load_img(picture, **kwargs).size == keras.utils.load_img(picture, **kwargs).size


@pytest.mark.parametrize("shape, scale", [((6, 5, 3), True), ((6, 5, 1), True), ((4, 4, 4), False),
                                          ((3, 7, 3), False)])
def test_array_to_img_matches_keras(shape, scale):
    x = rng.uniform(-3, 300, shape).astype("float32") if scale else rng.uniform(0, 255, shape).astype("float32")
    ours, theirs = utils.array_to_img(x, scale=scale), keras.utils.array_to_img(x, scale=scale)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    np.testing.assert_allclose(np.asarray(ours, dtype=int), np.asarray(theirs, dtype=int), atol=1)


@pytest.mark.parametrize("name", ["a.png", "b.jpg", "c.bmp"])
def test_save_img_matches_keras(tmp_path, name):
    x = rng.uniform(0, 1, (8, 8, 3)).astype("float32")
    utils.save_img(tmp_path / f"ours_{name}", x)
    keras.utils.save_img(tmp_path / f"theirs_{name}", x)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / f"ours_{name}")),
                                  np.asarray(Image.open(tmp_path / f"theirs_{name}")))
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_normalize_and_to_categorical_match_keras():
    x = rng.normal(size=(4, 5))
    np.testing.assert_allclose(utils.normalize(x), keras.utils.normalize(x), rtol=1e-6)
    np.testing.assert_allclose(utils.normalize(x, order=1), keras.utils.normalize(x, order=1), rtol=1e-6)
    # Keras 3.15 turns axis=0 into -1 (`axis or -1`) and fails; convlens normalizes along axis 0.
    np.testing.assert_allclose(np.abs(utils.normalize(x, axis=0, order=1)).sum(0), 1.0, rtol=1e-6)
    y = rng.integers(0, 4, 9)
    np.testing.assert_array_equal(utils.to_categorical(y, 4), keras.utils.to_categorical(y, 4))


def test_array_to_img_without_scale_clips_out_of_range_values():
    # Keras casts to uint8 and wraps around (300 -> 44); convlens clips, on purpose.
    assert np.asarray(utils.array_to_img(np.full((1, 1, 1), 300.0), scale=False)).item() == 255


def test_channels_first_is_refused_clearly():
    with pytest.raises(ValueError, match="channels-last"):
        utils.array_to_img(np.zeros((3, 4, 4)), data_format="channels_first")
    with pytest.raises(ValueError, match="1, 3 or 4"):
        utils.array_to_img(np.zeros((4, 4, 2)))


def test_sequence_subclass_trains():
    from convlens import Sequential
    from convlens.layers import Dense

    class Batches(utils.Sequence):
        def __init__(self):
            super().__init__()
            self.epochs_ended = 0

        def __len__(self):
            return 3

        def __getitem__(self, i):
            x = np.full((4, 2), i, "float32")
            return x, np.zeros((4, 1), "float32")

        def on_epoch_end(self):
            self.epochs_ended += 1

    data = Batches()
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    model.fit(data, epochs=2, verbose=0)
    assert data.epochs_ended == 2
    with pytest.raises(ValueError, match="workers"):
        utils.PyDataset(workers=4)


def test_directory_iterator_keras2_attributes(tmp_path):
    for cls in ("cats", "dogs"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            Image.new("RGB", (6, 6)).save(tmp_path / cls / f"{i}.png")
    it = pre_image.ImageDataGenerator().flow_from_directory(tmp_path, target_size=(4, 4), batch_size=2,
                                                            shuffle=False)
    assert it.samples == it.nb_samples == 6 and it.classes.tolist() == [0, 0, 0, 1, 1, 1]
    assert it.filenames[0] == "cats/0.png" and it.class_indices == {"cats": 0, "dogs": 1}
