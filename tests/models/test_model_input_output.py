"""``model.input`` / ``model.output`` (functional and Sequential) for feature extraction, and a Model subclass
whose ``__init__(*args, **kwargs)`` is called as ``CustomModel(inputs, outputs)``, as in Keras 3."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

import convlens  # noqa: E402
from convlens import layers  # noqa: E402


def cnn(lib, layers_lib):
    return lib.Sequential([lib.Input((10, 10, 1)), layers_lib.Conv2D(4, 3, activation="relu"),
                           layers_lib.MaxPooling2D(2), layers_lib.Flatten(), layers_lib.Dense(3, activation="softmax")])


def test_feature_extraction_from_model_input_and_layer_outputs_equals_keras():
    ours, theirs = cnn(convlens, layers), cnn(keras, keras.layers)
    ours.set_weights(theirs.get_weights())
    # Keras 3's Sequential.input fails on the torch backend (an AttributeError that torch's Module hides), so
    # Keras's side reads inputs[0]; convlens answers model.input as Keras does on its other backends.
    assert ours.input.shape == tuple(theirs.inputs[0].shape) and ours.output.shape == tuple(theirs.outputs[0].shape)
    extract = convlens.Model(inputs=ours.input, outputs=[layer.output for layer in ours.layers])
    expected = keras.Model(inputs=theirs.inputs[0], outputs=[layer.output for layer in theirs.layers])
    x = np.random.default_rng(0).uniform(size=(3, 10, 10, 1)).astype("float32")
    got, want = extract.predict(x), expected.predict(x, verbose=0)
    assert isinstance(got, list) and len(got) == len(want) == 4
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, np.asarray(b), atol=1e-5)


def test_functional_model_input_output_are_a_tensor_or_a_list():
    a, b = convlens.Input((4,), name="a"), convlens.Input((4,), name="b")
    one = convlens.Model(a, layers.Dense(2)(a))
    assert one.input is a and one.output is one.outputs[0]
    two = convlens.Model([a, b], [layers.Dense(1)(a), layers.Dense(1)(b)])
    assert two.input == [a, b] and two.output == two.outputs and len(two.output) == 2
    head = convlens.Model(one.input, layers.Dense(5)(one.output))
    assert head.output_shape == (None, 5) and head.layers[1] is one.layers[1]


def test_a_sequential_without_an_input_says_so():
    with pytest.raises(ValueError, match="has no input yet: give its first layer input_shape"):
        convlens.Sequential([layers.Dense(2)]).input


class CustomModel(convlens.Model):
    """As in Keras's "customizing fit" guide: the constructor passes everything on."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps_seen = 0

    def train_step(self, data):
        self.steps_seen += 1
        return super().train_step(data)


def test_subclass_with_args_kwargs_init_takes_inputs_and_outputs():
    inputs = convlens.Input(shape=(8,))
    model = CustomModel(inputs, layers.Dense(1)(inputs), name="custom")
    assert isinstance(model, CustomModel) and model.name == "custom" and model.steps_seen == 0
    assert model.input is inputs
    model.compile(optimizer="adam", loss="mse")
    x, y = np.random.default_rng(0).normal(size=(64, 8)).astype("float32"), np.zeros((64, 1), "float32")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert model.steps_seen == 8
    keyword = CustomModel(inputs=inputs, outputs=layers.Dense(2)(inputs))
    assert keyword.output_shape == (None, 2) and keyword.steps_seen == 0


def test_subclass_with_its_own_positional_arguments_stays_a_subclassed_model():
    class Net(convlens.Model):
        def __init__(self, units):
            super().__init__()
            self.dense = layers.Dense(units)

        def call(self, x):
            return self.dense(x)

    net = Net(3)
    assert not isinstance(net, convlens.models.Functional)
    assert net(np.zeros((2, 4), "float32")).shape == (2, 3)
