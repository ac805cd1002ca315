"""Keras 3's functional merge helpers (layers.add, concatenate, dot …), Dot, Embedding, and image layers on one
unbatched image: the same arrays and weights give the same values as Keras (torch backend)."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

import convlens  # noqa: E402
from convlens import layers as L  # noqa: E402
from convlens.arithmetic import ShapeError  # noqa: E402

rng = np.random.default_rng(0)


def merge_model(lib, layers_lib):
    a, b = lib.Input(shape=(6,)), lib.Input(shape=(6,))
    da, db = layers_lib.Dense(4)(a), layers_lib.Dense(4)(b)
    parts = [layers_lib.add([da, db]), layers_lib.subtract([da, db]), layers_lib.multiply([da, db]),
             layers_lib.average([da, db]), layers_lib.maximum([da, db]), layers_lib.minimum([da, db]),
             layers_lib.dot([da, db], axes=1), layers_lib.dot([da, db], axes=-1, normalize=True)]
    joined = layers_lib.concatenate(parts, axis=-1)
    return lib.Model([a, b], layers_lib.Dense(3)(joined))


def test_functional_merge_helpers_equal_keras(tmp_path):
    ours, theirs = merge_model(convlens, L), merge_model(keras, keras.layers)
    assert ours.count_params() == theirs.count_params()
    ours.set_weights(theirs.get_weights())
    x = [rng.normal(size=(5, 6)).astype("float32") for _ in range(2)]
    np.testing.assert_allclose(ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)
    ours.save(tmp_path / "merge.keras")
    np.testing.assert_allclose(convlens.models.load_model(tmp_path / "merge.keras").predict(x), ours.predict(x))
    assert L.add([torch.ones(2, 3), torch.ones(2, 3)]).tolist() == [[2.0] * 3] * 2  # eager too


@pytest.mark.parametrize("shapes, axes", [(((4, 5), (4, 5)), 1), (((2, 3, 4), (2, 4, 5)), (2, 1)),
                                         (((2, 3, 4), (2, 3, 5)), 1), (((2, 3, 4), (2, 5, 4)), -1)])
@pytest.mark.parametrize("normalize", [False, True])
def test_dot_equals_keras(shapes, axes, normalize):
    x = [rng.normal(size=s).astype("float32") for s in shapes]
    theirs = keras.ops.convert_to_numpy(keras.layers.Dot(axes=axes, normalize=normalize)(x))
    layer = L.Dot(axes=axes, normalize=normalize)
    np.testing.assert_allclose(layer([torch.tensor(v) for v in x]).numpy(), theirs, atol=1e-5)
    assert layer.compute_output_shape([(None, *s[1:]) for s in shapes]) == (None, *theirs.shape[1:])
    assert L.Dot.from_config(layer.get_config()).get_config() == layer.get_config()


def test_dot_refuses_axes_that_do_not_match():
    with pytest.raises(ShapeError, match="sizes 4 and 5 on the axes to multiply"):
        L.Dot(axes=1)([convlens.Input((4,)), convlens.Input((5,))])


def test_embedding_equals_keras(tmp_path):
    theirs = keras.Sequential([keras.Input((7,)), keras.layers.Embedding(20, 3), keras.layers.Flatten(),
                               keras.layers.Dense(2)])
    ours = convlens.Sequential([convlens.Input((7,)), L.Embedding(20, 3), L.Flatten(), L.Dense(2)])
    assert ours.count_params() == theirs.count_params() == 20 * 3 + 21 * 2 + 2
    ours.set_weights(theirs.get_weights())
    ours.save(tmp_path / "embedding.keras")
    ours = convlens.models.load_model(tmp_path / "embedding.keras")
    assert [w.shape for w in ours.layers[0].weights] == [(20, 3)] and ours.layers[0].weights[0].name == "embeddings"
    x = rng.integers(0, 20, size=(4, 7))
    np.testing.assert_allclose(ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)
    layer = L.Embedding(20, 3)
    table = layer.get_weights()[0]
    assert np.abs(table).max() <= 0.05  # Keras's 'uniform' initializer: U(-0.05, 0.05)
    again = L.Embedding.from_config(layer.get_config())
    assert (again.input_dim, again.output_dim) == (20, 3)
    np.testing.assert_array_equal(L.Embedding(20, 3, weights=[table])(torch.tensor([[2, 5]]))[0].detach().numpy(),
                                  table[[2, 5]])
    assert layer.compute_output_shape((None, 7)) == (None, 7, 3)


def test_embedding_says_what_it_does_not_do():
    with pytest.raises(ValueError, match="mask_zero=True is not supported"):
        L.Embedding(10, 2, mask_zero=True)
    with pytest.raises(ValueError, match="input_dim must be a positive int"):
        L.Embedding(0, 2)
    with pytest.raises(ValueError, match=r"indices must lie in 0…9 \(input_dim=10\), got values from 0 to 12"):
        L.Embedding(10, 2)(torch.tensor([[0, 12]]))
    with pytest.warns(UserWarning, match="input_length"):
        L.Embedding(10, 2, input_length=5)


@pytest.mark.parametrize("ours, theirs", [
    (lambda: L.Resizing(5, 7), lambda: keras.layers.Resizing(5, 7)),
    (lambda: L.Resizing(6, 6, crop_to_aspect_ratio=True),
     lambda: keras.layers.Resizing(6, 6, crop_to_aspect_ratio=True)),
    (lambda: L.CenterCrop(4, 6), lambda: keras.layers.CenterCrop(4, 6)),
    (lambda: L.Rescaling(1 / 255, offset=-0.5), lambda: keras.layers.Rescaling(1 / 255, offset=-0.5)),
])
def test_image_layers_take_one_unbatched_image_as_keras(ours, theirs):
    image = rng.uniform(0, 255, size=(10, 12, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(theirs()(image))
    got = ours()(image)
    assert tuple(got.shape) == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-4)


def test_augmentation_layers_take_one_unbatched_image():
    image = rng.uniform(size=(10, 12, 3)).astype("float32")
    for layer in (L.RandomFlip("horizontal", seed=0), L.RandomRotation(0.2, seed=0), L.RandomZoom(0.2, seed=0),
                  L.RandomTranslation(0.1, 0.1, seed=0), L.RandomContrast(0.3, seed=0), L.RandomBrightness(0.2)):
        out = layer(image, training=True)
        assert tuple(out.shape) == (10, 12, 3), type(layer).__name__
        np.testing.assert_array_equal(layer(image, training=False).numpy(), image)
    flips = [L.RandomFlip("horizontal", seed=s)(image, training=True).numpy() for s in range(6)]
    assert all(np.array_equal(f, image) or np.array_equal(f, image[:, ::-1]) for f in flips)
    assert any(np.array_equal(f, image[:, ::-1]) for f in flips)
