"""``convlens.serve.show`` / ``stop``: the live page served from a daemon thread on 127.0.0.1, reused and swapped."""
import json
import socket
import threading
import urllib.request

import pytest

from convlens import Sequential, serve
from convlens.layers import Dense, Flatten


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on ``port``, read from the kernel's own table."""
    found = set()
    with open("/proc/net/tcp") as table:
        for line in list(table)[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def page_thread(port: int) -> threading.Thread:
    (thread,) = [t for t in threading.enumerate() if t.name == f"convlens-live-page-{port}"]
    return thread


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].strip("/"))


def tiny(units: int, name: str):
    return Sequential([Flatten(input_shape=(28, 28, 1)), Dense(units, activation="softmax")], name=name)


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


@pytest.fixture
def stopped():
    yield
    serve.stop()


def test_show_serves_the_page_reuses_the_server_and_swaps_the_model(stopped, capsys):
    url = serve.show(tiny(3, "first"))
    assert url.startswith("http://127.0.0.1:") and serve.url() == url
    assert "convlens live page: " + url in capsys.readouterr().out  # plain Python: the address, not an IFrame
    status, page = get(url)
    assert status == 200 and b"<canvas" in page
    assert json.loads(get(url + "v1/model")[1])["class_names"] == ["0", "1", "2"]
    thread = page_thread(port_of(url))
    assert thread.daemon and thread.is_alive()

    assert serve.show(tiny(5, "second"), display=False) == url  # same server, same port, new model
    assert page_thread(port_of(url)) is thread
    assert json.loads(get(url + "v1/model")[1])["class_names"] == ["0", "1", "2", "3", "4"]
    assert capsys.readouterr().out == ""

    port = port_of(url)
    assert serve.stop() is True and serve.url() is None and not thread.is_alive()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert serve.stop() is False


def test_show_binds_loopback_only(stopped):
    url = serve.show(tiny(2, "m"), display=False)
    assert listening_addresses(port_of(url)) == {"127.0.0.1"}


def test_show_says_what_it_expected():
    with pytest.raises(ValueError, match="height must be an integer number of pixels ≥ 100, got 10"):
        serve.show(tiny(2, "m"), height=10)
    with pytest.raises(TypeError, match="got int"):
        serve.show(3)
    assert serve.url() is None
