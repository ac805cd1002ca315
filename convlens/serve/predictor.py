"""``Predictor``: one model behind the page and the API — torch (with every layer's view) or onnxruntime (fast).

Inputs arrive as image bytes (decoded by ``convlens.data``'s one image reader) or as arrays; both become float32
channels-last batches scaled to [0, 1], the scale the notes train with (``x / 255.0``). Model calls are serialised
by a lock, so concurrent clients get exactly the answers serial ones get.

Example:
    >>> import numpy as np
    >>> from convlens import Sequential
    >>> from convlens.layers import Flatten, Dense
    >>> predictor = Predictor(Sequential([Flatten(input_shape=(2, 2, 1)), Dense(3, activation="softmax")]))
    >>> probabilities = predictor.predict(predictor.parse_array([[0, 1], [1, 0]]))
    >>> probabilities.shape, round(float(probabilities.sum()), 5)
    ((1, 3), 1.0)
"""
from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from convlens.data import load_image
from convlens.data.mnist_style import mnist_style
from convlens.models import load_model
from convlens.serve.network import class_names as model_class_names
from convlens.serve.network import describe, explain_unit, layer_views
from convlens.serve.playground import filter_input

MAX_BATCH = 1024
RUNTIMES = ("torch", "onnx")


class BadInput(ValueError):
    """A request whose content cannot be a model input (answered with 400 and this message)."""


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _picture(array: np.ndarray, largest: int = 96) -> dict[str, Any]:
    """A [0, 1] grey image for a small page panel: at most ``largest`` px a side, uint8 base64."""
    image = np.clip(np.asarray(array, np.float32), 0, 1)
    height, width = image.shape
    if max(height, width) > largest:
        factor = largest / max(height, width)
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        image = np.asarray(Image.fromarray(image, "F").resize(size, Image.Resampling.BOX), np.float32)
    pixels = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    return {"shape": list(pixels.shape), "data": base64.b64encode(pixels.tobytes()).decode("ascii")}


