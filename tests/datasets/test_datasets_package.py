from __future__ import annotations

import subprocess
import sys

import pytest

import convlens.datasets as datasets


def test_public_names():
    for name in ("mnist", "fashion_mnist", "kmnist", "mnist_sample", "cifar10", "cifar100"):
        module = getattr(datasets, name)
        assert callable(module.load_data) and isinstance(module.class_names, tuple)
        assert name in dir(datasets)
    assert callable(datasets.get_file)


def test_importing_loaders_does_not_import_torch():
    code = ("import sys; from convlens.datasets import mnist, fashion_mnist, kmnist, mnist_sample, cifar10, cifar100;"
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="svhn"):
        datasets.svhn
