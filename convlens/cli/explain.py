"""`convlens explain conv2d|conv1d|pool2d`: print a convolution or pooling step by step.

Example:
    $ convlens explain conv2d --image "1 1 1 0 0; 0 1 1 1 0; 0 0 1 1 1; 0 0 1 1 0; 0 1 1 0 0" \\
          --kernel "1 0 1; 0 1 0; 1 0 1" --figure step0.png
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from convlens.cli._outputs import check_figure_suffix


def _ints(text: str) -> int | tuple[int, ...]:
    """``'2'`` → 2, ``'2,1'`` → (2, 1)."""
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an int or ints separated by commas, got {text!r}") from None
    if not values:
        raise argparse.ArgumentTypeError(f"expected an int or ints separated by commas, got {text!r}")
    return values[0] if len(values) == 1 else values


def _padding(text: str) -> str | int | tuple[int, ...]:
    return text if text in ("valid", "same") else _ints(text)


def _kernel(spec: str) -> np.ndarray:
    from convlens.explain import load_matrix
    from convlens.kernels import as_kernel

    return load_matrix(spec) if Path(spec).is_file() else as_kernel(spec)


def _run(args: argparse.Namespace) -> int:
    from convlens import explain

    try:
        if args.figure is not None:
            check_figure_suffix(args.figure, "--figure")
        data = explain.load_matrix(args.image)
        if args.op == "pool2d":
            trace = explain.pool2d(data, args.size, args.stride, args.mode, args.padding)
        elif args.op == "conv1d":
            if data.shape[0] != 1:
                raise ValueError(f"conv1d needs one row of values, got a matrix of shape {data.shape}")
            kernel = _kernel(args.kernel)
            trace = explain.conv1d(data[0], kernel.ravel(), args.stride, args.padding, args.bias)
        else:
            trace = explain.conv2d(data, _kernel(args.kernel), args.stride, args.padding, args.bias)
        count = len(trace.steps)
        if not -count <= args.step < count:
            raise ValueError(f"--step {args.step} is out of range: this {args.op} has {count} steps (0 to "
                             f"{count - 1}; -1 is the last)")
        sys.stdout.write(trace.to_text(max_steps=None if args.max_steps < 0 else args.max_steps) + "\n")
        if args.figure:
            step = args.step % count
            trace.figure(step=step).savefig(args.figure, dpi=100)
            sys.stdout.write(f"\nfigure of step {step} (of 0–{count - 1}) written to {args.figure}\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped reading: not an error. Point stdout at /dev/null so the interpreter's
        # final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``explain`` sub-command (with ``conv2d``, ``conv1d`` and ``pool2d``) to the CLI."""
    parser = subparsers.add_parser("explain", help="print a convolution or pooling step by step",
                                   description="Print every step of a small convolution or pooling.")
    ops = parser.add_subparsers(dest="op", required=True)
    matrix_help = "inline rows like '1 0 1; 0 1 0', a text/CSV file, or an image file (read as grayscale)"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--image", required=True, help=matrix_help)
    common.add_argument("--figure", metavar="PNG", help="also save a figure of one step")
    common.add_argument("--step", type=int, default=0, help="the step drawn by --figure (default 0; -1: last)")
    common.add_argument("--max-steps", type=int, default=20, help="steps written out (default 20; -1: all)")
    for op in ("conv2d", "conv1d"):
        conv = ops.add_parser(op, parents=[common], help=f"explain {op} (cross-correlation)")
        conv.add_argument("--kernel", required=True, help=f"a kernel name (see `convlens filter --list`) or "
                                                          f"{matrix_help}")
        conv.add_argument("--stride", type=_ints, default=1, help="int or 'h,w' (default 1)")
        conv.add_argument("--padding", type=_padding, default=0, help="'valid', 'same', int or 'h,w' (default 0)")
        conv.add_argument("--bias", type=float, default=0.0)
    pool = ops.add_parser("pool2d", parents=[common], help="explain 2-D pooling")
    pool.add_argument("--size", type=_ints, default=2, help="window: int or 'h,w' (default 2)")
    pool.add_argument("--stride", type=_ints, default=None, help="default: the window size")
    pool.add_argument("--mode", choices=["max", "average", "sum", "l2"], default="max")
    pool.add_argument("--padding", choices=["valid", "same"], default="valid")
    parser.set_defaults(func=_run)
