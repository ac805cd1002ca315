"""convlens.utils.image_dataset_from_directory and the convlens.data.Dataset it returns."""
import threading

import numpy as np
import pytest
import torch

import convlens.data.image_batches as image_batches_module
from convlens import Sequential
from convlens.data import AUTOTUNE, Dataset
from convlens.layers import Dense, Flatten
from convlens.utils import image_dataset_from_directory


@pytest.fixture
def count_decodes(monkeypatch):
    """Count (path → times decoded) and the threads that decoded."""
    seen, threads = {}, set()
    real = image_batches_module.load_image

    def counting(path, *args, **kwargs):
        seen[path] = seen.get(path, 0) + 1
        threads.add(threading.current_thread().name)
        return real(path, *args, **kwargs)
    monkeypatch.setattr(image_batches_module, "load_image", counting)
    return seen, threads


def test_tutorial_surface(make_folder, capsys):
    root = make_folder({"daisy": 5, "roses": 4, "tulips": 3})
    train_ds = image_dataset_from_directory(root, validation_split=0.25, subset="training", seed=123,
                                            image_size=(8, 9), batch_size=4)
    val_ds = image_dataset_from_directory(root, validation_split=0.25, subset="validation", seed=123,
                                          image_size=(8, 9), batch_size=4)
    out = capsys.readouterr().out
    assert "Found 12 files belonging to 3 classes." in out and "Using 9 files for training." in out
    assert train_ds.class_names == ["daisy", "roses", "tulips"]
    assert not set(train_ds.file_paths) & set(val_ds.file_paths) and len(val_ds.file_paths) == 3
    for image_batch, labels_batch in train_ds:
        assert isinstance(image_batch, torch.Tensor) and image_batch.shape == (4, 8, 9, 3)
        assert labels_batch.numpy().dtype == np.int32 and image_batch.numpy().max() > 1.0
        break
    for images, labels in train_ds.take(1):
        names = [train_ds.class_names[labels[i]] for i in range(len(labels))]
        assert set(names) <= set(train_ds.class_names)
        assert images[0].numpy().astype("uint8").shape == (8, 9, 3)
    assert len(train_ds) == 3 and sum(len(y) for _, y in train_ds) == 9


def test_chain_lengths_and_values(make_folder):
    root = make_folder({"a": 6, "b": 5})
    ds = image_dataset_from_directory(root, image_size=(4, 4), batch_size=3, shuffle=False, verbose=False)
    plain = [(x.clone(), y.clone()) for x, y in ds]
    assert len(ds) == 4 and [len(y) for _, y in plain] == [3, 3, 3, 2]
    scaled = ds.map(lambda x, y: (x / 255.0, y), num_parallel_calls=AUTOTUNE)
    for (x, y), (sx, sy) in zip(plain, scaled):
        torch.testing.assert_close(sx, x / 255.0)
        assert torch.equal(sy, y)
    rebatched = ds.unbatch().batch(5)
    assert len(rebatched) == 3 and [len(y) for _, y in rebatched] == [5, 5, 1]
    assert len(ds.unbatch().batch(5, drop_remainder=True)) == 2
    assert len(ds.take(2)) == 2 and len(ds.skip(1)) == 3 and len(ds.repeat(2)) == 8
    shuffled = ds.unbatch().shuffle(11, seed=0)
    labels = [int(y) for _, y in shuffled]
    assert sorted(labels) == [0] * 6 + [1] * 5 and labels != sorted(labels)
    assert [int(y) for _, y in shuffled] != labels  # reshuffled on the next pass
    assert len(ds.prefetch(AUTOTUNE)) == 4
    assert ds.class_names == ds.cache().shuffle(2).prefetch(1).class_names


def test_cache_reads_each_file_once_and_decoding_is_threaded(make_folder, count_decodes):
    seen, threads = count_decodes
    root = make_folder({"a": 5, "b": 5})
    ds = image_dataset_from_directory(root, image_size=(4, 4), batch_size=3, seed=0, verbose=False, workers=2)
    cached = ds.cache().shuffle(10, seed=0).prefetch(buffer_size=AUTOTUNE)
    next(iter(cached))  # a pass abandoned after one batch (as peeking does)
    epochs = [[y.tolist() for _, y in cached] for _ in range(3)]
    assert len(seen) == 10 and set(seen.values()) == {1}
    assert all(sorted(sum(e, [])) == [0] * 5 + [1] * 5 for e in epochs)
    assert threads and all(name.startswith("convlens-decode") for name in threads)


