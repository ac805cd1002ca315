import warnings

import numpy as np
import pytest
from PIL import Image

from convlens.preprocessing import ImageDataGenerator


def test_keras_attributes_class_order_and_labels(make_folder, capsys):
    root = make_folder({"dogs": 3, "cats": 2, "birds": 4})
    (root / ".ipynb_checkpoints").mkdir()
    (root / "cats" / ".DS_Store").write_bytes(b"junk")
    it = ImageDataGenerator(rescale=1 / 255).flow_from_directory(root, target_size=(6, 5), batch_size=4,
                                                                 shuffle=False)
    assert "Found 9 images belonging to 3 classes." in capsys.readouterr().out
    assert it.class_indices == {"birds": 0, "cats": 1, "dogs": 2}
    assert it.classes.tolist() == [0] * 4 + [1] * 2 + [2] * 3
    assert it.filenames[:2] == ["birds/img00.png", "birds/img01.png"]
    assert it.samples == 9 and len(it) == 3 and it.image_shape == (6, 5, 3)
    xb, yb = it[0]
    assert xb.shape == (4, 6, 5, 3) and xb.dtype == np.float32 and xb.max() <= 1.0
    np.testing.assert_array_equal(yb, np.eye(3, dtype=np.float32)[[0, 0, 0, 0]])
    last_x, last_y = it[2]
    assert last_x.shape[0] == 1 and last_y.argmax(1).tolist() == [2]
    # the pixel colour encodes (class, index): red = 40 * class position in creation order (dogs=0, cats=1, birds=2)
    assert round(float(xb[0, 0, 0, 0]) * 255) == 80


@pytest.mark.parametrize("class_mode,expected", [("binary", [0.0, 0.0, 1.0]), ("sparse", [0.0, 0.0, 1.0])])
def test_binary_and_sparse_labels(make_folder, class_mode, expected):
    root = make_folder({"a": 2, "b": 1})
    xb, yb = ImageDataGenerator().flow_from_directory(root, target_size=(4, 4), class_mode=class_mode,
                                                      shuffle=False)[0]
    assert yb.dtype == np.float32 and yb.tolist() == expected


def test_class_mode_none_and_input(make_folder):
    root = make_folder({"a": 2, "b": 1})
    only_x = ImageDataGenerator().flow_from_directory(root, target_size=(4, 4), class_mode=None)[0]
    assert isinstance(only_x, np.ndarray) and only_x.shape == (3, 4, 4, 3)
    xb, target = ImageDataGenerator().flow_from_directory(root, target_size=(4, 4), class_mode="input")[0]
    np.testing.assert_array_equal(xb, target)
    with pytest.raises(ValueError, match="exactly 2"):
        ImageDataGenerator().flow_from_directory(make_folder({"c": 1}), class_mode="binary")
    with pytest.raises(ValueError, match="class_mode: 'multi'"):
        ImageDataGenerator().flow_from_directory(root, class_mode="multi")


def test_validation_subset_is_per_class_and_disjoint(make_folder):
    root = make_folder({"a": 10, "b": 5})
    gen = ImageDataGenerator(validation_split=0.2)
    train = gen.flow_from_directory(root, target_size=(4, 4), subset="training")
    val = gen.flow_from_directory(root, target_size=(4, 4), subset="validation")
    assert val.filenames == ["a/img00.png", "a/img01.png", "b/img00.png"]
    assert train.samples == 12 and not set(train.filenames) & set(val.filenames)


def test_broken_files_are_reported_and_never_crash_an_epoch(make_folder):
    root = make_folder({"a": 3, "b": 3})
    (root / "a" / "zero.png").write_bytes(b"")
    (root / "a" / "text.png").write_text("hello")
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(root / "b" / "broken.jpg", quality=95)
    data = (root / "b" / "broken.jpg").read_bytes()
    (root / "b" / "broken.jpg").write_bytes(data[: len(data) // 2])  # passes verify(), fails when decoded
    with pytest.warns(UserWarning, match="Skipping"):
        it = ImageDataGenerator().flow_from_directory(root, target_size=(4, 4), batch_size=7, shuffle=False)
    assert it.samples == 7
    scan_errors = {e[0].rsplit("/", 1)[-1] for e in it.errors}
    assert scan_errors == {"zero.png", "text.png"}
    with pytest.warns(UserWarning, match="broken.jpg"):
        xb, yb = it[0]
    assert xb.shape[0] == 6 and yb.shape == (6, 2)
    assert any("broken.jpg" in path and "truncated" in reason for path, reason in it.errors)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reported once: the next epoch skips it silently
        it.on_epoch_end()
        assert it[0][0].shape[0] == 6


def test_all_colour_modes_from_mixed_files(make_folder):
    root = make_folder({"a": 1, "b": 1})
    Image.new("RGBA", (5, 5), (0, 0, 0, 0)).save(root / "a" / "alpha.png")
    Image.new("L", (5, 5), 30).save(root / "b" / "grey.bmp")
    Image.new("CMYK", (5, 5), (0, 0, 0, 0)).save(root / "b" / "cmyk.tiff")
    for color_mode, channels in (("grayscale", 1), ("rgb", 3), ("rgba", 4)):
        it = ImageDataGenerator().flow_from_directory(root, target_size=(3, 3), color_mode=color_mode,
                                                      batch_size=10, shuffle=False)
        assert it[0][0].shape == (5, 3, 3, channels)
    rgb = ImageDataGenerator().flow_from_directory(root, target_size=(3, 3), batch_size=10, shuffle=False)[0][0]
    assert rgb[0].min() == 255.0  # transparent pixels composited on white


def test_shuffle_is_seeded_and_prefetch_does_not_change_results(make_folder):
    root = make_folder({"a": 6, "b": 6})
    kwargs = dict(target_size=(4, 4), batch_size=5, seed=11)
    gen = ImageDataGenerator(rotation_range=30, horizontal_flip=True)
    a = gen.flow_from_directory(root, prefetch=0, workers=1, **kwargs)
    b = gen.flow_from_directory(root, prefetch=3, workers=2, **kwargs)
    for i in (2, 0, 1):
        np.testing.assert_array_equal(a[i][0], b[i][0])
    order = np.concatenate([b[i][1].argmax(1) for i in range(len(b))])
    assert sorted(order.tolist()) == [0] * 6 + [1] * 6


def test_model_fit_on_directory_iterators_stores_class_indices(make_folder):
    models = pytest.importorskip("convlens.models")
    layers = pytest.importorskip("convlens.layers")
    root = make_folder({"x": 4, "y": 4, "z": 4}, size=(8, 8))
    gen = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True, validation_split=0.25)
    train = gen.flow_from_directory(root, target_size=(8, 8), batch_size=4, subset="training", seed=0)
    val = gen.flow_from_directory(root, target_size=(8, 8), batch_size=4, subset="validation", seed=0)
    model = models.Sequential([layers.Conv2D(2, 3, activation="relu", input_shape=(8, 8, 3)), layers.Flatten(),
                               layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(train, epochs=2, validation_data=val, verbose=0)
    assert len(history.history["loss"]) == 2 and "val_loss" in history.history
