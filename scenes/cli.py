"""The ``mlp-lecture`` command: trace, render and verify a lesson's lecture.

Every failure a user can cause (a bad lesson, a missing directory) ends in
one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

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
    from scenes.render import RenderOptions, default_out_dir, render_scenes

    lesson, names = _lesson_and_scenes(args)
    options = RenderOptions(
        quality=args.quality,
        format=args.format,
        transparent=args.transparent,
        sections=args.sections,
    )
    _check(options)
    out_dir = args.out or default_out_dir(lesson, options)

    def render(display: _RenderDisplay) -> Any:
        return render_scenes(
            lesson,
            names,
            out_dir,
            options,
            jobs=args.jobs,
            force=args.force,
            lecture=args.lecture,
            verbose=args.verbose,
            observer=display,
        )

    report = _rendering(out_dir, render)
    if isinstance(report, int):
        return report
    _print_summary(report)
    return _report_problems(report, args.verbose)


def _slides_command(args: argparse.Namespace) -> int:
    from scenes.render import RenderOptions, default_out_dir
    from scenes.revealjs import RevealJSError
    from scenes.slides import SLIDES_DIR, TARGETS, build_deck

    lesson, names = _lesson_and_scenes(args)
    options = RenderOptions(quality=args.quality, sections=True)
    _check(options)
    out_dir = args.out or default_out_dir(lesson, options)
    targets = [args.to] if args.to else list(TARGETS)

    def build(display: _RenderDisplay) -> Any:
        return build_deck(
            lesson,
            names,
            out_dir,
            args.quality,
            targets,
            jobs=args.jobs,
            force=args.force,
            verbose=args.verbose,
            observer=display,
        )

    try:
        deck = _rendering(out_dir, build)
    except RevealJSError as error:
        raise UserError(str(error)) from None
    if isinstance(deck, int):
        return deck
    _print_summary(deck.render)
    status = _report_problems(deck.render, args.verbose)
    if status:
        print("mlp-lecture: no deck written: a scene failed to render", file=sys.stderr)
        return status
    scenes = [path.stem for path in deck.presentations]
    print(f"{deck.slides} slides from {len(deck.presentations)} scene(s):")
    for target, path in deck.decks.items():
        print(f"  {target:<5} {path}")
    player = Path(sys.executable).parent / "manim-slides"
    present = [str(player), "present", "--folder", str(out_dir / SLIDES_DIR), *scenes]
    print(f"  present: {' '.join(present)}")
    if args.present:
        return _present(present)
    return 0


def _present(command: list[str]) -> int:
    """Play the deck in manim-slides' own full-screen player (it needs Qt)."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("qtpy") is None or not any(
        importlib.util.find_spec(binding) for binding in ("PySide6", "PyQt6")
    ):
        raise UserError("the slide player needs Qt: run `make present` (installs PySide6)")
    return subprocess.call([sys.executable, "-m", "manim_slides", *command[1:]])


def _lesson_and_scenes(args: argparse.Namespace) -> tuple[Any, list[str]]:
    from scenes.render import select_scenes

    lesson = load_lesson(args.lesson)
    try:
        return lesson, select_scenes(args.scenes)
    except ValueError as error:
        raise UserError(str(error)) from None


def _check(options: Any) -> None:
    from scenes.render import RenderError

    try:
        options.check()
    except RenderError as error:
        raise UserError(str(error)) from None


def _rendering(out_dir: Path, work: Any) -> Any:
    """Run ``work(display)`` under a live display; a user's problem becomes one line.

    Returns what ``work`` returns, or the exit status of an interrupted run.
    """
    from rich.console import Console

    from scenes.render import RenderError

    display = _RenderDisplay(Console(stderr=True))
    try:
        with display:
            return work(display)
    except RenderError as error:
        raise UserError(str(error)) from None
    except OSError as error:  # e.g. no permission to write DIR, or the disk is full
        where = f"{error.filename}: " if error.filename else ""
        raise UserError(f"{where}{error.strerror or error}") from None
    except KeyboardInterrupt as interrupt:
        signame = str(interrupt) or "SIGINT"
        print(
            f"mlp-lecture: interrupted ({signame}); finished scenes are kept in {out_dir}, "
            "run the same command again to render the rest",
            file=sys.stderr,
        )
        return 128 + getattr(signal.Signals, signame, signal.SIGINT).value


def _report_problems(report: Any, verbose: bool) -> int:
    """Warn of audit problems, name failed scenes; 1 when a scene failed."""
    for scene in report.scenes:
        if scene.audit:
            print(
                f"mlp-lecture: warning: {scene.name}: the audit found {len(scene.audit)} "
                f"problem(s) (`mlp-lecture verify` lists them), e.g. {scene.audit[0]}",
                file=sys.stderr,
            )
    for scene in report.failed:
        if verbose and scene.details:
            print(scene.details, file=sys.stderr)
        print(f"mlp-lecture: {scene.name} failed: {scene.error}", file=sys.stderr)
    return 1 if report.failed else 0


