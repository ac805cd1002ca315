"""convlens.ops against keras.ops (Keras 3, torch backend): the same arrays in, the same values out."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)
if keras.backend.backend() != "torch":
    pytest.skip("these checks run Keras on its torch backend", allow_module_level=True)

from convlens import ops  # noqa: E402

rng = np.random.default_rng(0)
A = rng.normal(size=(2, 3, 4)).astype("float32")
B = rng.normal(size=(2, 3, 4)).astype("float32")
P = rng.uniform(0.05, 0.95, size=(2, 3, 4)).astype("float32")
T = (rng.uniform(size=(2, 3, 4)) > 0.5).astype("float32")
M = rng.normal(size=(4, 5)).astype("float32")
IMG = rng.uniform(size=(2, 7, 7, 3)).astype("float32")
KERNEL = rng.normal(size=(3, 3, 3, 4)).astype("float32")
DW_KERNEL = rng.normal(size=(3, 3, 3, 2)).astype("float32")
LABELS = np.array([[0, 2, 1], [3, 3, 0]])
PROBS = np.abs(rng.normal(size=(2, 3, 4))).astype("float32") + 0.1
ONE_HOT = np.eye(4, dtype="float32")[LABELS]

CASES = [
    ("abs", (A,), {}), ("negative", (A,), {}), ("square", (A,), {}), ("sqrt", (P,), {}), ("exp", (A,), {}),
    ("log", (P,), {}), ("log1p", (P,), {}), ("tanh", (A,), {}), ("sign", (A,), {}), ("floor", (A,), {}),
    ("ceil", (A,), {}), ("round", (A * 3,), {}), ("clip", (A, -0.5, 0.5), {}),
    ("add", (A, B), {}), ("add", (A, 2.0), {}), ("subtract", (A, B), {}), ("multiply", (A, B), {}),
    ("divide", (A, P), {}), ("power", (P, 2.0), {}), ("maximum", (A, B), {}), ("minimum", (A, 0.0), {}),
    ("greater", (A, B), {}), ("less_equal", (A, B), {}), ("equal", (A, A), {}), ("not_equal", (A, B), {}),
    ("matmul", (A, M), {}), ("dot", (M.T, M), {}), ("einsum", ("bij,jk->bik", A, M), {}),
    ("mean", (A,), {}), ("mean", (A,), {"axis": -1}), ("mean", (A,), {"axis": (1, 2), "keepdims": True}),
    ("sum", (A,), {"axis": 1}), ("prod", (P,), {"axis": 0}), ("max", (A,), {}), ("max", (A,), {"axis": -1}),
    ("min", (A,), {"axis": 0, "keepdims": True}), ("std", (A,), {"axis": -1}), ("var", (A,), {}),
    ("argmax", (A,), {"axis": -1}), ("argmin", (A,), {"axis": 1}), ("argmax", (A,), {}),
    ("any", (A > 1,), {"axis": -1}), ("all", (A > -2,), {}), ("cumsum", (A,), {"axis": 1}),
    ("sort", (A,), {}), ("argsort", (A,), {"axis": 0}), 
    ("average", (A,), {"axis": -1, "weights": np.array([1.0, 2.0, 3.0, 4.0], "float32")}),
    ("reshape", (A, (-1, 12)), {}), ("reshape", (A, (4, 6)), {}), ("transpose", (A,), {}),
    ("transpose", (A, (0, 2, 1)), {}), ("expand_dims", (A, 1), {}), ("squeeze", (A[:, :1],), {"axis": 1}),
    ("concatenate", ([A, B],), {"axis": -1}), ("concatenate", ([A, B],), {}), ("stack", ([A, B],), {"axis": 1}),
    ("tile", (M, (2, 1)), {}), ("repeat", (M, 2), {"axis": 0}), ("flip", (A,), {"axis": 1}),
    ("where", (A > 0, A, B), {}), ("broadcast_to", (M[0], (3, 5)), {}), ("moveaxis", (A, 0, -1), {}),
    ("swapaxes", (A, 0, 2), {}), ("ravel", (A,), {}), ("take", (M, np.array([3, 0])), {"axis": 0}),
    ("take_along_axis", (A, np.argsort(A, axis=-1)), {"axis": -1}),
    ("pad", (M, ((1, 2), (0, 1))), {}), ("pad", (M, ((1, 1), (2, 2))), {"mode": "reflect"}),
    ("zeros", ((2, 3),), {}), ("ones", ((3,),), {}), ("full", ((2, 2), 7.0), {}), ("zeros_like", (A,), {}),
    ("ones_like", (A,), {}), ("full_like", (A, 3.0), {}), ("arange", (5,), {}), ("arange", (1, 10, 3), {}),
    ("arange", (0.0, 1.0, 0.25), {}), ("linspace", (0.0, 1.0, 5), {}), ("eye", (3, 4), {"k": 1}),
    ("identity", (3,), {}), ("cast", (A, "int32"), {}),
    ("relu", (A,), {}), ("relu6", (A * 5,), {}), ("sigmoid", (A,), {}), ("softmax", (A,), {}),
    ("softmax", (A,), {"axis": 1}), ("log_softmax", (A,), {}), ("softplus", (A,), {}), ("softsign", (A,), {}),
    ("silu", (A,), {}), ("gelu", (A,), {}), ("gelu", (A,), {"approximate": False}), ("elu", (A,), {}),
    ("selu", (A,), {}), ("leaky_relu", (A,), {}), ("hard_sigmoid", (A,), {}),
    ("one_hot", (LABELS, 4), {}), ("one_hot", (LABELS, 4), {"axis": 1}),
    ("conv", (IMG, KERNEL), {}), ("conv", (IMG, KERNEL), {"strides": 2, "padding": "same"}),
    ("conv", (IMG, KERNEL), {"dilation_rate": 2, "padding": "same"}),
    ("depthwise_conv", (IMG, DW_KERNEL), {"padding": "same"}),
    ("max_pool", (IMG, 2), {}), ("max_pool", (IMG, 3), {"strides": 2, "padding": "same"}),
    ("average_pool", (IMG, 2), {"padding": "same"}), ("average_pool", (IMG, (3, 2)), {"strides": 1}),
    ("binary_crossentropy", (T, P), {}), ("binary_crossentropy", (T, A), {"from_logits": True}),
    ("categorical_crossentropy", (ONE_HOT, PROBS), {}),
    ("categorical_crossentropy", (ONE_HOT, A), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (LABELS, PROBS), {}),
    ("sparse_categorical_crossentropy", (LABELS[..., None], A), {"from_logits": True}),
    # convlens.ops.more
    ("arccos", (P,), {}), ("arcsinh", (A,), {}), ("arctan", (A,), {}), ("arctanh", (P * 0.9,), {}),
    ("cosh", (A,), {}), ("sinh", (A,), {}), ("tan", (P,), {}), ("cbrt", (A,), {}), ("erf", (A,), {}),
    ("erfinv", (P * 0.9,), {}), ("exp2", (A,), {}), ("log10", (P,), {}), ("log2", (P,), {}), ("rsqrt", (P,), {}),
    ("trunc", (A * 3,), {}), ("isnan", (A,), {}), ("isfinite", (A,), {}), ("signbit", (A,), {}),
    ("deg2rad", (A,), {}), ("rad2deg", (A,), {}), ("copy", (A,), {}), ("arctan2", (A, B), {}),
    ("fmod", (A, P), {}), ("hypot", (A, B), {}), ("logaddexp", (A, B), {}), ("logical_xor", (A > 0, B > 0), {}),
    ("divide_no_nan", (A, np.where(B > 0, B, 0)), {}), ("logsumexp", (A,), {"axis": -1}), ("logsumexp", (A,), {}),
    ("ptp", (A,), {"axis": 1}), ("cumprod", (P,), {"axis": -1}), ("diff", (A,), {}),
    ("diff", (A,), {"n": 2, "axis": 1}),
    ("median", (A,), {"axis": -1}), ("median", (A,), {}), ("quantile", (A, 0.3), {"axis": 1}),
    ("quantile", (A, np.array([0.1, 0.9])), {"axis": -1, "keepdims": True}),
    ("in_top_k", (np.array([1, 3]), A[:, 0], 2), {}), ("normalize", (A,), {}), ("normalize", (A,), {"axis": 1}),
    ("psnr", (P, P * 0.9, 1.0), {}),
    ("separable_conv", (IMG, DW_KERNEL, rng.normal(size=(1, 1, 6, 5)).astype("float32")), {"padding": "same"}),
    ("depth_to_space", (rng.normal(size=(2, 3, 3, 8)).astype("float32"), 2), {}),
    ("space_to_depth", (IMG[:, :6, :6], 2), {}), ("multi_hot", (LABELS, 4), {}),
    ("tril", (M,), {}), ("triu", (M,), {"k": 1}), ("hstack", ([M, M],), {}), ("vstack", ([M, M],), {}),
    ("roll", (A, 2), {}), ("roll", (A, 1), {"axis": -1}), ("outer", (M[0], M[1]), {}),
    ("tensordot", (A, M), {"axes": 1}), ("trace", (M,), {}), ("diag", (M,), {"k": 1}), ("diag", (M[0],), {}),
    ("nan_to_num", (np.array([np.nan, np.inf, -1.0], "float32"),), {}), ("isclose", (A, A + 1e-7), {}),
    ("fliplr", (M,), {}), ("flipud", (M,), {}), ("rot90", (M,), {}), ("tri", (3, 4), {"k": -1}),
    ("searchsorted", (np.sort(M[0]), M[1]), {}), ("slice", (A, (0, 1, 1), (2, 2, 3)), {}),
    ("get_item", (A, 1), {}), ("erfc", (A,), {}), ("isneginf", (A,), {}), ("fmax", (A, B), {}),
    ("fmin", (A, B), {}), ("heaviside", (A, B), {}), ("logaddexp2", (A, B), {}),
    ("percentile", (A, 30.0), {"axis": -1}), ("diagonal", (A,), {"axis1": 1, "axis2": 2}),
    ("dstack", ([M, M],), {}), ("inner", (A, M.T), {}), ("hard_silu", (A * 4,), {}), ("hard_swish", (A * 4,), {}),
    ("hard_tanh", (A * 2,), {}), ("tanh_shrink", (A,), {}), ("celu", (A,), {"alpha": 0.5}),
    ("hard_shrink", (A,), {}), ("soft_shrink", (A,), {"threshold": 0.3}), ("squareplus", (A,), {}),
    ("threshold", (A, 0.1, -1.0), {}), ("glu", (A,), {}),
]


def _numpy(value):
    if isinstance(value, (list, tuple)):
        return [_numpy(v) for v in value]
    return np.asarray(keras.ops.convert_to_numpy(value)) if not isinstance(value, torch.Tensor) else \
        value.detach().cpu().numpy()


@pytest.mark.filterwarnings("ignore:The use of `x.T`:UserWarning")  # raised inside Keras's own torch transpose
@pytest.mark.parametrize("name, args, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_op_equals_keras(name, args, kwargs):
    theirs = _numpy(getattr(keras.ops, name)(*args, **kwargs))
    ours = getattr(ops, name)(*args, **kwargs)
    assert isinstance(ours, torch.Tensor)
    ours = _numpy(ours)
    assert ours.shape == theirs.shape
    assert ours.dtype.kind == theirs.dtype.kind, (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.astype("float64"), theirs.astype("float64"), atol=1e-5, rtol=1e-5)


# Where Keras's torch backend departs from NumPy (count_nonzero transposes its result, pad's 'symmetric' repeats
# the edge, stop_gradient refuses arrays), convlens follows NumPy.
@pytest.mark.parametrize("name, args, kwargs, expected", [
    ("count_nonzero", (A > 0,), {"axis": -1}, np.count_nonzero(A > 0, axis=-1)),
    ("pad", (M, ((1, 1), (2, 2))), {"mode": "symmetric"}, np.pad(M, ((1, 1), (2, 2)), mode="symmetric")),
    ("pad", (M, 1), {"mode": "edge"}, np.pad(M, 1, mode="edge")),
    ("stop_gradient", (A,), {}, A),
])
def test_op_equals_numpy(name, args, kwargs, expected):
    np.testing.assert_allclose(_numpy(getattr(ops, name)(*args, **kwargs)), expected, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"interpolation": "nearest"}, {"interpolation": "bicubic"},
                                    {"crop_to_aspect_ratio": True}, {"pad_to_aspect_ratio": True},
                                    {"antialias": True}])
@pytest.mark.parametrize("size", [(4, 3), (9, 11)])
def test_image_resize_equals_keras(size, kwargs):
    images = rng.uniform(size=(2, 7, 5, 3)).astype("float32")
    theirs = _numpy(keras.ops.image.resize(images, size, **kwargs))
    np.testing.assert_allclose(_numpy(ops.image.resize(images, size, **kwargs)), theirs, atol=1e-5)
    np.testing.assert_allclose(_numpy(ops.image.resize(images[0], size, **kwargs)), theirs[0], atol=1e-5)


def test_top_k_and_unstack_equal_keras():
    pairs = ((ops.top_k(A, 2), keras.ops.top_k(A, 2)),
             (ops.unstack(A, axis=1), keras.ops.unstack(keras.ops.convert_to_tensor(A), axis=1)))
    for ours, theirs in pairs:
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(_numpy(a), _numpy(b), atol=1e-6)


def test_rgb_to_grayscale_equals_keras():
    np.testing.assert_allclose(_numpy(ops.image.rgb_to_grayscale(IMG)), _numpy(keras.ops.image.rgb_to_grayscale(IMG)),
                               atol=1e-6)


def test_split_shape_and_small_helpers_equal_keras():
    ours, theirs = ops.split(A, 2, axis=-1), keras.ops.split(A, 2, axis=-1)
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(_numpy(a), _numpy(b))
    assert ops.shape(A) == tuple(keras.ops.shape(A))
    assert ops.dtype(A) == keras.ops.dtype(keras.ops.convert_to_tensor(A)) == "float32"
    assert ops.size(A) == keras.ops.size(A) and ops.ndim(A) == keras.ops.ndim(A)
    assert np.array_equal(ops.convert_to_numpy(ops.convert_to_tensor([1.5, 2.0])), np.array([1.5, 2.0], "float32"))
    assert ops.convert_to_tensor([1.5]).dtype == torch.float32 and ops.convert_to_tensor(3).dtype == torch.int32
    assert ops.is_tensor(ops.ones((1,))) and not ops.is_tensor(A)


def test_ops_keep_the_gradient_and_the_device_of_tensors():
    x = torch.tensor(A, requires_grad=True)
    ops.sum(ops.square(ops.relu(x))).backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.maximum(A, 0), atol=1e-6)
    assert ops.add(torch.ones(2), np.ones(2)).device == torch.ones(2).device


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(ValueError, match="squeeze: axis 1 has length 3"):
        ops.squeeze(A, axis=1)
    with pytest.raises(ValueError, match="data_format must be 'channels_last'"):
        ops.max_pool(IMG, 2, data_format="channels_first")
    with pytest.raises(ValueError, match="target must have one axis fewer"):
        ops.sparse_categorical_crossentropy(LABELS, A[:, 0])
    with pytest.raises(ValueError, match="dtype must be one of"):
        ops.cast(A, "float128")


def test_new_arrays_go_to_the_default_device(monkeypatch):
    monkeypatch.setenv("CONVLENS_DEVICE", "meta")  # stands in for a GPU: the device a model would train on
    for made in (ops.zeros((2,)), ops.ones((2,)), ops.full((2,), 3.0), ops.arange(3), ops.linspace(0, 1, 3),
                 ops.eye(2), ops.identity(2), ops.tri(2)):
        assert made.device.type == "meta"
