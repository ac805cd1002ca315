"""Keras's dtype policies: float32 by default on every machine, mixed precision asked for by name, one answer on
every inference path. Every test here runs on any CPU: PyTorch's CPU bfloat16 autocast runs on AVX2 too."""
import json

import numpy as np
import pytest
import torch

from convlens import Sequential, config, mixed_precision
from convlens.cli import _folder
from convlens.cli.main import main
from convlens.dtype_policies import DTypePolicy, global_policy, set_global_policy
from convlens.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from convlens.models import Model, load_model
from convlens.training import strategy as strategy_lib
from convlens.utils import set_random_seed

POLICIES = ["float32", "mixed_bfloat16"]


@pytest.fixture(autouse=True)
def float32_afterwards():
    yield
    set_global_policy("float32")


def notes_cnn(head_dtype=None) -> Sequential:
    return Sequential([Conv2D(8, 3, activation="relu", input_shape=(12, 12, 1)), MaxPooling2D(2), Flatten(),
                       Dense(16, activation="relu"), Dense(4, activation="softmax", dtype=head_dtype)])


def digits(n=96, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    x = rng.random((n, 12, 12, 1)).astype("float32") * 0.3
    for i, label in enumerate(y):  # a bright square whose corner is the class: learnable in a few epochs
        r, c = divmod(int(label), 2)
        x[i, r * 6:r * 6 + 6, c * 6:c * 6 + 6] += 0.7
    return x, y


def conv_dtypes(model) -> list:
    seen = []
    model.layers[0].register_forward_hook(lambda _m, _i, out: seen.append(out.dtype))
    return seen


def test_float32_is_the_default_even_where_the_cpu_has_bfloat16_units(monkeypatch):
    monkeypatch.setattr(strategy_lib, "native_bfloat16", lambda *a, **k: True)  # an AMX machine, injected
    model = notes_cnn()
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"], device="cpu")
    assert model.precision_policy == "float32" and model.dtype_policy == "float32"
    seen = conv_dtypes(model)
    model.fit(*digits(32), epochs=1, batch_size=16, verbose=0)
    model.predict(digits(8)[0])
    assert set(seen) == {torch.float32}


def test_auto_reads_the_injected_cpu_flags_both_ways(monkeypatch):
    for native, expected in ((True, "mixed_bfloat16"), (False, "float32")):
        monkeypatch.setattr(strategy_lib, "native_bfloat16", lambda *a, native=native, **k: native)
        model = notes_cnn()
        model.compile("adam", "sparse_categorical_crossentropy", precision="auto", device="cpu")
        assert model.precision_policy == expected
        assert model.layers[0].compute_dtype == ("bfloat16" if native else "float32")


def test_keras_names_set_the_policy_of_layers_made_afterwards():
    before = Dense(2)
    mixed_precision.set_global_policy("mixed_bfloat16")
    assert mixed_precision.global_policy() == "mixed_bfloat16" and config.dtype_policy().name == \
        "mixed_bfloat16"
    after, head = Dense(2), Dense(2, dtype="float32")
    assert (before.compute_dtype, after.compute_dtype, head.compute_dtype) == ("float32", "bfloat16", "float32")
    assert after.variable_dtype == after.dtype == "float32"
    config.set_dtype_policy(mixed_precision.Policy("float32"))
    assert global_policy() == DTypePolicy("float32") and Dense(2).compute_dtype == "float32"


def test_a_policy_convlens_cannot_honour_is_refused_by_name():
    with pytest.raises(ValueError, match="'mixed_bfloat16'"):
        Dense(2, dtype="bfloat16")  # bfloat16 weights: refused, never silently float32
    with pytest.raises(ValueError, match="float64"):
        mixed_precision.set_global_policy("float64")
    model = notes_cnn()
    with pytest.raises(ValueError, match="mixed_float16.*CUDA"):
        model.compile("adam", "mse", precision="mixed_float16", device="cpu")


@pytest.mark.parametrize("policy", POLICIES)
def test_predict_rows_sum_to_one_and_outputs_are_float32(policy):
    set_global_policy(policy)
    set_random_seed(0)
    model = notes_cnn()
    model.compile("adam", "sparse_categorical_crossentropy", device="cpu")
    seen = conv_dtypes(model)
    x, y = digits()
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    probabilities = model.predict(x)
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, atol=1e-6)
    called = model(x)
    assert called.dtype == torch.float32
    np.testing.assert_allclose(called.detach().numpy(), probabilities, atol=1e-6)
    assert set(seen) == {torch.float32 if policy == "float32" else torch.bfloat16}
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_a_float32_head_in_a_mixed_model_computes_in_float32():
    set_global_policy("mixed_bfloat16")
    model = notes_cnn(head_dtype="float32")
    seen_head = []
    model.layers[-1].register_forward_hook(lambda _m, inputs, out: seen_head.append((inputs[0].dtype, out.dtype)))
    seen_conv = conv_dtypes(model)
    model(digits(4)[0])
    assert seen_conv == [torch.bfloat16] and seen_head == [(torch.float32, torch.float32)]


