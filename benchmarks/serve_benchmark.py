"""Serving under load: ``convlens serve`` of the notes' CNN on 127.0.0.1, 8 concurrent clients posting digit PNGs.

For each configuration (runtime torch / onnx, without and with dynamic batching: ``--max-batch-size`` /
``--max-batch-delay``) a fresh ``convlens serve`` subprocess serves the notes' MNIST CNN (saved once, seed 0); after
``--warmup`` untimed requests, ``--clients`` threads (each with its own keep-alive connection) post ``--requests``
real 28x28 digit PNGs in all to ``POST /v1/predict``. Prints requests/s, p50 / p99 latency, the status counts and
the server's resident memory before and after the load (flat RSS: no leak per request).
Goal (issue 25): >= 1,000 requests/s with p99 <= 25 ms and no 5xx on 2 cores. The clients run on the same cores as
the server, as the issue's measurement did.

Run: ``python benchmarks/serve_benchmark.py [--requests 2000] [--clients 8] [--configs torch torch:8 onnx onnx:8]``
(``RUNTIME:N`` batches up to N samples per forward pass, waiting at most ``--delay`` ms).
"""
from __future__ import annotations

import argparse
import collections
import http.client
import io
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

import machine
from serving import start_serve


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load(port: int, bodies: list[bytes], requests: int, clients: int) -> tuple[float, np.ndarray, collections.Counter]:
    """(seconds, latencies in ms, status counts) of ``requests`` POSTs spread over ``clients`` threads."""
    latencies = np.zeros(requests)
    statuses: collections.Counter = collections.Counter()
    lock = threading.Lock()
    counter = iter(range(requests))

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            start = time.perf_counter()
            try:
                connection.request("POST", "/v1/predict", body=bodies[index % len(bodies)],
                                   headers={"Content-Type": "image/png"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError as err:  # a dropped connection counts, and the client reconnects
                status = type(err).__name__
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            latencies[index] = (time.perf_counter() - start) * 1000
            with lock:
                statuses[status] += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per configuration")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--delay", type=float, default=2.0, help="--max-batch-delay in ms for batching configs")
    parser.add_argument("--configs", nargs="+", default=["torch", "torch:8", "onnx", "onnx:8"])
    args = parser.parse_args()
    if args.requests < 1 or args.clients < 1:
        parser.error("--requests and --clients must be positive")
    print(machine.header())
    from convlens.datasets import mnist_sample
    from convlens.zoo import create_model
    _, (x_test, _) = mnist_sample.load_data()
    bodies = []
    for digit in x_test[:64]:
        buffer = io.BytesIO()
        Image.fromarray(digit).save(buffer, "PNG")
        bodies.append(buffer.getvalue())
    folder = Path(tempfile.mkdtemp(prefix="convlens-serve-bench-"))
    torch.manual_seed(0)
    model_file = folder / "model.convlens"
    create_model("notes_mnist_cnn").save(model_file)
    print(f"{args.clients} clients, {args.requests} PNG requests per configuration after {args.warmup} untimed; "
          f"batching waits at most {args.delay} ms\n")
    rows = []
    for config in args.configs:
        runtime, _, size = config.partition(":")
        batch = int(size or 1)
        process, port = start_serve(model_file, "--runtime", runtime, "--max-batch-size", str(batch),
                                    "--max-batch-delay", str(args.delay))
        try:
            load(port, bodies, args.warmup, args.clients)
            before = rss_mb(process.pid)
            seconds, latencies, statuses = load(port, bodies, args.requests, args.clients)
            after = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
        name = f"{runtime}, " + (f"batch <= {batch}" if batch > 1 else "no batching")
        p50, p99 = np.percentile(latencies, 50), np.percentile(latencies, 99)
        rows.append((name, args.requests / seconds, p50, p99, dict(statuses), before, after))
        print(f"{name:<22}{args.requests / seconds:8.0f} requests/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
              f"statuses {dict(statuses)}  RSS {before:.0f} -> {after:.0f} MB", flush=True)
    print(f"\n{'configuration':<22}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}  {'RSS MB':>13}  statuses")
    for name, rate, p50, p99, statuses, before, after in rows:
        print(f"{name:<22}{rate:8.0f}{p50:8.1f}{p99:8.1f}  {before:6.0f}->{after:<6.0f}  {statuses}")
    best = max(rows, key=lambda r: r[1])
    fives = sum(v for row in rows for k, v in row[4].items() if not (isinstance(k, int) and k < 500))
    met = best[1] >= 1000 and best[3] <= 25 and fives == 0
    print(f"best: {best[0]} {best[1]:.0f} requests/s, p99 {best[3]:.1f} ms (goal >= 1,000 requests/s, p99 <= 25 ms, "
          f"no 5xx: {'met' if met else 'not met'}); 5xx or dropped: {fives}")
    print(f"[{machine.load_line()}]")


if __name__ == "__main__":
    main()
