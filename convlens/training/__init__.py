"""The training engine behind ``compile`` / ``fit`` / ``evaluate`` / ``predict``.

``Trainer`` is the same loop for any ``torch.nn.Module``:

Example:
    >>> import torch, numpy as np
    >>> from convlens.training import Trainer
    >>> net = Trainer(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2)), input_shape=(2, 2))
    >>> net.compile("sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> history = net.fit(np.zeros((8, 2, 2), "float32"), np.zeros(8, "int64"), epochs=1, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
"""
from convlens.training.engine import evaluate, fit, predict
from convlens.training.setup import CompiledSetup, compile_model


def Trainer(module, input_shape=None, channels_first: bool = False, name: str | None = None):
    """Wrap a plain ``torch.nn.Module`` so it gets Keras's compile/fit/evaluate/predict, callbacks and reports
    (same as ``convlens.Model.wrap``)."""
    from convlens.models.model import Model
    return Model.wrap(module, input_shape=input_shape, channels_first=channels_first, name=name)


__all__ = ["fit", "evaluate", "predict", "compile_model", "CompiledSetup", "Trainer"]
