"""What transfer learning buys: a LeNet-5 base pretrained on Fashion-MNIST, transferred to the MNIST sample with only
100 and 500 labelled digits, against the same network trained from scratch on the same digits.

``--source digits04`` pretrains instead on the MNIST sample's digits 0–4 (data close to the target, offline) and
transfers to its digits 5–9 (5 classes; 500 test digits), as ``examples/04_classic_networks_and_transfer`` does.

For each labelled-set size, three runs with the same seed and the same number of epochs in total:

* ``transfer, frozen``: the pretrained base (``include_top=False``, ``trainable=False``, called with
  ``training=False``) and a new Dense head, trained for ``--epochs`` epochs at ``--head-learning-rate`` (1e-2: a
  single Dense layer on 100 images gets 4 steps an epoch, and at Keras's 1e-3 it is still underfit after 10 epochs,
  48 % training accuracy);
* ``transfer + fine-tune``: the frozen run, then its top ``--unfreeze`` layers fine-tuned at
  ``--fine-tune-learning-rate`` for ``--fine-tune-epochs`` more epochs;
* ``from scratch``: LeNet-5 from random weights for ``--epochs + --fine-tune-epochs`` epochs at ``--learning-rate``.

Prints the CPU and threads first, then test accuracy on the sample's 1,000 test digits and wall time per run.

Run: ``python benchmarks/transfer_benchmark.py [--pretrain-limit 6000] [--pretrain-epochs 1] [--epochs 10]
[--fine-tune-epochs 5] [--head-learning-rate 1e-2] [--fine-tune-learning-rate 1e-4] [--learning-rate 1e-3]
[--sizes 100 500] [--seed 0] [--threads T] [--source fashion_mnist|digits04] [--unfreeze 2]
[--pretrain-batch-size 128]``
"""
from __future__ import annotations

import argparse
import tempfile
import time
import warnings

import numpy as np
import torch

import machine

from convlens import applications, optimizers
from convlens.datasets import fashion_mnist, mnist_sample
from convlens.utils import set_random_seed
from convlens.zoo import WeightsNote
from convlens.zoo.transfer import pretrain, unfreeze_top, with_new_head
from convlens.zoo.weights import load_pretrained

MODEL = "lenet5"
KWARGS = {"c1_padding": "same"}  # 28×28 digits at full size
LOSS = "sparse_categorical_crossentropy"


def grey(x: np.ndarray) -> np.ndarray:
    return (x.astype(np.float32) / 255)[..., None]


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    return float(model.evaluate(x, y, batch_size=500, verbose=0)[1])


def source_data(args: argparse.Namespace) -> tuple[tuple, tuple, str]:
    """The base's training and test sets and its name."""
    if args.source == "fashion_mnist":
        (fx, fy), (fx_test, fy_test) = fashion_mnist.load_data()
        return ((grey(fx[:args.pretrain_limit]), fy[:args.pretrain_limit].astype(np.int64)),
                (grey(fx_test), fy_test.astype(np.int64)), "Fashion-MNIST images")
    (mx, my), (mx_test, my_test) = mnist_sample.load_data(seed=args.seed)
    low, low_test = my < 5, my_test < 5
    return ((grey(mx[low][:args.pretrain_limit]), my[low][:args.pretrain_limit].astype(np.int64)),
            (grey(mx_test[low_test]), my_test[low_test].astype(np.int64)), "MNIST-sample digits 0-4")


