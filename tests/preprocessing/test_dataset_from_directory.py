import numpy as np
import pytest

from convlens.preprocessing import image_dataset_from_directory


def test_inferred_labels_batches_and_one_epoch_iteration(make_folder):
    root = make_folder({"b": 3, "a": 4})
    ds = image_dataset_from_directory(root, image_size=(5, 6), batch_size=3, seed=1, verbose=False)
    assert ds.class_names == ["a", "b"] and len(ds) == 3
    batches = [(x.numpy(), y.numpy()) for x, y in ds]
    assert [x.shape for x, _ in batches] == [(3, 5, 6, 3), (3, 5, 6, 3), (1, 5, 6, 3)]
    labels = np.concatenate([y for _, y in batches])
    assert labels.dtype == np.int32 and sorted(labels.tolist()) == [0] * 4 + [1] * 3
    assert batches[0][0].dtype == np.float32 and batches[0][0].max() > 1.0  # Keras does not rescale


@pytest.mark.parametrize("label_mode,shape,dtype", [("categorical", (7, 2), np.float32),
                                                     ("binary", (7, 1), np.float32)])
def test_label_modes(make_folder, label_mode, shape, dtype):
    ds = image_dataset_from_directory(make_folder({"a": 4, "b": 3}), label_mode=label_mode, image_size=(4, 4),
                                      batch_size=7, verbose=False)
    _, y = next(iter(ds))
    assert y.numpy().shape == shape and y.numpy().dtype == dtype


def test_batch_size_none_yields_single_images_as_keras_3_does(make_folder):
    from convlens.utils import image_dataset_from_directory as from_utils
    assert from_utils is image_dataset_from_directory  # one function, one meaning of batch_size=None
    ds = image_dataset_from_directory(make_folder({"a": 2, "b": 3}), image_size=(4, 4), batch_size=None,
                                      verbose=False)
    samples = list(ds)
    assert len(samples) == 5 and tuple(samples[0][0].shape) == (4, 4, 3) and tuple(samples[0][1].shape) == ()


def test_grayscale_and_no_labels(make_folder):
    root = make_folder({"a": 2, "b": 2})
    x = next(iter(image_dataset_from_directory(root, labels=None, color_mode="grayscale", image_size=(4, 4),
                                               verbose=False)))
    assert x.numpy().shape == (4, 4, 4, 1)


def test_validation_split_both_is_stratified_and_disjoint(make_folder, capsys):
    root = make_folder({"a": 8, "b": 4, "c": 4})
    train, val = image_dataset_from_directory(root, image_size=(4, 4), validation_split=0.25, subset="both",
                                              seed=3)
    out = capsys.readouterr().out
    assert "Found 16 files belonging to 3 classes." in out and "Using 4 files for validation." in out
    assert not set(train.file_paths) & set(val.file_paths)
    val_labels = np.concatenate([y.numpy() for _, y in val])
    assert np.bincount(val_labels).tolist() == [2, 1, 1]
    again = image_dataset_from_directory(root, image_size=(4, 4), validation_split=0.25, subset="validation",
                                         seed=3, verbose=False)
    assert sorted(again.file_paths) == sorted(val.file_paths)


def test_argument_errors(make_folder):
    root = make_folder({"a": 2, "b": 2, "c": 1})
    with pytest.raises(ValueError, match="exactly 2"):
        image_dataset_from_directory(root, label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="must be given together"):
        image_dataset_from_directory(root, validation_split=0.2, verbose=False)
    with pytest.raises(ValueError, match="label_mode='sparse'"):
        image_dataset_from_directory(root, label_mode="sparse", verbose=False)
