"""The live page in a real headless Chromium (Debian `chromium`, driven by `playwright`): draw a digit with the mouse,
watch the guesses and every layer, toggle layers, hover a unit — and nothing leaves 127.0.0.1."""
import pytest

SEVEN = [(80, 60), (200, 60), (150, 150), (120, 240)]  # canvas coordinates of a "7", one stroke


def test_draw_a_digit_and_see_every_layer(browser, server, model, tmp_path):
    page = browser.new_page(viewport={"width": 1300, "height": 1000}, bypass_csp=True)  # lets the test evaluate JS
    errors, requests, in_flight, most = [], [], [0], [0]
    page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("request", lambda req: requests.append(req.url))

    def started(req):
        if "/v1/inspect" in req.url:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])

    def ended(req):
        if "/v1/inspect" in req.url:
            in_flight[0] -= 1

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    page.goto(server.url + "/", wait_until="load")
    page.wait_for_selector(".layer[data-layer='dense_2']", timeout=60_000)

    pad = page.locator("#pad").bounding_box()
    page.mouse.move(pad["x"] + SEVEN[0][0], pad["y"] + SEVEN[0][1])
    page.mouse.down()
    for segment, ((ax, ay), (bx, by)) in enumerate(zip(SEVEN, SEVEN[1:])):
        for t in range(1, 16):
            page.mouse.move(pad["x"] + ax + (bx - ax) * t / 15, pad["y"] + ay + (by - ay) * t / 15)
            page.wait_for_timeout(15)
        if segment == 0:  # still drawing: a guess must arrive before the stroke ends
            page.wait_for_function("document.getElementById('guess1').textContent !== '–'", timeout=60_000)
    page.mouse.up()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)

    assert most[0] == 1  # at most one request in flight, also while drawing
    inspected = sum("/v1/inspect" in url for url in requests)
    assert inspected >= 2
    ink = page.evaluate("""() => { const c = document.getElementById('downsampled');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i]; return s; }""")
    assert ink > 0
    first, second = page.locator("#guess1").inner_text(), page.locator("#guess2").inner_text()
    assert first in model.class_names and second in model.class_names and first != second
    assert page.locator("#topk .barrow").count() == 5
    assert page.locator("#stages .stage").count() == 6

    rows = model.summary_rows()
    assert page.locator(".layer[data-layer='input'] canvas.tile").count() == 1
    for row in rows:
        panel = page.locator(f".layer[data-layer='{row.name}']")
        title = panel.locator("h3").inner_text()
        facts = panel.locator(".facts").inner_text()
        assert title == f"{row.name} ({row.type})"
        assert row.receptive_field in facts and f"{row.macs:,}" in facts and (row.formula in facts or not row.params)
        units = row.output_shape[-1]
        if len(row.output_shape) == 4:
            assert panel.locator("canvas.tile").count() == units, row.name
            assert panel.locator(".scale .lo").inner_text() != "min"  # the layer's colour scale is labelled
        elif row is rows[-1]:
            assert panel.locator(".barrow").count() == units
            labels = panel.locator(".barrow > span:first-child").all_inner_texts()
            assert labels == model.class_names
        else:
            assert panel.locator(".unit").count() == units, row.name

    toggle = page.locator("#visibility input[data-layer='conv2d_2']")
    panel = page.locator(".layer[data-layer='conv2d_2']")
    toggle.uncheck()
    assert not panel.is_visible()
    toggle.check()
    assert panel.is_visible()
    page.locator("#visibility input[data-layer='input']").uncheck()
    assert not page.locator(".layer[data-layer='input']").is_visible()
    page.locator("#visibility input[data-layer='input']").check()

    before = len(requests)
    page.locator("#naive").check()
    page.wait_for_function("document.querySelector('#stages .stage.used div').textContent === 'naive 28×28'",
                           timeout=60_000)
    assert len(requests) > before

    page.locator("#naive").uncheck()  # back to MNIST-style for the unit and the screenshot
    page.wait_for_function("document.querySelector('#stages .stage.used div').textContent === 'centred 28×28'",
                           timeout=60_000)
    page.wait_for_load_state("networkidle")
    tile = page.locator(".layer[data-layer='conv2d_2'] canvas.tile").nth(2)
    tile.evaluate("e => e.scrollIntoView({block: 'center'})")  # below the kernel playground, clear of the sticky card
    box = tile.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.35)
    page.wait_for_function("document.getElementById('calc').textContent.includes('bias')", timeout=60_000)
    calc = page.locator("#calc").inner_text()
    assert calc.startswith("conv2d_2[") and "kernel" in calc and "→ relu →" in calc
    outlined = page.evaluate("""() => { const c = document.querySelector(".layer[data-layer='input'] canvas.overlay");
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }""")
    assert outlined > 0  # the unit's receptive field is outlined on the input

    shot = tmp_path / "live_page.png"  # for a person to look at: pytest --basetemp=... keeps it
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:4] == b"\x89PNG"
    print(f"screenshot: {shot}")

    assert errors == []
    assert all(url.startswith(server.url + "/") for url in requests), [u for u in requests
                                                                        if not u.startswith(server.url)]
    page.close()


