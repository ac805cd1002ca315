"""The functional API: symbolic inputs, graphs with several inputs/outputs, shared and nested layers, layer access."""
import numpy as np
import pytest
import torch

import convlens
from convlens import Sequential
from convlens.inspect import layer_outputs
from convlens.layers import (BatchNormalization, Conv2D, Dense, Dropout, Flatten, GlobalAveragePooling2D, Input,
                             MaxPooling2D)
from convlens.models import Model


def rng_batch(*shape):
    return np.random.default_rng(0).random(shape, dtype=np.float32)


def test_layer_on_input_records_a_node_with_arithmetic_shapes():
    x = Input(shape=(28, 28, 1), name="digits")
    y = Conv2D(10, 5, strides=2)(x)
    assert y.shape == (None, 12, 12, 10)
    assert y.node.layer.input is x and y.node.layer.output is y
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(y)


def test_two_inputs_two_outputs_and_shared_weights():
    a, b = Input(shape=(4,), name="a"), Input(shape=(4,), name="b")
    shared = Dense(3, name="shared")
    out_a, out_b = shared(a), shared(b)
    model = Model([a, b], [out_a, Dense(1)(out_b)])
    assert [layer.name for layer in model.layers].count("shared") == 1
    xa, xb = rng_batch(2, 4), rng_batch(2, 4) + 1
    ya, yb = model([xa, xb])
    assert ya.shape == (2, 3) and yb.shape == (2, 1)
    np.testing.assert_allclose(ya.detach().numpy(), shared(torch.as_tensor(xa)).detach().numpy(), atol=1e-6)
    assert model.count_params() == 4 * 3 + 3 + 3 + 1


def test_graph_disconnected_is_named():
    x, other = Input(shape=(3,)), Input(shape=(3,))
    with pytest.raises(ValueError, match="graph disconnected"):
        Model(x, Dense(2)(other))


def test_model_is_a_layer_nested_in_sequential_and_functional():
    base = Sequential([Conv2D(4, 3, activation="relu", input_shape=(10, 10, 1)), MaxPooling2D(2)], name="base")
    outer = Sequential([base, Flatten(), Dense(2)])
    assert outer.output_shape == (None, 2)
    x = Input(shape=(10, 10, 1))
    functional = Model(x, Dense(2)(Flatten()(base(x))))
    batch = rng_batch(3, 10, 10, 1)
    assert functional(batch).shape == (3, 2)
    assert outer.get_layer("base").get_layer("conv2d_1") is base.layers[0]
    assert outer.get_layer("base/conv2d_1") is base.layers[0]
    assert outer.get_layer(index=1).name == "flatten_1"
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        outer.get_layer("nope")


def test_feature_extraction_as_in_keras():
    base = Sequential([Input(shape=(12, 12, 1)), Conv2D(3, 3, name="c1"), Conv2D(5, 3, name="c2"), Flatten()])
    features = Model(base.inputs, [base.get_layer(n).output for n in ("c1", "c2")])
    c1, c2 = features(rng_batch(2, 12, 12, 1))
    assert c1.shape == (2, 10, 10, 3) and c2.shape == (2, 8, 8, 5)
    assert base.get_layer("c2").input_shape == (None, 10, 10, 3)
    assert base.get_layer("c2").output_shape == (None, 8, 8, 5)


def test_sequential_and_functional_run_the_same_graph_code():
    layers = [Conv2D(4, 3, activation="relu"), MaxPooling2D(2), Flatten(), Dense(3, activation="softmax")]
    seq = Sequential([Input(shape=(8, 8, 1)), *layers])
    x = Input(shape=(8, 8, 1))
    y = x
    for layer in layers:
        y = layer(y)
    func = Model(x, y)
    batch = rng_batch(4, 8, 8, 1)
    np.testing.assert_array_equal(seq.predict(batch, verbose=0), func.predict(batch, verbose=0))
    assert type(seq).forward is type(func).forward


def test_relu_max_pool_rewrite_gives_the_same_values_and_gradients():
    x = Input(shape=(6, 6, 2))
    conv, pool = Conv2D(3, 3, activation="relu"), MaxPooling2D(2)
    model = Model(x, pool(conv(x)))
    batch = torch.as_tensor(rng_batch(2, 6, 6, 2) - 0.5, dtype=torch.float32).requires_grad_()
    fused = model(batch)
    fused.sum().backward()
    grad_fused = batch.grad.clone()
    batch.grad = None
    plain = pool(conv(batch))
    plain.sum().backward()
    torch.testing.assert_close(fused, plain)
    torch.testing.assert_close(grad_fused, batch.grad)


def test_call_with_numpy_and_training_flag():
    model = Sequential([Dropout(0.5, input_shape=(1000,))])
    ones = np.ones((1, 1000), "float32")
    assert (model(ones, training=False).numpy() == 1).all()
    assert (model(ones, training=True).detach().numpy() == 0).any()


def test_frozen_base_called_with_training_false_keeps_bn_statistics():
    base = Sequential([Conv2D(2, 3, input_shape=(6, 6, 1)), BatchNormalization()], name="base")
    x = Input(shape=(6, 6, 1))
    model = Model(x, Dense(2)(GlobalAveragePooling2D()(base(x, training=False))))
    before = base.layers[1].moving_mean.clone()
    model.train()
    model(rng_batch(4, 6, 6, 1) * 5)
    torch.testing.assert_close(base.layers[1].moving_mean, before)


def test_layer_outputs_names_nested_layers():
    base = Sequential([Conv2D(2, 3, input_shape=(6, 6, 1), name="c")], name="base")
    model = Sequential([base, Flatten(), Dense(2)])
    outs = layer_outputs(model, rng_batch(1, 6, 6, 1))
    assert {"base/c", "base", "flatten_1", "dense_1"} <= set(outs)


def test_summary_of_a_graph_has_connected_to_and_receptive_fields():
    x = Input(shape=(16, 16, 1))
    a = Conv2D(4, 3, padding="same", name="a")(x)
    b = Conv2D(4, 3, padding="same", name="b")(a)
    c = Conv2D(4, 3, strides=2, padding="same", name="c")(x)
    model = Model([x], [b, c])
    text = model.summary(return_string=True)
    assert "Connected to" in text and "a[0][0]" in text
    rows = {r.name: r for r in model.summary_rows()}
    assert rows["b"].receptive_field == "5×5" and rows["c"].receptive_field == "3×3"


def test_top_level_names():
    x = convlens.Input(shape=(3,))
    assert isinstance(convlens.Model(x, convlens.layers.Dense(1)(x)), convlens.models.Functional)


def test_a_sub_model_cut_by_index_from_a_list_of_inputs_nests_and_trains():
    from convlens import Sequential
    from convlens.layers import Flatten, MaxPooling2D
    x = Input(shape=(12, 12, 1))
    h = Flatten()(Conv2D(4, 3, activation="relu")(MaxPooling2D(2)(Conv2D(4, 3, activation="relu")(x))))
    base = Model(x, Dense(3, activation="softmax")(h))
    base2 = Model(base.inputs, base.get_layer(index=-3).output)  # inputs given as a list of one, as Keras allows
    base2.trainable = False
    frozen = [w.copy() for w in base2.get_weights()]
    model = Sequential([base2, Flatten(), Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", device="cpu")
    model.fit(np.random.default_rng(0).random((16, 12, 12, 1)).astype("float32"), np.arange(16) % 3, epochs=1,
              verbose=0)
    assert model.output_shape == (None, 3) and base2.input_shape == (None, 12, 12, 1)
    for before, after in zip(frozen, base2.get_weights()):
        np.testing.assert_array_equal(before, after)
