"""``Strategy``: the one place that decides where a run computes (device), in which precision, and across how many
processes (a ``torch.distributed`` process group started by ``torchrun``).

Device: ``compile(..., device=...)``, else ``$CONVLENS_DEVICE``, else the local CUDA GPU (``cuda:$LOCAL_RANK`` under
torchrun), else Apple's MPS, else the CPU. Precision policies:

* ``"float32"`` (default): plain float32.
* ``"mixed_bfloat16"`` (``"bfloat16"`` is accepted for it): layers run under ``torch.autocast`` in bfloat16;
  weights, outputs, loss and metrics stay float32.
* ``"mixed_float16"``: CUDA only, float16 autocast with a ``GradScaler``.
* ``"auto"``: ``"mixed_bfloat16"`` where the hardware computes bfloat16 natively (a CPU with AMX or
  AVX512-BF16, a CUDA GPU that supports it), ``"float32"`` elsewhere. Never the default: asked for by name.

A convlens model carries its policy on its layers (``convlens.dtype_policies``); the Strategy's policy is the
one the run reports, and the one a plain ``torch.nn.Module`` runs under.

Processes: under ``torchrun`` (``WORLD_SIZE`` > 1 in the environment) the process group starts from the environment,
gloo on the CPU and NCCL on CUDA.

Example:
    >>> resolve_precision("auto", torch.device("cpu"), cpu_flags={"avx2", "amx_bf16"})
    'mixed_bfloat16'
    >>> resolve_precision("auto", torch.device("cpu"), cpu_flags={"avx2"})
    'float32'
    >>> Strategy(device="cpu", precision="float32").world_size
    1
"""
from __future__ import annotations

import atexit
import contextlib
import os
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import torch
import torch.distributed as dist

from convlens.backend import resolve_device  # the one device rule; ops and random use it too
from convlens.dtype_policies import to_float32
from convlens.layers import Layer
from convlens.layers.base import set_model_policy
from convlens.training.data import map_inputs