def test_a_mixed_layer_in_a_float32_model_computes_in_bfloat16():
    x = Input(shape=(12, 12, 1))
    y = Conv2D(4, 3, dtype="mixed_bfloat16")(x)
    model = Model(x, Dense(2)(Flatten()(y)))
    seen = conv_dtypes(Model(x, y))
    assert model.layers[1].compute_dtype == "bfloat16" and model.dtype_policy == "float32"
    out = model(digits(3)[0])
    assert out.dtype == torch.float32 and seen == [] and model.layers[1](torch.zeros(1, 12, 12, 1)).dtype == \
        torch.bfloat16


def test_the_policy_is_saved_and_loaded_with_the_model(tmp_path):
    set_global_policy("mixed_bfloat16")
    model = notes_cnn(head_dtype="float32")
    model.compile("adam", "sparse_categorical_crossentropy", device="cpu")
    model.save(tmp_path / "mixed.convlens")
    set_global_policy("float32")
    loaded = load_model(tmp_path / "mixed.convlens")
    assert [layer.dtype_policy.name for layer in loaded.layers] == \
        ["mixed_bfloat16"] * 4 + ["float32"]
    assert loaded.precision_policy == "mixed_bfloat16"
    x = digits(16)[0]
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_compile_precision_sets_the_whole_model_but_keeps_explicit_layers():
    model = notes_cnn(head_dtype="float32")
    model.compile("adam", "sparse_categorical_crossentropy", precision="mixed_bfloat16", device="cpu")
    assert [layer.compute_dtype for layer in model.layers] == ["bfloat16"] * 4 + ["float32"]
    model.compile("adam", "sparse_categorical_crossentropy", precision="float32", device="cpu")
    assert {layer.compute_dtype for layer in model.layers} == {"float32"}


@pytest.mark.parametrize("policy", POLICIES)
def test_evaluate_predict_call_and_the_cli_agree_on_one_saved_model(policy, tmp_path, make_folder, capsys):
    set_global_policy(policy)
    set_random_seed(0)
    root = make_folder({"a": 6, "b": 6, "c": 6, "d": 6}, size=(12, 12))
    model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(12, 12, 3)), Flatten(),
                        Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"], device="cpu")
    files, labels = _folder.files_for_classes(str(root), ["a", "b", "c", "d"])
    x, y = _folder.collect(_folder.batches(str(root), files, labels, (12, 12), "rgb", batch_size=8), len(files))
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    model.class_names = ["a", "b", "c", "d"]
    model.save(tmp_path / "m.convlens")
    set_global_policy("float32")
    loaded = load_model(tmp_path / "m.convlens")
    _, evaluated = loaded.evaluate(x, y, verbose=0)
    predicted = float(np.mean(loaded.predict(x).argmax(-1) == y))
    called = float(np.mean(loaded(x).argmax(-1).numpy() == y))
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "m.convlens"), "--dataset", str(root)]) == 0
    cli = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["test_accuracy"]
    assert evaluated == predicted == called == cli
