"""The ``mlp-lecture`` command: trace, render and verify a lesson's lecture.

Every failure a user can cause (a bad lesson, a missing directory) ends in
one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlpmath import LessonError, compute_trace, load_lesson

__all__ = ["main"]


class UserError(Exception):
    """A problem the user can fix; its message is the one line printed."""


def _trace_command(args: argparse.Namespace) -> int:
    trace = compute_trace(load_lesson(args.lesson))
    if args.json:
        json.dump(trace.to_dict(), sys.stdout)
        sys.stdout.write("\n")
    else:
        from scenes.report import print_trace

        print_trace(trace)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlp-lecture",
        description="Render lecture videos of how a small MLP computes and learns.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    trace = commands.add_parser("trace", help="print every number of a lesson")
    trace.add_argument("lesson", nargs="?", type=Path, help="lesson TOML (default: built-in)")
    trace.add_argument("--json", action="store_true", help="one JSON object, full precision")
    trace.set_defaults(run=_trace_command)
    return parser


def main(argv: list[str] | None = None) -> int:
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
