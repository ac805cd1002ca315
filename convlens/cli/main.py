"""Entry point of the `convlens` console script.

Example:
    $ convlens train --dataset mnist_sample --model notes_mnist_cnn --epochs 2
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys

from convlens.cli._common import model_names

# Each sub-command lives in its own module exposing `register(subparsers)`.
COMMANDS = ("train", "evaluate", "predict", "explain", "filter", "report", "pretrain", "finetune", "serve", "export")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, unless its help already says it or there is none to show."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        return super()._get_help_string(action)


class CommandLineError(Exception):
    """A usage mistake (bad option value, missing argument): reported in one line."""


class _Parser(argparse.ArgumentParser):
    """Every (sub-)parser shows defaults in --help and reports a usage mistake in one line (exit code 2)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        raise CommandLineError(f"{self.prog}: error: {message} (see {self.prog} --help)")


def version() -> str:
    """The installed convlens version (or the source tree's, when run from a checkout)."""
    try:
        return importlib.metadata.version("convlens")
    except importlib.metadata.PackageNotFoundError:
        from convlens import __version__
        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="convlens", description="Keras-style CNNs on PyTorch, made visible.",
                     epilog=f"Registered models: {model_names()}. `convlens COMMAND --help` shows each command's "
                            f"options and their defaults.")
    parser.add_argument("--version", action="version", version=f"convlens {version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
    """Run a sub-command; a usage mistake, a bad value or an unreadable/missing file (including a dataset that
    cannot be downloaded) is reported in one line (exit code 2), not a traceback."""
    try:
        args = build_parser().parse_args(argv)
    except CommandLineError as err:
        print(err, file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError) as err:  # OSError: missing/unreadable files, downloads that failed (offline)
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"convlens {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
