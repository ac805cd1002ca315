"""Batched flips, random crops with padding and cutout; each image draws its own randomness from ``generator``.

Example:
    >>> import torch
    >>> x = torch.rand(4, 8, 8, 3)
    >>> torch.equal(flip_left_right(flip_left_right(x)), x)
    True
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def flip_left_right(images: torch.Tensor) -> torch.Tensor:
    """Mirror every image of ``(N, H, W, C)`` horizontally. Example: see the module docstring."""
    return images.flip(2)


def flip_up_down(images: torch.Tensor) -> torch.Tensor:
    """Mirror every image of ``(N, H, W, C)`` vertically.

    Example:
        >>> flip_up_down(torch.arange(2.0).reshape(1, 2, 1, 1)).flatten().tolist()
        [1.0, 0.0]
    """
    return images.flip(1)


def flip_chosen(images: torch.Tensor, chosen: torch.Tensor, axis: int) -> torch.Tensor:
    """``images`` with the images where ``chosen`` is True mirrored along ``axis`` (2: left-right, 1: up-down).
    Only the chosen images are flipped (a ``where`` over a flipped copy of the whole batch costs 2.5x as much).

    Example:
        >>> flip_chosen(torch.arange(4.0).reshape(2, 1, 2, 1), torch.tensor([False, True]), 2).flatten().tolist()
        [0.0, 1.0, 3.0, 2.0]
    """
    index = chosen.nonzero().squeeze(1)
    if not len(index):
        return images
    out = images.clone()
    out[index] = images[index].flip(axis)
    return out


def _coin(generator: torch.Generator, n: int) -> torch.Tensor:
    return torch.rand(n, generator=generator) < 0.5


def random_flip(images: torch.Tensor, generator: torch.Generator, horizontal: bool = True,
                vertical: bool = False) -> torch.Tensor:
    """Flip each image with probability 1/2 (horizontally and/or vertically, independently).

    Example:
        >>> random_flip(torch.rand(4, 8, 8, 3), torch.Generator().manual_seed(0)).shape
        torch.Size([4, 8, 8, 3])
    """
    n = images.shape[0]
    if horizontal:
        images = flip_chosen(images, _coin(generator, n), 2)
    if vertical:
        images = flip_chosen(images, _coin(generator, n), 1)
    return images


def random_crop(images: torch.Tensor, generator: torch.Generator, padding: int = 4,
                fill_mode: str = "reflect", cval: float = 0.0) -> torch.Tensor:
    """Pad by ``padding`` pixels on each side, then cut a random ``H x W`` window per image (CIFAR-style).

    ``fill_mode``: ``'reflect'``, ``'nearest'`` (repeat the edge) or ``'constant'`` (``cval``).

    Example:
        >>> random_crop(torch.rand(4, 32, 32, 3), torch.Generator().manual_seed(0), padding=4).shape
        torch.Size([4, 32, 32, 3])
    """
    modes = {"reflect": "reflect", "nearest": "replicate", "constant": "constant"}
    if fill_mode not in modes:
        raise ValueError(f"fill_mode={fill_mode!r} is not supported by random_crop; expected one of {tuple(modes)}.")
    if padding < 0:
        raise ValueError(f"padding must be >= 0; got {padding!r}.")
    if padding == 0:
        return images
    n, h, w, _ = images.shape
    nchw = images.permute(0, 3, 1, 2)
    if fill_mode == "constant":
        padded = F.pad(nchw, (padding,) * 4, mode="constant", value=cval)
    else:
        padded = F.pad(nchw.float(), (padding,) * 4, mode=modes[fill_mode]).to(images.dtype)
    padded = padded.permute(0, 2, 3, 1)
    top = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
    left = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
    rows = (top[:, None] + torch.arange(h))[:, :, None]
    cols = (left[:, None] + torch.arange(w))[:, None, :]
    return padded[torch.arange(n)[:, None, None], rows, cols]


def cutout(images: torch.Tensor, generator: torch.Generator, size: int, value: float = 0.0) -> torch.Tensor:
    """Blank one ``size x size`` square per image at a random centre (it may hang over the border).

    Example:
        >>> out = cutout(torch.ones(2, 8, 8, 1), torch.Generator().manual_seed(0), size=2)
        >>> int((out == 0).sum()) <= 2 * 4
        True
    """
    if size <= 0:
        raise ValueError(f"size must be a positive number of pixels; got {size!r}.")
    n, h, w, _ = images.shape
    cy = torch.randint(0, h, (n,), generator=generator)[:, None, None]
    cx = torch.randint(0, w, (n,), generator=generator)[:, None, None]
    r = torch.arange(h)[None, :, None]
    c = torch.arange(w)[None, None, :]
    lo = size // 2
    inside = (r >= cy - lo) & (r < cy - lo + size) & (c >= cx - lo) & (c < cx - lo + size)
    return images.masked_fill(inside[..., None], value)
