"""`convlens report RUN_DIR`: write RUN_DIR/report.html, a self-contained page about a training run.

Example:
    $ convlens report runs/mnist
    wrote runs/mnist/report.html
"""
from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `report` sub-command."""
    parser = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report of a training run",
        description="Write RUN_DIR/report.html from the files `convlens train` left in RUN_DIR.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="training run folder")
    parser.add_argument("-o", "--output", default=None, help="where to write the HTML (default RUN_DIR/report.html)")
    parser.add_argument("--title", default=None, help="page title (default: the run folder's name)")
    parser.add_argument("--sample", type=int, default=0, help="test sample for feature maps and Grad-CAM (default 0)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the report and print its path."""
    from convlens.report import write_report  # imported on use: `convlens --help` stays fast

    path = write_report(args.run_dir, output=args.output, title=args.title, sample=args.sample)
    print(f"wrote {path}")
    return 0
