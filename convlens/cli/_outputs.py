"""Checks of an output file's name before any work is done, so that a typo in ``--out x.pnj`` is the user's one-line
mistake and not an error deep inside Pillow or matplotlib after the work.

Example:
    >>> check_image_suffix("edges.png", "--out")
    >>> check_figure_suffix("grid.pnj", "--figure")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --figure 'grid.pnj': cannot write a '.pnj' figure; expected one of .avif, .eps, ...
"""
from __future__ import annotations

from pathlib import Path


def _check(path: str, option: str, what: str, suffixes: set[str]) -> None:
    suffix = Path(path).suffix.lower()
    if suffix not in suffixes:
        listed = ", ".join(sorted(suffixes))
        problem = f"cannot write a {suffix!r} {what}" if suffix else "has no extension"
        raise ValueError(f"{option} {path!r}: {problem}; expected one of {listed}")


def check_image_suffix(path: str, option: str) -> None:
    """``path`` ends in an extension Pillow can write (``.png``, ``.jpg`` …), else a ``ValueError`` naming it."""
    from PIL import Image

    Image.init()
    _check(path, option, "image", {ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.SAVE})


def check_figure_suffix(path: str, option: str) -> None:
    """``path`` ends in an extension matplotlib can save a figure as, else a ``ValueError`` naming it."""
    from matplotlib.backend_bases import FigureCanvasBase

    _check(path, option, "figure", {f".{ext}" for ext in FigureCanvasBase.get_supported_filetypes()})
