"""``convlens train``: train a model on a dataset and write a run folder (model, history, summary, report).

Example:
    $ convlens train --dataset mnist_sample --model notes_mnist_cnn --epochs 10 --out runs/main
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from convlens.cli._common import ARRAY_DATASETS, add_common_arguments, build_model, load_arrays, scale


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train a model and write a run folder",
                                   description="Train a model (a registered name or a .py file) on a dataset.")
    parser.add_argument("--dataset", default="mnist_sample",
                        help=f"one of {', '.join(ARRAY_DATASETS)} or a folder of class sub-folders")
    parser.add_argument("--model", default="notes_mnist_cnn", help="registered model name or a .py file")
    parser.add_argument("--epochs", type=int, default=None, help="default 10 (with --recipe: the recipe's)")
    add_common_arguments(parser)
    parser.set_defaults(batch_size=None)  # 128, or the recipe's
    parser.add_argument("--recipe", choices=("fast",), default=None,
                        help="fast: convlens.recipes.fast (its own model, optimizer and schedule; see README)")
    parser.add_argument("--optimizer", default="rmsprop", help="sgd, rmsprop, adam, adamw, adagrad, adadelta")
    parser.add_argument("--learning-rate", type=float, default=None, help="default: the optimizer's Keras default")
    parser.add_argument("--validation-split", type=float, default=0.1)
    parser.add_argument("--image-size", type=int, nargs=2, default=(64, 64), metavar=("H", "W"),
                        help="image size for folder datasets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/latest", help="run folder to write")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML report")
    parser.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2))
    parser.set_defaults(func=run)


def _folder_data(args: argparse.Namespace):
    from convlens.preprocessing.image import ImageDataGenerator
    datagen = ImageDataGenerator(rescale=1 / 255, validation_split=max(args.validation_split, 0.1))
    common = dict(target_size=tuple(args.image_size), batch_size=args.batch_size, seed=args.seed)
    train = datagen.flow_from_directory(args.dataset, subset="training", **common)
    val = datagen.flow_from_directory(args.dataset, subset="validation", shuffle=False, **common)
    return train, val


def run(args: argparse.Namespace) -> int:
    from convlens import optimizers
    from convlens.callbacks import CSVLogger, ModelCheckpoint
    from convlens.utils import set_random_seed

    set_random_seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.recipe == "fast":
        return _run_fast(args, out)
    args.epochs = 10 if args.epochs is None else args.epochs
    args.batch_size = 128 if args.batch_size is None else args.batch_size
    optimizer = optimizers.get(args.optimizer)
    if args.learning_rate is not None:
        optimizer.learning_rate = args.learning_rate
    best = out / "best.weights.convlens"
    has_validation = Path(args.dataset).is_dir() or args.validation_split > 0
    callbacks = [CSVLogger(str(out / "history.csv"))]
    if has_validation:  # keep the epoch with the best validation loss, as the notes do with ModelCheckpoint
        callbacks.append(ModelCheckpoint(str(best), monitor="val_loss", save_best_only=True, save_weights_only=True))

    if Path(args.dataset).is_dir():
        train, val = _folder_data(args)
        class_names = sorted(train.class_indices, key=train.class_indices.get)
        sample_shape = train[0][0].shape[1:]
        model = build_model(args.model, tuple(sample_shape), len(class_names))
        model.compile(optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        model.summary()
        model.fit(train, epochs=args.epochs, validation_data=val, callbacks=callbacks, verbose=args.verbose)
        x_test, y_test = _collect(val)
        test_x = x_test
    else:
        (x_train, y_train), (x_test, y_test), class_names = load_arrays(args.dataset)
        model = build_model(args.model, x_train.shape[1:], len(class_names))
        model.compile(optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.summary()
        model.fit(scale(x_train), y_train, batch_size=args.batch_size, epochs=args.epochs,
                  validation_split=args.validation_split or 0.0, callbacks=callbacks, verbose=args.verbose)
        test_x = scale(x_test)

    model.class_names = list(class_names)
    if has_validation and best.exists():
        model.load_weights(best)
        best.unlink()
        val_loss = model.history.history["val_loss"]
        print(f"Restored the weights of epoch {val_loss.index(min(val_loss)) + 1} (lowest val_loss)")
    test_loss, test_accuracy = model.evaluate(test_x, y_test, batch_size=256, verbose=0)
    print(f"\nTest accuracy: {test_accuracy:.2%}  (loss {test_loss:.4f}, {len(y_test)} test images)")
    model.save(out / "model.convlens")
    (out / "summary.txt").write_text(model.summary(return_string=True, show_formulas=True) + "\n")
    (out / "metrics.json").write_text(json.dumps({"test_loss": test_loss, "test_accuracy": test_accuracy,
                                                  "test_samples": int(len(y_test))}, indent=2) + "\n")
    (out / "class_names.json").write_text(json.dumps(list(class_names)) + "\n")
    keep = min(len(y_test), 500)
    np.savez_compressed(out / "test_data.npz", x_test=x_test[:keep], y_test=np.asarray(y_test)[:keep])
    if not args.no_report:
        from convlens.report import write_report
        report = write_report(out)
        print(f"Report: {report}")
    print(f"Run folder: {out.resolve()}")
    return 0


def _run_fast(args: argparse.Namespace, out: Path) -> int:
    """``--recipe fast``: ``convlens.recipes.fast.train_fast`` on an array dataset, scored with test-time flip."""
    import time
    from convlens.recipes import fast
    if Path(args.dataset).is_dir() or args.model != "notes_mnist_cnn" or args.learning_rate is not None:
        raise SystemExit("convlens train: --recipe fast takes an array dataset (--dataset) and sets its own model "
                         "and learning rate; drop --model / --learning-rate")
    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test), class_names = load_arrays(args.dataset)
    settings = fast.settings_for(args.dataset)
    settings["epochs"] = args.epochs or settings["epochs"]
    settings["batch_size"] = args.batch_size or settings["batch_size"]
    model = fast.train_fast(x_train, y_train, seed=args.seed, verbose=args.verbose, **settings)
    accuracy = fast.evaluate_fast(model, x_test, y_test)
    seconds = time.perf_counter() - start
    print(f"\nTest accuracy: {accuracy:.2%} ({len(y_test)} test images{', with test-time flip' if settings['flip'] else ''}"
          f"); {seconds:.1f} s from loading to score")
    model.class_names = list(class_names)
    model.save(out / "model.convlens")
    (out / "metrics.json").write_text(json.dumps({"test_accuracy": accuracy, "test_samples": int(len(y_test)),
                                                  "seconds": seconds, "recipe": "fast", **settings}, indent=2) + "\n")
    print(f"Run folder: {out.resolve()}")
    return 0


def _collect(iterator) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for i in range(len(iterator)):
        x, y = iterator[i]
        xs.append(x)
        ys.append(np.asarray(y).argmax(-1) if np.asarray(y).ndim == 2 else np.asarray(y))
    return np.concatenate(xs), np.concatenate(ys)