class _RenderDisplay:
    """A live display of a render on a terminal: scenes done, and each running scene's frames."""

    def __init__(self, console: Any):
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<18}"),
            BarColumn(bar_width=30),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.overall: Any = None
        self.running: dict[str, Any] = {}
        self.totals: dict[str, int | None] = {}

    def __enter__(self) -> _RenderDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def planned(self, to_render: Any, frames: dict[str, int | None]) -> None:
        self.totals = dict(frames)
        self.overall = self.progress.add_task(
            "scenes", total=len(to_render), detail=f"0/{len(to_render)} rendered"
        )

    def started(self, scene: str) -> None:
        total = self.totals.get(scene)
        self.running[scene] = self.progress.add_task(
            scene, total=total, detail="starting" if total else "frames: 0"
        )

    def frames(self, scene: str, frames: int) -> None:
        if scene in self.running:
            total = self.totals.get(scene)
            detail = f"{frames}/{total} frames" if total else f"{frames} frames"
            self.progress.update(self.running[scene], completed=frames, detail=detail)

    def finished(self, result: Any) -> None:
        task = self.running.pop(result.name, None)
        if task is None:
            return  # cached: never started
        self.progress.remove_task(task)
        if self.overall is not None:
            self.progress.advance(self.overall)
            done = int(self.progress.tasks[self.overall].completed)
            total = int(self.progress.tasks[self.overall].total or 0)
            self.progress.update(self.overall, detail=f"{done}/{total} rendered")

    def joining(self, clips: int) -> None:
        self.progress.add_task(f"joining {clips} clips", total=None, detail="")


def _print_summary(report: Any) -> None:
    """One line per scene (status, render time, video duration, values, file), then a total."""
    width = max((len(scene.name) for scene in report.scenes), default=0)
    counts: dict[str, int] = {}
    for scene in report.scenes:
        counts[scene.status] = counts.get(scene.status, 0) + 1
        name = f"{scene.name:<{width}}"
        if scene.status == "skipped":
            print(f"{name}  skipped   {scene.skipped}")
        elif scene.status == "failed":
            print(f"{name}  FAILED    {scene.error}")
        else:
            took = f"{scene.seconds:5.1f} s" if scene.status == "rendered" else "      -"
            video = f"{scene.duration:5.1f} s video" if scene.duration else "  still      "
            audit = f"audit: {len(scene.audit)} problem(s)" if scene.audit else "audit ok"
            print(
                f"{name}  {scene.status:<8}  {took}  {video}  {scene.values:3d} values  "
                f"{audit}  {scene.video}"
            )
    video_total = sum(scene.duration or 0.0 for scene in report.scenes)
    tally = ", ".join(f"{count} {status}" for status, count in counts.items())
    line = (
        f"{report.out_dir}: {len(report.scenes)} scene(s) ({tally}) in {report.seconds:.1f} s; "
        f"{video_total:.1f} s of video; manifest {report.manifest.name}"
    )
    if report.lecture is not None:
        line += f"; joined into {report.lecture} ({report.lecture_duration or 0:.1f} s)"
    print(line)


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


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _add_rendering_arguments(command: argparse.ArgumentParser, default_out: str) -> None:
    """The arguments every command that renders scenes takes (render, slides)."""
    command.add_argument("lesson", nargs="?", type=Path, help="lesson TOML (default: built-in)")
    command.add_argument("--scenes", help="comma-separated scene names (default: all, in order)")
    command.add_argument("--quality", choices=["low", "medium", "high", "4k"], default="low")
    command.add_argument("--out", type=Path, help=f"output directory (default: {default_out})")
    command.add_argument(
        "--jobs", type=_positive, help="worker processes rendering at once (default: one per core)"
    )
    command.add_argument(
        "--force", action="store_true", help="render again even scenes that are up to date"
    )
    command.add_argument(
        "--verbose", action="store_true", help="Manim's warnings, and tracebacks of failed scenes"
    )


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
    _add_rendering_arguments(render, "renders/LESSON/QUALITY[-FORMAT][-slides]")
    render.add_argument(
        "--format",
        choices=["mp4", "webm", "mov", "gif", "png"],
        default="mp4",
        help="clip format; png writes each scene's last frame (default: mp4)",
    )
    render.add_argument(
        "--transparent",
        action="store_true",
        help="transparent background (webm, mov: clips with an alpha channel; png)",
    )
    render.add_argument(
        "--sections", action="store_true", help="also one clip per step, in DIR/sections/"
    )
    render.add_argument(
        "--lecture", action="store_true", help="also join the scenes into DIR/lecture.mp4"
    )
    render.set_defaults(run=_render_command)

    slides = commands.add_parser(
        "slides", help="the lecture as a slide deck: a slide per step, notes, HTML and PowerPoint"
    )
    _add_rendering_arguments(slides, "renders/LESSON/QUALITY-slides")
    slides.add_argument(
        "--to", choices=["html", "pptx"], help="write only this deck (default: both)"
    )
    slides.add_argument(
        "--present", action="store_true", help="then play it in manim-slides' player (needs Qt)"
    )
    slides.set_defaults(run=_slides_command)

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
