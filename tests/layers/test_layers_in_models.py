"""The new layers inside today's Sequential: augmentation follows train/eval, fit runs, save/load keeps them."""
import numpy as np
import pytest

from convlens import Sequential, layers as L
from convlens.models import load_model


def test_augmented_model_trains_saves_and_loads(tmp_path):
    x = np.random.default_rng(0).uniform(0, 255, (32, 12, 12, 3)).astype("float32")
    y = np.arange(32) % 3
    norm = L.Normalization()
    norm.adapt(x / 255)
    model = Sequential([
        L.Input((12, 12, 3)), L.RandomFlip("horizontal", seed=0), L.RandomRotation(0.05, seed=1),
        L.RandomZoom(0.1, seed=2), L.RandomTranslation(0.1, 0.1, seed=3), L.RandomContrast(0.2, seed=4),
        L.RandomBrightness(0.1, seed=5), L.Rescaling(1 / 255), norm, L.ZeroPadding2D(1),
        L.Conv2D(4, 3, activation="relu"), L.SpatialDropout2D(0.2, seed=6), L.LayerNormalization(),
        L.UpSampling2D(), L.Cropping2D(2), L.Resizing(8, 8), L.CenterCrop(6, 6), L.Identity(),
        L.GlobalAveragePooling2D(keepdims=True), L.Flatten(), L.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    first = model.predict(x[:4])
    np.testing.assert_array_equal(model.predict(x[:4]), first)  # inference: the Random* layers are identities
    model.save(tmp_path / "m.safetensors")
    again = load_model(tmp_path / "m.safetensors")
    np.testing.assert_allclose(again.predict(x[:4]), first, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(again.layers[7].get_weights()[0], norm.get_weights()[0])


def test_a_model_with_a_lambda_saves_weights_but_not_its_config(tmp_path):
    model = Sequential([L.Input((3,)), L.Lambda(lambda t: t * 2, name="double"), L.Dense(1)])
    model.save_weights(tmp_path / "w.weights.safetensors")
    with pytest.raises(ValueError, match="'double'.*Python function cannot be saved in a config"):
        model.save(tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()
