"""`write_report`: one self-contained HTML file for a training run."""
from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from convlens.report import sections as sec
from convlens.report.page import Section, note, render_page
from convlens.report.run_dir import load_run, shown_name
from convlens.saving.files import atomic_write_bytes

REPORT_FILE = "report.html"


def write_report(
    run_dir: str | os.PathLike,
    model: Any = None,
    *,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    history: Any = None,
    class_names: Sequence[str] | None = None,
    summary: str | None = None,
    metrics: dict[str, float] | None = None,
    output: str | os.PathLike | None = None,
    title: str | None = None,
    sample: int = 0,
) -> Path:
    """Write `run_dir/report.html` (or `output`) and return its path.

    Pieces given as arguments win; the others are read from the run folder (see `convlens.report`).
    A section whose pieces are missing, or that fails, shows a note instead of stopping the report.

    Example:
        >>> write_report("runs/mnist")  # doctest: +SKIP
        PosixPath('runs/mnist/report.html')
        >>> write_report(tmp, model, x_test=x[:200], y_test=y[:200], history=hist)  # doctest: +SKIP
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        raise ValueError(f"run_dir {str(folder)!r} is not a directory; expected a training run folder")
    data = load_run(
        folder,
        model=model,
        x_test=x_test,
        y_test=y_test,
        history=history,
        class_names=list(class_names) if class_names is not None else None,
        summary=summary,
        metrics=metrics,
    )
    evaluated: sec.Evaluated | None = None
    eval_error: str | None = None
    try:
        evaluated = sec.evaluate(data)
    except Exception as err:  # noqa: BLE001 - reported on the page
        eval_error = f"Running the model on the test samples failed: {type(err).__name__}: {err}"

    builders: list[tuple[str, str, Callable[[], str]]] = [
        ("run", "Run settings", lambda: sec.run_section(data)),
        ("summary", "Model summary", lambda: sec.summary_section(data)),
        ("curves", "Training curves", lambda: sec.curves_section(data)),
        ("results", "Test results", lambda: sec.results_section(data, evaluated)),
        ("predictions", "Predictions", lambda: sec.predictions_section(data, evaluated)),
        ("mistakes", "Most confident mistakes", lambda: sec.mistakes_section(data, evaluated)),
        ("filters", "First-layer filters", lambda: sec.filters_section(data)),
        ("feature-maps", "Feature maps", lambda: sec.feature_maps_section(data, evaluated, sample)),
        ("top-patches", "What excites a filter", lambda: sec.top_patches_section(data, evaluated)),
        ("grad-cam", "Grad-CAM", lambda: sec.gradcam_section(data, evaluated, sample)),
    ]
    rendered = []
    for anchor, heading, build in builders:
        try:
            body = build()
        except Exception as err:  # noqa: BLE001 - one broken section must not hide the others
            body = note(f"This section could not be drawn: {type(err).__name__}: {err}")
        if eval_error and anchor in {"results", "predictions", "mistakes", "feature-maps", "top-patches", "grad-cam"}:
            body = note(eval_error) + body
        rendered.append(Section(anchor, heading, body))

    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    name = shown_name(folder.resolve().name)  # the name only: a local path means nothing to whoever reads the page
    page = render_page(title or f"convlens report: {name}", f"run folder {name} · written {stamp}", rendered)
    target = Path(output) if output is not None else folder / REPORT_FILE
    atomic_write_bytes(target, page.encode("utf-8", "backslashreplace"))  # a stray surrogate left shows escaped
    return target
