"""TensorBoard event files, read back with tensorboard's own event reader."""
import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from convlens.callbacks import TensorBoard
from convlens.layers import Conv2D, Dense, Flatten
from convlens.models import Sequential


def read(folder):
    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
    acc.Reload()
    return acc


def samples():
    rng = np.random.default_rng(0)
    return rng.random((40, 6, 6, 1), dtype=np.float32), rng.integers(0, 2, 40)


def fitted(tmp_path, **kwargs):
    torch.manual_seed(0)
    model = Sequential([Conv2D(2, 3, activation="relu", input_shape=(6, 6, 1), name="conv2d_1"), Flatten(),
                        Dense(2, activation="softmax")])
    model.compile("sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = samples()
    history = model.fit(x, y, epochs=3, batch_size=10, validation_split=0.25, verbose=0,
                        callbacks=[TensorBoard(tmp_path, **kwargs)])
    return model, history, x


def test_epoch_scalars_learning_rate_and_summary_text(tmp_path):
    _, history, _ = fitted(tmp_path)
    train, validation = read(tmp_path / "train"), read(tmp_path / "validation")
    assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"} <= set(train.Tags()["scalars"])
    losses = [event.value for event in train.Scalars("epoch_loss")]
    np.testing.assert_allclose(losses, history.history["loss"], rtol=1e-6)
    assert [event.step for event in train.Scalars("epoch_loss")] == [0, 1, 2]
    np.testing.assert_allclose([e.value for e in validation.Scalars("epoch_loss")], history.history["val_loss"],
                               rtol=1e-6)
    assert [e.value for e in train.Scalars("epoch_learning_rate")] == pytest.approx([0.01] * 3)
    assert not any(tag.startswith("batch_") for tag in train.Tags()["scalars"])
    text = train.Tensors("model_summary/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "conv2d_1" in text


def test_batch_scalars_histograms_and_images(tmp_path):
    model, _, x = fitted(tmp_path, update_freq="batch", histogram_freq=1, write_images=True, sample_images=samples()[0][:4])
    train = read(tmp_path / "train")
    batches = train.Scalars("batch_loss")
    assert [event.step for event in batches] == list(range(1, 10))  # 3 batches x 3 epochs
    assert len(train.Scalars("batch_learning_rate")) == 9
    histograms = train.Tags()["histograms"]
    assert len(histograms) == len(list(model.named_parameters()))
    last = train.Histograms(histograms[0])[-1]
    weights = dict(model.named_parameters())[histograms[0].replace("/", ".")].detach().numpy()
    assert last.step == 2 and last.histogram_value.num == weights.size
    assert last.histogram_value.min == pytest.approx(float(weights.min()))
    images = train.Tags()["images"]
    assert any(tag.startswith("sample_images") for tag in images)
    assert any(tag.endswith("kernels") for tag in images)


def test_unsupported_arguments_are_refused():
    with pytest.raises(ValueError, match="profile_batch"):
        TensorBoard(profile_batch=2)
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(update_freq="sometimes")
