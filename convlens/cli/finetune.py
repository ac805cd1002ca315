"""``convlens finetune``: Keras's transfer-learning recipe from the shell, on an image folder or a dataset.

A base (``--weights``: a cached base name from ``convlens pretrain`` or a weights file) is loaded without its head,
frozen and called with ``training=False``; a new head is trained; then the top ``--unfreeze`` weighted layers of the
base are fine-tuned with a low learning rate. ``--compare-scratch`` also trains the same network from random weights
for as many epochs in total. The run folder gets ``model.convlens``, ``metrics.json`` (test accuracy and each phase's
history), ``run.json``, ``test_data.npz`` and ``report.html``, whose curves put the phases on one epoch axis.

Example:
    $ convlens finetune lenet5 --weights fashion_mnist --dataset my_images/ --image-size 32 32 --out runs/ft
"""
from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

from convlens.cli._common import ARRAY_DATASETS, write_json, write_npz, write_text
from convlens.cli.pretrain import load

TEST_DATA_LIMIT = 500  # test images kept in the run folder for the report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("finetune", help="transfer a pretrained base to new data (freeze, head, fine-tune)",
                                   description="Load a base without its head, train a new head on frozen "
                                               "features, then fine-tune the top layers with a low learning rate.")
    parser.add_argument("model", help="registered model name, e.g. lenet5, alexnet, vgg16")
    parser.add_argument("--weights", required=True, help="cached base name (convlens pretrain) or weights file")
    parser.add_argument("--dataset", required=True,
                        help=f"a folder of class sub-folders or one of {', '.join(ARRAY_DATASETS)}")
    parser.add_argument("--epochs", type=int, default=3, help="epochs for the new head on the frozen base")
    parser.add_argument("--fine-tune-epochs", type=int, default=2, help="epochs after unfreezing (0: none)")
    parser.add_argument("--unfreeze", type=int, default=2, help="top weighted layers of the base to fine-tune")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--fine-tune-learning-rate", type=float, default=1e-5)
    parser.add_argument("--pooling", default="flatten", choices=("flatten", "avg"))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--pad", type=int, default=0, help="zero pixels added on each side")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    parser.add_argument("--image-size", type=int, nargs=2, default=(64, 64), metavar=("H", "W"),
                        help="image size for folder datasets")
    parser.add_argument("--compare-scratch", action="store_true",
                        help="also train the same network from random weights for the same total epochs")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML report")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/finetune", help="folder for model.convlens and metrics.json")
    parser.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from convlens import optimizers
    from convlens.callbacks.training_speed import TrainingSpeed
    from convlens.report import write_report
    from convlens.utils import set_random_seed
    from convlens.zoo import WeightsNote, create_model
    from convlens.zoo.transfer import unfreeze_top, with_new_head

    started = time.perf_counter()
    set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test), names = load(args)
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always", WeightsNote)
        base = create_model(args.model, include_top=False, weights=args.weights,
                            input_shape=tuple(x_train.shape[1:]))
    for note in notes:
        print(f"note: {note.message}")
    model = with_new_head(base, classes=len(names), pooling=args.pooling)
    fit = dict(batch_size=args.batch_size, verbose=args.verbose, validation_data=(x_test, y_test))
    model.compile(optimizers.Adam(args.learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
    speed = TrainingSpeed()  # the transfer run's own training, both phases (not the from-scratch comparison)
    frozen = model.fit(x_train, y_train, epochs=args.epochs, callbacks=[speed], **fit).history
    history = {"frozen": frozen}
    if args.fine_tune_epochs > 0:
        training = unfreeze_top(base, args.unfreeze)
        print(f"Fine-tuning {', '.join(training)} with learning rate {args.fine_tune_learning_rate}")
        model.compile(optimizers.Adam(args.fine_tune_learning_rate), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history["fine_tuned"] = model.fit(x_train, y_train, epochs=args.epochs + args.fine_tune_epochs,
                                          initial_epoch=args.epochs, callbacks=[speed], **fit).history
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    metrics = {"test_loss": loss, "test_accuracy": accuracy, "test_samples": int(len(y_test))}
    model.class_names = list(names)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.convlens")
    if args.compare_scratch:
        epochs = args.epochs + max(args.fine_tune_epochs, 0)
        print(f"From scratch: the same network from random weights, {epochs} epochs")
        set_random_seed(args.seed)
        fresh = create_model(args.model, include_top=False, weights=None, input_shape=tuple(x_train.shape[1:]))
        scratch = with_new_head(fresh, classes=len(names), pooling=args.pooling, freeze=False, training=None)
        scratch.compile(optimizers.Adam(args.learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
        history["scratch"] = scratch.fit(x_train, y_train, epochs=epochs, **fit).history
        metrics["scratch_test_loss"], metrics["scratch_test_accuracy"] = \
            scratch.evaluate(x_test, y_test, batch_size=256, verbose=0)
    write_json(out / "metrics.json", {**metrics, "history": history})
    write_json(out / "class_names.json", list(names))
    write_text(out / "summary.txt", model.summary(return_string=True) + "\n")
    write_json(out / "run.json", {"dataset": Path(args.dataset).name, "model": args.model, "base": args.weights,
                                  "train_samples": int(len(y_train)), "test_samples": int(len(y_test)),
                                  "epochs": args.epochs, "fine_tune_epochs": args.fine_tune_epochs,
                                  "unfreeze": args.unfreeze, "batch_size": args.batch_size, "optimizer": "adam",
                                  "learning_rate": args.learning_rate,
                                  "fine_tune_learning_rate": args.fine_tune_learning_rate,
                                  "loss": "sparse_categorical_crossentropy", "seed": args.seed,
                                  "wall_time_s": round(time.perf_counter() - started, 1),
                                  "images_per_s": speed.images_per_s})
    write_npz(out / "test_data.npz", x_test=x_test[:TEST_DATA_LIMIT], y_test=y_test[:TEST_DATA_LIMIT])
    print(f"\nTest accuracy: {accuracy:.2%} (loss {loss:.4f}, {len(y_test)} test images)")
    if args.compare_scratch:
        print(f"From scratch:  {metrics['scratch_test_accuracy']:.2%} (loss {metrics['scratch_test_loss']:.4f})")
    if not args.no_report:
        print(f"Report: {write_report(out)}")
    print(f"Run folder: {out.resolve()}")
    return 0
