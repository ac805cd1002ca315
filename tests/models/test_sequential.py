"""The notes' models give the notes' numbers; Sequential's building, naming, config and errors."""
import numpy as np
import pytest
import torch

from convlens import Sequential
from convlens.arithmetic import ShapeError
from convlens.layers import (BatchNormalization, Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D)
from convlens.models import Model
from convlens.zoo import create_model, list_models


def notes_cnn():
    # exactly the notes' code, with convlens imports
    model = Sequential()
    model.add(Conv2D(10, (5, 5), activation="relu", input_shape=(28, 28, 1)))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(20, (5, 5)))
    model.add(MaxPooling2D((2, 2)))
    model.add(Flatten())
    model.add(Dense(100))
    model.add(Dense(10, activation="softmax"))
    return model


def test_notes_cnn_shapes_and_params():
    model = notes_cnn()
    rows = model.summary_rows()
    assert [r.output_shape[1:] for r in rows] == [(24, 24, 10), (12, 12, 10), (8, 8, 20), (4, 4, 20), (320,),
                                                   (100,), (10,)]
    assert [r.params for r in rows] == [260, 0, 5020, 0, 0, 32100, 1010]
    assert model.count_params() == 38_390
    text = model.summary(return_string=True)
    for expected in ["conv2d_1 (Conv2D)", "(None, 24, 24, 10)", "max_pooling2d_2 (MaxPooling2D)", "dense_2 (Dense)",
                     "Total params: 38,390", "Trainable params: 38,390", "Non-trainable params: 0",
                     "Receptive field", "MACs"]:
        assert expected in text
    assert [r.receptive_field for r in rows[:4]] == ["5×5", "6×6", "14×14", "16×16"]
    assert rows[0].macs == 24 * 24 * 10 * 25


def test_notes_mlp():
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(512), Dense(512), Dense(10)])
    assert [r.params for r in model.summary_rows()] == [0, 401_920, 262_656, 5_130]
    assert model.count_params() == 669_706
    assert create_model("notes_mnist_mlp").count_params() == 669_706


def test_notes_cifar10_cnn():
    model = create_model("notes_cifar10_cnn")
    params = [r.params for r in model.summary_rows() if r.params]
    assert params == [208, 2_080, 8_256, 512_500, 5_010]
    assert model.count_params() == 528_054


def test_registry_models_train_one_step():
    for name in list_models(family="notes"):  # the whole zoo: tests/zoo/test_smoke.py
        model = create_model(name)
        x = torch.rand(2, *model.input_shape[1:])
        out = model(x)
        assert out.shape == (2, 10) and torch.isfinite(out).all()
        out.log().mean().backward()
        assert all(p.grad is not None for p in model.parameters()), name


def test_summary_prints_and_returns():
    lines = []
    notes_cnn().summary(print_fn=lines.append)
    assert "Total params: 38,390" in lines[0]
    assert "params: (5·5·1 + 1)·10 = 260" in notes_cnn().summary(return_string=True, show_formulas=True)


def test_batch_norm_counts_non_trainable():
    model = Sequential([Input(shape=(8, 8, 3)), Conv2D(4, 3), BatchNormalization()])
    assert "Non-trainable params: 8" in model.summary(return_string=True)
    assert model.count_params() == (27 + 1) * 4 + 16


def test_lazy_build_on_first_call():
    model = Sequential([Conv2D(4, 3), Flatten(), Dense(2)])
    assert not model.built
    with pytest.raises(ValueError, match="input shape"):
        model.summary()
    model(torch.zeros(1, 6, 6, 1))
    assert model.built and model.count_params() == 40 + 16 * 4 * 2 + 2


def test_empty_feature_map_error_names_layer_shape_formula():
    model = Sequential([Conv2D(4, 3, input_shape=(8, 8, 1)), MaxPooling2D(2), Conv2D(4, 3)])
    with pytest.raises(ShapeError) as err:
        model.add(Conv2D(4, 3))
    message = str(err.value)
    assert len(model.layers) == 3  # the layer that did not fit was not added
    assert "conv2d_3" in message and "(None, 1, 1, 4)" in message and "(1 + 0 + 0 - 3) // 1 + 1 = -1" in message


def test_layer_names_unique():
    model = Sequential([Dense(2, input_shape=(3,), name="head")])
    with pytest.raises(ValueError, match="head"):
        model.add(Dense(2, name="head"))
    with pytest.raises(TypeError, match="int"):
        model.add(3)


def test_config_round_trip_rebuilds_same_function():
    model = create_model("notes_cifar10_cnn")
    twin = Sequential.from_config(model.get_config())
    assert twin.get_config() == model.get_config()
    twin.set_weights(model.get_weights())
    x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    np.testing.assert_allclose(twin.predict(x), model.predict(x), rtol=1e-6)


def test_set_weights_checks_count_and_shapes():
    model = notes_cnn()
    with pytest.raises(ValueError, match="8 weight arrays, got 1"):
        model.set_weights([np.zeros(3)])
    weights = model.get_weights()
    weights[0] = np.zeros((3, 3, 1, 10))
    with pytest.raises(ValueError, match=r"expected shape \(5, 5, 1, 10\)"):
        model.set_weights(weights)


def test_wrap_plain_module():
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 3))
    model = Model.wrap(net, input_shape=(6, 6, 1), channels_first=True)
    assert model.predict(np.zeros((2, 6, 6, 1), "float32")).shape == (2, 3)
    assert "Total params: 235" in model.summary(return_string=True)
    model.set_weights(model.get_weights())


def test_dropout_in_summary_and_eval_mode():
    model = Sequential([Dense(4, input_shape=(3,)), Dropout(0.5)])
    model.eval()
    x = torch.ones(2, 3)
    assert torch.equal(model(x), model(x))


def test_relu_before_max_pool_shortcut_changes_nothing():
    """The forward pools before ReLU when nothing observes the conv output; values and gradients are identical."""
    torch.manual_seed(0)
    model = create_model("notes_mnist_cnn")
    x = torch.randn(4, 28, 28, 1)
    fast = model(x)
    fast.sum().backward()
    fast_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    seen = []
    handles = [layer.register_forward_hook(lambda m, i, o: seen.append(o.min().item())) for layer in model.layers[:2]]
    slow = model(x)  # hooks on the conv and pool layers force the layer-by-layer path
    slow.sum().backward()
    for handle in handles:
        handle.remove()
    assert seen[0] >= 0.0 and seen[1] >= 0.0  # hooks saw activated outputs
    torch.testing.assert_close(fast, slow)
    for a, p in zip(fast_grads, model.parameters()):
        torch.testing.assert_close(a, p.grad)
    with torch.no_grad():
        torch.testing.assert_close(model(x), slow.detach())


def test_summary_keeps_columns_aligned_with_long_names():
    model = Sequential([Input(shape=(8, 8, 3)), Conv2D(4, 3), BatchNormalization(),
                        Conv2D(4, 3, name="a_rather_long_layer_name_for_a_convolution")])
    text = model.summary(return_string=True)
    header = next(line for line in text.splitlines() if line.startswith(" Layer (type)"))
    column = header.index("Output Shape")
    for line in text.splitlines():
        if "(None, " in line:
            assert line.index("(None, ") == column, line
