"""The Makefile's install steps: `make run` installs runtime dependencies only (no mlxtend, no extras), `make test`
adds every extra pyproject.toml declares but the benchmarks' peers (`make bench` adds those)."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


def _dry_run(tmp_path, target):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)  # a folder without .venv: make prints every install step
    out = subprocess.run(["make", "-n", "-C", str(tmp_path), target], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if "pip install" in line]


def test_make_run_installs_runtime_dependencies_only(tmp_path):
    steps = _dry_run(tmp_path, "run")
    assert steps and not any("mlxtend" in s or "--no-deps" in s or "[" in s for s in steps), steps


def test_make_test_installs_every_extra_but_the_benchmark_peers(tmp_path):
    extras = re.findall(r"(?m)^([A-Za-z0-9_-]+) *=",
                        (ROOT / "pyproject.toml").read_text().split("[project.optional-dependencies]")[1]
                        .split("\n[")[0])
    extras = [name for name in extras if name != "bench"]
    steps = _dry_run(tmp_path, "test")
    assert "test" in extras
    assert any(f"'.[{','.join(extras)}]'" in s for s in steps), steps
