"""Batch-1 prediction latency of the notes' MNIST CNN: Keras 3, torch eager, convlens, convlens serve, onnxruntime.

All run the same 38,390-parameter network (Conv2D 10@5x5, MaxPool, Conv2D 20@5x5, MaxPool, Dense 100, Dense 10) with
the same weights on the same real 28×28 digits, one image per call, one after the other in this process:

* ``keras 3 predict``: ``keras_model.predict(x, verbose=0)`` (``KERAS_BACKEND=torch``), and ``keras 3 call``:
  ``keras_model(x, training=False)``;
* ``torch eager``: an idiomatic ``nn.Sequential`` (NCHW) under ``torch.inference_mode()``;
* ``convlens predict_on_batch`` / ``convlens model(x)``: ``model.predict_on_batch(x)`` and the module called on a
  tensor under ``torch.inference_mode()`` (goal: <= 1.2x torch eager); ``convlens predict``: ``model.predict(x)``
  (goal: <= 2x torch eager); ``convlens Predictor (torch)``; ``convlens Predictor (onnx)``:
  ``convlens.serve.Predictor`` on the verified ONNX export, the in-process fast path;
* ``convlens serve HTTP``: a JSON ``POST /v1/predict`` round trip to ``convlens serve --runtime onnx`` on
  127.0.0.1 (keep-alive connection);
* ``onnxruntime``: ``session.run`` on the same file.

Goals (issue 25): the ONNX Runtime ``Predictor`` <= 0.1 ms p50; ``predict_on_batch`` and ``model(x)`` <= 1.2x torch
eager, ``predict`` <= 2x. Prints the CPU, its flags, threads and load first (``benchmarks/machine.py``).

Run: ``python benchmarks/latency_benchmark.py [--calls 2000] [--threads 1]``
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

import machine
from serving import start_serve


def measure(call: Callable[[], object], calls: int, warmup: int = 100) -> tuple[float, float]:
    """``(p50, p99)`` in milliseconds over ``calls`` timed calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    times = np.empty(calls)
    for i in range(calls):
        start = time.perf_counter()
        call()
        times[i] = time.perf_counter() - start
    return float(np.percentile(times, 50) * 1e3), float(np.percentile(times, 99) * 1e3)


