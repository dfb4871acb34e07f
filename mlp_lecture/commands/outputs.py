"""``workbook``, ``explore`` and ``script``: the lesson in other forms for a class.

A spreadsheet of live formulas, an offline page that recomputes what the
reader edits, and a Markdown script for a voice-over. None overwrites a file
of the user's: each is refused in one line before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlp_lecture.commands.common import (
    QUALITIES,
    UserError,
    add_lesson_argument,
    check_replaceable,
    os_error,
    positive,
    rendering,
    report_problems,
)
from mlpmath import load_lesson

if TYPE_CHECKING:
    from mlp_lecture.commands.common import Subcommands

__all__ = ["add_parsers"]


def add_parsers(subcommands: Subcommands) -> None:
    """Register ``workbook``, ``explore`` and ``script``."""
    workbook = subcommands.add_parser(
        "workbook", help="the lesson as a spreadsheet: every number a live formula (.xlsx)"
    )
    add_lesson_argument(workbook)
    workbook.add_argument(
        "--out", type=Path, help="the .xlsx file (default: renders/LESSON/workbook.xlsx)"
    )
    workbook.set_defaults(run=workbook_command)

    explore = subcommands.add_parser(
        "explore",
        help="the lesson as one offline HTML page: edit a number, everything after it is "
        "recomputed",
    )
    add_lesson_argument(explore)
    explore.add_argument(
        "-o",
        "--out",
        type=Path,
        help="the page's directory, with index.html (default: renders/LESSON/explore)",
    )
    explore.set_defaults(run=explore_command)

    script = subcommands.add_parser(
        "script",
        help="the lecture as a Markdown script to record a voice-over from (renders what is "
        "missing)",
    )
    add_lesson_argument(script)
    script.add_argument(
        "--out",
        type=Path,
        help="the Markdown file, - for stdout (default: renders/LESSON/script.md)",
    )
    script.add_argument(
        "--scenes",
        help="comma-separated scene names (default: those --dir holds, else all, in order)",
    )
    script.add_argument("--quality", choices=QUALITIES, default="low")
    script.add_argument(
        "--dir",
        type=Path,
        help="the render it is read from, and its lesson when none is named "
        "(default: renders/LESSON/QUALITY)",
    )
    script.add_argument(
        "--jobs", type=positive, help="worker processes rendering at once (default: one per core)"
    )
    script.set_defaults(run=script_command)


def workbook_command(args: argparse.Namespace) -> int:
    """``mlp-lecture workbook``: the lesson as an .xlsx of live formulas."""
    from mlp_lecture.spreadsheet import default_workbook_path, write_workbook

    lesson = load_lesson(args.lesson)
    out = args.out or default_workbook_path(lesson)
    check_replaceable(out, "workbook")
    try:
        written = write_workbook(lesson, out)
    except OSError as error:  # e.g. no permission to write there, or the disk is full
        raise os_error(error) from None
    print(written)
    return 0


def explore_command(args: argparse.Namespace) -> int:
    """``mlp-lecture explore``: the lesson's explorable page in a directory."""
    from mlp_lecture.explorable import ExploreError, default_explore_dir, write_explore
    from mlp_lecture.explorable.katex import KaTeXError

    lesson = load_lesson(args.lesson)
    try:
        written = write_explore(lesson, args.out or default_explore_dir(lesson))
    except (ExploreError, KaTeXError) as error:
        raise UserError(str(error)) from None
    except OSError as error:  # e.g. no permission to write there, or the disk is full
        raise os_error(error) from None
    print(written)
    return 0


def script_command(args: argparse.Namespace) -> int:
    """``mlp-lecture script``: the lecture's Markdown script, rendering what is missing."""
    from mlp_lecture.lecture_script import build_script, default_script_path
    from mlp_lecture.pipeline.options import RenderOptions, default_out_dir, select_scenes

    # No lesson named: the one --dir was rendered from. No --scenes: the scenes it holds.
    lesson = load_lesson(args.lesson) if args.lesson is not None else None
    try:
        names = select_scenes(args.scenes) if args.scenes is not None else None
    except ValueError as error:
        raise UserError(str(error)) from None
    out_dir = args.dir or default_out_dir(
        lesson or load_lesson(None), RenderOptions(quality=args.quality)
    )
    if str(args.out) != "-":  # before rendering: a file of the user's there is never replaced
        check_replaceable(args.out or default_script_path(out_dir), "script")
    built = rendering(
        out_dir,
        lambda display: build_script(lesson, names, out_dir, jobs=args.jobs, observer=display),
    )
    if isinstance(built, int):
        return built
    status = report_problems(built.render, verbose=False)
    if status:
        print(
            "mlp-lecture: no script written: a scene failed to render or its audit found problems",
            file=sys.stderr,
        )
        return status
    counts: dict[str, int] = {}
    for scene in built.render.scenes:
        counts[scene.status] = counts.get(scene.status, 0) + 1
    tally = ", ".join(f"{count} {status}" for status, count in counts.items())
    print(f"{out_dir}: {len(built.render.scenes)} scene(s) ({tally})", file=sys.stderr)
    if str(args.out) == "-":
        sys.stdout.write(built.text)
        return 0
    out = args.out or default_script_path(out_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(built.text, encoding="utf-8")
    except OSError as error:
        raise os_error(error) from None
    print(out)
    return 0
