"""``convlens finetune``: Keras's transfer-learning recipe from the shell, on an image folder or a dataset.

A base (``--weights``: a cached base name from ``convlens pretrain`` or a weights file) is loaded without its head,
frozen and called with ``training=False``; a new head is trained; then the top ``--unfreeze`` weighted layers of the
base are fine-tuned with a low learning rate.

Example:
    $ convlens finetune lenet5 --weights fashion_mnist --dataset my_images/ --image-size 32 32 --out runs/ft
"""
from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

from convlens.cli._common import ARRAY_DATASETS
from convlens.cli.pretrain import load


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
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/finetune", help="folder for model.convlens and metrics.json")
    parser.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from convlens import optimizers
    from convlens.utils import set_random_seed
    from convlens.zoo import WeightsNote, create_model
    from convlens.zoo.transfer import unfreeze_top, with_new_head

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
    frozen = model.fit(x_train, y_train, epochs=args.epochs, **fit).history
    history = {"frozen": frozen}
    if args.fine_tune_epochs > 0:
        training = unfreeze_top(base, args.unfreeze)
        print(f"Fine-tuning {', '.join(training)} with learning rate {args.fine_tune_learning_rate}")
        model.compile(optimizers.Adam(args.fine_tune_learning_rate), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history["fine_tuned"] = model.fit(x_train, y_train, epochs=args.epochs + args.fine_tune_epochs,
                                          initial_epoch=args.epochs, **fit).history
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    model.class_names = list(names)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.convlens")
    (out / "metrics.json").write_text(json.dumps({"test_loss": loss, "test_accuracy": accuracy,
                                                  "test_samples": int(len(y_test)), "history": history},
                                                 indent=2) + "\n")
    print(f"\nTest accuracy: {accuracy:.2%} (loss {loss:.4f}, {len(y_test)} test images)\nRun folder: {out.resolve()}")
    return 0