POLICIES = ("auto", "float32", "mixed_bfloat16", "bfloat16", "mixed_float16")
_NATIVE_BF16_FLAGS = ("amx_bf16", "avx512_bf16")


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo", environ: dict[str, str] | None = None) -> set[str]:
    """The CPU feature flags the kernel reports (empty where ``/proc/cpuinfo`` does not exist).
    ``$CONVLENS_CPU_FLAGS`` (comma-separated, e.g. ``avx2,amx_bf16``) stands in for them: what ``precision='auto'``
    decides on another machine, tried on this one (the test suite runs both ways).

    Example:
        >>> sorted(cpu_flags(environ={"CONVLENS_CPU_FLAGS": "avx2, amx_bf16"}))
        ['amx_bf16', 'avx2']
    """
    environ = os.environ if environ is None else environ
    if environ.get("CONVLENS_CPU_FLAGS") is not None:
        return {flag.strip() for flag in environ["CONVLENS_CPU_FLAGS"].split(",") if flag.strip()}
    try:
        text = Path(cpuinfo).read_text(errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags") and ":" in line:
            return set(line.split(":", 1)[1].split())
    return set()


def native_bfloat16(device: torch.device, flags: set[str] | None = None, cuda_bf16: bool | None = None) -> bool:
    """Whether ``device`` computes bfloat16 natively: CPU flags ``amx_bf16``/``avx512_bf16``, or a CUDA GPU that
    supports bfloat16 (Ampere and newer). ``flags`` / ``cuda_bf16`` inject the answer (tests, other machines)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported() if cuda_bf16 is None else bool(cuda_bf16)
    if device.type == "cpu":
        flags = cpu_flags() if flags is None else set(flags)
        return any(flag in flags for flag in _NATIVE_BF16_FLAGS)
    return False


def resolve_precision(policy: str | None, device: torch.device, cpu_flags: set[str] | None = None,
                      cuda_bf16: bool | None = None) -> str:
    """The concrete policy (``'float32'``, ``'mixed_bfloat16'`` or ``'mixed_float16'``) that ``policy`` means on
    ``device``."""
    policy = "float32" if policy is None else policy
    if policy not in POLICIES:
        raise ValueError(f"precision must be one of {', '.join(map(repr, POLICIES))}, got {policy!r}")
    if policy == "mixed_float16" and device.type != "cuda":
        raise ValueError(f"precision='mixed_float16' needs a CUDA GPU (float16 with a GradScaler); this run is on "
                         f"{device}. Use 'bfloat16' or 'float32'")
    if policy == "auto":
        return "mixed_bfloat16" if native_bfloat16(device, cpu_flags, cuda_bf16) else "float32"
    return "mixed_bfloat16" if policy == "bfloat16" else policy


def apply_policy(model: torch.nn.Module, precision: str | None, device: torch.device) -> str:
    """The run's policy name. ``precision=None`` keeps the model's own dtype policy (float32 unless the user set
    one); a name (``'auto'`` resolved on ``device``) is given to every layer that has no ``dtype=`` of its own."""
    if precision is None:
        own = model.dtype_policy.name if isinstance(model, Layer) else "float32"
        return resolve_precision(own, device)
    resolved = resolve_precision(precision, device)
    set_model_policy(model, resolved)
    return resolved


class Strategy:
    """Device, precision policy and process group of a run (see the module docstring)."""

    def __init__(self, device: Any = None, precision: str | None = "float32", cpu_flags: set[str] | None = None) -> None:
        self.device = resolve_device(device)
        self.requested_precision = "float32" if precision is None else precision
        self.precision = resolve_precision(precision, self.device, cpu_flags)
        self.world_size = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        if self.world_size > 1 and not dist.is_initialized():
            backend = "nccl" if self.device.type == "cuda" else "gloo"
            if self.device.type == "cuda":
                torch.cuda.set_device(self.device)
            dist.init_process_group(backend=backend)
            atexit.register(_end_process_group)  # the group we started ends before the interpreter's threads do
        if dist.is_initialized():
            self.world_size, self.rank = dist.get_world_size(), dist.get_rank()

    def __repr__(self) -> str:
        return f"Strategy(device={str(self.device)!r}, precision={self.precision!r}, world_size={self.world_size})"

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_chief(self) -> bool:
        """Rank 0: the process that prints and writes files."""
        return self.rank == 0

    # --- precision ------------------------------------------------------------------------------------------------
    @property
    def compute_dtype(self) -> torch.dtype:
        return {"mixed_bfloat16": torch.bfloat16, "mixed_float16": torch.float16}.get(self.precision, torch.float32)

    def autocast(self) -> contextlib.AbstractContextManager:
        """The forward-pass context of the policy for a plain ``torch.nn.Module`` (a no-op in float32); convlens
        layers apply their own policies."""
        if self.precision == "float32":
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.compute_dtype)

    def run(self, model: torch.nn.Module, x: Any, **kwargs: Any) -> Any:
        """The forward of every step and prediction: a convlens model computes as its layers' dtype policies say
        (the same as ``model(x)`` anywhere else); a plain torch module under this run's policy. Outputs float32."""
        if isinstance(model, Layer):
            return to_float32(model(x, **kwargs))
        with self.autocast():
            return to_float32(model(x, **kwargs))

    def grad_scaler(self) -> torch.amp.GradScaler | None:
        """A ``GradScaler`` for ``mixed_float16`` (float16 gradients underflow without one), else None."""
        return torch.amp.GradScaler("cuda") if self.precision == "mixed_float16" else None

    # --- moving data ----------------------------------------------------------------------------------------------
    def to_device(self, batch: tuple) -> tuple:
        """Move a batch's tensors to the device; on CUDA from pinned memory without blocking."""
        if self.device.type == "cpu":
            return batch
        pin = self.device.type == "cuda"

        def move(t: torch.Tensor) -> torch.Tensor:
            return (t.pin_memory() if pin and t.device.type == "cpu" else t).to(self.device, non_blocking=pin)

        return (map_inputs(move, batch[0]), *(None if t is None else move(t) for t in batch[1:]))

    # --- processes ------------------------------------------------------------------------------------------------
    def all_reduce_sum(self, tensor: torch.Tensor) -> torch.Tensor:
        """Sum ``tensor`` over all processes, in place (a no-op on one process)."""
        if self.distributed:
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        return tensor

    def broadcast(self, tensor: torch.Tensor) -> torch.Tensor:
        """Rank 0's ``tensor`` on every process, in place."""
        if self.distributed:
            dist.broadcast(tensor, src=0)
        return tensor

    def barrier(self) -> None:
        """Wait until every process reaches this point (a no-op on one process)."""
        if self.distributed:
            dist.barrier()

    def broadcast_int(self, value: int) -> int:
        if not self.distributed:
            return value
        return int(self.broadcast(torch.tensor([value], dtype=torch.int64, device=self._comm_device()))[0])

    def broadcast_module(self, module: torch.nn.Module) -> None:
        """Rank 0's weights and buffers on every process (so all ranks start equal)."""
        if self.distributed:
            with torch.no_grad():
                for tensor in [*module.parameters(), *module.buffers()]:
                    dist.broadcast(tensor.data, src=0)

    def shard(self, size: int) -> tuple[int, int]:
        """This rank's contiguous part ``[lo, hi)`` of ``size`` rows: parts differ by at most one row, none is
        counted twice (a part may be empty)."""
        return size * self.rank // self.world_size, size * (self.rank + 1) // self.world_size

    def _comm_device(self) -> torch.device:
        return self.device if self.device.type == "cuda" else torch.device("cpu")

    @contextlib.contextmanager
    def rng_streams(self) -> Iterator[None]:
        """Run the body with torch's default generators forked: dropout and random layers draw from the run's own
        streams (``seed_stream``), and the user's global RNG state is put back afterwards, never reset."""
        devices = [self.device] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            yield

    def seed_stream(self, seed: int, epoch: int, batch: int,
                    generators: Sequence[tuple[int, torch.Generator]] = ()) -> None:
        """Seed the (forked) default generators for one batch from the run's seed, this process's rank, the epoch
        and the batch: the random numbers of a batch follow from where it is in the run, so a run resumed at any
        batch, on any number of processes, draws exactly what the uninterrupted one drew. ``generators``: the
        ``(seed, generator)`` of layers with their own seed (``RandomFlip(seed=1)``), seeded the same way from
        their own seed instead of the run's."""
        value = _stream_seed(seed, self.rank, epoch, batch)
        torch.random.default_generator.manual_seed(value)
        if self.device.type == "cuda":
            torch.cuda.manual_seed(value)
        for own_seed, generator in generators:
            generator.manual_seed(_stream_seed(own_seed, self.rank, epoch, batch))


def _end_process_group() -> None:
    """Tear down the process group convlens started: left to the interpreter's exit, gloo's threads can abort the
    process ("terminate called without an active exception") after the run itself succeeded."""
    if dist.is_initialized():
        dist.destroy_process_group()


def _stream_seed(seed: int, rank: int, epoch: int, batch: int) -> int:
    """A 62-bit seed that follows from (seed, rank, epoch, batch) alone."""
    words = np.random.SeedSequence([seed % 2 ** 63, rank, epoch, batch]).generate_state(2, np.uint32)
    return int(words[0]) << 31 | int(words[1]) >> 1


__all__ = ["POLICIES", "Strategy", "apply_policy", "cpu_flags", "native_bfloat16", "resolve_device", "resolve_precision"]
