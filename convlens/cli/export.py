"""``convlens export``: write a saved model to ONNX, verified against onnxruntime (needs ``convlens[export]``).

Example:
    $ convlens export runs/main --format onnx        # writes runs/main/model.onnx
"""
from __future__ import annotations

import argparse
from pathlib import Path

from convlens.cli._common import model_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="export a saved model (ONNX), verified with onnxruntime")
    parser.add_argument("model", help="run folder or saved model file")
    parser.add_argument("--format", default="onnx", choices=["onnx"], help="file format (default onnx)")
    parser.add_argument("--output", help="where to write (default: model.onnx next to the model)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from convlens.export import export_model
    from convlens.models import load_model
    source = model_path(args.model)
    model = load_model(source, compile=False)
    output = Path(args.output) if args.output else source.with_suffix(".onnx")
    report = export_model(model, output, args.format, verbose=False)
    print(report.line())
    return 0
