"""The training engine: a ``Trainer`` owns a run (loop, callbacks, History, run state) of any ``torch.nn.Module``;
a ``Strategy`` owns device, precision and processes.

Example:
    >>> import torch, numpy as np
    >>> from convlens.training import Trainer
    >>> trainer = Trainer(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2), torch.nn.Softmax(-1)))
    >>> trainer.compile("sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"], device="cpu")
    >>> history = trainer.fit(np.zeros((8, 2, 2), "float32"), np.zeros(8, "int64"), epochs=1, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
"""
from convlens.training.setup import CompiledSetup, compile_model
from convlens.training.strategy import Strategy, resolve_precision
from convlens.training.trainer import Trainer

__all__ = ["CompiledSetup", "Strategy", "Trainer", "compile_model", "resolve_precision"]
