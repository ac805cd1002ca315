"""convlens optimizers against real Keras 3 (torch backend): same start, same gradients, 100 updates."""
import os
import warnings

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

from convlens import Sequential, optimizers  # noqa: E402
from convlens.layers import Dense  # noqa: E402

SHAPES = [(3, 4), (4,), (5,)]


def gradient(step, weights):
    """A deterministic gradient that depends on the weights (a pulled quadratic plus a step-dependent wobble)."""
    rng = np.random.default_rng(step)
    return [(w - 0.5 + rng.normal(scale=2.0, size=w.shape)).astype("float32") for w in weights]


def run_keras(make, steps):
    rng = np.random.default_rng(0)
    variables = [keras.Variable(rng.normal(size=s).astype("float32")) for s in SHAPES]
    opt = make()
    for step in range(steps):
        grads = gradient(step, [np.asarray(v.numpy()) for v in variables])
        opt.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in grads], variables))
    return [np.asarray(v.numpy()) for v in variables]


def run_ours(make, steps):
    rng = np.random.default_rng(0)
    module = torch.nn.ParameterList([torch.nn.Parameter(torch.from_numpy(rng.normal(size=s).astype("float32")))
                                     for s in SHAPES])
    opt = make()
    opt.build(module)
    for step in range(steps):
        for p, g in zip(module, gradient(step, [p.detach().numpy() for p in module])):
            p.grad = torch.from_numpy(g)
        opt.step()
    assert opt.iterations == steps
    return [p.detach().numpy() for p in module]


CASES = {
    "sgd": ("SGD", dict(learning_rate=0.01)),
    "sgd_momentum": ("SGD", dict(learning_rate=0.01, momentum=0.9)),
    "sgd_nesterov": ("SGD", dict(learning_rate=0.01, momentum=0.9, nesterov=True)),
    "rmsprop": ("RMSprop", dict(learning_rate=0.001)),
    "rmsprop_centered_momentum": ("RMSprop", dict(learning_rate=0.001, momentum=0.5, centered=True)),
    "adam": ("Adam", dict(learning_rate=0.01)),
    "adam_amsgrad": ("Adam", dict(learning_rate=0.01, amsgrad=True)),
    "adam_weight_decay_clipnorm": ("Adam", dict(learning_rate=0.01, weight_decay=0.01, clipnorm=1.0)),
    "adamw": ("AdamW", dict(learning_rate=0.01)),
    "adagrad": ("Adagrad", dict(learning_rate=0.05)),
    "adadelta": ("Adadelta", dict(learning_rate=1.0)),
    "rmsprop_global_clipnorm": ("RMSprop", dict(learning_rate=0.01, global_clipnorm=2.0)),
    "sgd_clipvalue": ("SGD", dict(learning_rate=0.01, clipvalue=0.5)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_100_updates_match_keras(case):
    name, kwargs = CASES[case]
    theirs = run_keras(lambda: getattr(keras.optimizers, name)(**kwargs), 100)
    ours = run_ours(lambda: getattr(optimizers, name)(**kwargs), 100)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


SCHEDULES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.01, decay_steps=10, decay_rate=0.5, staircase=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.01, decay_steps=7, decay_rate=0.3)),
    ("PiecewiseConstantDecay", dict(boundaries=[10, 40], values=[0.02, 0.01, 0.001])),
    ("CosineDecay", dict(initial_learning_rate=0.001, decay_steps=60, alpha=0.1, warmup_target=0.01,
                         warmup_steps=20)),
    ("PolynomialDecay", dict(initial_learning_rate=0.01, decay_steps=30, power=2.0, cycle=True)),
]


