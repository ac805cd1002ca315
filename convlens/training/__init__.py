"""The training engine: a ``Trainer`` owns a run (loop, callbacks, History, run state) of any ``torch.nn.Module``;
a ``Strategy`` owns device, precision and processes. The run's pieces: data adapters (``data``), the
``EpochIterator``, the overridable steps (``default_steps``, marked with ``default_step``), the run state
(``resume``; stored by ``convlens.saving.RunState``) — docs/ARCHITECTURE.md walks one ``fit`` through them.

Example:
    >>> import torch, numpy as np
    >>> from convlens.training import Trainer
    >>> trainer = Trainer(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2), torch.nn.Softmax(-1)))
    >>> trainer.compile("sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"], device="cpu")
    >>> history = trainer.fit(np.zeros((8, 2, 2), "float32"), np.zeros(8, "int64"), epochs=1, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
"""
from convlens.training.default_steps import default_step
from convlens.training.epoch_iterator import EpochIterator
from convlens.training.setup import CompiledSetup, compile_model
from convlens.training.strategy import Strategy, resolve_precision
from convlens.training.trainer import Trainer

__all__ = ["CompiledSetup", "EpochIterator", "Strategy", "Trainer", "compile_model", "default_step",
           "resolve_precision"]
