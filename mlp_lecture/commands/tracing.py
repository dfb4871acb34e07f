"""``trace``: every number of a lesson, as a table or as one JSON object.

With a warm trace cache it imports neither torch nor Manim, so it answers
at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from mlp_lecture.commands.common import add_lesson_argument
from mlpmath import cached_trace, load_lesson

if TYPE_CHECKING:
    from mlp_lecture.commands.common import Subcommands

__all__ = ["add_parsers"]


def add_parsers(subcommands: Subcommands) -> None:
    """Register ``trace``."""
    trace = subcommands.add_parser("trace", help="print every number of a lesson")
    add_lesson_argument(trace)
    trace.add_argument("--json", action="store_true", help="one JSON object, full precision")
    trace.set_defaults(run=trace_command)


def trace_command(args: argparse.Namespace) -> int:
    """``mlp-lecture trace``: the lesson's trace, from the cache when it is there."""
    trace = cached_trace(load_lesson(args.lesson))
    if args.json:
        json.dump(trace.to_dict(), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        from mlp_lecture.report import print_trace

        print_trace(trace)
    return 0
