import base64
import re

from convlens.report.page import Section, figure_img, note, preformatted, render_page, table
from convlens.viz._figure import new_figure


def test_figure_is_embedded_as_a_png_data_uri():
    fig = new_figure((2, 1))
    fig.add_subplot(1, 1, 1).plot([0, 1])
    tag = figure_img(fig, 'a "plot"', caption="x < y")
    data = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', tag).group(1)
    assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'alt="a &quot;plot&quot;"' in tag and "x &lt; y" in tag


def test_page_escapes_text_links_sections_and_needs_nothing_external():
    sections = [Section("a", "Model <summary>", preformatted("<b>")), Section("b", "Notes", note("missing & gone"))]
    page = render_page("run <1>", "sub", sections)
    assert page.startswith("<!DOCTYPE html>")
    assert '<section id="a"><h2>Model &lt;summary&gt;</h2><pre>&lt;b&gt;</pre>' in page
    assert '<a href="#b">Notes</a>' in page
    assert "missing &amp; gone" in page and "<style>" in page
    assert "://" not in page and "<script" not in page and "<link" not in page


def test_table_rows():
    assert table([("test_loss", "0.5")]) == "<table><tr><th>test_loss</th><td>0.5</td></tr></table>"
