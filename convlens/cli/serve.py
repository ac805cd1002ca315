"""``convlens serve``: the live draw-a-digit page and the serving API for a saved model (needs ``convlens[serve]``).

Example:
    $ convlens serve runs/main                      # http://127.0.0.1:8000/
    $ convlens serve runs/main/model.onnx --runtime onnx
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
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads per request (default 1)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from convlens.serve import serve
    except ModuleNotFoundError as err:
        raise ValueError(f"convlens serve needs {err.name}: pip install 'convlens[serve]'") from None
    serve(args.model, host=args.host, port=args.port, runtime=args.runtime, threads=args.threads)
    return 0
