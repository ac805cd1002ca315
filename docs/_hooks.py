"""MkDocs hooks: the site's home page is the README (one text, two places; its links into docs/ become site links),
and the notebooks in examples/ become pages (rendered by mkdocs-jupyter, not executed), listed in the nav."""
from __future__ import annotations

import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def notebooks() -> list[Path]:
    """The notebooks that follow the notes, in order."""
    return sorted((ROOT / "examples").glob("*.ipynb"))


def on_config(config):  # noqa: ANN001, ANN201 - MkDocs' hook signature
    found = notebooks()
    if found and config.nav is not None:
        config.nav.append({"Notebooks": [f"examples/{path.name}" for path in found]})
    return config


@event_priority(100)  # before mkdocs-jupyter looks at the files
def on_files(files, config):  # noqa: ANN001, ANN201
    for path in notebooks():
        files.append(File(f"examples/{path.name}", src_dir=str(ROOT), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ANN001
    if page.file.src_uri != "index.md":
        return markdown
    text = README.read_text(encoding="utf-8")
    return re.sub(r"\]\(docs/", "](", text)
