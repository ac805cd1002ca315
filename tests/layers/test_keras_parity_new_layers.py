"""The new layers against real Keras 3 (torch backend): output shapes, outputs with the same weights, parameters."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("these checks run Keras on its torch backend", allow_module_level=True)

from convlens import layers as L  # noqa: E402

K = keras.layers


def numpy(y):
    return keras.ops.convert_to_numpy(y) if not isinstance(y, torch.Tensor) else y.detach().cpu().numpy()


def inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype("float32") for s in shapes]


def compare(ours, theirs, shapes, training=None, seed=0, atol=1e-5):
    """Build both, copy Keras's (randomized) weights into ours, compare shapes, outputs and parameter counts."""
    xs = inputs(shapes, seed)
    many = len(shapes) > 1 or isinstance(ours, (L.Concatenate, L.Add))
    x_keras = xs if many else xs[0]
    batch = [(None, *s[1:]) for s in shapes]
    theirs.build(batch if many else batch[0])
    rng = np.random.default_rng(seed + 1)
    weights = [np.abs(rng.normal(size=w.shape)).astype(w.dtype) + 0.5 for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.build_for(batch if many else batch[0])
    ours.set_weights(theirs.get_weights())
    assert ours.compute_output_shape(batch if many else batch[0]) == tuple(
        theirs.compute_output_shape(batch if many else batch[0]))
    assert ours.param_count(batch if many else batch[0]).count == theirs.count_params()
    kwargs = {} if training is None else {"training": training}
    expected = numpy(theirs(x_keras, **kwargs))
    got = numpy(ours([torch.from_numpy(x) for x in xs] if many else torch.from_numpy(xs[0]), **kwargs))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=atol)


TWO = [(2, 4, 4, 3), (2, 4, 4, 3)]


@pytest.mark.parametrize("ours, theirs, shapes", [
    (L.Add(), K.Add(), TWO + [(2, 4, 4, 3)]),
    (L.Subtract(), K.Subtract(), TWO),
    (L.Multiply(), K.Multiply(), [(2, 4, 4, 3), (2, 1, 1, 3)]),
    (L.Average(), K.Average(), TWO),
    (L.Maximum(), K.Maximum(), TWO),
    (L.Minimum(), K.Minimum(), TWO),
    (L.Concatenate(), K.Concatenate(), [(2, 4, 4, 3), (2, 4, 4, 5)]),
    (L.Concatenate(axis=1), K.Concatenate(axis=1), [(2, 4, 4, 3), (2, 2, 4, 3)]),
])
def test_merging(ours, theirs, shapes):
    compare(ours, theirs, shapes)


@pytest.mark.parametrize("ours, theirs, shape", [
    (L.ZeroPadding1D((1, 2)), K.ZeroPadding1D((1, 2)), (2, 5, 3)),
    (L.ZeroPadding2D(((1, 0), (2, 3))), K.ZeroPadding2D(((1, 0), (2, 3))), (2, 4, 4, 3)),
    (L.ZeroPadding3D(1), K.ZeroPadding3D(1), (1, 3, 3, 3, 2)),
    (L.Cropping2D(((1, 2), (0, 3))), K.Cropping2D(((1, 2), (0, 3))), (2, 8, 8, 3)),
    (L.UpSampling2D((2, 3)), K.UpSampling2D((2, 3)), (2, 3, 4, 2)),
    (L.UpSampling2D(2, interpolation="bilinear"), K.UpSampling2D(2, interpolation="bilinear"), (2, 3, 5, 2)),
    (L.Permute((3, 1, 2)), K.Permute((3, 1, 2)), (2, 3, 4, 5)),
    (L.GlobalAveragePooling2D(keepdims=True), K.GlobalAveragePooling2D(keepdims=True), (2, 5, 5, 3)),
    (L.GlobalMaxPooling1D(keepdims=True), K.GlobalMaxPooling1D(keepdims=True), (2, 7, 3)),
    (L.Identity(), K.Identity(), (2, 3)),
])
def test_reshaping(ours, theirs, shape):
    compare(ours, theirs, [shape])