def target_data(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The labelled pool and the test set: all ten digits, or digits 5–9 as classes 0–4 after a digits04 base."""
    (mx, my), (mx_test, my_test) = mnist_sample.load_data(seed=args.seed)
    if args.source == "digits04":
        high, high_test = my >= 5, my_test >= 5
        mx, my, mx_test, my_test = mx[high], my[high] - 5, mx_test[high_test], my_test[high_test] - 5
    return mx, my, grey(mx_test), my_test.astype(np.int64)


def compare(args: argparse.Namespace, home: str) -> tuple[list[tuple], int]:
    """Pretrain the base into ``home``, then the three methods per labelled-set size: (rows, test digits)."""
    train, test, what = source_data(args)
    set_random_seed(args.seed)
    start = time.perf_counter()
    card = pretrain(MODEL, train, test, dataset=args.source, epochs=args.pretrain_epochs,
                    batch_size=args.pretrain_batch_size, seed=args.seed, home=home, verbose=0, **KWARGS)
    print(f"Base: {MODEL} pretrained on {card['train_samples']} {what} for {card['epochs']} epoch(s): "
          f"test accuracy {card['test_accuracy']:.2%}, {time.perf_counter() - start:.1f} s, sha256 "
          f"{card['sha256'][:12]}…")

    mx, my, x_test, y_test = target_data(args)
    classes = int(my.max()) + 1
    order = np.random.default_rng(args.seed).permutation(len(my))
    rows = []
    for n in args.sizes:
        x, y = grey(mx[order[:n]]), my[order[:n]].astype(np.int64)
        fit = dict(batch_size=args.batch_size, verbose=0)

        set_random_seed(args.seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", WeightsNote)  # the dropped head is expected
            base = load_pretrained(applications.LeNet5(include_top=False, input_shape=(28, 28, 1), **KWARGS),
                                   args.source, MODEL, home=home)
        model = with_new_head(base, classes=classes)
        model.compile(optimizers.Adam(args.head_learning_rate), LOSS, metrics=["accuracy"])
        model.fit(x, y, epochs=args.epochs, **fit)
        frozen_seconds = time.perf_counter() - start
        rows.append((n, "transfer, frozen base", accuracy(model, x_test, y_test), frozen_seconds, args.epochs))
        start = time.perf_counter()
        unfreeze_top(base, args.unfreeze)
        model.compile(optimizers.Adam(args.fine_tune_learning_rate), LOSS, metrics=["accuracy"])
        model.fit(x, y, epochs=args.fine_tune_epochs, **fit)
        rows.append((n, "transfer + fine-tune", accuracy(model, x_test, y_test),
                     frozen_seconds + time.perf_counter() - start, args.epochs + args.fine_tune_epochs))

        set_random_seed(args.seed)
        start = time.perf_counter()
        scratch = applications.LeNet5(input_shape=(28, 28, 1), classes=classes, **KWARGS)
        scratch.compile(optimizers.Adam(args.learning_rate), LOSS, metrics=["accuracy"])
        scratch.fit(x, y, epochs=args.epochs + args.fine_tune_epochs, **fit)
        rows.append((n, "from scratch", accuracy(scratch, x_test, y_test), time.perf_counter() - start,
                     args.epochs + args.fine_tune_epochs))

    return rows, len(y_test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("fashion_mnist", "digits04"), default="fashion_mnist",
                        help="the base's data: Fashion-MNIST, or the MNIST sample's digits 0-4 (target: 5-9)")
    parser.add_argument("--pretrain-limit", type=int, default=6000, help="training images for the base")
    parser.add_argument("--pretrain-epochs", type=int, default=1)
    parser.add_argument("--pretrain-batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=10, help="epochs of the frozen-base run")
    parser.add_argument("--fine-tune-epochs", type=int, default=5)
    parser.add_argument("--unfreeze", type=int, default=2, help="top weighted layers of the base to fine-tune")
    parser.add_argument("--head-learning-rate", type=float, default=1e-2, help="Adam, new head on the frozen base")
    parser.add_argument("--fine-tune-learning-rate", type=float, default=1e-4, help="Adam, after unfreezing")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam, the from-scratch network")
    parser.add_argument("--sizes", type=int, nargs="+", default=(100, 500), help="labelled MNIST digits")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(machine.header())
    with tempfile.TemporaryDirectory(prefix="convlens-transfer-") as home:  # the base is cached here, then deleted
        rows, test_digits = compare(args, home)
    target = "digits 5-9" if args.source == "digits04" else "all digits"
    print(f"\nMNIST sample ({target}), {test_digits} test digits; unfreeze {args.unfreeze}; LeNet-5 (c1 'same'), "
          f"Adam (head {args.head_learning_rate:g}, "
          f"fine-tune {args.fine_tune_learning_rate:g}, scratch {args.learning_rate:g}), batch {args.batch_size}, "
          f"seed {args.seed}")
    print(f"{'labelled':>8}  {'method':<22} {'epochs':>6}  {'test acc':>8}  {'wall s':>7}")
    for n, method, acc, seconds, epochs in rows:
        print(f"{n:>8}  {method:<22} {epochs:>6}  {acc:>8.2%}  {seconds:>7.1f}")


if __name__ == "__main__":
    main()
