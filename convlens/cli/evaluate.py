"""``convlens evaluate``: test a saved model on a dataset.

Without ``--dataset`` a run folder is tested on the data it was trained on (its ``dataset.json``): the dataset's
test split, or, for a folder dataset, the held-out test files recorded at training. ``--dataset FOLDER`` tests on
every image of another folder of class sub-folders (the recorded test files if it is the training folder).

Example:
    $ convlens evaluate runs/main
    $ convlens evaluate runs/photos --dataset new_photos/
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from convlens.cli import _folder
from convlens.cli._common import (ARRAY_DATASETS, add_common_arguments, load_arrays, model_path, read_dataset_record,
                                  scale)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="evaluate a saved model on a dataset's test split")
    parser.add_argument("model", help="run folder or saved model file")
    parser.add_argument("--dataset", default=None,
                        help=f"one of {', '.join(ARRAY_DATASETS)} or a folder of class sub-folders (default: the "
                             f"dataset the run was trained on)")
    add_common_arguments(parser)
    parser.set_defaults(func=run)


def _same_folder(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def run(args: argparse.Namespace) -> int:
    from convlens.models import load_model
    path = model_path(args.model)
    model = load_model(path)  # first: a weights-only or damaged file is named for what it is, whatever the dataset
    record = read_dataset_record(args.model)
    dataset = args.dataset or (record or {}).get("dataset")
    if dataset is None:
        raise ValueError(f"{args.model} records no dataset (not a run folder of `convlens train`); give --dataset")
    model.compile(model.optimizer or "rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if Path(dataset).is_dir():
        names = list(model.class_names or [])
        if not names:
            raise ValueError(f"{path} stores no class names, so its outputs cannot be matched to class folders")
        if record and record.get("kind") == "folder" and _same_folder(dataset, record["dataset"]):
            files, labels, split = record["test_files"], _folder.labels_of(record["test_files"], names), "test"
            if not files:
                raise ValueError(f"the run kept no test images of {dataset} (it was trained with --test-split 0)")
        else:
            (files, labels), split = _folder.files_for_classes(dataset, names), "all"
        height, width, channels = model.input_shape[1:4]
        batches = _folder.batches(dataset, files, labels, (height, width), "grayscale" if channels == 1 else "rgb",
                                  batch_size=args.batch_size)
        loss, accuracy = model.evaluate(batches, verbose=0)
        samples = len(files)
    elif dataset in ARRAY_DATASETS:
        _, (x_test, y_test), _ = load_arrays(dataset)
        loss, accuracy = model.evaluate(scale(x_test), y_test, batch_size=args.batch_size, verbose=0)
        samples, split = len(y_test), "test"
    else:
        raise ValueError(f"--dataset {dataset!r} is neither a known dataset ({', '.join(ARRAY_DATASETS)}) nor a "
                         f"folder of class sub-folders")
    print(json.dumps({"dataset": dataset, "split": split, "test_loss": float(loss), "test_accuracy": float(accuracy),
                      "test_samples": int(samples)}))
    return 0
