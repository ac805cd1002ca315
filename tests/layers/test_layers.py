"""Every layer through the harness, and each forward against torch.nn.functional or NumPy."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convlens import layers as L
from convlens.arithmetic import ShapeError

from .harness import run_layer_test


def nchw(x):
    return x.movedim(-1, 1)


def nhwc(x):
    return x.movedim(1, -1)


@pytest.mark.parametrize("kwargs, shape", [
    (dict(filters=4, kernel_size=3), (2, 9, 9, 3)),
    (dict(filters=4, kernel_size=(3, 2), strides=2, padding="same"), (2, 9, 8, 3)),
    (dict(filters=2, kernel_size=2, padding="same"), (1, 5, 5, 3)),
    (dict(filters=3, kernel_size=3, dilation_rate=2, use_bias=False), (1, 10, 10, 2)),
    (dict(filters=4, kernel_size=3, padding=1, strides=2), (1, 5, 5, 3)),
    (dict(filters=4, kernel_size=3, groups=2), (1, 6, 6, 4)),
])
def test_conv2d_matches_torch(kwargs, shape):
    layer = L.Conv2D(**kwargs)
    y = run_layer_test(layer, shape)
    x = torch.randn(shape)
    weight, bias = layer.kernel, layer.bias
    # reference: explicit padding from first principles (TensorFlow puts the extra zero after)
    pads = []
    for n, k, s, d in zip(shape[1:3], layer.kernel_size, layer.strides, layer.dilation_rate):
        keff = (k - 1) * d + 1
        if kwargs.get("padding") == "same":
            out = -(-n // s)
            total = max((out - 1) * s + keff - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            p = kwargs.get("padding", 0)
            pads.append((p, p) if isinstance(p, int) else (0, 0))
    padded = F.pad(nchw(x), [*pads[1], *pads[0]])
    expected = nhwc(F.conv2d(padded, weight, bias, layer.strides, 0, layer.dilation_rate, layer.groups))
    torch.testing.assert_close(layer(x), expected)
    assert y.shape == expected.shape


def test_conv2d_same_even_kernel_against_numpy():
    """A 2×2 'same' kernel sees the pixel, its right and lower neighbours; zeros only after the last row/col."""
    layer = L.Conv2D(1, 2, padding="same", use_bias=False)
    layer.build_for((None, 3, 3, 1))
    layer.set_weights([np.ones((2, 2, 1, 1), "float32")])
    image = np.arange(9, dtype="float32").reshape(3, 3)
    padded = np.pad(image, ((0, 1), (0, 1)))
    expected = np.array([[padded[i:i + 2, j:j + 2].sum() for j in range(3)] for i in range(3)])
    out = layer(torch.from_numpy(image).reshape(1, 3, 3, 1)).detach().numpy().reshape(3, 3)
    np.testing.assert_allclose(out, expected)


@pytest.mark.parametrize("cls, shape, conv", [
    (L.Conv1D, (2, 11, 3), F.conv1d), (L.Conv3D, (1, 5, 6, 7, 2), F.conv3d)])
def test_conv1d_conv3d(cls, shape, conv):
    layer = cls(4, 3, activation="relu")
    run_layer_test(layer, shape)
    x = torch.randn(shape)
    torch.testing.assert_close(layer(x), nhwc(conv(nchw(x), layer.kernel, layer.bias)).relu())


def test_conv1d_causal():
    layer = L.Conv1D(2, 3, padding="causal")
    y = run_layer_test(layer, (1, 8, 2))
    assert y.shape == (1, 8, 2)


def test_depthwise_and_separable():
    dw = L.DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    run_layer_test(dw, (2, 7, 7, 3))
    x = torch.randn(2, 7, 7, 3)
    ref = nhwc(F.conv2d(nchw(x), dw.depthwise_kernel, dw.bias, padding=1, groups=3))
    torch.testing.assert_close(dw(x), ref)
    assert dw.get_weights()[0].shape == (3, 3, 3, 2)
    sep = L.SeparableConv2D(5, 3, depth_multiplier=2)
    run_layer_test(sep, (2, 7, 7, 3))
    assert [w.shape for w in sep.get_weights()] == [(3, 3, 3, 2), (1, 1, 6, 5), (5,)]


@pytest.mark.parametrize("kernel, strides, padding, size", [
    (3, 2, "valid", 9), (3, 2, "same", 8), (4, 2, "same", 8), (2, 1, "same", 4), (1, 3, "valid", 12)])
def test_conv2d_transpose(kernel, strides, padding, size):
    layer = L.Conv2DTranspose(3, kernel, strides=strides, padding=padding)
    y = run_layer_test(layer, (2, 4, 4, 2))
    assert y.shape == (2, size, size, 3)
    assert layer.get_weights()[0].shape == (kernel, kernel, 3, 2)


def test_conv2d_transpose_is_adjoint_of_conv2d():
    """<conv(x), g> = <x, convT(g)> for the same kernel: transposed convolution is the gradient of convolution."""
    conv = L.Conv2D(3, 3, strides=2, padding="same", use_bias=False)
    conv.build_for((None, 8, 8, 2))
    deconv = L.Conv2DTranspose(2, 3, strides=2, padding="same", use_bias=False)
    deconv.build_for((None, 4, 4, 3))
    deconv.set_weights(conv.get_weights())  # both Keras layouts are (kh, kw, C_small, C_big)
    x, g = torch.randn(1, 8, 8, 2), torch.randn(1, 4, 4, 3)
    torch.testing.assert_close((conv(x) * g).sum(), (x * deconv(g)).sum(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("cls, ref", [(L.MaxPooling2D, F.max_pool2d), (L.AveragePooling2D, F.avg_pool2d)])
def test_pooling_valid(cls, ref):
    layer = cls((2, 2))
    run_layer_test(layer, (2, 8, 8, 3))
    x = torch.randn(2, 9, 9, 3)
    torch.testing.assert_close(layer(x), nhwc(ref(nchw(x), 2)))
    assert layer(x).shape == (2, 4, 4, 3)  # strides default to pool_size


def test_pooling_same_ignores_padding():
    x = -torch.ones(1, 3, 3, 1)
    assert L.MaxPooling2D(2, padding="same")(x).max().item() == -1.0  # a zero pad would win the max
    image = torch.arange(9.0).reshape(1, 3, 3, 1)
    avg = L.AveragePooling2D(2, padding="same")(image).reshape(2, 2)
    # the last window holds one real cell (8): TensorFlow averages real cells only
    assert avg.tolist() == [[2.0, 3.5], [6.5, 8.0]]


@pytest.mark.parametrize("cls, shape", [(L.MaxPooling1D, (2, 9, 3)), (L.AveragePooling1D, (2, 9, 3)),
                                        (L.MaxPooling3D, (1, 4, 4, 4, 2)), (L.AveragePooling3D, (1, 4, 4, 4, 2))])
def test_pooling_1d_3d(cls, shape):
    run_layer_test(cls(2), shape)


@pytest.mark.parametrize("cls, fn", [(L.GlobalAveragePooling2D, torch.mean), (L.GlobalMaxPooling2D, torch.amax)])
def test_global_pooling(cls, fn):
    x = torch.randn(2, 5, 5, 3)
    y = run_layer_test(cls(), (2, 5, 5, 3))
    assert y.shape == (2, 3)
    torch.testing.assert_close(cls()(x), fn(x, dim=(1, 2)))
    run_layer_test(L.GlobalAveragePooling1D(), (2, 7, 3))


def test_dense_flatten_reshape():
    dense = L.Dense(4, activation="tanh")
    run_layer_test(dense, (3, 6))
    x = torch.randn(3, 6)
    torch.testing.assert_close(dense(x), torch.tanh(x @ torch.from_numpy(dense.get_weights()[0]) + dense.bias))
    image = torch.arange(2 * 2 * 3.0).reshape(1, 2, 2, 3)
    # Keras order: (H, W, C) — channels vary fastest
    assert L.Flatten()(image).tolist()[0] == list(range(12))
    assert L.Reshape((-1, 3))(image).shape == (1, 4, 3)
    with pytest.raises(ShapeError, match="reshape"):
        L.Reshape((5,)).compute_output_shape((None, 2, 2, 3))


def test_dropout_train_and_eval():
    layer = L.Dropout(0.5)
    x = torch.ones(1000)
    torch.manual_seed(0)
    y = layer(x)
    assert set(y.unique().tolist()) == {0.0, 2.0}
    layer.eval()
    assert torch.equal(layer(x), x)
    with pytest.raises(ValueError, match="1.5"):
        L.Dropout(1.5)


def test_batch_normalization_keras_momentum():
    layer = L.BatchNormalization(momentum=0.9, epsilon=1e-3)
    run_layer_test(layer, (8, 4, 4, 3))
    assert [w.shape for w in layer.get_weights()] == [(3,), (3,), (3,), (3,)]
    fresh = L.BatchNormalization(momentum=0.9)
    x = torch.randn(16, 4, 4, 3) * 2 + 5
    fresh(x)
    # Keras: moving = momentum·moving + (1 - momentum)·batch  (starting from 0)
    torch.testing.assert_close(fresh.moving_mean, 0.1 * x.mean(dim=(0, 1, 2)), rtol=1e-4, atol=1e-4)
    fresh.eval()
    expected = (x - fresh.moving_mean) / torch.sqrt(fresh.moving_variance + 1e-3)
    torch.testing.assert_close(fresh(x), expected, rtol=1e-4, atol=1e-4)
    assert fresh.param_count((None, 4, 4, 3)).non_trainable == 6


@pytest.mark.parametrize("layer, fn", [
    (L.ReLU(), torch.relu), (L.ELU(), F.elu), (L.LeakyReLU(), lambda x: F.leaky_relu(x, 0.3)),
    (L.Softmax(), lambda x: torch.softmax(x, -1)), (L.Activation("selu"), F.selu),
    (L.Activation("swish"), F.silu), (L.Activation("gelu"), F.gelu), (L.Activation("sigmoid"), torch.sigmoid),
    (L.ReLU(max_value=1.0), lambda x: x.clamp(0, 1)), (L.LeakyReLU(alpha=0.1), lambda x: F.leaky_relu(x, 0.1)),
])
def test_activation_layers(layer, fn):
    run_layer_test(layer, (4, 5))
    x = torch.randn(4, 5)
    torch.testing.assert_close(layer(x), fn(x))


def test_initializers_follow_keras_fans():
    torch.manual_seed(0)
    layer = L.Conv2D(64, 3, kernel_initializer="he_uniform")
    layer.build_for((None, 8, 8, 32))
    limit = np.sqrt(6 / (3 * 3 * 32))
    kernel = layer.get_weights()[0]
    assert kernel.max() <= limit and kernel.min() >= -limit and kernel.max() > 0.9 * limit
    glorot = L.Dense(100)
    glorot.build_for((None, 50))
    assert abs(glorot.get_weights()[0].std() - np.sqrt(6 / 150) / np.sqrt(3)) < 0.01
    ones = L.Dense(3, kernel_initializer="ones", bias_initializer="zeros")
    ones.build_for((None, 2))
    assert ones.get_weights()[0].tolist() == [[1, 1, 1], [1, 1, 1]]
    with pytest.raises(ValueError, match="glorot_uniformm"):
        L.Dense(3, kernel_initializer="glorot_uniformm")


def test_regularizer_penalty():
    layer = L.Dense(2, kernel_regularizer="l2", kernel_initializer="ones")
    layer.build_for((None, 3))
    assert layer.regularization_loss().item() == pytest.approx(0.01 * 6)
    assert L.Dense(2).regularization_loss() is None


@pytest.mark.parametrize("make, shape, words", [
    (lambda: L.Conv2D(4, 5), (None, 3, 3, 1), ["conv2d", "(None, 3, 3, 1)", "(3 + 0 + 0 - 5) // 1 + 1"]),
    (lambda: L.Conv2D(4, 3), (None, 28, 28), ["rank 4"]),
    (lambda: L.MaxPooling2D(4), (None, 2, 2, 8), ["pooling", "(2 + 0 + 0 - 4) // 4 + 1"]),
    (lambda: L.Dense(3), (None, 4, None), ["last axis"]),
])
def test_bad_shapes_name_layer_shape_and_formula(make, shape, words):
    with pytest.raises(ShapeError) as err:
        make().compute_output_shape(shape)
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("make, value", [
    (lambda: L.Conv2D(0, 3), "0"), (lambda: L.Conv2D(4, 3, padding="full"), "full"),
    (lambda: L.Conv2D(4, 3, data_format="channels_first"), "channels_first"),
    (lambda: L.Dense(-1), "-1"), (lambda: L.Activation("relux"), "relux"), (lambda: L.Conv2D(4, (3, 3, 3)), "(3, 3, 3)"),
])
def test_bad_arguments_repeat_the_value(make, value):
    with pytest.raises(ValueError, match=value.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        L.Dense(3, kernel_size=3)
