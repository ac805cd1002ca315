"""The serving API against `convlens serve` on a free 127.0.0.1 port: shapes, probabilities, 400/413, concurrency."""
import json
import socket
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tests.serve.conftest import TIMEOUT, drawn, png_bytes


def test_health_and_model_description(server, model):
    assert server.request("/healthz") == (200, {"status": "ok", "runtime": "torch"})
    status, info = server.request("/v1/model")
    assert status == 200
    assert info["input_shape"] == [None, 28, 28, 1] and info["class_names"][7] == "seven"
    rows = model.summary_rows()
    assert [layer["name"] for layer in info["layers"]] == [row.name for row in rows]
    conv = info["layers"][0]
    assert (conv["formula"], conv["receptive_field"], conv["macs"]) == (rows[0].formula, "5×5", 144000)
    assert [layer["kind"] for layer in info["layers"]] == ["conv", "pool", "conv", "pool", "other", "dense", "output"]


def test_json_arrays_give_probabilities_that_match_the_model(server, model, digits):
    _, (x_test, _) = digits
    batch = (x_test[:3] / 255.0).astype(np.float32)
    expected = model.predict(batch[..., None])
    for value, rows in ((batch[0].tolist(), 1), ({"inputs": batch.tolist()}, 3), (batch[..., None].tolist(), 3)):
        status, answer = server.post_json("/v1/predict", value)
        assert status == 200, answer
        probabilities = np.array(answer["probabilities"])
        assert probabilities.shape == (rows, 10)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
        np.testing.assert_allclose(probabilities, expected[:rows], atol=1e-5)
        assert [p["index"] for p in answer["predictions"]] == expected[:rows].argmax(axis=1).tolist()
        assert answer["predictions"][0]["class"] == model.class_names[answer["predictions"][0]["index"]]


def test_image_uploads_raw_multipart_and_jpeg(server, digits):
    _, (x_test, _) = digits
    png = png_bytes(drawn(x_test[5]))
    raw = server.request("/v1/predict?mnist_style=true&top=3", png, "image/png")
    boundary = "convlensboundary"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + png + f"\r\n--{boundary}--\r\n".encode()
    multipart = server.request("/v1/predict?mnist_style=true&top=3", form, f"multipart/form-data; boundary={boundary}")
    assert raw[0] == multipart[0] == 200
    assert raw[1] == multipart[1]
    assert len(raw[1]["predictions"][0]["top"]) == 3
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.fromarray(x_test[5]).save(buffer, "JPEG", quality=95)
    status, answer = server.request("/v1/predict", buffer.getvalue(), "image/jpeg")  # plain resize, no mnist_style
    assert status == 200 and np.isclose(sum(answer["probabilities"][0]), 1.0, atol=1e-5)


@pytest.mark.parametrize("body, content_type, message", [
    (b"[1, 2", "application/json", "not valid JSON"),
    (b"[[1, 2], [3, 4]]", "application/json", "must have shape (28, 28, 1)"),
    (json.dumps([[["a"] * 28] * 28]).encode(), "application/json", "nested list of numbers"),
    (json.dumps([[1, 2], [3]]).encode(), "application/json", "nested list of numbers"),
    (b"[[NaN]]", "application/json", "must have shape"),
    (json.dumps([[float(1e39)] * 28] * 28).encode(), "application/json", "finite"),
    (b'{"pixels": []}', "application/json", '"inputs"'),
    (b"", "image/png", "empty body"),
    (b"\x89PNG\r\n\x1a\n not really a png", "image/png", "cannot read the image"),
    (png_bytes(np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8))[:300], "image/png",
     "cannot read the image"),
    (b"hello", "application/octet-stream", "cannot read the image"),
    (b"--x\r\n\r\n--x--", "multipart/form-data; boundary=x", "multipart"),
])
def test_bad_requests_get_400_with_a_message(server, body, content_type, message):
    status, answer = server.request("/v1/predict", body, content_type)
    assert status == 400, answer
    assert message in answer["detail"]


def test_bad_query_values_and_unit_requests(server):
    ok = json.dumps(np.zeros((28, 28)).tolist()).encode()
    assert server.request("/v1/predict?top=abc", ok, "application/json")[0] == 400
    assert server.request("/v1/predict?mnist_style=maybe", ok, "application/json")[0] == 400
    assert server.request("/v1/predict?mnist_style=1", ok, "application/json")[0] == 400
    status, answer = server.post_json("/v1/explain", {"input_id": "nope", "layer": "conv2d_1", "channel": 0})
    assert status == 400 and "input_id" in answer["detail"]
    assert server.request("/v1/explain", b"{", "application/json")[0] == 400
    assert server.request("/v1/predict", method="GET")[0] == 405


