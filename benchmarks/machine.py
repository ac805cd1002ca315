"""What every benchmark prints first: CPU model and vector/matrix flags, torch version, threads, load.

Ratios measured on different CPUs (AVX2 only vs AVX-512 vs AMX) or under different load must never be mixed up, so
each benchmark starts with ``print(machine.header())``.

Example (``python benchmarks/machine.py``)::

    cpu: AMD EPYC (2 logical CPUs); AVX2 yes, AVX-512 no, AVX512-BF16 no, AMX no -> native bfloat16: no
    torch 2.13.0+cpu, 2 threads; load average 0.12 0.30 0.25 at 2026-11-25 17:50 UTC
"""
from __future__ import annotations

import datetime
import os
import platform

import torch

FLAG_GROUPS = {"AVX2": ("avx2",), "AVX-512": ("avx512f",), "AVX512-BF16": ("avx512_bf16",),
               "AMX": ("amx_bf16", "amx_tile")}


def cpu_flags() -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where it does not exist)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def native_bfloat16(flags: set[str] | None = None) -> bool:
    """Whether the CPU has bfloat16 arithmetic units (AMX or AVX512-BF16); elsewhere bfloat16 is emulated."""
    flags = cpu_flags() if flags is None else flags
    return bool({"amx_bf16", "avx512_bf16"} & flags)


def load_line() -> str:
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"load average {load} at {now}"


def header() -> str:
    """Two lines: the CPU and its flags; torch, threads, load average and time."""
    flags = cpu_flags()
    marks = ", ".join(f"{name} {'yes' if any(f in flags for f in group) else 'no'}"
                      for name, group in FLAG_GROUPS.items())
    gpu = f"; CUDA: {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""
    return (f"cpu: {cpu_model()} ({os.cpu_count()} logical CPUs); {marks} -> native bfloat16: "
            f"{'yes' if native_bfloat16(flags) else 'no'}{gpu}\n"
            f"torch {torch.__version__}, {torch.get_num_threads()} threads; {load_line()}")


if __name__ == "__main__":
    print(header())
