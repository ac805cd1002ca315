"""Self-contained HTML pieces: figures as base64 PNG data URIs, inline CSS, escaped text, no external URLs."""
from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1f2328;
       background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px 0; font-size: 24px; }
header p { margin: 0; color: #d0d7de; font-size: 13px; }
nav { padding: 10px 32px; background: #fff; border-bottom: 1px solid #d0d7de; font-size: 14px; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; }
main { padding: 8px 32px 32px 32px; max-width: 1200px; }
.intro { font-size: 15px; line-height: 1.45; color: #1f2328; }
.headline { font-size: 18px; font-weight: 600; }
.scroll { overflow-x: auto; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px 20px; margin-top: 18px; }
h2 { font-size: 19px; margin: 6px 0 10px 0; }
h3 { font-size: 15px; margin: 14px 0 6px 0; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 12px; line-height: 1.35; max-width: 100%; }
figure { margin: 8px 0; }
img { max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: #57606a; }
table { border-collapse: collapse; font-size: 14px; }
td, th { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; }
.note { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 4px; padding: 8px 12px; font-size: 14px; }
@media (max-width: 700px) {  /* a phone: less padding, wrapping navigation, tables that scroll on their own */
  header, nav { padding-left: 12px; padding-right: 12px; }
  main { padding: 4px 8px 24px 8px; }
  section { padding: 8px 10px; }
  nav a { display: inline-block; margin: 2px 10px 2px 0; }
  table { display: block; overflow-x: auto; max-width: 100%; }
  .intro { font-size: 16px; }
}
"""


@dataclass
class Section:
    """One report section: an anchor id, a heading and its already-escaped HTML body."""

    id: str
    title: str
    body: str


SCREEN_DPI = 100  # the figure's inches are laid out for this many pixels per inch on the page
RENDER_DPI = 150  # rendered sharper than shown, so text stays crisp when a phone or a high-DPI screen scales it


def figure_img(fig: Figure, alt: str, caption: str | None = None, dpi: int = RENDER_DPI) -> str:
    """`<figure>` holding `fig` as an embedded PNG (data URI), so the page needs no other file. The PNG is
    rendered at `dpi` and shown at the figure's size at 100 dpi (never wider than the page).

    Example:
        >>> figure_img(fig, "training curves")[:40]  # doctest: +SKIP
        '<figure><img alt="training curves" src="d'
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    width = round(fig.get_figwidth() * SCREEN_DPI)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (f'<figure><img alt="{html.escape(alt)}" width="{width}" src="data:image/png;base64,{data}">{cap}'
            "</figure>")


def note(text: str) -> str:
    """A visible yellow note, e.g. why a section is empty."""
    return f'<p class="note">{html.escape(text)}</p>'


def preformatted(text: str) -> str:
    """Text kept as typed (a model summary)."""
    return f"<pre>{html.escape(text)}</pre>"


def table(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table of name / value rows."""
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def paragraph(text: str) -> str:
    """An escaped paragraph."""
    return f"<p>{html.escape(text)}</p>"


def render_page(title: str, subtitle: str, sections: Sequence[Section]) -> str:
    """The whole HTML document: header, table of contents, one <section> per entry, inline CSS."""
    nav = "".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    body = "".join(
        f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>{s.body}</section>' for s in sections
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>\n"
    )
