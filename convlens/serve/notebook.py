"""The live page inside a notebook: ``show(model)`` serves it from a background thread and displays it in an IFrame.

The server binds 127.0.0.1 on a free port chosen by the system, runs uvicorn in a daemon thread (it never keeps
the kernel alive) and answers through a small switchboard app, so a second ``show(other_model)`` swaps the model
behind the same address instead of starting another server; ``stop()`` shuts it down.

State: one module-level handle, ``_SERVER`` (the running server, or None). It exists because a notebook's cells are
run again and again and know nothing of each other: without it each ``show()`` would start one more server on one
more port, the IFrames of earlier cells would keep talking to older models, and ``stop()`` could not find the server.
Colab and other remote notebooks cannot show the IFrame (their browser cannot reach this machine's 127.0.0.1); there,
serve the port with the service's own tool, e.g. ``google.colab.output.serve_kernel_port_as_iframe(port)``.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Flatten, Dense
    >>> model = Sequential([Flatten(input_shape=(28, 28, 1)), Dense(10, activation="softmax")])
    >>> url = show(model, display=False)          # outside a notebook: start, return the address
    >>> url.startswith("http://127.0.0.1:"), show(model, display=False) == url   # the same server again
    (True, True)
    >>> stop()
    True
"""
from __future__ import annotations

import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn

from convlens.callbacks.notebook import kernel_display
from convlens.serve.app import create_app
from convlens.serve.server import predictor_for

HOST = "127.0.0.1"  # the page runs whatever the notebook's model computes: never expose it beyond this machine
START_TIMEOUT = 10.0


class Switchboard:
    """An ASGI app that forwards every request to ``self.app``, which ``show()`` replaces to swap the model."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@dataclass
class LiveServer:
    """A running page: its address, the uvicorn server, its thread and the switchboard that holds the model."""

    url: str
    port: int
    server: uvicorn.Server
    thread: threading.Thread
    switchboard: Switchboard


# The one module-level handle (why: see the module docstring). None until show() runs and again after stop().
_SERVER: LiveServer | None = None


def _start(app: Any) -> LiveServer:
    """Bind 127.0.0.1 on a free port, start uvicorn on that socket in a daemon thread, wait until it answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    switchboard = Switchboard(app)
    # log_config=None: uvicorn leaves logging alone (its own config would bind handlers to the sys.stderr of the
    # moment, which a notebook or a test may close later)
    config = uvicorn.Config(switchboard, log_level="warning", lifespan="off", access_log=False, log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"convlens-live-page-{port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the live page's server on {HOST}:{port} did not start within {START_TIMEOUT:.0f} s")
        time.sleep(0.02)
    return LiveServer(f"http://{HOST}:{port}/", port, server, thread, switchboard)


def show(model: Any, height: int = 760, width: str | int = "100%", display: bool = True, runtime: str = "torch",
         threads: int = 1) -> str:
    """Serve the live draw-a-digit page of ``model`` (a model, run folder, model file or ``.onnx`` file) and show
    it in an IFrame under the cell; returns the page's address.

    The first call starts the server; later calls reuse it and swap in the new model. ``display=False`` (or plain
    Python, where there is nothing to display into) only starts or updates the server.
    """
    global _SERVER
    if not isinstance(height, int) or height < 100:
        raise ValueError(f"height must be an integer number of pixels ≥ 100, got {height!r}")
    app = create_app(predictor_for(model, runtime, threads))
    if _SERVER is not None and _SERVER.thread.is_alive():
        _SERVER.switchboard.app = app
    else:
        _SERVER = _start(app)
    show_frame = kernel_display() if display else None
    if show_frame is not None:
        iframe = sys.modules["IPython.display"].IFrame(_SERVER.url, width=width, height=height)
        show_frame(iframe)
    elif display:
        print(f"convlens live page: {_SERVER.url}", flush=True)
    return _SERVER.url


def url() -> str | None:
    """The running page's address, or None when ``show()`` has not started one.

    Example:
        >>> url() is None
        True
    """
    return _SERVER.url if _SERVER is not None and _SERVER.thread.is_alive() else None


def stop(timeout: float = 5.0) -> bool:
    """Shut the page's server down (waiting up to ``timeout`` seconds); False when none was running.

    Example:
        >>> stop()
        False
    """
    global _SERVER
    if _SERVER is None:
        return False
    running, _SERVER = _SERVER, None
    running.server.should_exit = True
    running.thread.join(timeout)
    return True
