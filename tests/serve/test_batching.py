"""Dynamic batching: concurrent requests share forward passes, each gets its own answer, a bad one only its own 4xx."""
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from convlens.serve.batching import Batcher
from convlens.serve.predictor import BadInput

from .conftest import png_bytes, start_server, stop_server


class Recorder:
    """A model that doubles its input, records each forward pass's size and holds the first pass until released,
    so the requests sent meanwhile queue up and must travel together."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.release = threading.Event()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.sizes.append(len(x))
        if len(self.sizes) == 1:
            assert self.release.wait(30)
        if np.isnan(x).any():
            raise BadInput("inputs must be finite numbers (no NaN or infinity)")
        return x.reshape(len(x), -1) * 2


def test_concurrent_requests_share_a_pass_and_each_gets_its_own_rows():
    model = Recorder()
    batcher = Batcher(model, max_batch_size=8, max_delay=0.05)
    try:
        first = batcher.submit(np.full((1, 2), -1.0, np.float32))
        while not model.sizes:  # the first pass has started and holds the worker
            threading.Event().wait(0.005)
        futures = [batcher.submit(np.full((1 + i % 2, 2), float(i), np.float32)) for i in range(6)]
        model.release.set()
        assert first.result(30).tolist() == [[-2.0, -2.0]]
        for i, future in enumerate(futures):
            assert future.result(30).tolist() == [[2.0 * i, 2.0 * i]] * (1 + i % 2)
        assert model.sizes[1] > 1  # the requests queued behind the first pass went together
    finally:
        batcher.close()


def test_a_bad_request_in_a_batch_gets_its_error_and_the_others_their_answers():
    model = Recorder()
    model.release.set()
    batcher = Batcher(model, max_batch_size=16, max_delay=0.2)
    try:
        values = [1.0, float("nan"), 3.0, 4.0]
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = list(pool.map(lambda v: batcher.submit(np.full((1, 1), v, np.float32)), values))
        for value, future in zip(values, futures):
            if np.isnan(value):
                with pytest.raises(BadInput, match="finite"):
                    future.result(30)
            else:
                assert future.result(30).tolist() == [[2 * value]]
    finally:
        batcher.close()


@pytest.mark.parametrize("size, delay", [(0, 0.0), (True, 0.0), (4, -1.0)])
def test_bad_settings_are_refused_with_the_value(size, delay):
    with pytest.raises(ValueError, match=repr(size) if delay == 0 else "max_delay"):
        Batcher(lambda x: x, size, delay)


def test_served_with_batching_every_client_gets_its_own_answer_and_bad_ones_a_400(run_dir, model, digits):
    _, (x_test, _) = digits
    server = start_server([str(run_dir), "--max-batch-size", "8", "--max-batch-delay", "20"])
    try:
        samples = (x_test[:16] / 255.0).astype(np.float32)
        expected = model.predict(samples[..., None], verbose=0)
        work = [(json.dumps(s.tolist()).encode(), "application/json") for s in samples[:8]]
        work += [(png_bytes(x_test[i]), "image/png") for i in range(8, 16)]
        work[3] = (b"\x89PNG broken", "image/png")
        work[11] = (json.dumps(samples[0, :5].tolist()).encode(), "application/json")  # the wrong shape
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda item: server.request("/v1/predict", *item), work * 2))
        for i, (status, body) in enumerate(answers):
            if i % 16 in (3, 11):
                assert status == 400 and body["detail"], body
            else:
                assert status == 200, body
                np.testing.assert_allclose(body["probabilities"][0], expected[i % 16], atol=1e-5)
        assert server.request("/healthz")[0] == 200
    finally:
        stop_server(server)


def test_serve_refuses_a_bad_batch_size_in_one_line(run_dir):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "convlens.cli.main", "serve", str(run_dir), "--max-batch-size", "0"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--max-batch-size" in done.stderr and "Traceback" not in done.stderr
