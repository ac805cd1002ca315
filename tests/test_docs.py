"""The documentation site builds offline in strict mode (broken links, missing pages or references fail), its API
reference covers every public name of convlens with the docstring examples rendered as code, and it loads nothing
from the network."""
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import convlens

ROOT = Path(__file__).resolve().parents[1]


def public_names(package: str) -> list[str]:
    """``__all__``, or the names a module defines itself (not what it imports)."""
    module = importlib.import_module(f"convlens.{package}")
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [name for name, value in vars(module).items() if not name.startswith("_")
            and getattr(value, "__module__", None) == module.__name__]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_every_package_has_a_page_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    for package in sorted(convlens._SUBMODULES):
        assert (ROOT / "docs" / "api" / f"{package}.md").is_file(), package
        assert f"api/{package}.md" in nav, package


def test_api_reference_covers_every_public_name(site):
    missing = []
    for package in sorted(convlens._SUBMODULES):
        page = (site / "api" / f"{package}.html").read_text(encoding="utf-8")
        anchors = set(re.findall(r'id="(convlens\.[A-Za-z0-9_.]+)"', page))
        missing += [f"convlens.{package}.{name}" for name in public_names(package)
                    if not any(anchor == f"convlens.{package}.{name}" or  # defined here, or in a sub-module
                               anchor.startswith(f"convlens.{package}.") and anchor.endswith(f".{name}")
                               for anchor in anchors)]
    assert missing == []


def test_docstring_examples_are_code_and_the_readme_is_the_home_page(site):
    arithmetic = (site / "api" / "arithmetic.html").read_text(encoding="utf-8")
    assert "<blockquote>" not in arithmetic  # >>> lines are not read as nested quotes
    assert re.search(r'<code><span class="gp">&gt;&gt;&gt; </span><span class="n">conv_output_length', arithmetic)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Keras code, convlens imports" in home and 'href="worked-examples.html"' in home
    assert "8×8, not 12×12" in (site / "worked-examples.html").read_text(encoding="utf-8")


def test_every_notebook_is_a_page_in_the_nav(site):
    notebooks = sorted((ROOT / "examples").glob("*.ipynb"))
    for notebook in notebooks:
        page = (site / "examples" / notebook.with_suffix(".html").name).read_text(encoding="utf-8")
        assert 'class="jp-Notebook' in page or "jp-Cell" in page, notebook.name
    home = (site / "index.html").read_text(encoding="utf-8")
    assert [n.name for n in notebooks if f'examples/{n.with_suffix(".html").name}"' not in home] == []


def test_nothing_is_fetched_from_the_network(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', text), page.name
