import pytest
from PIL import Image


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
