"""LayerNormalization, SpatialDropout2D, Identity and Lambda; every class name is found by layers.get."""
import pytest
import torch

from convlens import layers as L
from convlens.arithmetic import ShapeError

from .harness import run_layer_test


@pytest.mark.parametrize("kwargs, shape", [
    ({}, (4, 6)), ({}, (2, 5, 5, 3)), (dict(axis=(1, 2, 3)), (2, 4, 4, 3)), (dict(axis=1), (2, 4, 4, 3)),
    (dict(center=False), (2, 6)), (dict(scale=False, epsilon=1e-5), (2, 6)),
])
def test_layer_normalization(kwargs, shape):
    layer = L.LayerNormalization(**kwargs)
    run_layer_test(layer, shape)
    with torch.no_grad():
        for p in layer.parameters():
            p.normal_()
    x = torch.randn(shape) * 3 + 1
    axes = tuple(a % len(shape) for a in layer.axis)
    var, mean = torch.var_mean(x, dim=axes, unbiased=False, keepdim=True)
    expected = (x - mean) / torch.sqrt(var + layer.epsilon)
    broadcast = [shape[d] if d in axes else 1 for d in range(1, len(shape))]
    if layer.scale:
        expected = expected * layer.gamma.reshape(broadcast)
    if layer.center:
        expected = expected + layer.beta.reshape(broadcast)
    torch.testing.assert_close(layer(x), expected, rtol=1e-4, atol=1e-5)


def test_layer_normalization_weights_and_counts():
    layer = L.LayerNormalization(axis=[1, 2])
    layer.build_for((None, 4, 5, 3))
    assert [w.shape for w in layer.get_weights()] == [(4, 5), (4, 5)]  # gamma, beta
    assert layer.param_count((None, 4, 5, 3)).count == 40
    assert L.LayerNormalization(epsilon=1e-3).epsilon == 1e-3
    with pytest.raises(ShapeError, match="axis"):
        L.LayerNormalization(axis=0).compute_output_shape((None, 3))


def test_spatial_dropout_drops_whole_maps():
    layer = L.SpatialDropout2D(0.5, seed=0)
    run_layer_test(layer, (4, 5, 5, 6))
    x = torch.ones(64, 5, 5, 16)
    y = layer(x, training=True)
    maps = y[:, 0, 0]
    assert set(maps.unique().tolist()) == {0.0, 2.0}
    assert torch.equal(y, maps[:, None, None].expand_as(y))  # each (image, channel) map is all 0 or all 2
    assert 0.4 < float((maps == 0).float().mean()) < 0.6
    torch.testing.assert_close(L.SpatialDropout2D(0.5, seed=3)(x, training=True),
                               L.SpatialDropout2D(0.5, seed=3)(x, training=True))
    assert layer(x, training=False) is x
    with pytest.raises(ValueError, match="1.0"):
        L.SpatialDropout2D(1.0)


def test_identity():
    layer = L.Identity()
    x = torch.randn(2, 3)
    assert run_layer_test(layer, (2, 3)).shape == (2, 3)
    assert layer(x) is x


def test_lambda_in_memory():
    layer = L.Lambda(lambda x, k: torch.relu(x) * k, arguments={"k": 2.0})
    run_layer_test(layer, (2, 4, 4, 3), round_trip=False)
    x = torch.randn(2, 4, 4, 3)
    torch.testing.assert_close(layer(x), 2 * torch.relu(x))
    assert L.Lambda(lambda x: x.mean(dim=(1, 2))).compute_output_shape((None, 7, 7, 3)) == (None, 3)
    assert L.Lambda(lambda x: x[:, ::2]).compute_output_shape((None, None, 3)) == (None, None, 3)
    assert L.Lambda(lambda x: x, output_shape=(9,)).compute_output_shape((None, 3)) == (None, 9)
    assert L.Lambda(lambda x: x, output_shape=lambda s: (s[0], 1)).compute_output_shape((None, 3)) == (None, 1)
    merged = L.Lambda(lambda xs: xs[0] - xs[1])
    assert merged.compute_output_shape([(None, 3), (None, 3)]) == (None, 3)
    torch.testing.assert_close(merged([torch.ones(1, 3), torch.ones(1, 3)]), torch.zeros(1, 3))


def test_lambda_cannot_be_saved_in_a_config():
    with pytest.raises(ValueError) as err:
        L.Lambda(lambda x: x, name="scale_it").get_config()
    assert "scale_it" in str(err.value) and "Python function cannot be saved in a config" in str(err.value)
    assert "save_weights()" in str(err.value)


def test_lambda_shape_inference_failure_says_what_to_do():
    def needs_numbers(x):
        return x * float(x.sum())

    with pytest.raises(ShapeError, match="output_shape="):
        L.Lambda(needs_numbers).compute_output_shape((None, 3))


NEW_LAYERS = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "ZeroPadding1D",
              "ZeroPadding2D", "ZeroPadding3D", "Cropping2D", "UpSampling2D", "Permute", "Rescaling", "Resizing",
              "CenterCrop", "Normalization", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
              "RandomContrast", "RandomBrightness", "SpatialDropout2D", "LayerNormalization", "Identity", "Lambda",
              "GlobalAveragePooling1D", "GlobalMaxPooling2D"]


@pytest.mark.parametrize("name", NEW_LAYERS)
def test_get_finds_every_new_layer(name):
    cls = L.get(name)
    assert cls.__name__ == name and name in L.__all__


@pytest.mark.parametrize("cls, shape", [(L.GlobalAveragePooling2D, (2, 5, 5, 3)), (L.GlobalMaxPooling2D, (2, 5, 5, 3)),
                                        (L.GlobalAveragePooling1D, (2, 7, 3)), (L.GlobalMaxPooling1D, (2, 7, 3))])
def test_global_pooling_keepdims(cls, shape):
    layer = cls(keepdims=True)
    y = run_layer_test(layer, shape)
    assert y.shape == (2, *(1,) * (len(shape) - 2), 3)
    x = torch.randn(shape)
    dims = tuple(range(1, len(shape) - 1))
    reduce = torch.amax if "Max" in cls.__name__ else torch.mean
    torch.testing.assert_close(layer(x), reduce(x, dim=dims, keepdim=True))
    assert cls.from_config(layer.get_config()).keepdims is True