@pytest.mark.parametrize("ours, theirs, shape", [
    (L.Rescaling(1 / 127.5, -1), K.Rescaling(1 / 127.5, -1), (2, 4, 4, 3)),
    (L.Resizing(7, 5), K.Resizing(7, 5), (2, 4, 6, 3)),
    (L.Resizing(3, 3), K.Resizing(3, 3), (2, 8, 7, 3)),
    (L.Resizing(5, 9, interpolation="nearest"), K.Resizing(5, 9, interpolation="nearest"), (2, 4, 6, 3)),
    (L.Resizing(5, 5, interpolation="bicubic"), K.Resizing(5, 5, interpolation="bicubic"), (2, 4, 6, 3)),
    (L.Resizing(4, 4, crop_to_aspect_ratio=True), K.Resizing(4, 4, crop_to_aspect_ratio=True), (2, 5, 9, 3)),
    (L.Resizing(4, 6, pad_to_aspect_ratio=True, fill_value=2.0),
     K.Resizing(4, 6, pad_to_aspect_ratio=True, fill_value=2.0), (2, 5, 4, 3)),
    (L.CenterCrop(3, 4), K.CenterCrop(3, 4), (2, 6, 7, 3)),
    (L.CenterCrop(8, 6), K.CenterCrop(8, 6), (2, 5, 7, 3)),
    (L.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0]),
     K.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0]), (2, 4, 4, 3)),
    (L.Normalization(axis=(1, 2)), K.Normalization(axis=(1, 2)), (2, 4, 4, 3)),
    (L.LayerNormalization(), K.LayerNormalization(), (2, 4, 4, 3)),
    (L.LayerNormalization(axis=[1, 2, 3], epsilon=1e-5), K.LayerNormalization(axis=[1, 2, 3], epsilon=1e-5),
     (2, 4, 4, 3)),
    (L.LayerNormalization(center=False), K.LayerNormalization(center=False), (2, 4, 4, 3)),
])
def test_preprocessing_and_normalization(ours, theirs, shape):
    compare(ours, theirs, [shape], atol=1e-4 if "Resizing" in type(ours).__name__ else 1e-5)


def test_normalization_adapt_matches_keras():
    data = inputs([(40, 5, 5, 3)])[0] * np.array([1, 10, 100], "float32") + 7
    ours, theirs = L.Normalization(), K.Normalization()
    ours.adapt(data)
    theirs.adapt(data)
    for got, expected in zip(ours.get_weights()[:2], theirs.get_weights()[:2]):
        np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.param_count((None, 5, 5, 3)).count == theirs.count_params()
    np.testing.assert_allclose(numpy(ours(torch.from_numpy(data))), numpy(theirs(data)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("ours, theirs", [
    (L.RandomFlip(seed=1), K.RandomFlip(seed=1)),
    (L.RandomRotation(0.2), K.RandomRotation(0.2)),
    (L.RandomZoom(0.2), K.RandomZoom(0.2)),
    (L.RandomTranslation(0.1, 0.2), K.RandomTranslation(0.1, 0.2)),
    (L.RandomContrast(0.3), K.RandomContrast(0.3)),
    (L.RandomBrightness(0.3), K.RandomBrightness(0.3)),
    (L.SpatialDropout2D(0.4), K.SpatialDropout2D(0.4)),
])
def test_random_layers_are_identity_at_inference_as_in_keras(ours, theirs):
    pixels = np.random.default_rng(0).uniform(0, 255, (2, 6, 6, 3)).astype("float32")
    compare(ours, theirs, [pixels.shape], training=False)


@pytest.mark.parametrize("ours, theirs", [
    (L.RandomRotation((0.25, 0.25), interpolation="nearest"), K.RandomRotation((0.25, 0.25),
                                                                               interpolation="nearest")),
    (L.RandomTranslation((0.2, 0.2), (-0.4, -0.4), fill_mode="constant", fill_value=1.0),
     K.RandomTranslation((0.2, 0.2), (-0.4, -0.4), fill_mode="constant", fill_value=1.0)),
    (L.RandomZoom((-0.5, -0.5)), K.RandomZoom((-0.5, -0.5))),
    (L.RandomBrightness((0.1, 0.1)), K.RandomBrightness((0.1, 0.1))),
])
def test_fixed_augmentations_match_keras_in_training(ours, theirs):
    compare(ours, theirs, [(2, 5, 5, 3)], training=True, atol=1e-4)
