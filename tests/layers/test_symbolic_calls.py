"""Every new layer called on symbolic tensors (convlens.Input) records the shape its compute_output_shape gives,
and a functional Model of it computes what the layer computes on tensors."""
import numpy as np
import pytest
import torch

import convlens
from convlens import layers as L


@pytest.mark.parametrize("make, shapes", [
    (L.Add, [(6, 6, 3), (6, 6, 3)]), (L.Subtract, [(4,), (4,)]), (L.Multiply, [(6, 6, 3), (1, 1, 3)]),
    (L.Average, [(5,), (5,), (5,)]), (L.Maximum, [(3, 2), (3, 2)]), (L.Minimum, [(3, 2), (3, 2)]),
    (lambda: L.Concatenate(axis=1), [(2, 4, 3), (5, 4, 3)]),
    (lambda: L.ZeroPadding1D((1, 2)), [(5, 3)]), (L.ZeroPadding2D, [(6, 6, 3)]), (L.ZeroPadding3D, [(3, 3, 3, 1)]),
    (lambda: L.Cropping2D(1), [(6, 6, 3)]), (lambda: L.UpSampling2D(interpolation="bilinear"), [(3, 3, 2)]),
    (lambda: L.Permute((2, 1)), [(3, 5)]), (lambda: L.Rescaling(0.5, 1.0), [(6, 6, 3)]),
    (lambda: L.Resizing(4, 5), [(6, 6, 3)]), (lambda: L.CenterCrop(4, 4), [(6, 6, 3)]),
    (lambda: L.Normalization(mean=1.0, variance=4.0), [(6, 6, 3)]), (lambda: L.RandomFlip(seed=0), [(6, 6, 3)]),
    (lambda: L.RandomRotation(0.1, seed=0), [(6, 6, 3)]), (lambda: L.RandomZoom(0.1, seed=0), [(6, 6, 3)]),
    (lambda: L.RandomTranslation(0.1, 0.1, seed=0), [(6, 6, 3)]), (lambda: L.RandomContrast(0.1, seed=0), [(6, 6, 3)]),
    (lambda: L.RandomBrightness(0.1, seed=0), [(6, 6, 3)]), (lambda: L.SpatialDropout2D(0.5, seed=0), [(6, 6, 3)]),
    (L.LayerNormalization, [(6, 6, 3)]), (L.Identity, [(6, 6, 3)]),
    (lambda: L.Lambda(lambda x: x.mean(dim=-1)), [(6, 6, 3)]),
    (lambda: L.GlobalMaxPooling2D(keepdims=True), [(6, 6, 3)]),
])
def test_symbolic_call_and_model(make, shapes):
    layer = make()
    symbols = [convlens.Input(shape=s) for s in shapes]
    many = len(shapes) > 1
    out = layer(symbols if many else symbols[0])
    expected = layer.compute_output_shape([(None, *s) for s in shapes] if many else (None, *shapes[0]))
    assert tuple(out.shape) == tuple(expected)
    model = convlens.Model(symbols if many else symbols[0], out)
    xs = [np.random.default_rng(i).uniform(0, 1, (2, *s)).astype("float32") for i, s in enumerate(shapes)]
    direct = layer([torch.from_numpy(x) for x in xs] if many else torch.from_numpy(xs[0]), training=False) \
        if layer.uses_training else layer([torch.from_numpy(x) for x in xs] if many else torch.from_numpy(xs[0]))
    tensors = [torch.from_numpy(x) for x in xs]
    got = model(tensors if many else tensors[0], training=False)
    np.testing.assert_allclose(got.detach().numpy(), direct.detach().numpy(), rtol=1e-6, atol=1e-6)
    if not many:
        np.testing.assert_allclose(model.predict(xs[0]), direct.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_random_layers_follow_the_models_training_flag():
    image = convlens.Input(shape=(8, 8, 1))
    model = convlens.Model(image, L.RandomRotation(0.2, seed=0)(image))
    x = torch.rand(4, 8, 8, 1)
    assert torch.equal(model(x, training=False), x)
    assert not torch.equal(model(x, training=True), x)
