"""``lesson``: a lesson file from a network saved with torch and a CSV of its data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlp_lecture.commands.common import check_replaceable, os_error

if TYPE_CHECKING:
    from mlp_lecture.commands.common import Subcommands

__all__ = ["add_parsers"]


def add_parsers(subcommands: Subcommands) -> None:
    """Register ``lesson``."""
    lesson = subcommands.add_parser(
        "lesson",
        help="a lesson file from a saved state dict and a CSV of data",
        description="Write a lesson file from torch.save(net.state_dict(), PATH) and a CSV whose "
        "rows are the network's inputs, then its targets (the split is the network's input and "
        "output sizes; a header row is skipped).",
    )
    lesson.add_argument(
        "--state-dict", type=Path, required=True, help="a state dict saved with torch.save"
    )
    lesson.add_argument(
        "--data", type=Path, required=True, help="CSV: input columns, then target columns"
    )
    lesson.add_argument(
        "--layers",
        help="input size then each layer's width, e.g. 2,3,2,1 (checked; default: "
        "read from the state dict)",
    )
    lesson.add_argument(
        "--activation",
        default="none",
        help="hidden layers' activation (none, relu, sigmoid, tanh), or one per layer: "
        "relu,tanh,none (default: none)",
    )
    lesson.add_argument(
        "--output-activation", default="none", help="the last layer's (default: none)"
    )
    lesson.add_argument(
        "--loss",
        default="mse",
        help="mse (the CSV ends with the targets) or cross_entropy (its last column is each "
        "row's class, 0 to C-1; the last layer gives logits) (default: mse)",
    )
    lesson.add_argument(
        "--class-names",
        nargs="+",
        metavar="NAME",
        help="with --loss cross_entropy: each class's name, in the order of the outputs "
        '(one argument each, e.g. --class-names setosa versicolor "Iris virginica"; '
        "default: the class numbers)",
    )
    lesson.add_argument("--learning-rate", type=float, default=0.001, help="(default: 0.001)")
    lesson.add_argument("--steps", type=int, default=10, help="training steps (default: 10)")
    lesson.add_argument("--title", default="Your network", help="the lecture's title")
    lesson.add_argument("--decimals", type=int, default=4, help="digits shown (default: 4)")
    lesson.add_argument("--out", type=Path, help="the lesson file to write (default: stdout)")
    lesson.set_defaults(run=lesson_command)


def lesson_command(args: argparse.Namespace) -> int:
    """``mlp-lecture lesson``: the lesson file on stdout, or written to ``--out``."""
    from mlp_lecture.lesson_file import lesson_from_files, parse_layers, write_text_atomically

    lesson = lesson_from_files(
        args.state_dict,
        args.data,
        layers=parse_layers(args.layers) if args.layers else None,
        activation=args.activation,
        output_activation=args.output_activation,
        learning_rate=args.learning_rate,
        steps=args.steps,
        title=args.title,
        decimals=args.decimals,
        loss=args.loss,
        class_names=args.class_names,
    )
    if args.out is None:
        sys.stdout.write(lesson.source)
        return 0
    check_replaceable(args.out, "lesson")
    try:
        write_text_atomically(args.out, lesson.source)
    except OSError as error:  # e.g. no permission to write there, or the disk is full
        raise os_error(error) from None
    sizes = ",".join(map(str, lesson.network.sizes))
    print(f"{args.out}: lesson {sizes}, {len(lesson.inputs)} samples")
    return 0