class Predictor:
    """Predictions and layer views for one model; ``onnx_path`` makes predictions run on onnxruntime.

    With ``model=None`` and an ``onnx_path``, only predictions are available (input shape and class names come from
    the file's metadata); with both, the page still shows every layer from the torch model.
    """

    def __init__(self, model: torch.nn.Module | None = None, onnx_path: str | os.PathLike | None = None,
                 threads: int = 1) -> None:
        if model is None and onnx_path is None:
            raise ValueError("give a model, an ONNX file, or both")
        self.model = model
        self.session = None
        self._lock = threading.Lock()
        self._recent: dict[str, np.ndarray] = {}
        if model is not None:
            model.eval()
            self.input_shape = tuple(int(d) for d in model.input_shape[1:])
            self.class_names = model_class_names(model)
            self._activation = model.output_activation
        if onnx_path is not None:
            from convlens.saving.onnx import read_metadata, session  # onnxruntime: the optional `export` extra
            self.session = session(onnx_path, threads)
            self._input_name = self.session.get_inputs()[0].name
            meta = read_metadata(onnx_path)
            if model is None:
                self.input_shape = tuple(int(d) for d in meta["input_shape"][1:])
                width = self.session.get_outputs()[0].shape[-1]
                self.class_names = [str(c) for c in (meta.get("class_names") or range(int(width)))]
                self._activation = meta.get("output_activation")
        self.runtime = "onnx" if self.session is not None else "torch"
        self.digit_canvas = self.input_shape == (28, 28, 1)

    # --- predictions ----------------------------------------------------------------------------------------------
    def predict(self, batch: np.ndarray) -> np.ndarray:
        """Class probabilities ``(N, classes)`` for a float32 batch ``(N, H, W, C)``."""
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if self.session is not None:
            out = self.session.run(None, {self._input_name: batch})[0]
        else:
            with self._lock, torch.inference_mode():
                out = self.model(torch.from_numpy(batch)).float().numpy()
        if self._activation not in ("softmax", "sigmoid"):
            out = _softmax(out)
        return out

    def ranked(self, probabilities: np.ndarray, top: int = 5) -> list[list[dict[str, Any]]]:
        """The ``top`` classes of each row, best first: ``{"class", "index", "probability"}``."""
        top = max(1, min(int(top), probabilities.shape[-1]))
        order = np.argsort(-probabilities, axis=-1, kind="stable")[:, :top]
        return [[{"class": self.class_names[i], "index": int(i), "probability": float(row[i])} for i in best]
                for row, best in zip(probabilities, order)]

    # --- inputs ---------------------------------------------------------------------------------------------------
    def parse_array(self, value: Any) -> np.ndarray:
        """A JSON value → a float32 batch of the model's input shape; a single sample gets a batch axis, and the
        channel axis may be left out for one-channel models."""
        try:
            array = np.asarray(value, dtype=np.float32)
        except (ValueError, TypeError) as err:
            raise BadInput(f"inputs must be a nested list of numbers of shape {self.shape_text()}: {err}") from None
        shape = self.input_shape
        one_channel = shape[-1] == 1
        if array.shape == shape or (one_channel and array.shape == shape[:-1]):
            array = array.reshape(1, *shape)  # one sample
        elif one_channel and array.ndim == len(shape) and array.shape[1:] == shape[:-1]:
            array = array[..., None]  # a batch without the channel axis
        if array.shape[1:] != shape or array.shape[0] == 0:
            raise BadInput(f"inputs must have shape {self.shape_text()} (one sample, or a batch of them), got "
                           f"{tuple(np.shape(value)) if array.size else 'an empty array'}")
        if len(array) > MAX_BATCH:
            raise BadInput(f"at most {MAX_BATCH} samples per request, got {len(array)}")
        if not np.isfinite(array).all():
            raise BadInput("inputs must be finite numbers (no NaN or infinity)")
        return array

    def shape_text(self) -> str:
        return "(" + ", ".join(map(str, self.input_shape)) + ")"

    def decode(self, data: bytes, use_mnist_style: bool = False) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Image bytes → one float32 sample ``(H, W, C)`` and, with ``use_mnist_style``, the preprocessing stages."""
        height, width, channels = self.input_shape
        if use_mnist_style and channels != 1:
            raise BadInput(f"mnist_style is for one-channel models; this model takes {self.shape_text()}")
        mode = "grayscale" if channels == 1 else "rgb"
        with tempfile.TemporaryDirectory(prefix="convlens-upload-") as folder:
            path = os.path.join(folder, "upload")  # the one image reader reads regular files
            with open(path, "wb") as handle:
                handle.write(data)
            try:
                if use_mnist_style:
                    result = mnist_style(load_image(path, "grayscale"))
                    image = result.image
                    if (height, width) != image.shape:
                        image = np.asarray(Image.fromarray(image, "F").resize((width, height),
                                                                              Image.Resampling.BILINEAR))
                    return image[..., None].astype(np.float32), dict(result.stages)
                pixels = load_image(path, mode, target_size=(height, width), interpolation="bilinear")
            except (OSError, ValueError) as err:  # unreadable, truncated, over the pixel limit
                raise BadInput(f"cannot read the image (send PNG or JPEG): {str(err).replace(path, 'upload')}") \
                    from None
        return pixels.astype(np.float32) / 255.0, {}

    # --- the page -------------------------------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """``GET /v1/model``: input shape, class names, runtime and (with a torch model) the layers."""
        if self.model is not None:
            info = describe(self.model)
        else:
            info = {"name": "onnx", "input_shape": [None, *self.input_shape], "class_names": self.class_names,
                    "layers": [], "params": None, "macs": None}
        info.update(runtime=self.runtime, canvas=self.digit_canvas)
        return info

    def remember(self, x: np.ndarray) -> str:
        """Keep ``x`` (the last few inputs) so that hovering can explain units without sending it back."""
        key = hashlib.sha1(x.tobytes()).hexdigest()[:16]
        with self._lock:
            self._recent[key] = x
            while len(self._recent) > 32:
                self._recent.pop(next(iter(self._recent)))
        return key

    def inspect(self, x: np.ndarray, stages: dict[str, np.ndarray], top: int = 5) -> dict[str, Any]:
        """Everything the page draws for one input: stages, input, guesses and every layer's output."""
        probabilities = self.predict(x[None])
        out: dict[str, Any] = {"input_id": self.remember(x), "probabilities": probabilities[0].tolist(),
                               "top": self.ranked(probabilities, top)[0],
                               "stages": {name: _picture(image) for name, image in stages.items()},
                               "input": [_picture(x[..., c]) for c in range(x.shape[-1])], "layers": []}
        if self.model is not None:
            with self._lock:
                out["layers"] = layer_views(self.model, x)
        return out

    def explain(self, input_id: str, layer: str, channel: int, row: int, col: int) -> dict[str, Any]:
        """The calculation of one unit for a recent input (see :func:`convlens.serve.network.explain_unit`)."""
        if self.model is None:
            raise BadInput("unit calculations need the convlens model; this server runs an ONNX file alone")
        x = self._recent.get(input_id)
        if x is None:
            raise BadInput(f"unknown or expired input_id {input_id!r}; send the input to /v1/inspect again")
        try:
            with self._lock:
                return explain_unit(self.model, x, layer, channel, row, col)
        except ValueError as err:
            raise BadInput(str(err)) from None


    def filter(self, input_id: str, kernel: Any, row: int | None = None, col: int | None = None) -> dict[str, Any]:
        """The kernel playground on a recent input (see :func:`convlens.serve.playground.filter_input`)."""
        x = self._recent.get(input_id)
        if x is None:
            raise BadInput(f"unknown or expired input_id {input_id!r}; send the input to /v1/inspect again")
        try:
            return filter_input(x, kernel, row, col)
        except ValueError as err:
            raise BadInput(str(err)) from None


