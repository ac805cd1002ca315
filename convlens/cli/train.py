"""``convlens train``: train a model on a dataset and write a run folder (model, history, summary, report).

The model is saved as soon as training ends, before anything that could fail (evaluation, the report), and the
run folder records the data it was trained on (``dataset.json``), so ``convlens evaluate`` and ``convlens predict``
use the same data and the same resize without being told again.

Example:
    $ convlens train --dataset mnist_sample --model notes_mnist_cnn --epochs 10 --out runs/main
    $ convlens train --dataset photos/ --image-size 64 64 --out runs/photos   # photos/<class>/*.jpg
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from convlens.cli import _folder
from convlens.cli._common import (ARRAY_DATASETS, DATASET_FILE, MODEL_FILE, add_common_arguments, build_model,
                                  fraction, load_arrays, model_names, output_folder, positive_float, positive_int,
                                  scale, write_json, write_npz, write_text)

OPTIMIZERS = ("sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta")
TEST_DATA_LIMIT = 500  # test images kept in the run folder for the report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train a model and write a run folder",
                                   description="Train a model (a registered name or a .py file) on a dataset.")
    parser.add_argument("--dataset", default="mnist_sample",
                        help=f"one of {', '.join(ARRAY_DATASETS)}, or a folder of class sub-folders")
    parser.add_argument("--model", default="notes_mnist_cnn",
                        help=f"a registered model ({model_names()}) or a .py file defining "
                             f"build_model(input_shape, num_classes)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="passes over the training data; with --recipe, the recipe's own (default: 10)")
    add_common_arguments(parser)
    parser.set_defaults(batch_size=None)  # 128, or the recipe's
    parser.add_argument("--recipe", choices=("fast",), default=None,
                        help="fast: convlens.recipes.fast, its own model, optimizer and schedule (see README)")
    parser.add_argument("--precision", choices=("float32", "mixed_bfloat16", "auto"), default=None,
                        help="dtype policy (default: float32; with --recipe fast, auto: bfloat16 compute where the "
                             "CPU has bfloat16 units)")
    parser.add_argument("--optimizer", default="rmsprop", choices=OPTIMIZERS, help="Keras optimizer name")
    parser.add_argument("--learning-rate", type=positive_float, default=None,
                        help="learning rate (default: the optimizer's Keras default)")
    parser.add_argument("--validation-split", type=fraction, default=0.1,
                        help="fraction held out to choose the best epoch")
    parser.add_argument("--test-split", type=fraction, default=0.1,
                        help="folder datasets: fraction held out for the final test (never trained on, never "
                             "used to choose the epoch)")
    parser.add_argument("--image-size", type=positive_int, nargs=2, default=(64, 64), metavar=("H", "W"),
                        help="image size for folder datasets")
    parser.add_argument("--color-mode", choices=("rgb", "grayscale"), default="rgb",
                        help="channels for folder datasets")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights, shuffling and splits")
    parser.add_argument("--out", default="runs/latest", help="run folder to write")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML report")
    parser.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2), help="progress output")
    parser.add_argument("--nproc", type=positive_int, default=1,
                        help="processes to train on, launched through torchrun (gloo on CPU, NCCL on GPUs)")
    parser.set_defaults(func=run, _parser=parser)


def _folder_data(args: argparse.Namespace) -> dict:
    splits = _folder.split_folder(args.dataset, args.validation_split, args.test_split, args.seed)
    common = dict(image_size=tuple(args.image_size), color_mode=args.color_mode, batch_size=args.batch_size)

    def make(split: str, **kwargs):
        if not splits.files[split]:
            return None
        return _folder.batches(splits.root, splits.files[split], splits.labels[split], **common, **kwargs)

    train = make("train", shuffle=True, seed=args.seed)
    val, test = make("validation"), make("test")
    record = {"dataset": splits.root, "kind": "folder", "image_size": list(args.image_size),
              "color_mode": args.color_mode, "interpolation": _folder.INTERPOLATION, "seed": args.seed,
              "splits": {s: len(splits.files[s]) for s in _folder.SPLITS}, "test_files": splits.files["test"]}
    if test is None:
        test, test_name = val, "validation split (it also chose the best epoch: no image was left for a test split)"
    else:
        test_name = "held-out test split"
    return dict(train=train, val=val, test=test, test_name=test_name, class_names=splits.class_names,
                input_shape=(*args.image_size, 3 if args.color_mode == "rgb" else 1), record=record)


def _array_data(args: argparse.Namespace) -> dict:
    (x_train, y_train), (x_test, y_test), class_names = load_arrays(args.dataset)
    record = {"dataset": args.dataset, "kind": "arrays", "image_size": list(x_train.shape[1:3]),
              "color_mode": "grayscale" if x_train.shape[-1] == 1 else "rgb",
              "interpolation": _folder.INTERPOLATION, "seed": args.seed,
              "splits": {"train": int(len(x_train) * (1 - args.validation_split)),
                         "validation": len(x_train) - int(len(x_train) * (1 - args.validation_split)),
                         "test": len(x_test)}}
    return dict(train=(scale(x_train), y_train), test=(x_test, y_test), test_name="dataset's test split",
                class_names=class_names, input_shape=x_train.shape[1:], record=record)


def _torchrun(args: argparse.Namespace) -> int:
    """Start the same command on ``--nproc`` processes through torchrun; rank 0 prints and writes the run folder."""
    argv = ["train"]
    for action in args._parser._actions:
        value = getattr(args, action.dest, None)
        if action.dest in ("help", "nproc", "func", "_parser") or not action.option_strings or value is None:
            continue
        if isinstance(action, argparse._StoreTrueAction):
            argv += [action.option_strings[0]] if value else []
        else:
            argv += [action.option_strings[0], *map(str, value if isinstance(value, (list, tuple)) else [value])]
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={args.nproc}",
               "-m", "convlens.cli.main", *argv]
    return subprocess.run(command, env={**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
                          ).returncode


def run(args: argparse.Namespace) -> int:
    from convlens import optimizers
    from convlens.callbacks import CSVLogger, ModelCheckpoint
    from convlens.callbacks.training_speed import TrainingSpeed
    from convlens.utils import set_random_seed

    if args.nproc > 1 and "WORLD_SIZE" not in os.environ:
        return _torchrun(args)

    started = time.perf_counter()
    out = output_folder(args.out)
    is_folder = Path(args.dataset).is_dir()
    set_random_seed(args.seed)
    if args.recipe == "fast":
        return _run_fast(args, out)
    args.epochs = 10 if args.epochs is None else args.epochs
    args.batch_size = 128 if args.batch_size is None else args.batch_size
    data = _folder_data(args) if is_folder else _array_data(args)
    optimizer = optimizers.get(args.optimizer)
    if args.learning_rate is not None:
        optimizer.learning_rate = args.learning_rate
    model = build_model(args.model, tuple(data["input_shape"]), len(data["class_names"]))
    model.compile(optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  precision=args.precision or "float32")
    chief = model.trainer.strategy.is_chief  # under torchrun only rank 0 prints and writes
    say = print if chief else (lambda *parts, **kwargs: None)
    if args.precision == "auto":  # the summary's last line names the policy; auto also says why
        say(precision_line("auto", model.precision_policy))
    model.summary(print_fn=say)

    best = out / "best.weights.convlens"
    has_validation = data.get("val") is not None if is_folder else args.validation_split > 0
    speed = TrainingSpeed()
    callbacks = [CSVLogger(str(out / "history.csv")), speed]
    if has_validation:  # keep the epoch with the best validation loss, as the notes do with ModelCheckpoint
        callbacks.append(ModelCheckpoint(str(best), monitor="val_loss", save_best_only=True, save_weights_only=True))
    if is_folder:
        model.fit(data["train"], epochs=args.epochs, validation_data=data.get("val"), callbacks=callbacks,
                  verbose=args.verbose)
    else:
        x_train, y_train = data["train"]
        model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                  validation_split=args.validation_split, callbacks=callbacks, verbose=args.verbose)

    # Save first: nothing after this point may lose the trained model.
    model.class_names = list(data["class_names"])
    if has_validation and best.exists():
        model.load_weights(best)
        val_loss = model.history.history["val_loss"]
        say(f"Restored the weights of epoch {val_loss.index(min(val_loss)) + 1} (lowest val_loss)")
    model.trainer.strategy.barrier()
    if not chief:
        _evaluate(model, data, args.batch_size)  # the test pass is shared out over the processes
        return 0
    model.save(out / MODEL_FILE)
    best.unlink(missing_ok=True)
    write_json(out / "class_names.json", list(data["class_names"]))
    write_json(out / DATASET_FILE, data["record"])
    write_text(out / "summary.txt", model.summary(return_string=True, show_formulas=True) + "\n")
    print(f"Model saved: {out / MODEL_FILE}")

    test_loss, test_accuracy, x_keep, y_keep = _evaluate(model, data, args.batch_size)
    n_test = data["test"].n if is_folder else len(data["test"][1])
    print(f"\nTest accuracy: {test_accuracy:.2%}  (loss {test_loss:.4f}, {n_test} images of the {data['test_name']})")
    write_json(out / "metrics.json", {"test_loss": test_loss, "test_accuracy": test_accuracy,
                                      "test_samples": int(n_test), "test_set": data["test_name"]})
    splits = data["record"]["splits"]
    write_json(out / "run.json", {
        "dataset": data["record"]["dataset"], "model": args.model, "train_samples": splits["train"],
        "validation_samples": splits["validation"], "test_samples": int(n_test), "test_set": data["test_name"],
        "epochs": args.epochs, "batch_size": args.batch_size, "optimizer": args.optimizer,
        "learning_rate": _number(optimizer.learning_rate),
        "loss": "sparse_categorical_crossentropy", "seed": args.seed,
        "wall_time_s": round(time.perf_counter() - started, 1), "images_per_s": speed.images_per_s})
    write_npz(out / "test_data.npz", x_test=x_keep, y_test=y_keep)
    if not args.no_report:
        from convlens.report import write_report
        report = write_report(out)
        print(f"Report: {report}")
    print(f"Run folder: {out.resolve()}")
    return 0


def precision_line(asked: str, policy: str) -> str:
    """One line saying which precision the run computes in, and why when ``auto`` chose it.

    Example:
        >>> precision_line("auto", "mixed_bfloat16")
        'Precision: mixed_bfloat16 (native on this CPU; --precision float32 for exact float32)'
    """
    if asked != "auto":
        return f"Precision: {policy}"
    if policy == "float32":
        return "Precision: float32 (this CPU has no bfloat16 units)"
    return f"Precision: {policy} (native on this CPU; --precision float32 for exact float32)"


def _run_fast(args: argparse.Namespace, out: Path) -> int:
    """``--recipe fast``: ``convlens.recipes.fast.train_fast`` on an array dataset, scored with test-time flip."""
    import time
    from convlens.recipes import fast
    if Path(args.dataset).is_dir() or args.model != "notes_mnist_cnn" or args.learning_rate is not None:
        raise ValueError("--recipe fast takes an array dataset (--dataset) and sets its own model and learning "
                         "rate; drop --model / --learning-rate")
    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test), class_names = load_arrays(args.dataset)
    settings = fast.settings_for(args.dataset)
    settings["epochs"] = args.epochs or settings["epochs"]
    settings["batch_size"] = args.batch_size or settings["batch_size"]
    precision = args.precision or "auto"
    model = fast.train_fast(x_train, y_train, seed=args.seed, verbose=args.verbose, precision=precision, **settings)
    print(precision_line(precision, model.precision_policy))
    accuracy = fast.evaluate_fast(model, x_test, y_test)
    seconds = time.perf_counter() - start
    flip = ", with test-time flip" if settings["flip"] else ""
    print(f"\nTest accuracy: {accuracy:.2%} ({len(y_test)} test images{flip}); {seconds:.1f} s from loading to score")
    model.class_names = list(class_names)
    model.save(out / MODEL_FILE)
    write_json(out / "class_names.json", list(class_names))
    write_json(out / "metrics.json", {"test_accuracy": accuracy, "test_samples": int(len(y_test)),
                                      "seconds": seconds, "recipe": "fast", **settings})
    print(f"Run folder: {out.resolve()}")
    return 0


def _number(value) -> float | str:
    """A learning rate as a number for run.json (a schedule by its name)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return type(value).__name__


def _evaluate(model, data: dict, batch_size: int) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Loss and accuracy on the test split, and its first images for the report."""
    test = data["test"]
    if isinstance(test, tuple):
        x_test, y_test = test
        loss, accuracy = model.evaluate(scale(x_test), y_test, batch_size=max(batch_size, 256), verbose=0)
        return float(loss), float(accuracy), x_test[:TEST_DATA_LIMIT], np.asarray(y_test)[:TEST_DATA_LIMIT]
    if test is None:
        raise ValueError("the folder dataset left no image for validation or test; lower --test-split or add images")
    loss, accuracy = model.evaluate(test, verbose=0)
    x_keep, y_keep = _folder.collect(test, TEST_DATA_LIMIT)
    return float(loss), float(accuracy), x_keep, y_keep
