"""Every worked example of the lecture notes, one row each (seed file and line), reproduced by convlens.

The notes live beside the clone, in ``../shared/seeds/``; each row's cited line must still hold the quoted number,
so a row fails when the notes or the table drift apart."""
import os
from pathlib import Path

import numpy as np
import pytest

from convlens import kernels
from convlens.explain import conv2d, notes_inputs
from convlens.explain.receptive import receptive_field_steps
from convlens.explain.worked_examples import WORKED_EXAMPLES, show, to_markdown

SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"


def seed_line(seed: str, line: int) -> str:
    path = SEEDS / seed
    assert path.is_file(), f"{seed} is missing from the lecture notes in {SEEDS.resolve()}"
    return path.read_text(encoding="utf-8").splitlines()[line - 1]


IDS = [f"{e.key}-{e.title[:30]}" for e in WORKED_EXAMPLES]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the lecture notes (shared/seeds beside the clone, as CI has them) "
                                               "are not here to quote")
@pytest.mark.parametrize("example", WORKED_EXAMPLES, ids=IDS)
def test_the_notes_still_say_it(example):
    assert example.quote in seed_line(example.seed, example.line), f"{example.key} no longer shows {example.quote!r}"


@pytest.mark.parametrize("example", WORKED_EXAMPLES, ids=IDS)
def test_worked_example(example):
    assert example.agrees(), f"{example.key} {example.title}: convlens gives {example.shown()}, " \
                             f"expected {show(example.expected)}"
    if example.notes is not None:
        same = np.allclose(np.asarray(example.notes, float), np.asarray(example.expected, float))
        assert same == (example.correction == ""), "a correction is given exactly where the notes are wrong"
    if example.kernel:  # the kernel the notes print is convlens's named kernel, and kernels.apply agrees
        np.testing.assert_allclose(kernels.get_kernel(example.kernel), notes_inputs.NOTES_KERNELS[example.kernel])
        applied = kernels.apply(example.patch, example.kernel, padding="valid", clip=False)
        np.testing.assert_allclose(applied[0, 0], example.expected, atol=1e-12)


def test_table_covers_every_kind_of_example_the_issue_names():
    keys = {e.key for e in WORKED_EXAMPLES}
    assert len(WORKED_EXAMPLES) >= 86
    for key in ["000_83eb95560070a1a9.txt:682", "004_8f28e351d2277123.txt:360", "000_83eb95560070a1a9.txt:921",
                "000_83eb95560070a1a9.txt:793", "000_83eb95560070a1a9.txt:1211", "002_426f6e00330b5ba7.txt:845",
                "001_1f793e2ffd8f5b57.txt:145", "000_83eb95560070a1a9.txt:843", "001_1f793e2ffd8f5b57.txt:115",
                "002_426f6e00330b5ba7.txt:140", "002_426f6e00330b5ba7.txt:143", "002_426f6e00330b5ba7.txt:1489",
                "001_1f793e2ffd8f5b57.txt:271"]:
        assert key in keys, key


def test_flat_patch_shows_rounded_zero():
    row = next(e for e in WORKED_EXAMPLES if e.key == "004_8f28e351d2277123.txt:360")
    raw = row.value()
    assert raw != 0 and abs(raw) < 1e-15  # floating point: ±2.8e-17
    assert row.shown() == "0"
    step = conv2d(row.patch, notes_inputs.NOTES_KERNELS["edge3"]).steps[0]
    assert str(step).endswith("+ -0.1 = 0 → 0")  # the explainer's own trace shows the rounded value too


def test_receptive_field_erratum_is_corrected_with_the_reason():
    row = next(e for e in WORKED_EXAMPLES if e.key == "001_1f793e2ffd8f5b57.txt:271")
    assert (row.notes, row.value()) == (12, 8)
    assert "exact 8×8" in row.correction and "overlap by 2" in row.correction and "3·4 = 12" in row.correction
    trace = receptive_field_steps([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)])
    assert trace.sizes == [3, 4, 8]
    assert "4 + (3 − 1)·2 = 8" in trace.to_text()
    # brute force: the input pixels that reach one unit of conv3 → pool2 → conv3 form an 8×8 square
    image = np.zeros((16, 16))
    reach = np.zeros_like(image, bool)
    for r in range(16):
        for c in range(16):
            probe = image.copy()
            probe[r, c] = 1.0
            first = conv2d(probe, np.ones((3, 3))).output
            pooled = first.reshape(7, 2, 7, 2).max(axis=(1, 3))
            reach[r, c] = conv2d(pooled, np.ones((3, 3))).output[0, 0] > 0
    rows, cols = np.nonzero(reach)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (8, 8)


def test_summary_rows_match_convlens_and_keras_models():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    from convlens import Sequential
    from convlens import layers as cl

    row = next(e for e in WORKED_EXAMPLES if e.key == "004_8f28e351d2277123.txt:1014")
    ours = Sequential([cl.Conv2D(10, 5, activation="relu", input_shape=(28, 28, 1)), cl.MaxPooling2D(2),
                       cl.Conv2D(20, 5, activation="relu"), cl.MaxPooling2D(2), cl.Flatten(),
                       cl.Dense(100, activation="relu"), cl.Dense(10, activation="softmax")])
    theirs = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(10, 5), keras.layers.MaxPooling2D(2),
                               keras.layers.Conv2D(20, 5), keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                               keras.layers.Dense(100), keras.layers.Dense(10)])
    for model in (ours, theirs):
        counts = [layer.count_params() for layer in model.layers if layer.count_params()]
        assert (*counts, model.count_params()) == row.value()


def test_docs_page_lists_the_table_and_the_correction():
    page = (Path(__file__).resolve().parents[2] / "docs" / "worked-examples.md").read_text(encoding="utf-8")
    assert to_markdown() in page, "regenerate docs/worked-examples.md's table with worked_examples.to_markdown()"
    assert receptive_field_steps([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)]).to_text() in page
    assert "8×8, not 12×12" in page


def test_readme_gives_the_table_s_size():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"Every worked example of the lecture notes ({len(WORKED_EXAMPLES)} of them" in readme
