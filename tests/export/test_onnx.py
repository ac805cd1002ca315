"""ONNX export: dynamic batch, channels-last input, metadata, parity with torch at batch 1, 7 and 64, and serving."""
import json

import numpy as np
import onnx
import pytest
import torch

from convlens.cli.main import main
from convlens.export import export_model, real_samples
from convlens.layers import Concatenate, Conv2D, Dense, Flatten, Input, MaxPooling2D
from convlens.models import Model, Sequential
from convlens.zoo import create_model
from convlens.saving.onnx import ExportMismatchError, read_metadata, session


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    model = create_model("notes_mnist_cnn")
    model.class_names = [f"digit {i}" for i in range(10)]
    path = tmp_path_factory.mktemp("onnx") / "notes.onnx"
    report = model.export(path, format="onnx", verbose=False, samples=real_samples((28, 28, 1), 16))
    return model, path, report


def test_export_reports_parity_in_one_line(exported):
    _, path, report = exported
    assert report.ok and report.max_abs_diff <= 1e-5 and report.same_argmax and report.real_samples == 16
    line = report.line()
    assert "\n" not in line and "max abs diff" in line and line.endswith("OK")


@pytest.mark.parametrize("batch", [1, 7, 64])
def test_onnxruntime_matches_torch(exported, batch):
    model, path, _ = exported
    x = real_samples((28, 28, 1), batch) if batch == 64 else \
        np.random.default_rng(batch).random((batch, 28, 28, 1), dtype=np.float32)
    expected = model.predict(x)
    got = session(path).run(None, {"input": x})[0]
    assert got.shape == (batch, 10)
    assert np.max(np.abs(got - expected)) <= 1e-5
    assert np.array_equal(got.argmax(1), expected.argmax(1))


def test_channels_last_dynamic_batch_and_metadata(exported):
    _, path, _ = exported
    graph = onnx.load(str(path)).graph
    dims = graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param and not dims[0].dim_value  # batch is symbolic, not baked in as 1 or 2
    assert [d.dim_value for d in dims[1:]] == [28, 28, 1]
    meta = read_metadata(path)
    assert meta["class_names"] == [f"digit {i}" for i in range(10)]
    assert meta["input_shape"] == [None, 28, 28, 1] and meta["output_activation"] == "softmax"


def test_functional_rgb_model_with_branches_export(tmp_path):
    torch.manual_seed(1)
    image = Input((20, 24, 3))
    left = MaxPooling2D(2)(Conv2D(4, 3, padding="same", activation="relu")(image))
    right = MaxPooling2D(2)(Conv2D(2, 5, padding="same", activation="relu")(image))
    model = Model(image, Dense(4, activation="softmax")(Flatten()(Concatenate()([left, right]))))
    report = export_model(model, tmp_path / "rgb.onnx", verbose=False)
    assert report.ok and report.real_samples == 64
    x = np.random.default_rng(0).random((7, 20, 24, 3), dtype=np.float32)
    np.testing.assert_allclose(session(tmp_path / "rgb.onnx").run(None, {"input": x})[0], model.predict(x), atol=1e-5)


def test_a_mismatch_raises_and_leaves_no_file(tmp_path):
    from convlens.saving.onnx import export_onnx
    model = Sequential([Flatten(input_shape=(2, 2, 1)), Dense(3)])
    with pytest.raises(ExportMismatchError, match="MISMATCH"):
        export_onnx(model, tmp_path / "m.onnx", tolerance=-1.0, verbose=False)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="format must be 'onnx'"):
        model.export(tmp_path / "m.tflite", format="tflite")


def test_cli_export_and_serving_the_file(tmp_path, capsys):
    torch.manual_seed(2)
    model = create_model("notes_mnist_cnn")
    model.class_names = list("abcdefghij")
    model.save(tmp_path / "model.convlens")
    assert main(["export", str(tmp_path), "--format", "onnx"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ONNX export") and "(64 real)" in lines[0] and "OK" in lines[0]
    assert (tmp_path / "model.onnx").is_file()

    from convlens.serve.predictor import Predictor, load_predictor
    onnx_only = load_predictor(tmp_path / "model.onnx", runtime="onnx")
    assert onnx_only.runtime == "onnx" and onnx_only.class_names == list("abcdefghij")
    assert onnx_only.input_shape == (28, 28, 1) and onnx_only.describe()["layers"] == []
    x = real_samples((28, 28, 1), 9)
    np.testing.assert_allclose(onnx_only.predict(x), Predictor(model).predict(x), atol=1e-5)
    with pytest.raises(ValueError, match="--runtime onnx"):
        load_predictor(tmp_path / "model.onnx", runtime="torch")
    assert main(["export", str(tmp_path / "missing")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "does not exist" in error
    assert json.loads(json.dumps(onnx_only.describe()))["runtime"] == "onnx"


def test_a_mixed_precision_model_exports_a_float32_graph_and_keeps_its_policy(tmp_path):
    from convlens.dtype_policies import set_global_policy
    set_global_policy("mixed_bfloat16")
    try:
        model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), Flatten(),
                            Dense(3, activation="softmax")])
    finally:
        set_global_policy("float32")
    report = model.export(tmp_path / "mixed.onnx", verbose=False)
    assert report.ok and report.max_abs_diff <= 1e-5
    assert [layer.compute_dtype for layer in model.layers] == ["bfloat16"] * 3  # given back after the export