def raw_post(port: int, head: bytes, body_parts) -> bytes:
    """Send a request over a plain socket and return the status line; the server may answer (413) and close
    before the whole body is sent, so send errors are expected and ignored."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        try:
            sock.sendall(head)
            for part in body_parts:
                sock.sendall(part)
        except OSError:
            pass
        return sock.makefile("rb").readline()


def test_bodies_over_one_mebibyte_get_413_declared_or_streamed(server):
    size = (1 << 20) + 1
    declared = (f"POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                f"Content-Length: {size}\r\n\r\n").encode()
    assert b" 413 " in raw_post(server.port, declared, [b"0" * size])
    chunked = (b"POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n")  # no Content-Length: counted as it streams in
    chunks = [b"10000\r\n" + b"x" * 65536 + b"\r\n" for _ in range(20)] + [b"0\r\n\r\n"]
    assert b" 413 " in raw_post(server.port, chunked, chunks)
    assert server.request("/healthz")[0] == 200


def test_inspect_and_explain_a_unit(server, digits):
    _, (x_test, _) = digits
    status, data = server.request("/v1/inspect?mnist_style=1", png_bytes(drawn(x_test[0])), "image/png")
    assert status == 200, data
    assert set(data["stages"]) == {"grey", "inverted", "cropped", "scaled", "centred", "naive"}
    assert [layer["shape"] for layer in data["layers"]][:2] == [[24, 24, 10], [12, 12, 10]]
    status, unit = server.post_json("/v1/explain", {"input_id": data["input_id"], "layer": "conv2d_2",
                                                    "channel": 3, "row": 2, "col": 5})
    assert status == 200, unit
    assert unit["matches"] and "bias" in unit["text"] and "→ relu →" in unit["text"]
    assert unit["box"] == [[4, 18], [10, 24]]  # 14×14 receptive field of conv2d_2, unit (2, 5), jump 2
    status, unit = server.post_json("/v1/explain", {"input_id": data["input_id"], "layer": "max_pooling2d_1",
                                                    "channel": 1, "row": 0, "col": 0})
    assert status == 200 and unit["matches"] and unit["box"] == [[0, 6], [0, 6]]


def test_kernel_playground_on_the_drawn_digit(server, digits):
    from convlens import kernels

    _, (x_test, _) = digits
    status, bank = server.request("/v1/kernels")
    assert status == 200 and [k["name"] for k in bank] == kernels.list_kernels()
    status, data = server.request("/v1/inspect?mnist_style=1", png_bytes(drawn(x_test[0])), "image/png")
    assert status == 200, data
    status, named = server.post_json("/v1/filter", {"input_id": data["input_id"], "kernel": "edge2"})
    status_typed, typed = server.post_json("/v1/filter", {"input_id": data["input_id"],
                                                          "kernel": "0 -1 0; -1 4 -1; 0 -1 0", "row": 14, "col": 9})
    assert status == status_typed == 200, (named, typed)
    assert named["shape"] == [28, 28] and named["output"] == typed["output"]
    assert named["min"] < 0 < named["max"]  # an edge kernel's response is signed
    assert (typed["row"], typed["col"]) == (14, 9) and typed["step"].startswith("output[14, 9] ← input[14:17, 9:12]")
    for body, message in (({"input_id": data["input_id"], "kernel": "wobble"}, "unknown kernel 'wobble'"),
                          ({"input_id": "nope", "kernel": "edge2"}, "unknown or expired input_id"),
                          ({"input_id": data["input_id"]}, "expected JSON"),
                          ({"input_id": data["input_id"], "kernel": 3}, "kernel must be a name")):
        status, answer = server.post_json("/v1/filter", body)
        assert status == 400 and message in answer["detail"], answer


def test_concurrent_clients_get_the_serial_answers_and_the_server_survives(server, digits):
    _, (x_test, _) = digits
    bodies = [json.dumps((x_test[i] / 255.0).tolist()).encode() for i in range(12)]
    images = [png_bytes(drawn(x_test[i])) for i in range(12, 18)]
    serial = [server.request("/v1/predict", b, "application/json") for b in bodies]
    serial += [server.request("/v1/predict?mnist_style=1", b, "image/png") for b in images]
    work = [(b, "application/json", "") for b in bodies] + [(b, "image/png", "?mnist_style=1") for b in images]

    def call(item):
        body, kind, query = item
        return server.request("/v1/predict" + query, body, kind)

    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(call, work * 3))
    assert concurrent == serial * 3
    with ThreadPoolExecutor(max_workers=8) as pool:  # bad and good requests mixed
        mixed = list(pool.map(lambda b: server.request("/v1/predict", b, "application/json"),
                              [b"[1,", bodies[0], b"\x00\xff", bodies[1]] * 4))
    assert [status for status, _ in mixed] == [400, 200, 400, 200] * 4
    assert server.process.poll() is None
    assert server.request("/healthz")[0] == 200
