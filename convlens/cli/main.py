"""Entry point of the `convlens` console script.

Example:
    $ convlens train --dataset mnist_sample --model notes_mnist_cnn --epochs 2
    $ convlens --debug train --epochs 0     # any error also prints its full traceback (or CONVLENS_DEBUG=1)
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys

from convlens.cli._common import model_names
from convlens.cli._errors import debug_requested, report

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
    parser.add_argument("--debug", action="store_true",
                        help="on an error, also print the full traceback (as does CONVLENS_DEBUG=1)")
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
    """Run a sub-command. A usage mistake, a bad value or an unreadable/missing file (including a dataset that
    cannot be downloaded) is reported in one line, exit code 2; any other error is a bug, reported in one line that
    says so and how to report it, exit code 1. ``--debug`` (or ``CONVLENS_DEBUG=1``) adds the full traceback."""
    try:
        args = build_parser().parse_args(argv)
    except CommandLineError as err:
        print(err, file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except Exception as err:  # noqa: BLE001 - every error reaches the user as one line and an exit code
        command = " ".join(filter(None, (args.command, getattr(args, "op", None))))
        return report(err, command, debug_requested(args.debug))


if __name__ == "__main__":
    sys.exit(main())
