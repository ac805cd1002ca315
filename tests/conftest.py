"""Fixtures shared across the suite: an image-folder maker and a real headless Chromium."""
import os
import shutil

import pytest
from PIL import Image

CHROMIUM = os.environ.get("CONVLENS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Offline: never let the page or the browser reach the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def make_folder(tmp_path):
    """Write ``{class: count}`` small RGB PNGs under tmp_path/data; pixel colour encodes (class, index)."""
    def make(spec, size=(10, 12), suffix="png"):
        root = tmp_path / "data"
        for c, (cls, count) in enumerate(spec.items()):
            (root / cls).mkdir(parents=True, exist_ok=True)
            for i in range(count):
                Image.new("RGB", size, (40 * c, 10 * i, 200)).save(root / cls / f"img{i:02d}.{suffix}")
        return root
    return make


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright (the test extra installs playwright; `make test` installs chromium)."""
    from playwright import sync_api
    if not os.path.isfile(CHROMIUM):
        pytest.skip(f"no chromium executable at {CHROMIUM} (apt-get install -y chromium)")
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
