"""Keras-style callbacks: hooks that the training engine calls around epochs and batches.

Example:
    >>> from convlens.callbacks import EarlyStopping, ModelCheckpoint
    >>> callbacks = [EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    ...              ModelCheckpoint("model.weights.best.hdf5", save_best_only=True, save_weights_only=True)]
    >>> # model.fit(x, y, validation_split=0.2, epochs=50, callbacks=callbacks)
"""
from convlens.callbacks.backup_and_restore import BackupAndRestore
from convlens.callbacks.callback import Callback
from convlens.callbacks.callback_list import CallbackList
from convlens.callbacks.csv_logger import CSVLogger
from convlens.callbacks.early_stopping import EarlyStopping
from convlens.callbacks.history import History
from convlens.callbacks.lambda_callback import LambdaCallback
from convlens.callbacks.lr_scheduler import LearningRateScheduler
from convlens.callbacks.model_checkpoint import ModelCheckpoint
from convlens.callbacks.monitor import MonitorCallback
from convlens.callbacks.progbar import Progbar
from convlens.callbacks.progbar_logger import ProgbarLogger
from convlens.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from convlens.callbacks.tensorboard import TensorBoard
from convlens.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore", "Callback", "CallbackList", "CSVLogger", "EarlyStopping", "History", "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint", "MonitorCallback", "Progbar", "ProgbarLogger", "ReduceLROnPlateau", "TensorBoard", "TerminateOnNaN",
]
