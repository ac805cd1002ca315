"""Open the report in a real headless Chromium (Debian `chromium`, driven by the `playwright` package)."""
import pytest

SECTIONS = [
    "Run settings",
    "Model summary",
    "Training curves",
    "Test results",
    "Predictions",
    "Most confident mistakes",
    "First-layer filters",
    "Feature maps",
    "What excites a filter",
    "Grad-CAM",
]


def test_report_loads_without_errors_and_shows_every_section(browser, full_report, tmp_path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    requests = []
    page.on("request", lambda req: requests.append(req.url) if not req.url.startswith(("file:", "data:")) else None)
    page.goto(full_report.as_uri(), wait_until="load")

    assert errors == []
    assert requests == []
    assert page.locator("section h2").all_inner_texts() == SECTIONS
    for heading in SECTIONS:
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 9 and min(widths) > 0
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:4] == b"\x89PNG"
    page.close()


def test_report_is_readable_at_phone_width(browser, full_report, tmp_path):
    # Issue 13: unreadable on a phone. At 390 CSS pixels the page must not scroll sideways, every figure must fit,
    # and the text must keep a readable size.
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page.goto(full_report.as_uri(), wait_until="load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.getBoundingClientRect().right)")
    assert len(widths) == 9 and max(widths) <= 390
    shown = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.getBoundingClientRect().width)")
    assert max(shown) >= 350  # wide figures use the phone's width, not a box inside wide margins
    sizes = page.eval_on_selector_all("p.intro, td, figcaption, pre",
                                      "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= 12
    assert page.get_by_role("heading", name="Test results", exact=True).is_visible()
    shot = tmp_path / "report_phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:4] == b"\x89PNG"
    page.close()
