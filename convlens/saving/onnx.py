"""Write a model to ONNX with torch's dynamo exporter, and check the file against onnxruntime.

The ONNX graph takes what the model takes: channels-last float32 batches ``(N, H, W, C)`` with a dynamic batch axis
(batch 1 is not baked in), computed in float32 whatever dtype policy the model trains in (the parity check runs the
model in float32 too). The file's metadata holds ``class_names`` and ``input_shape`` (JSON). Every export is
verified: onnxruntime and torch run the same random and real samples; the largest absolute difference must be
≤ ``tolerance`` and the argmax the same, else ``ExportMismatchError``.

The model is duck-typed (a ``torch.nn.Module`` with ``input_shape`` and optionally ``class_names``), so ``Model.export``
and ``convlens export`` both reach this module without it importing the models package.

Example:
    >>> import os, tempfile, torch
    >>> from convlens.models import Model
    >>> net = Model.wrap(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3)), input_shape=(2, 2, 1))
    >>> path = os.path.join(tempfile.mkdtemp(), "net.onnx")
    >>> report = export_onnx(net, path, verbose=False)
    >>> report.ok, read_metadata(path)["input_shape"]
    (True, [None, 2, 2, 1])
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime
import torch

from convlens.layers.base import float32_policies

TOLERANCE = 1e-5


class ExportMismatchError(ValueError):
    """The exported file does not compute what the model computes."""


@dataclass(frozen=True)
class ParityReport:
    """How onnxruntime's outputs compared with torch's on the verification samples."""

    path: str
    samples: int
    real_samples: int
    max_abs_diff: float
    same_argmax: bool
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.max_abs_diff <= self.tolerance and self.same_argmax

    def line(self) -> str:
        """One line for the console."""
        verdict = "OK" if self.ok else "MISMATCH"
        return (f"ONNX export {self.path}: onnxruntime vs torch on {self.samples} samples ({self.real_samples} real): "
                f"max abs diff {self.max_abs_diff:.2e} (≤ {self.tolerance:.0e}), argmax "
                f"{'identical' if self.same_argmax else 'DIFFERENT'} — {verdict}")


def _input_shape(model: torch.nn.Module) -> tuple[int, ...]:
    shape = getattr(model, "input_shape", None)
    if not shape or any(d is None for d in tuple(shape)[1:]):
        raise ValueError(f"cannot export a model without a fixed input shape (got {shape!r}); build it first, e.g. "
                         f"give the first layer input_shape=(28, 28, 1)")
    return tuple(int(d) for d in tuple(shape)[1:])


def session(path: str | os.PathLike, threads: int = 1) -> onnxruntime.InferenceSession:
    """An onnxruntime CPU session for ``path`` (``threads`` intra-op threads; 1 is fastest for batch 1)."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(os.fspath(path), options, providers=["CPUExecutionProvider"])


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The ``class_names`` and ``input_shape`` an export stored (JSON-decoded), plus any other metadata."""
    props = session(path).get_modelmeta().custom_metadata_map
    out: dict[str, Any] = {}
    for key, value in props.items():
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _torch_outputs(model: torch.nn.Module, batch: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(batch)).detach().cpu().numpy()


def verify(model: torch.nn.Module, path: str | os.PathLike, samples: np.ndarray | None = None,
           tolerance: float = TOLERANCE, seed: int = 0, batch_sizes: tuple[int, ...] = (1, 7)) -> ParityReport:
    """Run torch and onnxruntime on random batches of ``batch_sizes`` plus ``samples`` (real images, already
    scaled as the model expects) and compare."""
    shape = _input_shape(model)
    rng = np.random.default_rng(seed)
    batches = [rng.random((n, *shape), dtype=np.float32) for n in batch_sizes]
    real = 0
    if samples is not None:
        samples = np.asarray(samples, dtype=np.float32).reshape(-1, *shape)
        batches.append(samples)
        real = len(samples)
    runner = session(path)
    name = runner.get_inputs()[0].name
    worst, same = 0.0, True
    was_training = model.training
    model.eval()
    try:
        for batch in batches:
            expected = _torch_outputs(model, batch)
            got = runner.run(None, {name: batch})[0]
            worst = max(worst, float(np.max(np.abs(expected - got))))
            same = same and bool(np.array_equal(expected.argmax(-1), got.argmax(-1)))
    finally:
        model.train(was_training)
    return ParityReport(os.fspath(path), sum(len(b) for b in batches), real, worst, same, tolerance)


def export_onnx(model: torch.nn.Module, path: str | os.PathLike, samples: np.ndarray | None = None,
                tolerance: float = TOLERANCE, verbose: bool = True) -> ParityReport:
    """Export ``model`` to ``path`` (atomically), verify it and return the :class:`ParityReport`.

    ``samples``: real inputs ``(N, H, W, C)`` scaled as the model expects, added to the random verification batches.
    Raises ``ExportMismatchError`` (and leaves no file) when onnxruntime disagrees with torch.
    """
    with float32_policies(model):  # ONNX graphs are float32, whatever policy the model computes in
        return _export(model, Path(path), samples, tolerance, verbose)


def _export(model: torch.nn.Module, path: Path, samples: np.ndarray | None, tolerance: float,
            verbose: bool) -> ParityReport:
    shape = _input_shape(model)
    was_training = model.training
    model.eval()
    example = torch.zeros((2, *shape), dtype=torch.float32)  # batch 2: a batch of 1 would be specialised
    batch = torch.export.Dim("batch", min=1)
    registration = logging.getLogger("torch.onnx._internal.exporter._registration")  # "torchvision is not installed"
    level = registration.level
    registration.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(model, (example,), dynamo=True, dynamic_shapes=({0: batch},),
                                        input_names=["input"], output_names=["output"], verbose=False)
    finally:
        model.train(was_training)
        registration.setLevel(level)
    proto = program.model_proto
    meta = {"class_names": json.dumps(list(getattr(model, "class_names", None) or []) or None),
            "input_shape": json.dumps([None, *shape]),
            "output_activation": json.dumps(getattr(model, "output_activation", None)), "producer": "convlens"}
    del proto.metadata_props[:]
    for key, value in meta.items():
        proto.metadata_props.add(key=key, value=value)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        onnx.save_model(proto, temporary)
        report = verify(model, temporary, samples, tolerance)
        if not report.ok:
            raise ExportMismatchError(report.line().replace(temporary, os.fspath(path)))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    report = ParityReport(os.fspath(path), report.samples, report.real_samples, report.max_abs_diff,
                          report.same_argmax, tolerance)
    if verbose:
        print(report.line())
    return report
