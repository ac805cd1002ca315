"""Decode one image file into a uint8 ``(H, W, C)`` array: the one image reader of convlens.

Training, ``predict``, ``filter``, ``explain`` and the server all read images with :func:`load_image`. Only
regular files are opened (a named pipe or a device would block or never end). Images above the
decompression-bomb limit are refused from their header. Phone photos are turned upright by their EXIF
orientation. Transparent pixels are composited on WHITE (``BACKGROUND``) for ``'rgb'`` and ``'grayscale'``: photos and icons
saved with transparency usually sit on a white page. ``'rgba'`` keeps the alpha channel. 16-bit images
(``I;16`` TIFF/PNG, ``I``) are scaled to 8 bits instead of clipped, which is what a bare ``convert('L')`` does.
``draft=True`` lets a JPEG decode at a reduced DCT scale (1/2, 1/4, 1/8: libjpeg's own downscaling, a fraction of
the work) when ``target_size`` is at most half the stored size; the resize then starts from that smaller image.
``load_img`` keeps Keras's full decode (``draft=False``); the ``image_dataset_from_directory`` pipeline drafts.

Example:
    >>> import numpy as np, tempfile, os
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "a.png")
    >>> Image.new("RGBA", (4, 2), (0, 0, 0, 0)).save(path)
    >>> load_image(path, "rgb").shape, int(load_image(path, "rgb").min())
    ((2, 4, 3), 255)
"""
from __future__ import annotations

import os
import stat
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
BACKGROUND = (255, 255, 255)
INTERPOLATIONS = {
    "nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS, "box": Image.Resampling.BOX,
    "hamming": Image.Resampling.HAMMING, "area": Image.Resampling.BOX,
}


class ImageTooLargeError(ValueError):
    """The image has more pixels than Pillow's decompression-bomb limit allows."""


def check_color_mode(color_mode: str) -> str:
    """Return ``color_mode`` if Keras accepts it (``'grayscale'``, ``'rgb'``, ``'rgba'``), else raise."""
    if color_mode not in COLOR_MODES:
        raise ValueError(f"color_mode={color_mode!r} is not supported; expected one of {tuple(COLOR_MODES)}.")
    return color_mode


def pixel_limit(max_pixels: int | None = None) -> int | None:
    """The pixel limit in force: ``max_pixels`` if given, else Pillow's ``Image.MAX_IMAGE_PIXELS`` (read now)."""
    return Image.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels


def check_size(img: Image.Image, path: str | os.PathLike, max_pixels: int | None = None) -> None:
    """Refuse images above the decompression-bomb limit, from the header alone (nothing is decoded)."""
    limit = pixel_limit(max_pixels)
    width, height = img.size
    if limit is not None and width * height > limit:
        raise ImageTooLargeError(f"{os.fspath(path)}: {width}x{height} = {width * height} pixels exceeds the "
                                 f"decompression-bomb limit of {limit} pixels (PIL.Image.MAX_IMAGE_PIXELS).")


def check_regular_file(path: str | os.PathLike) -> None:
    """Raise ``FileNotFoundError`` for a missing path and ``ValueError`` for anything but a regular file.

    Example:
        >>> check_regular_file("/dev/null")
        Traceback (most recent call last):
        ...
        ValueError: /dev/null is not a regular file (a character device); expected an image file.
    """
    mode = os.stat(path).st_mode  # FileNotFoundError names the path
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                else "a character device" if stat.S_ISCHR(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a block device" if stat.S_ISBLK(mode) else "not a file")
        raise ValueError(f"{os.fspath(path)} is not a regular file ({kind}); expected an image file.")


def open_image(path: str | os.PathLike, max_pixels: int | None = None) -> Image.Image:
    """``Image.open`` of a regular file that refuses images above the pixel limit with ``ImageTooLargeError``
    (from the header only)."""
    check_regular_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below, with the file name
            img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"{os.fspath(path)}: {exc}") from exc
    try:
        check_size(img, path, max_pixels)
    except ImageTooLargeError:
        img.close()
        raise
    return img


def _to_8bit(img: Image.Image) -> Image.Image:
    """Scale 16/32-bit integer and float greyscale images to ``'L'`` without clipping."""
    a = np.asarray(img)
    if img.mode.startswith("I;16") or (img.mode == "I" and a.max(initial=0) > 255):
        a = np.round(a.astype(np.float64) / 257.0)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def convert_mode(img: Image.Image, color_mode: str, background: tuple[int, int, int] = BACKGROUND) -> Image.Image:
    """Convert a PIL image of any mode to ``'L'``, ``'RGB'`` or ``'RGBA'``, compositing alpha on ``background``.

    Example:
        >>> convert_mode(Image.new("LA", (1, 1), (0, 0)), "grayscale").getpixel((0, 0))
        255
    """
    target = COLOR_MODES[check_color_mode(color_mode)]
    if img.mode.startswith("I") or img.mode == "F":
        img = _to_8bit(img)
    if img.mode == "P" and "transparency" in img.info or img.mode in ("LA", "La", "PA", "RGBa"):
        img = img.convert("RGBA")
    if target == "RGBA":
        return img if img.mode == "RGBA" else img.convert("RGBA")
    if img.mode == "RGBA":
        canvas = Image.new("RGBA", img.size, background + (255,))
        img = Image.alpha_composite(canvas, img)
    return img if img.mode == target else img.convert(target)