@pytest.mark.parametrize("name, kwargs", SCHEDULES)
def test_schedules_match_keras(name, kwargs):
    ours = getattr(optimizers.schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    for step in range(0, 120, 3):
        assert ours(step) == pytest.approx(float(theirs(step)), rel=1e-6)
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("name, kwargs", SCHEDULES[:2] + SCHEDULES[3:4])
def test_adam_with_schedule_matches_keras(name, kwargs):
    theirs = run_keras(lambda: keras.optimizers.Adam(getattr(keras.optimizers.schedules, name)(**kwargs)), 100)
    ours = run_ours(lambda: optimizers.Adam(getattr(optimizers.schedules, name)(**kwargs)), 100)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


def test_fit_100_steps_matches_keras():
    """The whole loop: a small classifier from the same weights, 100 unshuffled Adam batches."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64") + (x[:, 2] > 0.5)
    for name in ("Adam",):
        theirs = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                                   keras.layers.Dense(3, activation="softmax")])
        ours = Sequential([Dense(8, activation="relu", input_shape=(6,)), Dense(3, activation="softmax")])
        ours.set_weights(theirs.get_weights())
        theirs.compile(getattr(keras.optimizers, name)(0.01), "sparse_categorical_crossentropy")
        ours.compile(getattr(optimizers, name)(0.01), "sparse_categorical_crossentropy")
        theirs.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
        ours.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
        assert ours.optimizer.iterations == 100
        for a, b in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


def test_keras_rule_differs_from_torch_rule_and_torch_rule_is_pytorch():
    ours = run_ours(lambda: optimizers.RMSprop(0.01, epsilon=1e-2), 20)
    torch_rule = run_ours(lambda: optimizers.RMSprop(0.01, epsilon=1e-2, rule="torch"), 20)
    assert max(np.abs(a - b).max() for a, b in zip(ours, torch_rule)) > 1e-5
    rng = np.random.default_rng(0)
    params = [torch.nn.Parameter(torch.from_numpy(rng.normal(size=s).astype("float32"))) for s in SHAPES]
    plain = torch.optim.RMSprop(params, lr=0.01, alpha=0.9, eps=1e-2)
    for step in range(20):
        for p, g in zip(params, gradient(step, [p.detach().numpy() for p in params])):
            p.grad = torch.from_numpy(g)
        plain.step()
    for a, b in zip(torch_rule, params):
        np.testing.assert_allclose(a, b.detach().numpy(), rtol=0, atol=1e-6)


def test_legacy_decay_is_time_decay_with_a_warning():
    with pytest.warns(DeprecationWarning, match="decay"):
        opt = optimizers.SGD(learning_rate=0.1, decay=0.5)
    module = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(1))])
    opt.build(module)
    moves = []
    for _ in range(3):
        before = float(module[0].detach())
        module[0].grad = torch.ones(1)
        opt.step()
        moves.append(before - float(module[0].detach()))
    assert moves == pytest.approx([0.1, 0.1 / 1.5, 0.1 / 2.0])
    assert opt.learning_rate == 0.1 and opt.current_learning_rate() == pytest.approx(0.1 / 2.5)


def test_config_round_trip_with_schedule_and_keras_config():
    schedule = optimizers.schedules.ExponentialDecay(0.01, 100, 0.9)
    opt = optimizers.Adam(learning_rate=schedule, clipnorm=1.0)
    config = opt.get_config()
    assert config["learning_rate"] == {"class_name": "ExponentialDecay", "config": schedule.get_config()}
    again = optimizers.get(config)
    assert isinstance(again, optimizers.Adam) and again.get_config() == config
    keras_config = keras.optimizers.Adam(learning_rate=0.002).get_config()
    restored = optimizers.Adam.from_config(keras_config)
    assert restored.learning_rate == pytest.approx(0.002) and restored.epsilon == keras_config["epsilon"]
    with pytest.raises(TypeError, match="schedule"):
        opt.learning_rate = 0.1
    with pytest.raises(TypeError, match="use_ema"):
        optimizers.Adam(use_ema=True)


def test_schedule_resumes_exactly_after_save(tmp_path):
    from convlens.models import load_model
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 5)).astype("float32"), rng.integers(0, 2, 64)

    def model():
        torch.manual_seed(0)
        m = Sequential([Dense(2, activation="softmax", input_shape=(5,))])
        m.compile(optimizers.SGD(optimizers.schedules.ExponentialDecay(0.5, 4, 0.5), momentum=0.9),
                  "sparse_categorical_crossentropy")
        return m

    straight = model()
    straight.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    first = model()
    first.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    first.save(tmp_path / "half.keras")
    resumed = load_model(tmp_path / "half.keras")
    assert resumed.optimizer.iterations == 8
    assert resumed.optimizer.learning_rate == pytest.approx(0.5 * 0.5 ** 2)
    resumed.fit(x, y, batch_size=16, epochs=4, initial_epoch=2, shuffle=False, verbose=0)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_errors_are_clear():
    with pytest.raises(ValueError, match="rule"):
        optimizers.Adam(rule="tf")
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="decay_steps"):
        optimizers.schedules.ExponentialDecay(0.1, 0, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert optimizers.RMSprop(lr=0.0001).learning_rate == 0.0001
