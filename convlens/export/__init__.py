"""Export a model for other runtimes, verified on random and real samples (ONNX; the writer is
``convlens.saving.onnx`` so that ``Model.export`` can reach it).

Example:
    >>> real_samples((28, 28, 1), 3).shape
    (3, 28, 28, 1)
"""
from convlens.export.samples import export_model, real_samples

__all__ = ["export_model", "real_samples"]
