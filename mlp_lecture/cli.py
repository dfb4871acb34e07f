"""The ``mlp-lecture`` command: trace, render and verify a lesson's lecture.

Every failure a user can cause (a bad lesson, a missing directory) ends in
one line on stderr and a non-zero exit, never a traceback.

The subcommands live in :mod:`mlp_lecture.commands`, one module per group;
each has ``add_parsers(subcommands)``, which registers its subcommands and
binds each to its function with ``set_defaults(run=...)``. This module only
assembles them in :data:`GROUPS` (the order ``--help`` lists them) and runs
the one chosen: a new group (say ``commands/narration.py``) is one new module
and one entry in that list.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from mlp_lecture.commands import checking, course, lessons, narration, outputs, rendering, tracing
from mlp_lecture.commands.common import UserError
from mlp_lecture.commands.suggestions import SuggestingParser
from mlpmath import LessonError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mlp_lecture.commands.common import Subcommands

__all__ = ["GROUPS", "build_parser", "main"]

GROUPS: list[Callable[[Subcommands], None]] = [
    tracing.add_parsers,  # trace
    rendering.add_parsers,  # render, stills, slides
    checking.add_parsers,  # verify
    outputs.add_parsers,  # workbook, explore, script
    lessons.add_parsers,  # lesson
    course.add_parsers,  # course, grade
    narration.add_parsers,  # narration, record
]
"""Each group's ``add_parsers``, in the order ``mlp-lecture --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: every group's subcommands on one parser."""
    parser = SuggestingParser(  # a mistyped flag names the right one
        prog="mlp-lecture",
        description="Render lecture videos of how a small MLP computes and learns.",
    )
    subcommands = parser.add_subparsers(dest="command", required=True)
    for add_parsers in GROUPS:
        add_parsers(subcommands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``mlp-lecture`` with ``argv`` (default: the process's); the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (LessonError, UserError) as error:
        print(f"mlp-lecture: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `mlp-lecture trace --json | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("mlp-lecture: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
