"""``convlens evaluate``: test a saved model on a dataset.

Example:
    $ convlens evaluate runs/main --dataset mnist_sample
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from convlens.cli._common import ARRAY_DATASETS, add_common_arguments, load_arrays, scale


def model_path(spec: str) -> Path:
    """A run folder or a model file → the model file."""
    path = Path(spec)
    return path / "model.convlens" if path.is_dir() else path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="evaluate a saved model on a dataset's test split")
    parser.add_argument("model", help="run folder or saved model file")
    parser.add_argument("--dataset", default="mnist_sample", help=f"one of {', '.join(ARRAY_DATASETS)}")
    add_common_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from convlens.models import load_model
    model = load_model(model_path(args.model))
    _, (x_test, y_test), _ = load_arrays(args.dataset)
    model.compile(model.optimizer or "rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    loss, accuracy = model.evaluate(scale(x_test), y_test, batch_size=args.batch_size, verbose=0)
    print(json.dumps({"test_loss": loss, "test_accuracy": accuracy, "test_samples": int(len(y_test))}))
    return 0
