"""Keras's ``ImageDataGenerator``, with every batch augmented by batched torch ops instead of an image loop.

Inside a batch the Keras order holds: random transform (affine, channel shift, flips, brightness), then
``standardize`` (``preprocessing_function``, rescale, samplewise, featurewise).

Example:
    >>> import numpy as np
    >>> x = np.random.default_rng(0).integers(0, 256, (20, 8, 8, 3), dtype=np.uint8)
    >>> gen = ImageDataGenerator(rescale=1 / 255, width_shift_range=0.1, horizontal_flip=True)
    >>> xb, yb = gen.flow(x, np.arange(20), batch_size=8, seed=0)[0]
    >>> xb.shape, xb.dtype, float(xb.max()) <= 1.0
    ((8, 8, 8, 3), dtype('float32'), True)
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import torch

from convlens.data.affine import check_fill_mode
from convlens.data.normalize import channel_stats
from convlens.preprocessing.directory_iterator import DirectoryIterator
from convlens.preprocessing.numpy_array_iterator import NumpyArrayIterator
from convlens.preprocessing.transform_params import apply_params, sample_params


def _zoom_pair(zoom_range: float | tuple[float, float] | list[float]) -> tuple[float, float]:
    if isinstance(zoom_range, (int, float)) and not isinstance(zoom_range, bool):
        return 1.0 - float(zoom_range), 1.0 + float(zoom_range)
    if isinstance(zoom_range, (tuple, list)) and len(zoom_range) == 2:
        return float(zoom_range[0]), float(zoom_range[1])
    raise ValueError(f"zoom_range should be a float or a tuple or list of two floats; received: {zoom_range!r}")


class ImageDataGenerator:
    """Generate batches of image data with real-time augmentation (Keras arguments and defaults).

    ``fit(x)`` computes the featurewise statistics from the training part only: with ``validation_split`` set,
    the validation samples (the first ``int(len(x) * validation_split)``, as in ``flow``) are left out.
    Example: see the module docstring.
    """

    def __init__(self, featurewise_center: bool = False, samplewise_center: bool = False,
                 featurewise_std_normalization: bool = False, samplewise_std_normalization: bool = False,
                 zca_whitening: bool = False, zca_epsilon: float = 1e-6, rotation_range: float = 0,
                 width_shift_range: Any = 0.0, height_shift_range: Any = 0.0,
                 brightness_range: tuple[float, float] | None = None, shear_range: float = 0.0,
                 zoom_range: float | tuple[float, float] = 0.0, channel_shift_range: float = 0.0,
                 fill_mode: str = "nearest", cval: float = 0.0, horizontal_flip: bool = False,
                 vertical_flip: bool = False, rescale: float | None = None,
                 preprocessing_function: Callable[[np.ndarray], np.ndarray] | None = None,
                 data_format: str | None = None, validation_split: float = 0.0, interpolation_order: int = 1,
                 dtype: str = "float32") -> None:
        if zca_whitening:
            raise NotImplementedError("zca_whitening=True is not supported by convlens; use featurewise_center "
                                      "and featurewise_std_normalization instead.")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"data_format={data_format!r} is not supported; convlens images are channels_last.")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"validation_split must be within [0, 1); received: {validation_split!r}")
        if brightness_range is not None and (not isinstance(brightness_range, (tuple, list))
                                             or len(brightness_range) != 2):
            raise ValueError(f"brightness_range should be a tuple or list of two floats; received: "
                             f"{brightness_range!r}")
        if interpolation_order not in (0, 1):
            raise ValueError(f"interpolation_order={interpolation_order!r} is not supported; expected 0 or 1.")
        if featurewise_std_normalization and not featurewise_center:
            warnings.warn("featurewise_std_normalization=True also turns on featurewise_center (as in Keras).")
            featurewise_center = True
        if samplewise_std_normalization and not samplewise_center:
            warnings.warn("samplewise_std_normalization=True also turns on samplewise_center (as in Keras).")
            samplewise_center = True
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = False
        self.zca_epsilon = zca_epsilon
        self.rotation_range = float(rotation_range)
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = None if brightness_range is None else tuple(map(float, brightness_range))
        self.shear_range = float(shear_range)
        self.zoom_range = _zoom_pair(zoom_range)
        self.channel_shift_range = float(channel_shift_range)
        self.fill_mode = check_fill_mode(fill_mode)
        self.cval = float(cval)
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.data_format = "channels_last"
        self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self.interpolation_order = interpolation_order
        self.dtype = dtype
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.validation_split = float(validation_split)

    # ---- batched core --------------------------------------------------------------------------------------
    def _params(self, n: int, height: int, width: int, generator: torch.Generator) -> dict[str, Any]:
        return sample_params(n, height, width, generator, rotation_range=self.rotation_range,
                             width_shift_range=self.width_shift_range, height_shift_range=self.height_shift_range,
                             shear_range=self.shear_range, zoom_range=self.zoom_range,
                             channel_shift_range=self.channel_shift_range, horizontal_flip=self.horizontal_flip,
                             vertical_flip=self.vertical_flip, brightness_range=self.brightness_range)

    def _apply(self, images: torch.Tensor, params: dict[str, Any]) -> torch.Tensor:
        interpolation = "bilinear" if self.interpolation_order == 1 else "nearest"
        return apply_params(images, params, self.fill_mode, self.cval, interpolation)

    def augment_batch(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Random transform of a float ``(N, H, W, C)`` batch, each image its own parameters, one warp."""
        return self._apply(images, self._params(images.shape[0], images.shape[1], images.shape[2], generator))

    def standardize_batch(self, images: torch.Tensor) -> torch.Tensor:
        """``standardize`` for a float ``(N, H, W, C)`` tensor (returns a new tensor)."""
        x = images.float()
        if self.preprocessing_function is not None:
            x = torch.from_numpy(np.stack([np.asarray(self.preprocessing_function(img), dtype=np.float32)
                                           for img in x.numpy()]))
        if self.rescale:
            x = x * float(self.rescale)
        if self.samplewise_center:
            x = x - x.mean(dim=(1, 2, 3), keepdim=True)
        if self.samplewise_std_normalization:
            x = x / (x.std(dim=(1, 2, 3), keepdim=True, unbiased=False) + 1e-6)
        if self.featurewise_center:
            if self.mean is None:
                warnings.warn("This ImageDataGenerator specifies `featurewise_center`, but it hasn't been fit on "
                              "any training data. Fit it first by calling `.fit(numpy_data)`.")
            else:
                x = x - torch.from_numpy(self.mean)
        if self.featurewise_std_normalization:
            if self.std is None:
                warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, but it hasn't "
                              "been fit on any training data. Fit it first by calling `.fit(numpy_data)`.")
            else:
                x = x / (torch.from_numpy(self.std) + 1e-6)
        return x

    def transform_batch(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """What every iterator does to a batch: random transform, then standardize; returns float32."""
        return self.standardize_batch(self.augment_batch(images.float(), generator))

    # ---- Keras single-image API ----------------------------------------------------------------------------
    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Normalise one image ``(H, W, C)`` or a batch ``(N, H, W, C)``; returns float32.

        Example:
            >>> float(ImageDataGenerator(rescale=0.5).standardize(np.full((2, 2, 1), 4.0))[0, 0, 0])
            2.0
        """
        a = np.asarray(x, dtype=np.float32)
        single = a.ndim == 3
        out = self.standardize_batch(torch.from_numpy(a[None] if single else a)).numpy()
        return out[0] if single else out

    def get_random_transform(self, img_shape: tuple[int, ...], seed: int | None = None) -> dict[str, Any]:
        """Keras's parameter dict for one image of shape ``(H, W, C)``."""
        generator = torch.Generator().manual_seed(seed) if seed is not None else torch.Generator()
        if seed is None:
            generator.seed()
        params = self._params(1, img_shape[0], img_shape[1], generator)
        return {k: (None if v is None else v[0].item()) for k, v in params.items()}

    def apply_transform(self, x: np.ndarray, transform_parameters: dict[str, Any]) -> np.ndarray:
        """Apply a Keras parameter dict to one image ``(H, W, C)``.

        Example:
            >>> img = np.arange(4.0).reshape(1, 4, 1)
            >>> ImageDataGenerator().apply_transform(img, {"flip_horizontal": True})[0, :, 0].tolist()
            [3.0, 2.0, 1.0, 0.0]
        """
        params = {k: None if v is None else torch.tensor([v]) for k, v in transform_parameters.items()}
        batch = torch.from_numpy(np.asarray(x, dtype=np.float32)[None])
        return self._apply(batch, params)[0].numpy()

    def random_transform(self, x: np.ndarray, seed: int | None = None) -> np.ndarray:
        """Randomly augment one image ``(H, W, C)``."""
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    # ---- statistics ------------------------------------------------------------------------------------
    def fit(self, x: np.ndarray, augment: bool = False, rounds: int = 1, seed: int | None = None) -> None:
        """Compute featurewise mean/std (per channel) from the training samples of ``x`` (rescaled first).

        Example:
            >>> gen = ImageDataGenerator(featurewise_center=True)
            >>> gen.fit(np.stack([np.zeros((2, 2, 1)), np.full((2, 2, 1), 2.0)]))
            >>> gen.mean.ravel().tolist()
            [1.0]
        """
        data = torch.as_tensor(np.asarray(x))
        if data.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4 (N, H, W, C); got shape {tuple(data.shape)}.")
        if data.shape[-1] not in (1, 3, 4):
            warnings.warn(f"Expected 1, 3 or 4 channels on axis 3 of x; got {data.shape[-1]} (shape "
                          f"{tuple(data.shape)}).")
        data = data[int(len(data) * self.validation_split):]
        generator = torch.Generator().manual_seed(seed if seed is not None else 0)

        def prepare(chunk: torch.Tensor) -> torch.Tensor:
            if augment:
                chunk = torch.cat([self.augment_batch(chunk, generator) for _ in range(max(1, rounds))])
            return chunk * float(self.rescale) if self.rescale else chunk

        mean, std = channel_stats(data, transform=prepare)
        if self.featurewise_center:
            self.mean = mean.numpy().reshape(1, 1, -1)
        if self.featurewise_std_normalization:
            self.std = std.numpy().reshape(1, 1, -1)

    # ---- iterators -------------------------------------------------------------------------------------
    def flow(self, x: np.ndarray, y: np.ndarray | None = None, batch_size: int = 32, shuffle: bool = True,
             sample_weight: np.ndarray | None = None, seed: int | None = None, save_to_dir: str | None = None,
             save_prefix: str = "", save_format: str = "png", ignore_class_split: bool = False,
             subset: str | None = None) -> NumpyArrayIterator:
        """Batches of augmented arrays ``(x, y)`` (or ``x``, or ``(x, y, w)``), ready for ``model.fit``."""
        if save_to_dir is not None:
            raise NotImplementedError("save_to_dir is not supported by convlens.")
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, subset=subset, ignore_class_split=ignore_class_split,
                                  dtype=self.dtype)

    def flow_from_directory(self, directory: str, target_size: tuple[int, int] = (256, 256),
                            color_mode: str = "rgb", classes: list[str] | None = None,
                            class_mode: str | None = "categorical", batch_size: int = 32, shuffle: bool = True,
                            seed: int | None = None, save_to_dir: str | None = None, save_prefix: str = "",
                            save_format: str = "png", follow_links: bool = False, subset: str | None = None,
                            interpolation: str = "nearest", keep_aspect_ratio: bool = False,
                            workers: int | None = None, prefetch: int = 2) -> DirectoryIterator:
        """Batches read lazily from a folder of class sub-folders, decoded in background threads."""
        if save_to_dir is not None:
            raise NotImplementedError("save_to_dir is not supported by convlens.")
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode, batch_size=batch_size, shuffle=shuffle,
                                 seed=seed, follow_links=follow_links, subset=subset,
                                 interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio,
                                 dtype=self.dtype, workers=workers, prefetch=prefetch)
