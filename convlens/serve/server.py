"""``serve``: run the live page and the serving API for a model with uvicorn (127.0.0.1 unless told otherwise).

Example:
    >>> from convlens.serve import serve
    >>> serve("runs/main", port=8000)  # doctest: +SKIP
"""
from __future__ import annotations

import os
from typing import Any

import torch
import uvicorn

from convlens.serve.app import create_app
from convlens.serve.predictor import Predictor, from_model, load_predictor


def predictor_for(model: Any, runtime: str = "torch", threads: int = 1) -> Predictor:
    """A model in memory, a run folder, a saved model file or an ``.onnx`` file → a Predictor."""
    if isinstance(model, Predictor):
        return model
    if isinstance(model, torch.nn.Module):
        return from_model(model, runtime, threads)
    if isinstance(model, (str, os.PathLike)):
        return load_predictor(model, runtime, threads)
    raise TypeError(f"serve() takes a model, a run folder, a model file or an .onnx file, got {type(model).__name__}")


def serve(model: Any, host: str = "127.0.0.1", port: int = 8000, runtime: str = "torch", threads: int = 1,
          log_level: str = "warning", max_batch_size: int = 1, max_batch_delay_ms: float = 2.0) -> None:
    """Serve ``model`` until interrupted: the page at ``http://host:port/`` and the API under ``/v1``.

    ``runtime='onnx'`` predicts with onnxruntime (a convlens model is exported and verified first).
    ``max_batch_size`` > 1 batches concurrent ``/v1/predict`` requests (up to that many samples, waiting at most
    ``max_batch_delay_ms``), as TorchServe's ``batch_size`` / ``max_batch_delay`` do. ``threads`` is the model's
    thread count, torch's (this call owns the process until interrupted) or onnxruntime's: one thread per forward
    pass leaves the other cores to the requests being decoded meanwhile.
    """
    if runtime == "torch":
        torch.set_num_threads(threads)
    app = create_app(predictor_for(model, runtime, threads), max_batch_size, max_batch_delay_ms)
    print(f"convlens serve: http://{host}:{port}/  (API: /v1/predict, /v1/model, /healthz; Ctrl-C stops)",
          flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