def test_fit_evaluate_predict_take_the_dataset(make_folder, count_decodes):
    seen, _ = count_decodes
    root = make_folder({"a": 6, "b": 6})
    train_ds, val_ds = image_dataset_from_directory(root, image_size=(5, 5), batch_size=4, seed=1, verbose=False,
                                                    validation_split=0.25, subset="both")
    train_ds = train_ds.map(lambda x, y: (x / 255.0, y)).cache().prefetch(AUTOTUNE)
    val_ds = val_ds.map(lambda x, y: (x / 255.0, y)).cache().prefetch(AUTOTUNE)
    model = Sequential([Flatten(input_shape=(5, 5, 3)), Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train_ds, validation_data=val_ds, epochs=3, verbose=0)
    assert len(history.history["val_accuracy"]) == 3 and all(np.isfinite(history.history["loss"]))
    assert model.class_names == ["a", "b"]
    loss, accuracy = model.evaluate(val_ds, verbose=0)
    assert 0 <= accuracy <= 1
    assert model.predict(val_ds).shape == (len(val_ds.file_paths), 2)
    assert set(seen.values()) == {1}  # three epochs, evaluate and predict: every file decoded once


def test_label_modes_batch_none_and_no_labels(make_folder):
    root = make_folder({"a": 2, "b": 3})
    _, y = next(iter(image_dataset_from_directory(root, label_mode="categorical", image_size=(4, 4),
                                                  verbose=False)))
    assert y.shape == (5, 2) and y.dtype == torch.float32
    _, y = next(iter(image_dataset_from_directory(root, label_mode="binary", image_size=(4, 4), verbose=False)))
    assert y.shape == (5, 1)
    x, y = next(iter(image_dataset_from_directory(root, batch_size=None, image_size=(4, 4), verbose=False)))
    assert x.shape == (4, 4, 3) and y.shape == ()
    x = next(iter(image_dataset_from_directory(root, labels=None, color_mode="grayscale", image_size=(4, 4),
                                               verbose=False)))
    assert isinstance(x, torch.Tensor) and x.shape == (5, 4, 4, 1)


def test_broken_file_is_skipped_with_a_warning(make_folder):
    root = make_folder({"a": 3, "b": 3})
    good = (root / "a" / "img00.png").read_bytes()
    (root / "a" / "img01.png").write_bytes(good[: len(good) // 2])
    with pytest.warns(UserWarning, match="img01"):
        ds = image_dataset_from_directory(root, image_size=(4, 4), batch_size=10, verbose=False)
        assert sum(len(y) for _, y in ds) == 5


def test_errors_are_clear(make_folder):
    root = make_folder({"a": 2, "b": 2})
    ds = image_dataset_from_directory(root, image_size=(4, 4), verbose=False)
    with pytest.raises(ValueError, match="in memory"):
        ds.cache("/tmp/somewhere")
    with pytest.raises(TypeError, match="steps_per_epoch"):
        len(ds.repeat())
    with pytest.raises(ValueError, match="buffer_size"):
        ds.shuffle(0)
    with pytest.raises(ValueError, match="channels-last"):
        image_dataset_from_directory(root, data_format="channels_first", verbose=False)


def test_from_tensor_slices_round_trip():
    x, y = np.arange(12, dtype="float32").reshape(6, 2), np.arange(6)
    ds = Dataset.from_tensor_slices((x, y)).batch(4)
    batches = list(ds.as_numpy_iterator())
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)
    assert ds.cardinality() == 2 and ds.repeat().cardinality() == -2


def test_iterated_tensors_work_with_numpy_functions_and_fit_reads_plain_tensors(make_folder):
    root = make_folder({"a": 2, "b": 2})
    ds = image_dataset_from_directory(root, image_size=(4, 4), shuffle=False, verbose=False).map(
        lambda x, y: (x / 255.0, y))
    images, labels = next(iter(ds))
    first = images[0]
    assert np.min(first) >= 0 and np.max(first) <= 1 and np.argmax(labels) == 2
    assert isinstance(first.numpy(), np.ndarray)
    x, _ = ds[0]
    assert type(x) is torch.Tensor
