"""A trained notes' CNN saved as a run folder, and `convlens serve` on it in a subprocess on a free 127.0.0.1 port."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch

from convlens.datasets import mnist_sample
from convlens.zoo import create_model

TIMEOUT = 60  # seconds for any one request: the machine is shared, but nothing may hang forever


@pytest.fixture(scope="session")
def digits():
    (x_train, y_train), (x_test, y_test) = mnist_sample.load_data()
    return (x_train, y_train), (x_test, y_test)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory, digits):
    """The notes' MNIST CNN trained for one epoch on 2,000 real digits (good enough to have opinions)."""
    (x_train, y_train), _ = digits
    torch.manual_seed(0)
    model = create_model("notes_mnist_cnn")
    model.compile("adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train[::2, ..., None] / 255.0, y_train[::2], epochs=1, batch_size=32, verbose=0)
    model.class_names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    folder = tmp_path_factory.mktemp("run")
    model.save(folder / "model.convlens")
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process, self.port = process, port
        self.url = f"http://127.0.0.1:{port}"

    def request(self, path: str, body: bytes | None = None, content_type: str | None = None,
                method: str | None = None) -> tuple[int, dict | str]:
        """``(status, JSON or text)`` of one bounded request."""
        headers = {"Content-Type": content_type} if content_type else {}
        req = urllib.request.Request(self.url + path, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as res:
                status, raw, kind = res.status, res.read(), res.headers.get("content-type", "")
        except urllib.error.HTTPError as err:
            status, raw, kind = err.code, err.read(), err.headers.get("content-type", "")
        return status, json.loads(raw) if "json" in kind else raw.decode()

    def post_json(self, path: str, value) -> tuple[int, dict]:
        return self.request(path, json.dumps(value).encode(), "application/json")


def start_server(args: list[str]) -> Server:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "convlens.cli.main", "serve", *args, "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    process.log = log
    server = Server(process, port)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"convlens serve exited: {log.read().decode()}")
        try:
            if server.request("/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("convlens serve did not answer /healthz within 120 s")


@pytest.fixture(scope="session")
def server(run_dir):
    server = start_server([str(run_dir)])
    yield server
    stop_server(server)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=20)
    server.process.log.close()


@pytest.fixture(scope="session")
def model(run_dir):
    from convlens.models import load_model
    return load_model(Path(run_dir) / "model.convlens", compile=False)


def png_bytes(array: np.ndarray) -> bytes:
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def drawn(digit: np.ndarray, scale: int = 10, offset: tuple[int, int] = (0, 0), canvas: int = 280) -> np.ndarray:
    """An MNIST digit as a person draws it on the page's canvas: upscaled, dark ink on white, somewhere."""
    from PIL import Image
    big = np.asarray(Image.fromarray(digit).resize((28 * scale, 28 * scale), Image.Resampling.BILINEAR))
    page = np.zeros((canvas, canvas), np.uint8)
    top, left = offset
    h, w = min(big.shape[0], canvas - top), min(big.shape[1], canvas - left)
    page[top:top + h, left:left + w] = big[:h, :w]
    return 255 - page
