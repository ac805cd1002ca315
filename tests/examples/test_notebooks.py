"""Every notebook in examples/ executed for real: nbclient drives an ipykernel of this Python at the reduced size
(CONVLENS_NOTEBOOK_FAST=1), any error cell fails, and the outputs are checked — figures came out as one PNG each,
the model / History / explainer results rendered as HTML, the progress bar left one line per epoch, and the live
page answered over HTTP while the notebook had it open.

One kernel runs the five notebooks in order, with ``%reset -f`` before each (a fresh namespace; only the imported
modules stay, which saves starting torch five times), in a scratch working folder: notebook 5 loads the model
notebook 2 saved there, as it does for a reader who runs them in order.
"""
from __future__ import annotations

import os
import re
import socket
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
FAST_EPOCHS = {"02_mnist_cnn.ipynb": 2, "03_cifar_style_training.ipynb": 1}


def tagged(nb: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if tag in cell.get("metadata", {}).get("tags", [])]


def images(cell: nbformat.NotebookNode) -> int:
    return sum("image/png" in out.get("data", {}) for out in cell.outputs)


def html(cell: nbformat.NotebookNode) -> str:
    return "".join(out.get("data", {}).get("text/html", "") for out in cell.outputs)


def iframe_url(cell: nbformat.NotebookNode) -> str:
    found = re.search(r'<iframe[^>]*src="(http://127\.0\.0\.1:\d+/)', html(cell))
    assert found, f"no IFrame to 127.0.0.1 in the live-page cell: {cell.outputs}"
    return found.group(1)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """{notebook name: executed notebook}, plus what the test process fetched from the live page."""
    workdir = tmp_path_factory.mktemp("notebooks")
    env = {**os.environ, "CONVLENS_NOTEBOOK_FAST": "1", "PYTHONPATH": os.pathsep.join(
        [str(EXAMPLES.parent), *filter(None, [os.environ.get("PYTHONPATH")])])}
    km = KernelManager(kernel_name="python3")  # jupyter_client runs "python" as sys.executable: this venv's kernel
    km.start_kernel(cwd=str(workdir), env=env)
    fetched: dict[str, object] = {}

    def on_cell_executed(cell, cell_index, execute_reply):
        if "live-page" in cell.get("metadata", {}).get("tags", []):
            url = iframe_url(cell)
            with urllib.request.urlopen(url, timeout=10) as response:  # from this process, not from the kernel
                fetched["page"] = (url, response.status, response.read().decode())

    results = {}
    try:
        for path in NOTEBOOKS:
            reset = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%reset -f")])
            NotebookClient(reset, km=km, timeout=60).execute()
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, km=km, timeout=300, allow_errors=False,
                           on_cell_executed=on_cell_executed).execute()
            results[path.name] = nb
    finally:
        km.shutdown_kernel(now=True)
    return results, fetched, workdir


def test_there_are_five_notebooks():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]
    for path in NOTEBOOKS:  # committed without outputs: the suite is what runs them
        nb = nbformat.read(path, as_version=4)
        assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), path.name
        assert tagged(nb, "parameters"), f"{path.name} has no parameters cell"


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_notebook_runs_and_draws_each_figure_once(executed, name):
    nb = executed[0][name]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
    for cell in tagged(nb, "figure"):  # a figure returned as the last expression: one PNG, never two
        assert images(cell) == 1, (cell.source, [list(o.get("data", {})) for o in cell.outputs])
    for cell in tagged(nb, "model-html"):
        assert "Total params" in html(cell) and "<table>" in html(cell)
    for cell in tagged(nb, "history-html"):
        assert "<svg" in html(cell) and "val_loss" in html(cell)
    for cell in tagged(nb, "explain"):
        assert 'class="convlens-trace"' in html(cell)


@pytest.mark.parametrize("name", sorted(FAST_EPOCHS))
def test_progress_bar_leaves_one_line_per_epoch(executed, name):
    (cell,) = tagged(executed[0][name], "fit")
    bars = [o for o in cell.outputs if o.output_type == "display_data" and "/step" in o.data.get("text/plain", "")]
    assert len(bars) == FAST_EPOCHS[name]
    assert all(re.fullmatch(r"\d+/\d+ \[=+\] - .*val_loss.*", bar.data["text/plain"]) for bar in bars)
    streams = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert "ETA" not in streams and "\r" not in streams


def test_live_page_was_served_and_fetched(executed):
    results, fetched, _ = executed
    url, status, page = fetched["page"]
    assert status == 200 and "<canvas" in page
    nb = results["05_live_page.ipynb"]
    (cell,) = tagged(nb, "live-page")
    assert iframe_url(cell) == url
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(OSError):  # the last cell called serve.stop()
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_notebooks_wrote_their_files(executed):
    workdir = executed[2]
    assert (workdir / "outputs" / "mnist_cnn.convlens").stat().st_size > 0
    report = (workdir / "outputs" / "cifar_style" / "report.html").read_text(encoding="utf-8")
    assert "<img" in report and (workdir / "outputs" / "cifar_style" / "model.weights.best.hdf5").is_file()
