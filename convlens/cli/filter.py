"""`convlens filter IMAGE --kernel sharpen`: filter an image with a classic kernel (or all of them, as a grid).

Example:
    $ convlens filter photo.jpg --kernel sobel_x --out edges.png
    $ convlens filter photo.jpg --all --out grid.png
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from convlens.cli._outputs import check_figure_suffix, check_image_suffix


def _load(path: str, gray: bool) -> np.ndarray:
    from convlens.data import load_image

    image = load_image(path, "grayscale" if gray else None)  # grey files stay grey
    return image[..., 0] if image.shape[-1] == 1 else image


def kernel_text(name: str, kernel: np.ndarray) -> str:
    """The kernel's values and their sum, as the CLI prints them."""
    from convlens.explain.text import block, number

    return block(f"{name} (sum {number(kernel.sum())})", kernel)


def blur_warning(kernel: np.ndarray) -> str | None:
    """A warning for a blur kernel (no negative value) whose values do not sum to 1, e.g. a Gaussian typed without
    its /16: every pixel is multiplied by the sum, so the picture whitens (or darkens)."""
    from convlens.explain.text import number

    total = float(kernel.sum())
    if kernel.min() < 0 or total <= 0 or abs(total - 1.0) < 1e-6:
        return None
    return (f"warning: this blur kernel's values sum to {number(total)}, not 1, so the result is {number(total)}x "
            f"{'brighter' if total > 1 else 'darker'}; divide the kernel by {number(total)} to keep the brightness")


def _run(args: argparse.Namespace) -> int:
    from convlens import kernels

    if args.list:
        for name in kernels.list_kernels(include_aliases=True):
            print(f"{name:18s} {kernels.describe_kernel(name)}")
        return 0
    try:
        if args.image is None:
            raise ValueError("give an IMAGE to filter (or --list to see the kernels)")
        if args.out is not None:
            (check_figure_suffix if args.all else check_image_suffix)(args.out, "--out")
        image = _load(args.image, args.gray)
        stem = Path(args.image).stem
        if args.all:
            from convlens.explain.kernel_grid import kernel_grid

            out = Path(args.out or f"{stem}_kernels.png")
            kernel_grid(image).savefig(out, dpi=100)
            for name in kernels.list_kernels():
                print(kernel_text(name, kernels.get_kernel(name)))
        else:
            from PIL import Image

            kernel = kernels.as_kernel(args.kernel)
            label = args.kernel if args.kernel in kernels.list_kernels(include_aliases=True) else "custom"
            print(kernel_text(label, kernel))
            warning = blur_warning(kernel)
            if warning:
                print(warning, file=sys.stderr)
            filtered = kernels.apply(image, kernel, padding=args.padding, border=args.border)
            out = Path(args.out or f"{stem}_{label}.png")
            Image.fromarray(filtered).save(out)
        print(f"written {out}")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (`| head`) stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``filter`` sub-command to the CLI."""
    parser = subparsers.add_parser("filter", help="filter an image with a classic kernel",
                                   description="Filter an image with a named or typed-in kernel.")
    parser.add_argument("image", nargs="?", help="image file (any format Pillow reads)")
    parser.add_argument("--kernel", default="sharpen", help="kernel name or rows like '0 -1 0; -1 5 -1; 0 -1 0'")
    parser.add_argument("--all", action="store_true", help="save a grid of the image through every kernel")
    parser.add_argument("--list", action="store_true", help="list the kernel names and exit")
    parser.add_argument("--out", help="output PNG (default: IMAGE-stem_KERNEL.png in the current directory)")
    parser.add_argument("--padding", choices=["same", "valid"], default="same")
    parser.add_argument("--border", choices=["reflect", "edge", "constant"], default="reflect",
                        help="how 'same' padding fills the border (default reflect)")
    parser.add_argument("--gray", action="store_true", help="convert the image to grayscale first")
    parser.set_defaults(func=_run)
