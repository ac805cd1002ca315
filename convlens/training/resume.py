"""The run state of a ``Trainer`` and exact resume: where the run stands, what ``save`` and checkpoints carry, and
where a ``fit`` starts.

``RunStateMethods`` is mixed into ``Trainer``. The state itself is a ``convlens.saving.RunState`` (epoch, batch,
shuffle seed, running sums, data state, optimizer, gradient-scaler and callback states), and ``convlens.saving``
stores it; this module fills it from the live run and gives a restored one back to the optimizer, the scaler, the
callbacks and the next ``fit``. A run resumed at any batch (``BackupAndRestore``, or ``load_model`` then ``fit``)
draws the same shuffle order, RNG streams and sums as the run that was never interrupted.

Example:
    >>> import torch, numpy as np
    >>> from convlens.training import Trainer
    >>> trainer = Trainer(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2), torch.nn.Softmax(-1)))
    >>> trainer.compile("sgd", loss="sparse_categorical_crossentropy", device="cpu")
    >>> _ = trainer.fit(np.zeros((8, 2, 2), "float32"), np.zeros(8, "int64"), batch_size=4, epochs=2, verbose=0)
    >>> (trainer.state.epoch, trainer.state.batch), sorted(trainer.state_dict()[1])
    ((2, 0), ['optimizer_state', 'run'])
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import torch

from convlens import saving
from convlens.callbacks import Callback, CallbackList, History
from convlens.saving import RunState, optimizer_state
from convlens.training.checks import check_run_state
from convlens.training.data import ArrayData, SequenceData


class RunStateMethods:
    """The callbacks of a run and the state that resumes it, for a ``Trainer`` (which owns the attributes)."""

    # --- callbacks and their state --------------------------------------------------------------------------------
    def _callback_list(self, callbacks: Sequence[Callback] | None, verbose: int, epochs: int, steps: int,
                       mode: str) -> CallbackList:
        chief = self.strategy is None or self.strategy.is_chief
        callbacks = [cb for cb in (callbacks or []) if chief or not getattr(cb, "chief_only", False)]
        cbs = CallbackList(callbacks, model=self.model, add_history=(mode == "fit"), add_progbar=bool(verbose),
                           verbose=verbose if chief else 0, epochs=epochs, steps=steps,
                           **({"precision": self.precision} if self.precision and mode == "fit" else {}))
        cbs.set_trainer(self)
        if mode == "fit":
            self.callbacks = cbs
        return cbs

    def _callback_keys(self, cbs: CallbackList) -> list[tuple[str, Callback]]:
        """The callbacks whose state is kept, keyed ``<class name>.<position among that class>``."""
        counts: dict[str, int] = {}
        keyed = []
        for cb in cbs:
            if isinstance(cb, History) or type(cb).__name__ == "ProgbarLogger":
                continue
            name = type(cb).__name__
            keyed.append((f"{name}.{counts.get(name, 0)}", cb))
            counts[name] = counts.get(name, 0) + 1
        return keyed

    def _load_callback_states(self, cbs: CallbackList) -> None:
        """Restored callback states (EarlyStopping's patience and best value …) go to the callbacks of the
        resumed run, matched by class and position."""
        if not self.state.callbacks:
            return
        for key, cb in self._callback_keys(cbs):
            if key in self.state.callbacks and hasattr(cb, "load_state_dict"):
                cb.load_state_dict(self.state.callbacks[key])
        self.state.callbacks = {}

    # --- where a fit starts ---------------------------------------------------------------------------------------
    def _start_position(self, train: ArrayData | SequenceData, initial_epoch: int) -> tuple[int, int, int,
                                                                                             list | None]:
        """``(initial epoch, first batch, shuffle seed, running sums)``: a restored position when a backup was
        loaded (or ``fit(initial_epoch=)`` continues the last fit), else a fresh seed from the global RNG."""
        state = self.state
        start_batch, sums = 0, None
        if self.resume_requested and state.started:
            initial_epoch, start_batch, sums = int(state.epoch), int(state.batch), state.sums
        resuming = state.started and (self.resume_requested or (int(state.epoch) == initial_epoch > 0 and
                                                                int(state.batch) == 0))
        self.resume_requested = False
        if resuming:
            shuffle_seed = int(state.shuffle_seed)
            if state.data:
                train.load_state(state.data)
        else:
            shuffle_seed = self.strategy.broadcast_int(int(torch.randint(0, 2 ** 62, (1,)).item()))
            start_batch, sums = 0, None
            self._sync_iterator_seed(train)
        if state.scaler and self.scaler is not None:
            self.scaler.load_state_dict(state.scaler)
        self._data = train
        return initial_epoch, start_batch, shuffle_seed, sums

    def _sync_iterator_seed(self, train: ArrayData | SequenceData) -> None:
        """Under torchrun, a seeded iterator (ImageDataGenerator.flow with seed=None) takes rank 0's seed, so all
        ranks cut their shards from the same batches."""
        state = train.state()
        if state is not None and self.strategy.distributed:
            train.load_state({**state, "seed": self.strategy.broadcast_int(state["seed"])})

    # --- the run state --------------------------------------------------------------------------------------------
    def _snapshot(self) -> RunState:
        """Where the run stands now, to resume it exactly (called by saves during fit, and when fit ends)."""
        live = self._live
        if live is None:
            return RunState(**self.state.position())
        sums = self._sums.tolist() if live.batch and self._sums is not None else None
        data = self._data.state() if self._data is not None else None
        return RunState(epoch=live.epoch, batch=live.batch, shuffle_seed=live.shuffle_seed, sums=sums, data=data,
                        world_size=self.strategy.world_size)

    def state_dict(self) -> tuple[dict[str, torch.Tensor], dict[str, Any] | None]:
        """``(tensors, json_meta)`` needed to resume exactly: optimizer state, position, seeds, RNG stream,
        gradient-scaler and callback states (``convlens.saving.run_state_payload`` lays them out)."""
        state = self._snapshot()
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and optimizer.torch_optimizer is not None:
            state.optimizer = optimizer.torch_optimizer.state_dict()
        if self.scaler is not None:
            state.scaler = self.scaler.state_dict()
        if self.callbacks is not None:
            state.callbacks = {key: cb.state_dict() for key, cb in self._callback_keys(self.callbacks)
                               if hasattr(cb, "state_dict")}
        return saving.run_state_payload(state)

    def load_state_dict(self, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (the optimizer only when the model is compiled)."""
        check_run_state(meta)
        restored = saving.read_run_state(tensors, meta)
        optimizer = getattr(self.model, "optimizer", None)
        if restored.optimizer is not None and optimizer is not None:
            torch_optimizer = optimizer.build(self.model)
            optimizer_state.load_into(torch_optimizer, restored.optimizer)  # refused by name if it does not fit
            if isinstance(getattr(optimizer, "_learning_rate", None), float):  # a rate changed by a callback
                optimizer.learning_rate = float(torch_optimizer.param_groups[0]["lr"])
        position = self.state
        if restored.started:
            if self.strategy is not None and restored.batch and (restored.world_size or 1) != \
                    self.strategy.world_size:
                raise ValueError(f"this backup was taken mid-epoch by {restored.world_size} processes; resume it "
                                 f"with the same number of processes (now {self.strategy.world_size})")
            position = restored
        self.state = RunState(**position.position(), scaler=restored.scaler, callbacks=restored.callbacks)

    def save_checkpoint(self, path: str | Path) -> None:
        """Weights and run state to ``path`` (atomically), for ``BackupAndRestore``."""
        saving.save_checkpoint(self.model, path)

    def load_checkpoint(self, path: str | Path) -> None:
        """Weights and run state from ``path``; the next (or current) ``fit`` resumes where it stood."""
        saving.restore_checkpoint(self.model, path)
        self.resume_requested = True


__all__ = ["RunStateMethods"]
