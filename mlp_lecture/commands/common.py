"""What the subcommand groups share: the user's error, arguments, a render's run.

Every failure a user can cause ends in one line on stderr and a non-zero
exit, never a traceback: a command raises :class:`UserError` with that line
and :func:`mlp_lecture.cli.main` prints it.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mlpmath import load_lesson

if TYPE_CHECKING:
    from collections.abc import Callable

    from mlp_lecture.progress import RenderDisplay

__all__ = [
    "QUALITIES",
    "Subcommands",
    "UserError",
    "add_lesson_argument",
    "add_rendering_arguments",
    "check_options",
    "check_replaceable",
    "lesson_and_scenes",
    "os_error",
    "positive",
    "rendering",
    "report_problems",
]

QUALITIES = ["low", "medium", "high", "4k"]
"""The ``--quality`` choices, Manim's quality presets by their short names."""


class UserError(Exception):
    """A problem the user can fix; its message is the one line printed."""


class Subcommands(Protocol):
    """The parser's set of subcommands, as ``add_parsers`` sees it.

    ``argparse.ArgumentParser.add_subparsers`` returns it; its class is
    private to argparse, so the groups are typed by the one method they call.
    """

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """A new subcommand ``name`` with ``argparse.ArgumentParser``'s keywords."""
        ...


def os_error(error: OSError) -> UserError:
    """The one line for a file the system refused (no permission, a full disk).

    Names the file when the system says which, so the user knows where to look.
    """
    where = f"{error.filename}: " if error.filename else ""
    return UserError(f"{where}{error.strerror or error}")


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--jobs``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def add_lesson_argument(command: argparse.ArgumentParser) -> None:
    """The optional lesson file every command about one lesson takes first."""
    command.add_argument("lesson", nargs="?", type=Path, help="lesson TOML (default: built-in)")


def add_rendering_arguments(command: argparse.ArgumentParser, default_out: str) -> None:
    """The arguments every command that renders scenes takes (render, stills, slides).

    ``default_out`` is the output directory's default as the help shows it.
    """
    add_lesson_argument(command)
    command.add_argument("--scenes", help="comma-separated scene names (default: all, in order)")
    command.add_argument("--quality", choices=QUALITIES, default="low")
    command.add_argument("--out", type=Path, help=f"output directory (default: {default_out})")
    command.add_argument(
        "--jobs", type=positive, help="worker processes rendering at once (default: one per core)"
    )
    command.add_argument(
        "--force",
        action="store_true",
        help="render again even scenes that are up to date; also write into a non-empty --out "
        "that is no render directory (no file already there is touched)",
    )
    command.add_argument(
        "--verbose", action="store_true", help="Manim's warnings, and tracebacks of failed scenes"
    )


def lesson_and_scenes(args: argparse.Namespace) -> tuple[Any, list[str]]:
    """The lesson ``args.lesson`` names and the scenes ``args.scenes`` selects.

    An unknown scene name becomes a :class:`UserError`; a bad lesson raises
    :class:`mlpmath.LessonError`, which ``main`` prints the same way.
    """
    from mlp_lecture.pipeline.options import select_scenes

    lesson = load_lesson(args.lesson)
    try:
        return lesson, select_scenes(args.scenes)
    except ValueError as error:
        raise UserError(str(error)) from None


def check_options(options: Any) -> None:
    """Refuse render options that do not go together, in one line, before any work."""
    from mlp_lecture.pipeline.options import RenderError

    try:
        options.check()
    except RenderError as error:
        raise UserError(str(error)) from None


def check_replaceable(path: Path, kind: str) -> None:
    """A file already at ``path`` is overwritten only when mlp-lecture wrote it."""
    from mlp_lecture.pipeline.options import RenderError
    from mlp_lecture.pipeline.ownership import check_replaceable as owned

    try:
        owned(path, kind)
    except RenderError as error:
        raise UserError(str(error)) from None


def rendering(out_dir: Path, work: Callable[[RenderDisplay], Any]) -> Any:
    """Run ``work(display)`` under a live display; a user's problem becomes one line.

    Returns what ``work`` returns, or the exit status of an interrupted run
    (an ``int``): the finished scenes stay in ``out_dir`` and the message
    says that running the same command again renders the rest.
    """
    from rich.console import Console

    from mlp_lecture.pipeline.options import RenderError
    from mlp_lecture.progress import RenderDisplay

    display = RenderDisplay(Console(stderr=True))
    try:
        with display:
            return work(display)
    except RenderError as error:
        raise UserError(str(error)) from None
    except OSError as error:  # e.g. no permission to write DIR, or the disk is full
        raise os_error(error) from None
    except KeyboardInterrupt as interrupt:
        signame = str(interrupt) or "SIGINT"
        print(
            f"mlp-lecture: interrupted ({signame}); finished scenes are kept in {out_dir}, "
            "run the same command again to render the rest",
            file=sys.stderr,
        )
        return 128 + getattr(signal.Signals, signame, signal.SIGINT).value


def report_problems(report: Any, verbose: bool) -> int:
    """Name failed scenes and scenes the audit rejects; 1 when there is any."""
    if report.explore_note:  # a folder of the user's where the page goes: said, not fatal
        print(f"mlp-lecture: {report.explore_note}", file=sys.stderr)
    for scene in report.scenes:
        if scene.audit:
            print(
                f"mlp-lecture: {scene.name}: the audit found {len(scene.audit)} "
                f"problem(s) (`mlp-lecture verify` lists them), e.g. {scene.audit[0]}",
                file=sys.stderr,
            )
    for scene in report.failed:
        if verbose and scene.details:
            print(scene.details, file=sys.stderr)
        print(f"mlp-lecture: {scene.name} failed: {scene.error}", file=sys.stderr)
    return 1 if report.failed or any(scene.audit for scene in report.scenes) else 0
