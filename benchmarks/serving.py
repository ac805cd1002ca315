"""Start ``convlens serve`` on a free 127.0.0.1 port for a benchmark, and wait until it answers ``/healthz``.

Example (not run here; it starts a server):
    process, port = start_serve("runs/main", "--runtime", "onnx")
"""
from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(model: str, *options: str, timeout: float = 180) -> tuple[subprocess.Popen, int]:
    """``convlens serve MODEL --port P *options`` in a child process, once it answers; killed if it never does."""
    port = free_port()
    command = [sys.executable, "-m", "convlens.cli.main", "serve", str(model), "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"`{' '.join(command[2:])}` did not start within {timeout:.0f} s")