def test_a_functional_rgb_model_gets_a_file_input_and_one_panel_group_per_branch(browser, tmp_path):
    import numpy as np
    import torch
    from PIL import Image

    from convlens.layers import Concatenate, Conv2D, Dense, Flatten, Input, MaxPooling2D
    from convlens.models import Model
    from tests.serve.conftest import start_server, stop_server

    torch.manual_seed(0)
    image = Input((16, 16, 3))
    left = MaxPooling2D(2)(Conv2D(4, 3, padding="same", activation="relu")(image))
    right = MaxPooling2D(2)(Conv2D(2, 5, padding="same", activation="relu")(image))
    merged = Conv2D(3, 3, activation="relu")(Concatenate()([left, right]))
    model = Model(image, Dense(3, activation="softmax")(Flatten()(merged)), name="two_branches")
    model.class_names = ["red", "green", "blue"]
    model.save(tmp_path / "model.convlens")
    photo = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 30, 3), dtype=np.uint8)).save(photo)
    server = start_server([str(tmp_path)])
    try:
        page = browser.new_page(viewport={"width": 1200, "height": 900}, bypass_csp=True)
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
        page.goto(server.url + "/", wait_until="load")
        page.wait_for_selector(".layer[data-layer='dense_1']", timeout=60_000)
        assert not page.locator("#pad").is_visible()
        assert page.locator("#draw-title").inner_text() == "Choose an image file"
        groups = page.locator("#layers .group")
        assert groups.count() == 3  # two branches from the input, then what follows the merge
        titles = page.locator("#layers .group .grouptitle").all_inner_texts()
        assert titles[0].endswith("from the input") and titles[1].endswith("from the input")
        first_branch = groups.nth(0).locator(".layer").evaluate_all("els => els.map(e => e.dataset.layer)")
        assert len(first_branch) == 2 and first_branch[1].startswith("max_pooling2d")
        page.locator("#file").set_input_files(str(photo))
        page.wait_for_function("document.getElementById('guess1').textContent !== '–'", timeout=60_000)
        assert page.locator(".layer[data-layer='input'] canvas.tile").count() == 3
        for row in model.summary_rows():
            if row.type in ("Conv2D", "MaxPooling2D", "Concatenate"):
                tiles = page.locator(f".layer[data-layer='{row.name}'] canvas.tile").count()
                assert tiles == row.output_shape[-1], row.name
        assert page.locator("#guess1").inner_text() in model.class_names
        page.screenshot(path=str(tmp_path / "branches.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'branches.png'}")
        assert errors == []
        page.close()
    finally:
        stop_server(server)


def red_and_blue(page, canvas_id):
    """Pixels clearly red and clearly blue on a canvas (read as a PNG, so the page's own canvas stays untouched)."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    url = page.evaluate("(id) => document.getElementById(id).toDataURL('image/png')", canvas_id)
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"), int)
    red, blue = pixels[..., 0] - pixels[..., 2] > 60, pixels[..., 2] - pixels[..., 0] > 60
    return int(red.sum()), int(blue.sum())


def test_kernel_playground(browser, server, tmp_path):
    from convlens import kernels

    page = browser.new_page(viewport={"width": 1300, "height": 1000}, bypass_csp=True)
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("request", lambda req: requests.append(req.url))
    page.goto(server.url + "/", wait_until="load")
    page.wait_for_selector("#kernel-name option[value='custom']", state="attached", timeout=60_000)
    options = page.locator("#kernel-name option").evaluate_all("os => os.map(o => o.value)")
    assert options == kernels.list_kernels() + ["custom"]
    assert page.locator("#kernel-name").input_value() == "edge2" and page.locator("#kernel-grid input").count() == 9

    pad = page.locator("#pad").bounding_box()
    page.mouse.move(pad["x"] + SEVEN[0][0], pad["y"] + SEVEN[0][1])
    page.mouse.down()
    for (ax, ay), (bx, by) in zip(SEVEN, SEVEN[1:]):
        for t in range(1, 9):
            page.mouse.move(pad["x"] + ax + (bx - ax) * t / 8, pad["y"] + ay + (by - ay) * t / 8)
    page.mouse.up()
    page.wait_for_function("document.getElementById('pg-calc').textContent.includes('sum =')", timeout=60_000)
    page.wait_for_load_state("networkidle")
    red, blue = red_and_blue(page, "pg-output")
    assert red > 0 and blue > 0  # the edge kernel's signed output on the diverging scale
    assert page.locator("#pg-lo").inner_text().startswith("-") and page.locator("#kernel-desc").inner_text()

    page.locator("#kernel-name").select_option("box_blur")
    page.wait_for_function("document.getElementById('pg-lo').textContent !== '" + page.locator("#pg-lo").inner_text()
                           + "'", timeout=60_000)
    page.wait_for_load_state("networkidle")
    red, blue = red_and_blue(page, "pg-output")
    assert red > 0 and blue == 0  # a blur of a non-negative image stays non-negative

    cells = page.locator("#kernel-grid input")
    assert cells.nth(0).input_value() == "0.1111"
    for i, value in enumerate(["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]):  # typed: Sobel x
        cells.nth(i).fill(value)
    page.wait_for_load_state("networkidle")
    assert page.locator("#kernel-name").input_value() == "custom"
    box = page.locator("#pg-output").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4)
    page.wait_for_function("document.getElementById('pg-calc').textContent.startsWith('output pixel (11, ')",
                           timeout=60_000)
    calc = page.locator("#pg-calc").inner_text()
    assert "patch × kernel" in calc and "sum = " in calc and "-1 0 1" not in calc.split("patch:")[0]
    row, col = (int(v) for v in calc.split("(", 1)[1].split(")", 1)[0].split(", "))
    assert (row, abs(col - 14) <= 1) == (11, True)  # the pixel under the mouse (a tile border may shift it by one)
    assert calc.splitlines()[1].startswith(f"output[{row}, {col}] ← input[{row}:{row + 3}, {col}:{col + 3}]")
    assert red_and_blue(page, "pg-window")[0] > 0  # the kernel's window is outlined in red on the input

    sent = len(requests)
    cells.nth(4).fill("x")
    page.wait_for_function("document.getElementById('pg-error').textContent.length > 0", timeout=60_000)
    assert page.locator("#pg-error").inner_text() == "kernel[1][1]: 'x' is not a number" and len(requests) == sent
    shot = tmp_path / "playground.png"
    cells.nth(4).fill("0")
    page.wait_for_function("document.getElementById('pg-error').textContent === ''", timeout=60_000)
    page.locator("#playground").screenshot(path=str(shot))
    assert shot.read_bytes()[:4] == b"\x89PNG"
    print(f"screenshot: {shot}")
    assert errors == []
    assert all(url.startswith(server.url + "/") for url in requests)
    page.close()
