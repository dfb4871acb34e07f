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
        json.dump(trace.to_dict(), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        from scenes.report import print_trace

        print_trace(trace)
    return 0


def _render_command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from scenes.render import default_out_dir, render_scenes, select_scenes

    lesson = load_lesson(args.lesson)
    trace = compute_trace(lesson)
    try:
        names = select_scenes(args.scenes)
    except ValueError as error:
        raise UserError(str(error)) from None
    out_dir = args.out or default_out_dir(lesson, args.quality)
    console = Console(stderr=True)
    with console.status(f"rendering {len(names)} scene(s) of {lesson.title!r}..."):
        results = render_scenes(lesson, args.lesson, trace, names, args.quality, out_dir)
    table = Table(title=f"{lesson.title} -> {out_dir}", show_edge=False)
    for column in ("scene", "seconds", "values", "file"):
        table.add_column(column)
    for result in results:
        if result.video is None:
            table.add_row(result.name, "-", "-", "skipped: the lesson has nothing it shows")
        else:
            table.add_row(
                result.name, f"{result.seconds:.1f}", str(result.values), str(result.video)
            )
    console.print(table)
    return 0


def _verify_command(args: argparse.Namespace) -> int:
    from scenes.verify import verify_dir

    checked, problems = verify_dir(args.dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"mlp-lecture: {len(problems)} mismatch(es) in {args.dir}", file=sys.stderr)
        return 1
    print(f"{args.dir}: all {checked} shown values agree with the trace")
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

    render = commands.add_parser("render", help="render the lecture's scenes to video")
    render.add_argument("lesson", nargs="?", type=Path, help="lesson TOML (default: built-in)")
    render.add_argument("--scenes", help="comma-separated scene names (default: all, in order)")
    render.add_argument("--quality", choices=["low", "medium", "high", "4k"], default="low")
    render.add_argument(
        "--out", type=Path, help="output directory (default: renders/LESSON/QUALITY)"
    )
    render.set_defaults(run=_render_command)

    verify = commands.add_parser("verify", help="check a render's ledgers against the math")
    verify.add_argument("dir", type=Path, help="a render directory, e.g. renders/default/low")
    verify.set_defaults(run=_verify_command)
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
