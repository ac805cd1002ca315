"""Entry point of the `convlens` console script.

Example:
    $ convlens train --dataset mnist_sample --model notes_mnist_cnn --epochs 2
"""
from __future__ import annotations

import argparse
import importlib
import sys

# Each sub-command lives in its own module exposing `register(subparsers)`.
COMMANDS = ("train", "evaluate", "predict", "explain", "filter", "report", "serve", "export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convlens", description="Keras-style CNNs on PyTorch, made visible.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"convlens.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"convlens.cli.{name}":
                continue  # sub-command not written yet
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; a bad value or a missing file is reported in one line (exit code 2), not a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as err:
        print(f"convlens {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