def torch_twin(model) -> nn.Module:
    """The idiomatic PyTorch version of the notes' CNN, NCHW, holding convlens's weights."""
    net = nn.Sequential(nn.Conv2d(1, 10, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(10, 20, 5), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(320, 100), nn.ReLU(), nn.Linear(100, 10),
                        nn.Softmax(dim=1)).eval()
    w = model.get_weights()
    with torch.no_grad():
        for layer, (kernel, bias) in zip((net[0], net[3]), (w[0:2], w[2:4])):
            layer.weight.copy_(torch.from_numpy(kernel).permute(3, 2, 0, 1))
            layer.bias.copy_(torch.from_numpy(bias))
        # convlens flattens (H, W, C); NCHW flattens (C, H, W): permute the first dense layer's rows to match.
        dense = torch.from_numpy(w[4]).reshape(4, 4, 20, 100).permute(2, 0, 1, 3).reshape(320, 100)
        net[7].weight.copy_(dense.T)
        net[7].bias.copy_(torch.from_numpy(w[5]))
        net[9].weight.copy_(torch.from_numpy(w[6]).T)
        net[9].bias.copy_(torch.from_numpy(w[7]))
    return net


def keras_twin(model):
    """The notes' Keras code (Keras 3, torch backend) with convlens's weights, or the reason it is unavailable."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except Exception as err:  # Keras is optional here; any import failure is reported, not fatal
        return f"skipped ({type(err).__name__}: {err})"
    if keras.backend.backend() != "torch":
        return f"skipped (Keras backend is {keras.backend.backend()!r}; set KERAS_BACKEND=torch)"
    from keras import layers
    net = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(10, 5, activation="relu"), layers.MaxPooling2D(2),
                            layers.Conv2D(20, 5, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                            layers.Dense(100, activation="relu"), layers.Dense(10, activation="softmax")])
    net.set_weights(model.get_weights())
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per runtime (default 2000)")
    parser.add_argument("--threads", type=int, default=1, help="torch and onnxruntime threads (default 1)")
    args = parser.parse_args()
    if args.calls < 10:
        parser.error(f"--calls must be at least 10, got {args.calls}")
    torch.set_num_threads(args.threads)
    print(machine.header(), "\n", flush=True)  # the header's load average says how quiet the machine was

    from convlens.datasets import mnist_sample
    from convlens.zoo import create_model
    from convlens.serve.predictor import Predictor
    from convlens.saving.onnx import export_onnx, session

    torch.manual_seed(0)
    model = create_model("notes_mnist_cnn").eval()
    _, (x_test, _) = mnist_sample.load_data()
    digits = (x_test[:64, ..., None] / 255.0).astype(np.float32)
    folder = Path(tempfile.mkdtemp(prefix="convlens-latency-"))
    onnx_path = folder / "notes.onnx"
    print(export_onnx(model, onnx_path, samples=digits, verbose=False).line())

    counter = iter(range(1 << 62))

    def sample() -> np.ndarray:
        return digits[next(counter) % 64][None]

    expected = model.predict(digits)
    twin, keras_net = torch_twin(model), keras_twin(model)
    fast = Predictor(model, onnx_path=onnx_path, threads=args.threads)
    torch_predictor = Predictor(model)
    runner = session(onnx_path, args.threads)
    with torch.inference_mode():
        assert np.allclose(twin(torch.from_numpy(digits).permute(0, 3, 1, 2)).numpy(), expected, atol=1e-5)
    assert np.allclose(fast.predict(digits), expected, atol=1e-5)

    rows: list[tuple[str, float, float]] = []

    def run(name: str, call: Callable[[], object], calls: int = args.calls) -> None:
        p50, p99 = measure(call, calls)
        rows.append((name, p50, p99))
        print(f"{name:<30} p50 {p50:8.3f} ms   p99 {p99:8.3f} ms", flush=True)

    if isinstance(keras_net, str):
        print(f"keras 3: {keras_net}")
    else:
        assert np.allclose(keras_net.predict(digits, verbose=0), expected, atol=1e-4)
        run("keras 3 predict", lambda: keras_net.predict(sample(), verbose=0), min(args.calls, 500))
        run("keras 3 call", lambda: keras_net(sample(), training=False))

    def eager() -> None:
        with torch.inference_mode():
            twin(torch.from_numpy(sample()).permute(0, 3, 1, 2))

    run("torch eager", eager)
    def module_call() -> None:
        with torch.inference_mode():
            model(torch.from_numpy(sample()))

    run("convlens predict_on_batch", lambda: model.predict_on_batch(sample()))
    run("convlens model(x)", module_call)
    run("convlens model.predict", lambda: model.predict(sample(), verbose=0))
    run("convlens Predictor (torch)", lambda: torch_predictor.predict(sample()))
    run("convlens Predictor (onnx)", lambda: fast.predict(sample()))
    name = runner.get_inputs()[0].name
    run("onnxruntime session.run", lambda: runner.run(None, {name: sample()}))

    process, port = start_serve(onnx_path, "--runtime", "onnx", timeout=120)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        bodies = [json.dumps(d[..., 0].tolist()).encode() for d in digits]

        def round_trip() -> None:
            connection.request("POST", "/v1/predict", body=bodies[next(counter) % 64],
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            assert response.status == 200

        run("convlens serve HTTP (onnx)", round_trip, min(args.calls, 1000))
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=20)

    eager_p50 = next(p50 for n, p50, _ in rows if n == "torch eager")
    print(f"\n{'runtime':<30} {'p50 ms':>9} {'p99 ms':>9} {'p50 / torch eager':>18}")
    for name, p50, p99 in rows:
        print(f"{name:<30} {p50:9.3f} {p99:9.3f} {p50 / eager_p50:17.2f}x")
    p50_of = {n: p50 for n, p50, _ in rows}
    for name, goal in (("convlens predict_on_batch", 1.2), ("convlens model(x)", 1.2), ("convlens model.predict", 2.0)):
        ratio = p50_of[name] / eager_p50
        print(f"{name}: {ratio:.2f}x torch eager (goal <= {goal}x: {'met' if ratio <= goal else 'not met'})")
    onnx = p50_of["convlens Predictor (onnx)"]
    print(f"convlens Predictor (onnx): p50 {onnx:.3f} ms (goal <= 0.1 ms: {'met' if onnx <= 0.1 else 'not met'})")
    print(f"{args.threads} thread(s); [{machine.load_line()}]")


if __name__ == "__main__":
    main()