def load_predictor(path: str | os.PathLike, runtime: str = "torch", threads: int = 1) -> Predictor:
    """A run folder, a saved model file or an ``.onnx`` file → a :class:`Predictor`.

    ``runtime='onnx'`` with a convlens model exports it to a verified temporary ONNX file and predicts with
    onnxruntime, keeping the torch model for the layer views.
    """
    if runtime not in RUNTIMES:
        raise ValueError(f"runtime must be one of {RUNTIMES}, got {runtime!r}")
    path = Path(path)
    if path.suffix == ".onnx":
        if not path.is_file():
            raise FileNotFoundError(f"no such ONNX file: {path}")
        if runtime != "onnx":
            raise ValueError(f"{path} is an ONNX file: serve it with --runtime onnx")
        return Predictor(onnx_path=path, threads=threads)
    model_file = path / "model.convlens" if path.is_dir() else path
    if not model_file.is_file():
        raise FileNotFoundError(f"no saved model at {model_file} (give a run folder, a model file or an .onnx file)")
    model = load_model(model_file, compile=False)
    return from_model(model, runtime, threads)


def from_model(model: torch.nn.Module, runtime: str = "torch", threads: int = 1) -> Predictor:
    """A :class:`Predictor` for a model in memory (``runtime='onnx'``: exported to a verified temporary file)."""
    if runtime not in RUNTIMES:
        raise ValueError(f"runtime must be one of {RUNTIMES}, got {runtime!r}")
    if runtime == "torch":
        return Predictor(model, threads=threads)
    from convlens.saving.onnx import export_onnx
    folder = tempfile.mkdtemp(prefix="convlens-serve-")
    onnx_path = os.path.join(folder, "model.onnx")
    export_onnx(model, onnx_path, verbose=False)
    return Predictor(model, onnx_path=onnx_path, threads=threads)
