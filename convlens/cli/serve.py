"""``convlens serve``: the live draw-a-digit page and the serving API for a saved model (needs ``convlens[serve]``).

Example:
    $ convlens serve runs/main                      # http://127.0.0.1:8000/
    $ convlens serve runs/main/model.onnx --runtime onnx
    $ convlens serve runs/main --max-batch-size 32 --max-batch-delay 2   # batch requests that arrive together
"""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="live page of a model (draw a digit, see every layer) + HTTP API")
    parser.add_argument("model", help="run folder, saved model file, or .onnx file (with --runtime onnx)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--runtime", default="torch", choices=["torch", "onnx"],
                        help="predict with torch (default) or onnxruntime (a convlens model is exported first)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per forward pass, torch or onnxruntime (default 1)")
    parser.add_argument("--max-batch-size", type=int, default=1,
                        help="samples per forward pass when requests arrive together (default 1: no batching)")
    parser.add_argument("--max-batch-delay", type=float, default=2.0,
                        help="milliseconds a batch waits for more requests (with --max-batch-size > 1; default 2)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from convlens.serve import serve
    except ModuleNotFoundError as err:
        raise ValueError(f"convlens serve needs {err.name}: pip install 'convlens[serve]'") from None
    if args.max_batch_size < 1:
        raise ValueError(f"--max-batch-size must be a positive whole number, got {args.max_batch_size}")
    if not 0 <= args.max_batch_delay <= 10_000:
        raise ValueError(f"--max-batch-delay must be between 0 and 10000 milliseconds, got {args.max_batch_delay}")
    serve(args.model, host=args.host, port=args.port, runtime=args.runtime, threads=args.threads,
          max_batch_size=args.max_batch_size, max_batch_delay_ms=args.max_batch_delay)
    return 0
