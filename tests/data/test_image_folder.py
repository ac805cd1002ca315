import warnings

import pytest
from PIL import Image

from convlens.data.image_folder import scan_image_folder


def _folder(root, spec):
    for cls, count in spec.items():
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            Image.new("RGB", (8, 8), (i, 0, 0)).save(root / cls / f"{i}.png")
    return root


def test_hidden_entries_are_not_classes_or_images(tmp_path):
    _folder(tmp_path, {"b": 2, "a": 1, ".ipynb_checkpoints": 1, ".git": 1})
    (tmp_path / ".DS_Store").write_bytes(b"\0\0")
    (tmp_path / "a" / ".DS_Store").write_bytes(b"\0\0")
    Image.new("RGB", (4, 4)).save(tmp_path / "a" / "._0.png")
    (tmp_path / "a" / "notes.txt").write_text("hello")
    (tmp_path / "b" / "nested").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "b" / "nested" / "deep.jpg")
    folder = scan_image_folder(tmp_path)
    assert folder.class_names == ["a", "b"]
    assert folder.filenames == ["a/0.png", "b/0.png", "b/1.png", "b/nested/deep.jpg"]
    assert folder.labels.tolist() == [0, 1, 1, 1]
    assert folder.errors == []


def test_broken_files_are_reported_and_skipped(tmp_path):
    _folder(tmp_path, {"a": 2, "b": 2})
    (tmp_path / "a" / "zero.png").write_bytes(b"")
    (tmp_path / "b" / "fake.jpg").write_text("definitely not a jpeg")
    with pytest.warns(UserWarning, match="Skipping"):
        folder = scan_image_folder(tmp_path, workers=2)
    assert len(folder.filepaths) == 4
    bad = {path.rsplit("/", 1)[-1]: reason for path, reason in folder.errors}
    assert bad["zero.png"] == "empty file (0 bytes)" and "fake.jpg" in bad


def test_empty_class_and_empty_folder_are_clear_errors(tmp_path):
    _folder(tmp_path, {"a": 1})
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"\['empty'\].*no valid images"):
        scan_image_folder(tmp_path)
    with pytest.raises(ValueError, match="No class sub-folders"):
        scan_image_folder(tmp_path / "a")
    with pytest.raises(ValueError, match="does not exist"):
        scan_image_folder(tmp_path / "missing")


def test_explicit_classes_choose_the_order(tmp_path):
    _folder(tmp_path, {"a": 1, "b": 1, "c": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        folder = scan_image_folder(tmp_path, class_names=["c", "a"])
    assert folder.class_indices == {"c": 0, "a": 1}
    assert folder.filenames == ["c/0.png", "a/0.png"]


def test_hidden_folders_inside_a_class_folder_are_not_read(tmp_path):
    _folder(tmp_path, {"a": 2, "b": 1, "a/.ipynb_checkpoints": 3, "a/__MACOSX": 2, "b/.git/objects": 2})
    folder = scan_image_folder(tmp_path)
    assert folder.filenames == ["a/0.png", "a/1.png", "b/0.png"]


def test_symlink_loop_with_follow_links_reads_each_image_once(tmp_path):
    _folder(tmp_path, {"a": 3, "b": 3})
    (tmp_path / "a" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "b" / "self").symlink_to(tmp_path / "b", target_is_directory=True)
    folder = scan_image_folder(tmp_path, follow_links=True)
    assert len(folder.filepaths) == 6
    assert folder.labels.tolist() == [0, 0, 0, 1, 1, 1]