def _crop_to_aspect(img: Image.Image, height: int, width: int) -> Image.Image:
    w, h = img.size
    crop_w, crop_h = min(w, round(h * width / height)), min(h, round(w * height / width))
    left, top = (w - crop_w) // 2, (h - crop_h) // 2
    return img.crop((left, top, left + crop_w, top + crop_h))


class UnreadableImageError(ValueError):
    """The file exists but is not an image Pillow can decode (empty, truncated, another format)."""


def stored_color_mode(img: Image.Image) -> str:
    """``'grayscale'`` for grey images (any bit depth, with or without alpha), else ``'rgb'``."""
    return "grayscale" if img.mode in ("1", "L", "LA", "La", "I", "F") or img.mode.startswith("I;16") else "rgb"


_TRANSPOSING_ORIENTATIONS = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def draft_size(stored: tuple[int, int], target_size: tuple[int, int], orientation: int = 1,
               crop_to_aspect_ratio: bool = False) -> tuple[int, int]:
    """The ``(width, height)`` a JPEG must keep when drafted so that the upright, (cropped,) resized image still
    comes from at least ``target_size`` = ``(height, width)`` pixels: the size to pass to ``Image.draft``.

    Example:
        >>> draft_size((500, 375), (180, 180))
        (180, 180)
        >>> draft_size((500, 375), (180, 120), orientation=6)  # stored sideways: the target's axes swap
        (180, 120)
        >>> draft_size((500, 375), (180, 180), crop_to_aspect_ratio=True)  # the 375x375 centre must cover 180
        (240, 180)
    """
    height, width = int(target_size[0]), int(target_size[1])
    if orientation in _TRANSPOSING_ORIENTATIONS:
        height, width = width, height
    if not crop_to_aspect_ratio:
        return width, height
    w, h = stored
    crop_w, crop_h = min(w, round(h * width / height)), min(h, round(w * height / width))
    return -(-width * w // crop_w), -(-height * h // crop_h)


def _draft(img: Image.Image, target_size: tuple[int, int], crop_to_aspect_ratio: bool) -> None:
    """Ask a JPEG to decode at the smallest DCT scale that still covers the target (nothing for other formats)."""
    if img.format != "JPEG":
        return
    orientation = int(img.getexif().get(0x0112, 1) or 1)
    img.draft(img.mode, draft_size(img.size, target_size, orientation, crop_to_aspect_ratio))


def load_image(path: str | os.PathLike, color_mode: str | None = "rgb", target_size: tuple[int, int] | None = None,
               interpolation: str = "nearest", crop_to_aspect_ratio: bool = False,
               max_pixels: int | None = None, draft: bool = False) -> np.ndarray:
    """Decode ``path`` into a uint8 ``(H, W, C)`` array; ``target_size`` is ``(height, width)`` as in Keras.

    ``color_mode=None`` keeps grey images grey and makes everything else RGB. Raises ``FileNotFoundError``,
    ``ValueError`` for a path that is not a regular file, ``ImageTooLargeError`` above the pixel limit and
    ``UnreadableImageError`` (a ``ValueError``) for files Pillow cannot decode. ``draft``: decode a JPEG at a
    reduced scale when the target is at most half its size (see the module docstring, which has the example).
    """
    if color_mode is not None:
        check_color_mode(color_mode)
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation={interpolation!r} is not supported; expected one of "
                         f"{tuple(INTERPOLATIONS)}.")
    if target_size is not None and (len(target_size) != 2 or min(int(v) for v in target_size) < 1):
        raise ValueError(f"target_size={tuple(target_size)!r} must be two positive ints (height, width).")
    try:
        with open_image(path, max_pixels) as img:
            if draft and target_size is not None:
                _draft(img, target_size, crop_to_aspect_ratio)
            img.load()
            img = ImageOps.exif_transpose(img)  # phone photos: pixels stored sideways, EXIF says how to turn
            img = convert_mode(img, color_mode or stored_color_mode(img))
    except (UnidentifiedImageError, SyntaxError, EOFError) as exc:
        raise UnreadableImageError(f"cannot read image {os.fspath(path)}: {exc}") from None
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise
        raise UnreadableImageError(f"cannot read image {os.fspath(path)}: {exc}") from None
    if target_size is not None:
        height, width = int(target_size[0]), int(target_size[1])
        if crop_to_aspect_ratio:
            img = _crop_to_aspect(img, height, width)
        if img.size != (width, height):
            img = img.resize((width, height), INTERPOLATIONS[interpolation])
    array = np.asarray(img, dtype=np.uint8)
    return array[..., None] if array.ndim == 2 else array


def verify_image(path: str | os.PathLike, max_pixels: int | None = None) -> str | None:
    """Cheap scan-time check: ``None`` if the file looks like a readable image, else the reason it is not.

    Opens the header, checks the pixel limit and runs Pillow's ``verify()`` (checksums, structure). A few broken
    files (e.g. truncated JPEGs) pass and fail later, when decoded.

    Example:
        >>> import tempfile, os
        >>> bad = os.path.join(tempfile.mkdtemp(), "x.png"); open(bad, "wb").close()
        >>> verify_image(bad)
        'empty file (0 bytes)'
    """
    try:
        if os.path.getsize(path) == 0:
            return "empty file (0 bytes)"
        with open_image(path, max_pixels) as img:
            img.verify()
    except ImageTooLargeError as exc:
        return str(exc).split(": ", 1)[1]
    except Exception as exc:  # Pillow raises many types for broken files; each becomes a reported reason.
        return f"{type(exc).__name__}: {exc}"
    return None
