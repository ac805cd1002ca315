"""The training engine behind ``compile`` / ``fit`` / ``evaluate`` / ``predict``; it works on any
``torch.nn.Module`` that ``convlens.models.Model.wrap`` or a convlens model gives it.

Example:
    >>> import torch, numpy as np
    >>> from convlens.models import Model
    >>> net = Model.wrap(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2)), input_shape=(2, 2))
    >>> net.compile("sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> history = net.fit(np.zeros((8, 2, 2), "float32"), np.zeros(8, "int64"), epochs=1, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
"""
from convlens.training.engine import evaluate, fit, predict
from convlens.training.setup import CompiledSetup, compile_model

__all__ = ["fit", "evaluate", "predict", "compile_model", "CompiledSetup"]
